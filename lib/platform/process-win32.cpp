// platform/process-win32.cpp — about this process.
#include "platform/platform.hpp"

#include <windows.h>
#include <psapi.h>

#include <cstdio>
#include <fcntl.h>
#include <io.h>
#include <cstdlib>

namespace rtlink::platform {

// Loaded code's atexit handlers are rtlink's to run (unwind-win32.cpp), before
// this: what is left in msvcrt's list is not loaded code's.
void leave_process(int status) {
  std::fflush(nullptr);
  TerminateProcess(GetCurrentProcess(), UINT(status));
  std::_Exit(status);
}

bool on_process_exit(void (*)(int)) { return false; }

namespace {
void (*g_report)(const char *, uint64_t) = nullptr;

LONG WINAPI unhandled(EXCEPTION_POINTERS *p) {
  const EXCEPTION_RECORD *r = p->ExceptionRecord;
  char what[128];
  const auto info = [&](DWORD i) {
    return i < r->NumberParameters ? (unsigned long long)r->ExceptionInformation[i] : 0ull;
  };
  switch (r->ExceptionCode) {
  case EXCEPTION_ACCESS_VIOLATION:
  case EXCEPTION_IN_PAGE_ERROR:
    std::snprintf(what, sizeof what, "%s %s 0x%llx",
                  r->ExceptionCode == EXCEPTION_ACCESS_VIOLATION ? "access violation"
                                                                  : "in-page error",
                  info(0) == 0 ? "reading" : info(0) == 8 ? "executing" : "writing", info(1));
    break;
  case EXCEPTION_INT_DIVIDE_BY_ZERO: std::snprintf(what, sizeof what, "integer divide by zero"); break;
  case EXCEPTION_INT_OVERFLOW: std::snprintf(what, sizeof what, "integer overflow"); break;
  case EXCEPTION_FLT_DIVIDE_BY_ZERO:
    std::snprintf(what, sizeof what, "floating-point divide by zero");
    break;
  case EXCEPTION_STACK_OVERFLOW: std::snprintf(what, sizeof what, "stack overflow"); break;
  case EXCEPTION_ILLEGAL_INSTRUCTION: std::snprintf(what, sizeof what, "illegal instruction"); break;
  case EXCEPTION_PRIV_INSTRUCTION:
    std::snprintf(what, sizeof what, "privileged instruction");
    break;
  case EXCEPTION_BREAKPOINT: std::snprintf(what, sizeof what, "breakpoint"); break;
  case EXCEPTION_DATATYPE_MISALIGNMENT:
    std::snprintf(what, sizeof what, "misaligned data");
    break;
  default:
    std::snprintf(what, sizeof what, "exception 0x%08lx", (unsigned long)r->ExceptionCode);
    break;
  }
  std::fflush(nullptr);  // what the code printed, before the controller hears of the end
  if (g_report)
    g_report(what, reinterpret_cast<uint64_t>(r->ExceptionAddress));
  TerminateProcess(GetCurrentProcess(), UINT(r->ExceptionCode));
  return EXCEPTION_EXECUTE_HANDLER;
}
} // namespace

void flush_output_on_crash(void (*report)(const char *, uint64_t)) {
  g_report = report;
  SetUnhandledExceptionFilter(unhandled);
}

uint8_t os_kind() { return 2; }

bool is_terminal(int fd) { return _isatty(fd) != 0; }

void binary_output() {
  std::fflush(nullptr);
  for (int fd : {1, 2})
    if (!is_terminal(fd))
      _setmode(fd, _O_BINARY);
}

// std::system's result on Windows is the command's exit code itself.
CommandEnd command_end(int r) { return {r, 0}; }

uint64_t process_id() { return GetCurrentProcessId(); }

uint64_t resident_bytes() {
  PROCESS_MEMORY_COUNTERS c;
  if (!GetProcessMemoryInfo(GetCurrentProcess(), &c, sizeof c))
    return 0;
  return c.WorkingSetSize;
}

std::vector<std::string> default_library_dirs(Arch) { return {}; }

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
