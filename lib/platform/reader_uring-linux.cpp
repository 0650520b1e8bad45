// platform/reader_uring-linux.cpp — the AsyncReader on io_uring (liburing).
// Reads wait in a queue while the ring is full; a short read (possible,
// if rare, for a regular file) is continued from where it stopped; a cancel
// is an IORING_OP_ASYNC_CANCEL for the read's slot, or, for a read not yet
// in the ring, its completion with -ECANCELED at once.
#include "io/reader.hpp"
#include "platform/platform.hpp"

#include <liburing.h>

#include <cerrno>
#include <cstring>
#include <deque>

namespace rtlink::platform {
namespace {

constexpr uint64_t kCancelOp = ~uint64_t(0);  // user_data of cancel requests

class UringReader final : public io::AsyncReader {
public:
  explicit UringReader(io_uring ring) : ring_(ring) {}
  ~UringReader() override {
    // Reads still in the ring write into their buffers until they complete:
    // wait for them before the buffers' owners may free them.
    while (in_ring_ > 0 && !wait_one())
      ;
    io_uring_queue_exit(&ring_);
  }

  const char *name() const override { return "io_uring"; }

  Error submit(std::span<const io::Read> reads) override {
    for (const io::Read &r : reads) {
      uint32_t slot;
      if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
        slots_[slot] = Slot{r, 0, true};
      } else {
        slot = static_cast<uint32_t>(slots_.size());
        slots_.push_back(Slot{r, 0, true});
      }
      pending_.push_back(slot);
    }
    in_flight_ += reads.size();
    return pump();
  }

  Error wait(size_t at_least, std::vector<io::Completion> &out) override {
    at_least = std::min(at_least, in_flight_);
    for (;;) {
      if (Error e = pump())
        return e;
      reap();
      if (done_.size() >= at_least)
        break;
      if (in_ring_ == 0) {
        if (pending_.empty())
          return make_error("io_uring: a read was lost");
        continue;  // all done at once: the next reads go in
      }
      if (wait_one())
        return make_error("io_uring: waiting for a completion failed");
    }
    in_flight_ -= done_.size();
    out.insert(out.end(), done_.begin(), done_.end());
    done_.clear();
    return {};
  }

  void cancel(uint64_t tag) override {
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
      if (slots_[*it].read.tag == tag) {
        finish(*it, -int64_t(ECANCELED));
        pending_.erase(it);
        return;
      }
    for (uint32_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].busy && slots_[i].read.tag == tag) {
        io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
        if (!sqe) {
          io_uring_submit(&ring_);
          sqe = io_uring_get_sqe(&ring_);
        }
        if (!sqe)
          return;  // best effort: the read will complete by itself
        io_uring_prep_cancel64(sqe, uint64_t(i) + 1, 0);
        io_uring_sqe_set_data64(sqe, kCancelOp);
        ++in_ring_;
        io_uring_submit(&ring_);
        return;
      }
  }

  size_t in_flight() const override { return in_flight_; }

private:
  struct Slot {
    io::Read read;
    uint32_t done;  // bytes read so far
    bool busy;
  };

  void finish(uint32_t slot, int64_t result) {
    done_.push_back({slots_[slot].read.tag, result});
    slots_[slot].busy = false;
    free_.push_back(slot);
  }

  // Moves queued reads into the ring while it has room, and submits them.
  Error pump() {
    bool any = false;
    while (!pending_.empty()) {
      io_uring_sqe *sqe = io_uring_get_sqe(&ring_);
      if (!sqe)
        break;
      uint32_t slot = pending_.front();
      pending_.pop_front();
      const Slot &s = slots_[slot];
      io_uring_prep_read(sqe, static_cast<int>(s.read.file), s.read.buffer + s.done,
                         s.read.length - s.done, s.read.offset + s.done);
      io_uring_sqe_set_data64(sqe, uint64_t(slot) + 1);
      ++in_ring_;
      any = true;
    }
    if (any) {
      int rc = io_uring_submit(&ring_);
      if (rc < 0)
        return make_error("io_uring: submitting reads failed: ", std::strerror(-rc));
    }
    return {};
  }

  void reap() {
    io_uring_cqe *cqe;
    while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
      uint64_t data = io_uring_cqe_get_data64(cqe);
      int res = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      --in_ring_;
      if (data == kCancelOp)
        continue;
      uint32_t slot = static_cast<uint32_t>(data - 1);
      Slot &s = slots_[slot];
      if (res < 0) {
        finish(slot, res);
      } else if (res == 0 || s.done + uint32_t(res) >= s.read.length) {
        s.done += uint32_t(res);
        finish(slot, s.done);
      } else {
        s.done += uint32_t(res);  // a short read: the rest goes in again
        pending_.push_back(slot);
      }
    }
  }

  // Blocks for one completion; true on failure.
  bool wait_one() {
    if (in_ring_ == 0)
      return true;
    io_uring_cqe *cqe;
    int rc;
    do
      rc = io_uring_wait_cqe(&ring_, &cqe);
    while (rc == -EINTR);
    if (rc < 0)
      return true;
    reap();
    return false;
  }

  io_uring ring_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::deque<uint32_t> pending_;
  std::vector<io::Completion> done_;
  size_t in_flight_ = 0, in_ring_ = 0;
};

} // namespace

Expected<std::unique_ptr<io::AsyncReader>> make_uring_reader(unsigned depth) {
  io_uring ring;
  int rc = io_uring_queue_init(depth, &ring, 0);
  if (rc < 0)
    return make_error("io_uring is not available: ", std::strerror(-rc));
  return std::unique_ptr<io::AsyncReader>(std::make_unique<UringReader>(ring));
}

} // namespace rtlink::platform
