// platform/reader_iocp-win32.cpp — the AsyncReader on an I/O completion
// port.
//
// Each read is a record from a pool (its OVERLAPPED inside), never a malloc
// per request. Handles are associated with the port once, with
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a read that completes at once queues
// no packet, so rtlink posts one itself (PostQueuedCompletionStatus), and
// every completion, immediate or not, is taken the same way:
// GetQueuedCompletionStatusEx, many at a time. A handle not opened for
// overlapped I/O cannot join the port: its reads go through an event instead
// (the low bit of hEvent set, so no packet is queued) and are posted when
// done. Cancel is CancelIoEx; a cancelled record goes back to the pool only
// once its completion has arrived.
#include "io/reader.hpp"
#include "platform/platform.hpp"

#include <windows.h>
#include <winternl.h>

#include <cerrno>
#include <deque>

namespace rtlink::platform {
namespace {

constexpr ULONG_PTR kKeyFile = 1;    // a packet the kernel queued for a read
constexpr ULONG_PTR kKeyPosted = 2;  // a packet rtlink posted: the record's result is set

struct Record {
  OVERLAPPED ov;
  io::Read read;
  int64_t result = 0;  // for posted packets
  size_t index = 0;    // in the pool
  bool busy = false;
};

int64_t to_result(DWORD error, DWORD bytes) {
  switch (error) {
  case ERROR_SUCCESS: return bytes;
  case ERROR_HANDLE_EOF: return 0;  // past the end: nothing read
  case ERROR_OPERATION_ABORTED: return -int64_t(ECANCELED);
  case ERROR_INVALID_HANDLE: return -int64_t(EBADF);
  case ERROR_ACCESS_DENIED: return -int64_t(EACCES);
  default: return -int64_t(EIO);
  }
}

class IocpReader final : public io::AsyncReader {
public:
  explicit IocpReader(HANDLE port) : port_(port) {}
  ~IocpReader() override {
    // Nothing may still write into a caller's buffer once we are gone.
    for (size_t i = 0; i < records_.size(); ++i)
      if (records_[i].busy)
        CancelIoEx(reinterpret_cast<HANDLE>(records_[i].read.file), &records_[i].ov);
    std::vector<io::Completion> rest;
    while (in_flight_ > 0 && !wait(in_flight_, rest))
      rest.clear();
    CloseHandle(port_);
  }

  const char *name() const override { return "iocp"; }

  Error submit(std::span<const io::Read> reads) override {
    for (const io::Read &r : reads) {
      size_t i = take_record();
      Record &rec = records_[i];
      rec.read = r;
      rec.ov = OVERLAPPED{};
      rec.ov.Offset = DWORD(r.offset);
      rec.ov.OffsetHigh = DWORD(r.offset >> 32);
      ++in_flight_;
      HANDLE h = reinterpret_cast<HANDLE>(r.file);
      bool on_port = associate(h);
      if (!on_port)
        rec.ov.hEvent = reinterpret_cast<HANDLE>(uintptr_t(event()) | 1);  // no packet
      DWORD got = 0;
      if (ReadFile(h, r.buffer, r.length, &got, &rec.ov)) {
        // Done at once: with skip-on-success (or an event) no packet comes.
        post(i, got);
        continue;
      }
      DWORD err = GetLastError();
      if (err == ERROR_IO_PENDING) {
        if (!on_port) {  // served through the event: wait for it here
          if (!GetOverlappedResult(h, &rec.ov, &got, TRUE))
            post(i, to_result(GetLastError(), got));
          else
            post(i, got);
        }
        continue;  // the port will have its packet
      }
      post(i, to_result(err, 0));
    }
    return {};
  }

  Error wait(size_t at_least, std::vector<io::Completion> &out) override {
    at_least = std::min(at_least, in_flight_);
    size_t taken = 0;
    for (bool first = true; first || taken < at_least; first = false) {
      OVERLAPPED_ENTRY entries[64];
      ULONG n = 0;
      DWORD timeout = taken >= at_least ? 0 : INFINITE;  // at_least 0: what is there
      if (!GetQueuedCompletionStatusEx(port_, entries, 64, &n, timeout, FALSE)) {
        if (GetLastError() == WAIT_TIMEOUT)
          break;
        return make_error("GetQueuedCompletionStatusEx failed (error ", GetLastError(), ")");
      }
      for (ULONG k = 0; k < n; ++k) {
        Record *rec = CONTAINING_RECORD(entries[k].lpOverlapped, Record, ov);
        int64_t result;
        if (entries[k].lpCompletionKey == kKeyPosted) {
          result = rec->result;
        } else {
          // The kernel's packet: the status is in the OVERLAPPED.
          DWORD got = 0;
          BOOL ok = GetOverlappedResult(reinterpret_cast<HANDLE>(rec->read.file), &rec->ov, &got,
                                        FALSE);
          result = ok ? int64_t(got) : to_result(GetLastError(), got);
        }
        out.push_back({rec->read.tag, result});
        rec->busy = false;  // only now may the record (and its OVERLAPPED) be reused
        free_.push_back(rec->index);
        --in_flight_;
        ++taken;
      }
    }
    return {};
  }

  void cancel(uint64_t tag) override {
    for (Record &rec : records_)
      if (rec.busy && rec.read.tag == tag) {
        CancelIoEx(reinterpret_cast<HANDLE>(rec.read.file), &rec.ov);
        return;  // its completion (ERROR_OPERATION_ABORTED, or done) still arrives
      }
  }

  size_t in_flight() const override { return in_flight_; }

private:
  // A record from the pool; the pool is a deque, so records in flight never
  // move when it grows.
  size_t take_record() {
    size_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = records_.size();
      records_.emplace_back();
      records_.back().index = i;
    }
    records_[i].busy = true;
    return i;
  }

  // Joins the handle to the port (once: a second try fails, and the handle
  // numbers of closed files come back, so nothing is remembered by number).
  // False for a handle opened without FILE_FLAG_OVERLAPPED: its I/O cannot
  // go through a port.
  bool associate(HANDLE h) {
    IO_STATUS_BLOCK io;
    ULONG mode = 0;  // FILE_MODE_INFORMATION
    if (NtQueryInformationFile(h, &io, &mode, sizeof mode, FileModeInformation) == 0 &&
        (mode & (0x10 | 0x20)))  // FILE_SYNCHRONOUS_IO_ALERT, _NONALERT
      return false;
    if (CreateIoCompletionPort(h, port_, kKeyFile, 0) == port_)
      SetFileCompletionNotificationModes(h, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
    return true;  // joined now, or before (by this reader: one port per handle)
  }

  HANDLE event() {
    if (!event_)
      event_ = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ResetEvent(event_);
    return event_;
  }

  void post(size_t i, int64_t result) {
    records_[i].result = result;
    PostQueuedCompletionStatus(port_, 0, kKeyPosted, &records_[i].ov);
  }

  HANDLE port_;
  HANDLE event_ = nullptr;
  std::deque<Record> records_;
  std::vector<size_t> free_;
  size_t in_flight_ = 0;
};

} // namespace

// On Windows files are read through the completion port unless asked
// otherwise: every file of a command line (and every member a round of
// archive pulls wants) read at once, overlapped.
const char *default_reader() { return "iocp"; }

Expected<std::unique_ptr<io::AsyncReader>> make_iocp_reader() {
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (!port)
    return make_error("cannot make an I/O completion port (error ", GetLastError(), ")");
  return std::unique_ptr<io::AsyncReader>(std::make_unique<IocpReader>(port));
}


} // namespace rtlink::platform
