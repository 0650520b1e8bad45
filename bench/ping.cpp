// bench-ping: the protocol's round trip, measured: N empty requests to an
// objload-executor over a socket pair, then over loopback TCP; prints the
// median and 99th percentile of each.
//
//   bench-ping EXECUTOR [N]
#include <rtlink/executor.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

int measure(const char *what, rtlink::RemoteCommand cmd, int n) {
  auto ex = rtlink::make_remote_executor(std::move(cmd));
  if (rtlink::Error e = ex->ping()) {  // starts it
    std::fprintf(stderr, "bench-ping: %s\n", e.message().c_str());
    return 1;
  }
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (rtlink::Error e = ex->ping()) {
      std::fprintf(stderr, "bench-ping: %s\n", e.message().c_str());
      return 1;
    }
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  std::printf("  %-22s median %6.1f us, 99th percentile %6.1f us (%d round trips)\n", what,
              us[us.size() / 2], us[us.size() * 99 / 100], n);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench-ping EXECUTOR [N]\n");
    return 2;
  }
  int n = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::printf("executor protocol round trip (an empty request and its reply):\n");
  return measure("socket pair (child)", {{argv[1], "--fd=3"}, false, 3}, n) ||
         measure("loopback TCP (command)", {{argv[1]}, true, 3}, n);
}
