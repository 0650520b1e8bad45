// link/phase_timer.hpp — adds the time a scope took to one phase of Stats.
//
// The resident set size is read (a /proc read, tens of microseconds) only
// when asked for (LinkerOptions::measure_memory) and only when a top-level
// phase ends, never per archive member. A phase that
// contains others (resolve pulls, parses and loads members) passes the inner
// phases as `excluded`, so no time is counted twice.
#pragma once

#include "platform/platform.hpp"
#include <rtlink/linker.hpp>

#include <chrono>

namespace rtlink {

class PhaseTimer {
public:
  using Clock = std::chrono::steady_clock;
  explicit PhaseTimer(PhaseStat &stat, bool sample_rss, const PhaseStat *excluded = nullptr,
                      const PhaseStat *excluded2 = nullptr)
      : stat_(stat), rss_(sample_rss), excluded_{excluded, excluded2} {
    for (int i = 0; i < 2; ++i)
      if (excluded_[i])
        excluded_before_[i] = excluded_[i]->time;
  }
  ~PhaseTimer() {
    auto spent = Clock::now() - start_;
    for (int i = 0; i < 2; ++i)
      if (excluded_[i])
        spent -= excluded_[i]->time - excluded_before_[i];
    stat_.time += std::chrono::duration_cast<std::chrono::nanoseconds>(spent);
    if (rss_)
      stat_.rss_after = platform::resident_bytes();
  }
  PhaseTimer(const PhaseTimer &) = delete;
  PhaseTimer &operator=(const PhaseTimer &) = delete;

private:
  PhaseStat &stat_;
  bool rss_;
  const PhaseStat *excluded_[2];
  std::chrono::nanoseconds excluded_before_[2]{};
  Clock::time_point start_ = Clock::now();
};

} // namespace rtlink
