// support/parallel.hpp — work spread over the machine's cores.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace rtlink {

// The machine's cores, asked once: glibc reads them from /sys each time it is
// asked (an open, a read and a close; the GHC job asked six times).
inline size_t core_count() {
  static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
}

// Calls work(k) for every k in [0, n), on one thread per core (this one
// among them), each taking the next k not taken yet; returns when all are
// done. Fewer threads if the system gives fewer; none started for n < 2.
// `work` must not throw (a thread would end the process): it keeps its
// failures with its results.
template <class Work> void parallel_for(size_t n, Work &&work) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t k; (k = next++) < n;)
      work(k);
  };
  const size_t cores = core_count();
  std::vector<std::thread> pool;
  for (size_t t = 1; t < cores && t < n; ++t) {
    try {
      pool.emplace_back(run);
    } catch (const std::system_error &) {
      break;  // no more threads: those started (and this one) do the rest
    }
  }
  run();
  for (std::thread &t : pool)
    t.join();
}

} // namespace rtlink
