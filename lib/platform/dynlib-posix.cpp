// platform/dynlib-posix.cpp — dlopen / dlsym.
#include "platform/platform.hpp"

#include <dlfcn.h>
#include <link.h>

#include <vector>

namespace rtlink::platform {

std::optional<uint64_t> process_symbol(std::string_view name) {
  std::string n(name);
  void *p = dlsym(RTLD_DEFAULT, n.c_str());
  if (!p)
    return std::nullopt;
  return reinterpret_cast<uint64_t>(p);
}

// The loaded module whose PT_LOAD segment holds the address says whether it
// is executable; an address in no module (the heap, an anonymous mapping) is data.
std::optional<bool> is_code_address(uint64_t addr) {
  struct Query {
    uint64_t addr;
    bool found = false, code = false;
  } q{addr};
  dl_iterate_phdr(
      [](dl_phdr_info *info, size_t, void *data) {
        auto *q = static_cast<Query *>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr) &ph = info->dlpi_phdr[i];
          uint64_t start = info->dlpi_addr + ph.p_vaddr;
          if (ph.p_type == PT_LOAD && q->addr >= start && q->addr < start + ph.p_memsz) {
            q->found = true;
            q->code = (ph.p_flags & PF_X) != 0;
            return 1;
          }
        }
        return 0;
      },
      &q);
  return q.found && q.code;
}

namespace {
std::vector<std::string> g_library_dirs;
} // namespace

Error set_library_dirs(std::span<const std::string> dirs) {
  g_library_dirs.assign(dirs.begin(), dirs.end());
  return Error::success();
}

Expected<uint64_t> open_library(const std::string &path) {
  if (path.find('/') == std::string::npos)
    for (const std::string &d : g_library_dirs)
      if (void *h = dlopen((d + "/" + path).c_str(), RTLD_NOW | RTLD_LOCAL))
        return reinterpret_cast<uint64_t>(h);
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *e = dlerror();
    return make_error(path, ": cannot load shared library: ", e ? e : "unknown error");
  }
  return reinterpret_cast<uint64_t>(h);
}

bool open_into_process(const std::string &path) {
  return dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) != nullptr;
}

Error close_library(uint64_t handle) {
  if (dlclose(reinterpret_cast<void *>(handle)) != 0) {
    const char *e = dlerror();
    return make_error("dlclose failed: ", e ? e : "unknown error");
  }
  return Error::success();
}

std::optional<uint64_t> library_symbol(uint64_t handle, std::string_view name) {
  std::string n(name);
  void *p = dlsym(reinterpret_cast<void *>(handle), n.c_str());
  if (!p)
    return std::nullopt;
  return reinterpret_cast<uint64_t>(p);
}

std::optional<uint64_t> import_symbol(const std::string &, std::string_view,
                                      std::optional<uint16_t>) {
  return std::nullopt;  // no DLLs here: imports bind to registered host symbols
}

} // namespace rtlink::platform
