// bench-cache: the link cache as a host that links in its own process sees
// it. Each run makes a Linker, loads FILE..., resolves, calls main and
// destroys the Linker; runs with a warm cache (a directory filled by one run
// first) and without one alternate, each going first every other round. It
// prints the median of each and their ratio, and checks that both return
// the same status, EXPECTED.
//
//   bench-cache RUNS EXPECTED TARGET FILE...
//
// bench/run's other cache benchmark runs objload, whose start (exec, the
// dynamic loader, static initializers) is the same with or without a cache;
// this one leaves it out, as a host linking again and again does.
#include <rtlink/linker.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace {

// One run: the time from creating the Linker to destroying it, or a
// negative value after printing what failed.
double run(const std::vector<std::string> &files, const std::string &cache_dir, int expected,
           bool &hit) {
  const auto t0 = std::chrono::steady_clock::now();
  {
    rtlink::LinkerOptions o;
    o.cache_dir = cache_dir;
    auto l = rtlink::Linker::create(std::move(o));
    if (!l) {
      std::fprintf(stderr, "bench-cache: %s\n", l.error().message().c_str());
      return -1;
    }
    rtlink::Error e = (*l)->load(files);
    if (!e)
      e = (*l)->resolve();
    if (e) {
      std::fprintf(stderr, "bench-cache: %s\n", e.message().c_str());
      return -1;
    }
    auto status = (*l)->call_main("main", {"bench-cache"});
    if (!status) {
      std::fprintf(stderr, "bench-cache: %s\n", status.error().message().c_str());
      return -1;
    }
    if (*status != expected) {
      std::fprintf(stderr, "bench-cache: main returned %d, expected %d\n", *status, expected);
      return -1;
    }
    hit = (*l)->stats().cache_hits == 1;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench-cache RUNS EXPECTED TARGET FILE...\n");
    return 2;
  }
  const int runs = std::max(1, std::atoi(argv[1])), expected = std::atoi(argv[2]);
  const double target = std::atof(argv[3]);
  const std::vector<std::string> files(argv + 4, argv + argc);
  std::error_code ec;
  const auto dir = std::filesystem::temp_directory_path(ec) /
                   ("bench-cache-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  const std::string cache = dir.string();
  // What the loaded code prints goes to /dev/null; the results to stdout.
  std::fflush(stdout);
  const int out = dup(1), null = open("/dev/null", O_WRONLY);
  if (out < 0 || null < 0 || dup2(null, 1) < 0) {
    std::perror("bench-cache: /dev/null");
    return 1;
  }
  close(null);
  bool hit = false;
  if (run(files, cache, expected, hit) < 0)  // fills the cache
    return 1;
  std::vector<double> warm, cold;
  for (int i = 0; i < runs; ++i)
    for (int k = 0; k < 2; ++k) {
      const bool cached = (i + k) % 2 == 0;
      const double ms = run(files, cached ? cache : std::string(), expected, hit);
      if (ms < 0)
        return 1;
      if (cached && !hit) {
        std::fprintf(stderr, "bench-cache: the warm cache in %s did not serve the link\n", cache.c_str());
        return 1;
      }
      (cached ? warm : cold).push_back(ms);
    }
  std::filesystem::remove_all(dir, ec);
  std::fflush(stdout);
  dup2(out, 1);
  close(out);
  const double w = median(warm), c = median(cold), r = w / c;
  std::printf("link cache in one process (Linker made, loaded, resolved, main called, destroyed): %d runs each, alternating\n", runs);
  std::printf("  %-14s %9.2f ms\n  %-14s %9.2f ms\n", "cached", w, "uncached", c);
  std::printf("  ratio cached / uncached: wall %.2fx", r);
  if (target > 0)
    std::printf(" (target <= %.2fx: %s)", target, r <= target ? "met" : "MISSED");
  std::printf("\n");
  return 0;
}
