// platform/process-posix.cpp — process facts and file system questions.
#include "platform/platform.hpp"

#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace rtlink::platform {

// What loaded code asked to run at its end ran when the controller unloaded
// it (its atexit registrations carry its own __dso_handle): the process only
// flushes what was printed and ends, without tearing down what it built.
void leave_process(int status) {
  std::fflush(nullptr);
  std::_Exit(status);
}

namespace {
void (*g_exit_fn)(int) = nullptr;

[[maybe_unused]] void exit_trampoline(int status, void *) {
  if (g_exit_fn)
    g_exit_fn(status);
}

void flush_and_die(int sig) {
  std::fflush(nullptr);  // not async-signal-safe; the process is ending anyway
  std::raise(sig);       // SA_RESETHAND: the default action, now
}
} // namespace

bool on_process_exit(void (*fn)(int status)) {
#if defined(__GLIBC__)
  g_exit_fn = fn;
  return on_exit(exit_trampoline, nullptr) == 0;
#else
  (void)fn;
  return false;
#endif
}

void flush_output_on_crash(void (*)(const char *, uint64_t)) {
  struct sigaction sa = {};
  sa.sa_handler = flush_and_die;
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
    sigaction(sig, &sa, nullptr);
}

bool is_terminal(int fd) { return isatty(fd) == 1; }

void binary_output() {}

CommandEnd command_end(int r) {
  if (WIFSIGNALED(r))
    return {0, WTERMSIG(r)};
  return {WEXITSTATUS(r), 0};
}

uint8_t os_kind() {
#if defined(__linux__)
  return 1;
#elif defined(__APPLE__)
  return 3;
#else
  return 4;
#endif
}

uint64_t process_id() { return uint64_t(getpid()); }

uint64_t resident_bytes() {
  FILE *f = std::fopen("/proc/self/statm", "r");
  if (!f)
    return 0;
  unsigned long long total = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &total, &resident);
  std::fclose(f);
  return n == 2 ? resident * page_size() : 0;
}

bool is_directory(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string absolute_path(const std::string &path) {
  if (!path.empty() && path[0] == '/')
    return path;
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf))
    return path;
  return std::string(buf) + "/" + path;
}

std::vector<std::string> default_library_dirs(Arch arch) {
  // GNU ld's own SEARCH_DIRs on Debian (`ld --verbose`, `aarch64-linux-gnu-ld
  // --verbose`), in its order.
  if (arch == Arch::AArch64)
    return {"/usr/local/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/local/lib", "/lib", "/usr/lib",
            "/usr/aarch64-linux-gnu/lib"};
  return {"/usr/local/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
          "/usr/lib/x86_64-linux-gnu64", "/usr/local/lib64", "/lib64", "/usr/lib64",
          "/usr/local/lib", "/lib", "/usr/lib", "/usr/x86_64-linux-gnu/lib64",
          "/usr/x86_64-linux-gnu/lib"};
}

} // namespace rtlink::platform
