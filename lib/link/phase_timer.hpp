// link/phase_timer.hpp — adds the time a scope took to one phase of Stats.
//
// The resident set size is read (a /proc read, tens of microseconds) only
// when asked for (LinkerOptions::measure_memory) and only when a top-level
// phase ends, never per archive member. A phase that
// contains another (resolve pulls and parses members) passes the inner
// phase as `excluded`, so no time is counted twice.
#pragma once

#include "platform/platform.hpp"
#include <rtlink/linker.hpp>

#include <chrono>

namespace rtlink {

class PhaseTimer {
public:
  using Clock = std::chrono::steady_clock;
  explicit PhaseTimer(PhaseStat &stat, bool sample_rss, const PhaseStat *excluded = nullptr)
      : stat_(stat), rss_(sample_rss), excluded_(excluded),
        excluded_before_(excluded ? excluded->time : std::chrono::nanoseconds{0}) {}
  ~PhaseTimer() {
    auto spent = Clock::now() - start_;
    if (excluded_)
      spent -= excluded_->time - excluded_before_;
    stat_.time += std::chrono::duration_cast<std::chrono::nanoseconds>(spent);
    if (rss_)
      stat_.rss_after = platform::resident_bytes();
  }
  PhaseTimer(const PhaseTimer &) = delete;
  PhaseTimer &operator=(const PhaseTimer &) = delete;

private:
  PhaseStat &stat_;
  bool rss_;
  const PhaseStat *excluded_;
  std::chrono::nanoseconds excluded_before_;
  Clock::time_point start_ = Clock::now();
};

} // namespace rtlink
