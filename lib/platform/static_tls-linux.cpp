// platform/static_tls-linux.cpp — a block in the C library's static TLS area.
//
// Initial- and local-exec code (built without -fPIC) reaches a thread-local
// variable at one offset from the thread pointer, the same in every thread.
// Only the C library's static TLS area has that property: glibc keeps a
// surplus of it for shared objects that use the initial-exec model, gives a
// dlopen'ed object a slice when one of its relocations needs the object's
// offset from the thread pointer (R_X86_64_TPOFF64 or R_AARCH64_TLS_TPREL:
// elf-ARCH.cpp says which, with the object's machine), copies the object's
// TLS image into that slice in every thread alive then, and into each thread
// made later. So we write such an object — in memory (memfd), a few hundred
// bytes: a PT_TLS segment holding the unit's template, one such
// relocation with no symbol, and PT_GNU_STACK (without it, glibc would make
// every thread's stack executable) — dlopen it, and read the offset glibc
// wrote. The surplus is small (glibc.rtld.optional_static_tls, 512 bytes by
// default, plus what is left of the rest); dlopen says when it is used up.
#include "platform/platform.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace rtlink::platform {

namespace {

template <typename T> void put(std::vector<uint8_t> &f, uint64_t at, const T &v) {
  if (at <= f.size() && f.size() - at >= sizeof v)  // always: the layout below says so
    std::memcpy(f.data() + at, &v, sizeof v);
}

// The shared object, and where in it the relocation writes the offset.
std::vector<uint8_t> make_object(std::span<const uint8_t> image, uint64_t size, uint64_t align,
                                 uint64_t &slot) {
  constexpr uint64_t kPhdrs = 4, kDyns = 9;
  const uint64_t phoff = sizeof(Elf64_Ehdr);
  const uint64_t dyn = phoff + kPhdrs * sizeof(Elf64_Phdr);
  const uint64_t hash = dyn + kDyns * sizeof(Elf64_Dyn);  // nbucket 1, nchain 1: empty
  const uint64_t sym = hash + 16;                          // the null symbol
  const uint64_t str = sym + sizeof(Elf64_Sym);            // ""
  const uint64_t rela = (str + 1 + 7) & ~uint64_t(7);
  slot = rela + sizeof(Elf64_Rela);
  const uint64_t tls = (slot + 8 + align - 1) & ~(align - 1);
  const uint64_t end = tls + image.size();
  std::vector<uint8_t> f(end, 0);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_DYN;
  eh.e_machine = elf_machine();
  eh.e_version = EV_CURRENT;
  eh.e_phoff = phoff;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = kPhdrs;
  put(f, 0, eh);
  const Elf64_Phdr ph[kPhdrs] = {
      // Writable (the relocation is applied to it), never executable.
      {PT_LOAD, PF_R | PF_W, 0, 0, 0, end, end, 0x10000},
      {PT_DYNAMIC, PF_R, dyn, dyn, dyn, kDyns * sizeof(Elf64_Dyn), kDyns * sizeof(Elf64_Dyn), 8},
      {PT_TLS, PF_R, tls, tls, tls, image.size(), size, align},
      {PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16},
  };
  put(f, phoff, ph);
  const Elf64_Dyn d[kDyns] = {
      {DT_HASH, {hash}},           {DT_STRTAB, {str}},
      {DT_SYMTAB, {sym}},          {DT_STRSZ, {1}},
      {DT_RELA, {rela}},           {DT_RELASZ, {sizeof(Elf64_Rela)}},
      {DT_RELAENT, {sizeof(Elf64_Rela)}}, {DT_FLAGS, {DF_STATIC_TLS}},
      {DT_NULL, {0}},
  };
  put(f, dyn, d);
  const uint32_t h[2] = {1, 1};
  put(f, hash, h);
  put(f, rela, Elf64_Rela{slot, ELF64_R_INFO(0, elf_tpoff64_relocation()), 0});
  if (!image.empty())
    std::memcpy(f.data() + tls, image.data(), image.size());
  return f;
}

} // namespace

Expected<StaticTlsBlock> reserve_static_tls(std::span<const uint8_t> image, uint64_t size,
                                            uint64_t align) {
  if (align == 0 || (align & (align - 1)))
    return make_error("thread-local storage alignment ", align, " is not a power of two");
  uint64_t slot = 0;
  std::vector<uint8_t> object = make_object(image, size, align, slot);
  int fd = memfd_create("rtlink-static-tls", MFD_CLOEXEC);
  if (fd < 0)
    return make_error("memfd_create: ", std::strerror(errno));
  for (size_t done = 0; done < object.size();) {
    ssize_t n = ::write(fd, object.data() + done, object.size() - done);
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return make_error("writing the static TLS object: ", why);
    }
    done += size_t(n);
  }
  // The descriptor stays open while the object is loaded: the C library
  // knows objects by path, and no other live one may have this one's.
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    ::close(fd);
    return make_error("no room in the C library's static thread-local storage for ", size,
                      " bytes (", why ? why : "dlopen failed",
                      "); glibc keeps a small surplus for it: raise it with "
                      "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=BYTES, or build the code "
                      "with -fPIC");
  }
  link_map *map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) {
    dlclose(handle);
    ::close(fd);
    return make_error("dlinfo on the static TLS object failed");
  }
  int64_t offset;
  std::memcpy(&offset, reinterpret_cast<const uint8_t *>(map->l_addr) + slot, 8);
  return StaticTlsBlock{reinterpret_cast<uint64_t>(handle), fd, offset};
}

void release_static_tls(const StaticTlsBlock &b) {
  dlclose(reinterpret_cast<void *>(b.handle));
  ::close(b.fd);
}

} // namespace rtlink::platform
