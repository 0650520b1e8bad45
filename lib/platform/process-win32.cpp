// platform/process-win32.cpp — about this process.
#include "platform/platform.hpp"

#include <windows.h>
#include <psapi.h>

#include <cstdio>
#include <cstdlib>

namespace rtlink::platform {

// Loaded code registers its static destructors with msvcrt's atexit; by the
// time the process would run them, the controller has released their pages.
// rtlink does not run them at unload yet: the process ends without them.
void leave_process(int status) {
  std::fflush(nullptr);
  TerminateProcess(GetCurrentProcess(), UINT(status));
  std::_Exit(status);
}

bool on_process_exit(void (*)(int)) { return false; }
void flush_output_on_crash() {}

uint8_t os_kind() { return 2; }

uint64_t process_id() { return GetCurrentProcessId(); }

uint64_t resident_bytes() {
  PROCESS_MEMORY_COUNTERS c;
  if (!GetProcessMemoryInfo(GetCurrentProcess(), &c, sizeof c))
    return 0;
  return c.WorkingSetSize;
}

std::vector<std::string> default_library_dirs() { return {}; }

bool is_directory(const std::string &path) {
  DWORD a = GetFileAttributesA(path.c_str());
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

bool is_file(const std::string &path) {
  DWORD a = GetFileAttributesA(path.c_str());
  return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

std::string absolute_path(const std::string &path) {
  char buf[MAX_PATH];
  DWORD n = GetFullPathNameA(path.c_str(), sizeof buf, buf, nullptr);
  return n && n < sizeof buf ? std::string(buf, n) : path;
}

} // namespace rtlink::platform
