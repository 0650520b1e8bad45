// platform/tls-posix.cpp — thread-local storage for loaded code.
//
// A unit with .tdata/.tbss is a TLS module: its template (the .tdata bytes
// laid out in the unit's read-only segment), the block's size and
// alignment, and a pthread key. A thread's block is made the first time that
// thread reaches one of the unit's variables (so threads started before the
// load have one as well), from the template, and freed when the thread ends
// (the key's destructor) or when the unit is unloaded. Loaded code reaches
// it as a shared object's does: general and local dynamic code call
// __tls_get_addr({module, offset}), bound to tls_get_addr below; TLS
// descriptors (-mtls-dialect=gnu2 on x86-64, the default on aarch64) call
// tls_descriptor (elf-ARCH.cpp) with a register pointing at {function,
// argument}, which returns the variable's offset from the thread pointer and
// preserves every other register. Nothing here uses vector instructions on
// the path a descriptor calls: the block is filled byte by byte, so no
// register the caller holds is touched but those saved.
//
// A unit that initial- or local-exec code reaches (built without -fPIC) has
// its block in the C library's static TLS area instead
// (static_tls-linux.cpp): the same offset from every thread's pointer, made
// by the C library for every thread; its module answers __tls_get_addr with
// that address, so every model reaches the one copy.
#include "platform/platform.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace rtlink::platform {

namespace {

struct Module {
  const unsigned char *image;
  uint64_t image_size, size, align;
  pthread_key_t key;
  std::mutex lock;
  std::vector<void *> blocks;  // every thread's, freed at unload
  bool is_static = false;      // the block is at the thread pointer + static_tls.offset
  StaticTlsBlock static_tls{};
};

// Before each block: its module, so the key's destructor can find the list.
struct BlockHeader {
  Module *module;
  void *allocation;
};

void free_block(void *p) {
  auto *h = static_cast<BlockHeader *>(p) - 1;
  Module *m = h->module;
  {
    std::lock_guard<std::mutex> g(m->lock);
    for (void *&b : m->blocks)
      if (b == p) {
        b = m->blocks.back();
        m->blocks.pop_back();
        break;
      }
  }
  std::free(h->allocation);
}

} // namespace

Expected<uint64_t> create_tls_module(uint64_t image, uint64_t image_size, uint64_t size,
                                     uint64_t align) {
  auto *m = new (std::nothrow) Module;
  if (!m)
    return make_error("out of memory for a thread-local storage module");
  m->image = reinterpret_cast<const unsigned char *>(image);
  m->image_size = image_size;
  m->size = size;
  m->align = align < alignof(BlockHeader) ? alignof(BlockHeader) : align;
  if (pthread_key_create(&m->key, free_block) != 0) {
    delete m;
    return make_error("no pthread key left for a thread-local storage module");
  }
  return reinterpret_cast<uint64_t>(m);
}

Expected<StaticTlsModule> create_static_tls_module(std::span<const uint8_t> image, uint64_t size,
                                                   uint64_t align) {
  auto *m = new (std::nothrow) Module;
  if (!m)
    return make_error("out of memory for a thread-local storage module");
  auto b = reserve_static_tls(image, size, align);
  if (!b) {
    delete m;
    return b.take_error();
  }
  m->is_static = true;
  m->static_tls = *b;
  m->size = size;
  return StaticTlsModule{reinterpret_cast<uint64_t>(m), b->offset};
}

void destroy_tls_module(uint64_t module) {
  auto *m = reinterpret_cast<Module *>(module);
  if (m->is_static) {
    release_static_tls(m->static_tls);
    delete m;
    return;
  }
  pthread_key_delete(m->key);
  for (void *b : m->blocks)
    std::free((static_cast<BlockHeader *>(b) - 1)->allocation);
  delete m;
}

} // namespace rtlink::platform

// The functions loaded code calls, by address (runtime_functions below).
extern "C" __attribute__((used)) void *rtlink_tls_get_addr(const uint64_t *index) {
  using namespace rtlink::platform;
  auto *m = reinterpret_cast<Module *>(index[0]);
  if (m->is_static)
    return static_cast<unsigned char *>(__builtin_thread_pointer()) + m->static_tls.offset + index[1];
  void *block = pthread_getspecific(m->key);
  if (!block) {
    const uint64_t room = sizeof(BlockHeader) + m->align + m->size;
    auto *raw = static_cast<unsigned char *>(std::malloc(room));
    if (!raw)
      std::abort();  // as the C library's __tls_get_addr does when it cannot allocate
    uint64_t at = (reinterpret_cast<uint64_t>(raw) + sizeof(BlockHeader) + m->align - 1) &
                  ~(m->align - 1);
    auto *b = reinterpret_cast<unsigned char *>(at);
    for (uint64_t i = 0; i < m->size; ++i)  // byte by byte: no vector registers
      b[i] = i < m->image_size ? m->image[i] : 0;
    auto *h = reinterpret_cast<BlockHeader *>(b) - 1;
    h->module = m;
    h->allocation = raw;
    {
      std::lock_guard<std::mutex> g(m->lock);
      m->blocks.push_back(b);
    }
    pthread_setspecific(m->key, b);
    block = b;
  }
  return static_cast<unsigned char *>(block) + index[1];
}

// The TLS descriptor function is the instruction set's (elf-x86_64.cpp,
// elf-aarch64.cpp): it calls rtlink_tls_get_addr and returns the offset from
// the thread pointer, every other register preserved.
extern "C" void rtlink_tls_descriptor();

// C++ thread_local destructors of loaded code (__cxa_thread_atexit): kept in
// a list per thread, which the C library runs at the thread's end (one
// registration of ours per thread), and which a unit's unload runs for the
// calling thread; other threads' entries for it are skipped from then on.
extern "C" int __cxa_thread_atexit_impl(void (*fn)(void *), void *obj, void *dso);

namespace {
struct ThreadDtor {
  void (*fn)(void *);
  void *obj;
  void *dso;
};
thread_local std::vector<ThreadDtor> *t_dtors = nullptr;
std::mutex g_gone_lock;
std::vector<void *> g_gone;  // __dso_handles of unloaded units

bool gone(void *dso) {
  std::lock_guard<std::mutex> g(g_gone_lock);
  return std::find(g_gone.begin(), g_gone.end(), dso) != g_gone.end();
}

void run_thread_dtors(void *) {
  std::vector<ThreadDtor> *list = t_dtors;
  while (list && !list->empty()) {
    ThreadDtor d = list->back();
    list->pop_back();
    if (!gone(d.dso))
      d.fn(d.obj);
  }
  t_dtors = nullptr;
  delete list;
}
} // namespace

extern "C" __attribute__((used)) int rtlink_thread_atexit(void (*fn)(void *), void *obj, void *dso) {
  if (!t_dtors) {
    t_dtors = new (std::nothrow) std::vector<ThreadDtor>;
    // Any address of this module tells the C library whose destructor it is.
    if (!t_dtors || __cxa_thread_atexit_impl(run_thread_dtors, nullptr, &g_gone_lock) != 0)
      return -1;
  }
  {
    std::lock_guard<std::mutex> g(g_gone_lock);
    std::erase(g_gone, dso);  // a unit loaded again where an unloaded one was
  }
  t_dtors->push_back({fn, obj, dso});
  return 0;
}

namespace rtlink::platform {

RuntimeFunctions runtime_functions() {
  return {reinterpret_cast<uint64_t>(&rtlink_tls_get_addr),
          reinterpret_cast<uint64_t>(&rtlink_tls_descriptor),
          reinterpret_cast<uint64_t>(&rtlink_thread_atexit), 0, 0};
}

void run_thread_local_destructors(uint64_t dso_handle) {
  void *dso = reinterpret_cast<void *>(dso_handle);
  if (std::vector<ThreadDtor> *list = t_dtors)
    for (size_t i = list->size(); i-- > 0;)
      if (i < list->size() && (*list)[i].dso == dso) {
        ThreadDtor d = (*list)[i];
        list->erase(list->begin() + std::ptrdiff_t(i));
        d.fn(d.obj);
      }
  std::lock_guard<std::mutex> g(g_gone_lock);
  g_gone.push_back(dso);
}

} // namespace rtlink::platform
