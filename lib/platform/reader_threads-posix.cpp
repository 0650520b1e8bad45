// platform/reader_threads-posix.cpp — the portable AsyncReader: a few
// threads doing pread. A read still queued when it is cancelled completes
// with -ECANCELED at once; one already running finishes normally.
#include "io/reader.hpp"
#include "platform/platform.hpp"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace rtlink::platform {
namespace {

class ThreadReader final : public io::AsyncReader {
public:
  explicit ThreadReader(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i)
      workers_.emplace_back([this] { work(); });
  }

  ~ThreadReader() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }

  const char *name() const override { return "threads"; }

  Error submit(std::span<const io::Read> reads) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      queue_.insert(queue_.end(), reads.begin(), reads.end());
      in_flight_ += reads.size();
    }
    work_cv_.notify_all();
    return {};
  }

  Error wait(size_t at_least, std::vector<io::Completion> &out) override {
    std::unique_lock<std::mutex> l(mu_);
    at_least = std::min(at_least, in_flight_);
    done_cv_.wait(l, [&] { return done_.size() >= at_least; });
    in_flight_ -= done_.size();
    out.insert(out.end(), done_.begin(), done_.end());
    done_.clear();
    return {};
  }

  void cancel(uint64_t tag) override {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it)
      if (it->tag == tag) {
        done_.push_back({tag, -int64_t(ECANCELED)});
        queue_.erase(it);
        done_cv_.notify_all();
        return;
      }
  }

  size_t in_flight() const override {
    std::lock_guard<std::mutex> l(mu_);
    return in_flight_;
  }

private:
  void work() {
    for (;;) {
      io::Read r;
      {
        std::unique_lock<std::mutex> l(mu_);
        work_cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty())
          return;  // stopping, and nothing left
        r = queue_.front();
        queue_.pop_front();
      }
      int64_t got = 0;
      while (got < r.length) {
        ssize_t n = ::pread(static_cast<int>(r.file), r.buffer + got, r.length - got,
                            static_cast<off_t>(r.offset + got));
        if (n < 0 && errno == EINTR)
          continue;
        if (n < 0) {
          got = -int64_t(errno);
          break;
        }
        if (n == 0)
          break;  // the end of the file
        got += n;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        done_.push_back({r.tag, got});
      }
      done_cv_.notify_all();
    }
  }

  mutable std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<io::Read> queue_;
  std::vector<io::Completion> done_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

} // namespace

Expected<std::unique_ptr<io::AsyncReader>> make_thread_reader(unsigned threads) {
  return std::unique_ptr<io::AsyncReader>(std::make_unique<ThreadReader>(threads ? threads : 1));
}


} // namespace rtlink::platform
