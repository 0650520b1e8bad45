// bench-compare: runs two commands alternately, N times each (A B, B A, A B,
// ...), and prints the median wall time and peak resident memory of each and
// their ratios.
//
//   bench-compare --title T --runs N --status S --target-time X --target-memory Y
//       NAME-A CMD-A... ::: NAME-B CMD-B...
//
// Ratios are A / B. Output of the commands goes to /dev/null; a run that
// exits with another status than S is reported and ends the benchmark.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

extern char **environ;

namespace {

struct Sample {
  double ms;
  double mib;
};

bool run_once(const std::vector<std::string> &cmd, int expect, Sample &out) {
  std::vector<char *> argv;
  for (const std::string &s : cmd)
    argv.push_back(const_cast<char *>(s.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  auto start = std::chrono::steady_clock::now();
  pid_t pid;
  if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    std::fprintf(stderr, "bench-compare: cannot run %s\n", argv[0]);
    return false;
  }
  int status = 0;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  auto end = std::chrono::steady_clock::now();
  posix_spawn_file_actions_destroy(&fa);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != expect) {
    std::fprintf(stderr, "bench-compare: %s exited %d, expected %d\n", argv[0], code, expect);
    return false;
  }
  out.ms = std::chrono::duration<double, std::milli>(end - start).count();
  out.mib = double(ru.ru_maxrss) / 1024.0;
  return true;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  std::string title = "benchmark";
  int runs = 20, expect = 0;
  double target_time = 0, target_memory = 0;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i += 2) {
    if (i + 1 >= argc)
      break;
    std::string o = argv[i];
    if (o == "--title") title = argv[i + 1];
    else if (o == "--runs") runs = std::atoi(argv[i + 1]);
    else if (o == "--status") expect = std::atoi(argv[i + 1]);
    else if (o == "--target-time") target_time = std::atof(argv[i + 1]);
    else if (o == "--target-memory") target_memory = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "bench-compare: unknown option %s\n", o.c_str());
      return 2;
    }
  }
  std::vector<std::string> a, b;
  bool second = false;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], ":::") == 0) second = true;
    else (second ? b : a).push_back(argv[i]);
  }
  if (a.size() < 2 || b.size() < 2 || runs < 1) {
    std::fprintf(stderr, "usage: bench-compare [options] NAME CMD... ::: NAME CMD...\n");
    return 2;
  }
  std::string name_a = a[0], name_b = b[0];
  a.erase(a.begin());
  b.erase(b.begin());

  std::vector<double> ta, tb, ma, mb;
  Sample s;
  for (int r = 0; r < 2; ++r)  // warm the page cache
    if (!run_once(a, expect, s) || !run_once(b, expect, s))
      return 1;
  // A then B, then B then A: neither always runs right after the other (the
  // same binary as A and B came out 0.98-0.99x with A always first).
  for (int r = 0; r < runs; ++r)
    for (int k = 0; k < 2; ++k) {
      const bool first_a = (r % 2 == 0) == (k == 0);
      if (!run_once(first_a ? a : b, expect, s)) return 1;
      (first_a ? ta : tb).push_back(s.ms), (first_a ? ma : mb).push_back(s.mib);
    }
  double wa = median(ta), wb = median(tb), pa = median(ma), pb = median(mb);
  std::printf("%s: %d runs each, alternating\n", title.c_str(), runs);
  std::printf("  %-14s %12s %12s\n", "", "median wall", "peak RSS");
  std::printf("  %-14s %9.2f ms %8.1f MiB\n", name_a.c_str(), wa, pa);
  std::printf("  %-14s %9.2f ms %8.1f MiB\n", name_b.c_str(), wb, pb);
  auto verdict = [](double r, double t) {
    if (t <= 0) return std::string();
    char buf[64];
    std::snprintf(buf, sizeof buf, " (target <= %.2fx: %s)", t, r <= t ? "met" : "MISSED");
    return std::string(buf);
  };
  std::printf("  ratio %s / %s: wall %.2fx%s, memory %.2fx%s\n", name_a.c_str(), name_b.c_str(),
              wa / wb, verdict(wa / wb, target_time).c_str(), pa / pb,
              verdict(pa / pb, target_memory).c_str());
  return 0;
}
