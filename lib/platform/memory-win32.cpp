// platform/memory-win32.cpp — VirtualAlloc / VirtualProtect.
#include "platform/platform.hpp"

#include <windows.h>

namespace rtlink::platform {

namespace {

std::string last_error() {
  char buf[256];
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                           GetLastError(), 0, buf, sizeof buf, nullptr);
  while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.'))
    --n;
  return std::string(buf, n);
}

} // namespace

uint64_t page_size() {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwPageSize;
}

Expected<uint64_t> reserve(uint64_t size, bool low) {
  if (low) {
    // Below 2 GiB first, so code built without -fPIC reaches it: try
    // addresses upward from 256 MiB, a 64 KiB granule at a time in 64 MiB steps.
    for (uint64_t at = uint64_t(256) << 20; at + size <= (uint64_t(2) << 30); at += uint64_t(64) << 20)
      if (void *p = VirtualAlloc(reinterpret_cast<void *>(at), size, MEM_RESERVE, PAGE_NOACCESS))
        return reinterpret_cast<uint64_t>(p);
  }
  void *p = VirtualAlloc(nullptr, size, MEM_RESERVE, PAGE_NOACCESS);
  if (!p)
    return make_error("cannot reserve ", size, " bytes of address space: ", last_error());
  return reinterpret_cast<uint64_t>(p);
}

Error release(uint64_t base, uint64_t) {
  if (!VirtualFree(reinterpret_cast<void *>(base), 0, MEM_RELEASE))
    return make_error("VirtualFree failed: ", last_error());
  return {};
}

Error commit(uint64_t addr, uint64_t size) {
  if (!VirtualAlloc(reinterpret_cast<void *>(addr), size, MEM_COMMIT, PAGE_READWRITE))
    return make_error("cannot commit ", size, " bytes: ", last_error());
  return {};
}

Error decommit(uint64_t addr, uint64_t size) {
  if (!VirtualFree(reinterpret_cast<void *>(addr), size, MEM_DECOMMIT))
    return make_error("VirtualFree (decommit) failed: ", last_error());
  return {};
}

Error protect(uint64_t addr, uint64_t size, Protection prot) {
  DWORD p = PAGE_NOACCESS;
  switch (prot) {
  case Protection::None: p = PAGE_NOACCESS; break;
  case Protection::Read: p = PAGE_READONLY; break;
  case Protection::ReadWrite: p = PAGE_READWRITE; break;
  case Protection::ReadExecute: p = PAGE_EXECUTE_READ; break;  // never writable too
  }
  DWORD old;
  if (!VirtualProtect(reinterpret_cast<void *>(addr), size, p, &old))
    return make_error("VirtualProtect failed: ", last_error());
  if (prot == Protection::ReadExecute)
    FlushInstructionCache(GetCurrentProcess(), reinterpret_cast<void *>(addr), size);
  return {};
}

void prefault(uint64_t, uint64_t) {}
void will_read(const void *, uint64_t) {}  // (inputs are read, not mapped, here)
void done_reading(std::span<const std::span<const uint8_t>>) {}

} // namespace rtlink::platform
