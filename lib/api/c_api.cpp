// api/c_api.cpp — rtlink.h over rtlink::Linker. Every entry point catches
// whatever C++ might throw (allocation failures): nothing crosses into C.
#include <rtlink/linker.hpp>
#include <rtlink/rtlink.h>

#include <cstring>

#include "support/words.hpp"

#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

struct rtl_linker {
  std::unique_ptr<rtlink::Linker> linker;
  mutable std::mutex error_lock;
  std::string error;
  std::string found;  // rtl_find_system_library's answer
};

namespace {

thread_local std::string creation_error;

void set_error(rtl_linker *l, const std::string &message) {
  std::lock_guard<std::mutex> g(l->error_lock);
  l->error = message;
}

// Runs f, turning an rtlink::Error or a C++ exception into a nonzero return.
template <class F> int guarded(rtl_linker *l, F &&f) {
  if (!l)
    return 1;
  try {
    rtlink::Error e = f();
    if (!e)
      return 0;
    set_error(l, e.message());
  } catch (const std::bad_alloc &) {
    set_error(l, "out of memory");
  } catch (const std::exception &x) {
    set_error(l, std::string("internal error: ") + x.what());
  }
  return 1;
}

// The C arguments as the executor takes them; an unknown kind is an error
// naming the argument.
rtlink::Expected<std::vector<rtlink::CallArg>> call_args(const rtl_arg *args, size_t count) {
  std::vector<rtlink::CallArg> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const rtl_arg &a = args[i];
    rtlink::CallArg c;
    switch (a.kind) {
    case RTL_ARG_INT:
      c.kind = rtlink::CallArg::Int;
      c.bits = static_cast<uint64_t>(a.i);
      break;
    case RTL_ARG_DOUBLE:
      c.kind = rtlink::CallArg::Float;
      std::memcpy(&c.bits, &a.d, sizeof a.d);
      break;
    case RTL_ARG_FLOAT: {
      c.kind = rtlink::CallArg::Float;
      const float f = static_cast<float>(a.d);
      uint32_t bits;
      std::memcpy(&bits, &f, sizeof f);
      c.bits = bits;
      break;
    }
    case RTL_ARG_BYTES:
      if (!a.bytes && a.size)
        return rtlink::make_error("argument ", i + 1, ": RTL_ARG_BYTES with no bytes");
      c.kind = rtlink::CallArg::Bytes;
      c.bytes.assign(static_cast<const char *>(a.bytes), a.size);
      break;
    default:
      return rtlink::make_error("argument ", i + 1, ": unknown kind ", a.kind,
                                " (RTL_ARG_INT, RTL_ARG_DOUBLE, RTL_ARG_FLOAT, RTL_ARG_BYTES)");
    }
    out.push_back(std::move(c));
  }
  return out;
}

// rtl_call and rtl_call_double: `call` (Linker::call or call_double) with the
// arguments converted, its value in *result.
template <class R, class Call>
int call_with(rtl_linker *l, const rtl_arg *args, size_t count, R *result, Call call) {
  return guarded(l, [&] {
    auto a = call_args(args, count);
    if (!a)
      return a.take_error();
    auto r = call(*a);
    if (!r)
      return r.take_error();
    if (result)
      *result = *r;
    return rtlink::Error::success();
  });
}

} // namespace

extern "C" {

namespace {

rtl_linker *new_linker(rtlink::LinkerOptions options) {
  try {
    auto made = rtlink::Linker::create(std::move(options));
    if (!made) {
      creation_error = made.error().message();
      return nullptr;
    }
    auto *l = new rtl_linker;
    l->linker = std::move(*made);
    return l;
  } catch (...) {
    creation_error = "out of memory";
    return nullptr;
  }
}

} // namespace

rtl_linker *rtl_linker_new(void) { return new_linker({}); }

rtl_linker *rtl_linker_new_cached(const char *cache_dir) {
  if (!cache_dir || !*cache_dir) {
    creation_error = "rtl_linker_new_cached: no cache directory";
    return nullptr;
  }
  try {
    rtlink::LinkerOptions o;
    o.cache_dir = cache_dir;
    return new_linker(std::move(o));
  } catch (...) {
    creation_error = "out of memory";
    return nullptr;
  }
}

rtl_linker *rtl_linker_new_remote(const char *executor_command) {
  try {
    std::vector<std::string> argv =
        executor_command ? rtlink::split_words(executor_command, "\"'") : std::vector<std::string>{};
    if (argv.empty()) {
      creation_error = "rtl_linker_new_remote: no executor command";
      return nullptr;
    }
    rtlink::LinkerOptions o;
    o.executor = rtlink::make_remote_executor({std::move(argv), true, 3});
    return new_linker(std::move(o));
  } catch (...) {
    creation_error = "out of memory";
    return nullptr;
  }
}

void rtl_linker_free(rtl_linker *l) {
  try {
    delete l;
  } catch (...) {
  }
}

int rtl_load(rtl_linker *l, const char *path) {
  return guarded(l, [&] { return l->linker->load(path); });
}
int rtl_load_object(rtl_linker *l, const char *path) {
  return guarded(l, [&] { return l->linker->load_object(path); });
}
int rtl_load_object_buffer(rtl_linker *l, const char *name, const void *bytes, size_t size) {
  return guarded(l, [&] {
    return l->linker->load_object_buffer(name, {static_cast<const uint8_t *>(bytes), size});
  });
}
int rtl_load_archive(rtl_linker *l, const char *path) {
  return guarded(l, [&] { return l->linker->load_archive(path); });
}
int rtl_load_library(rtl_linker *l, const char *path) {
  return guarded(l, [&] { return l->linker->load_library(path); });
}

int rtl_add_search_path(rtl_linker *l, const char *dir, rtl_search_path *handle) {
  return guarded(l, [&] {
    rtl_search_path h = l->linker->add_search_path(dir);
    if (handle)
      *handle = h;
    return rtlink::Error::success();
  });
}
int rtl_remove_search_path(rtl_linker *l, rtl_search_path handle) {
  return guarded(l, [&] { return l->linker->remove_search_path(handle); });
}
int rtl_find_system_library(rtl_linker *l, const char *name, const char **path) {
  return guarded(l, [&] {
    auto found = l->linker->find_system_library(name);
    if (!found)
      return found.take_error();
    l->found = *found;
    if (path)
      *path = l->found.c_str();
    return rtlink::Error::success();
  });
}

int rtl_define_symbol(rtl_linker *l, const char *name, void *address) {
  return guarded(l, [&] {
    return l->linker->define_symbol(name, reinterpret_cast<uint64_t>(address));
  });
}

int rtl_resolve(rtl_linker *l) {
  return guarded(l, [&] { return l->linker->resolve(); });
}

void *rtl_lookup(rtl_linker *l, const char *symbol) {
  void *result = nullptr;
  guarded(l, [&] {
    auto a = l->linker->lookup(symbol);
    if (!a)
      return a.take_error();
    result = reinterpret_cast<void *>(*a);
    return rtlink::Error::success();
  });
  return result;
}

int rtl_call_int(rtl_linker *l, const char *symbol, int *result) {
  return guarded(l, [&] {
    auto r = l->linker->call_int(symbol);
    if (!r)
      return r.take_error();
    if (result)
      *result = *r;
    return rtlink::Error::success();
  });
}



int rtl_call(rtl_linker *l, const char *symbol, const rtl_arg *args, size_t count,
             int64_t *result) {
  return call_with(l, args, count, result,
                   [&](const auto &a) { return l->linker->call(symbol, a); });
}

int rtl_call_double(rtl_linker *l, const char *symbol, const rtl_arg *args, size_t count,
                    double *result) {
  return call_with(l, args, count, result,
                   [&](const auto &a) { return l->linker->call_double(symbol, a); });
}

int rtl_unload_object(rtl_linker *l, const char *path) {
  return guarded(l, [&] { return l->linker->unload(path); });
}

int rtl_unload_objects(rtl_linker *l, const char *const *paths, size_t count) {
  return guarded(l, [&] {
    std::vector<std::string> all(paths, paths + count);
    return l->linker->unload(all);
  });
}

void rtl_finalize(rtl_linker *l) {
  guarded(l, [&] {
    l->linker->finalize();
    return rtlink::Error::success();
  });
}

void rtl_purge_lookup_cache(rtl_linker *l) {
  guarded(l, [&] {
    l->linker->purge_lookup_cache();
    return rtlink::Error::success();
  });
}

const char *rtl_last_error(const rtl_linker *l) {
  if (!l)
    return creation_error.c_str();
  std::lock_guard<std::mutex> g(l->error_lock);
  return l->error.c_str();
}

} // extern "C"
