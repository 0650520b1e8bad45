// io/reader.hpp — asynchronous reads: submit a batch (file, offset, length,
// buffer), take completions as they finish, in any order; cancel one.
//
// Backends: io_uring (Linux, liburing), a thread pool doing pread (every
// POSIX system), IOCP (Windows, with the Windows build). RTLINK_IO (or the
// `io` linker option) picks one by name.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::io {

// An open file, as the platform layer gives it (a descriptor on POSIX).
using FileHandle = int64_t;

struct Read {
  FileHandle file;
  uint64_t offset;
  uint32_t length;
  uint8_t *buffer;
  uint64_t tag;  // the caller's: comes back with the completion
};

struct Completion {
  uint64_t tag;
  // Bytes read (less than asked only at the end of the file), or -errno;
  // a cancelled read completes with -ECANCELED (125 on Linux).
  int64_t result;
};

class AsyncReader {
public:
  virtual ~AsyncReader() = default;
  virtual const char *name() const = 0;
  // Queues the reads; they may start at once. A buffer must stay valid until
  // its read's completion has been taken, cancelled or not.
  virtual Error submit(std::span<const Read> reads) = 0;
  // Appends completions to `out`: waits until at least `at_least` have
  // arrived (0: only those already there). Never waits for more than are
  // in flight.
  virtual Error wait(size_t at_least, std::vector<Completion> &out) = 0;
  // Asks that the read with `tag` stop; its completion still arrives (with
  // -ECANCELED, or with what it read if it had already finished).
  virtual void cancel(uint64_t tag) = 0;
  // Submitted reads whose completions have not been taken yet.
  virtual size_t in_flight() const = 0;
};

// "io_uring", "threads", "iocp", or "mmap" (no reader: files are mapped, no
// bytes copied). Empty: RTLINK_IO, else the system's default
// (platform::default_reader: iocp on Windows, mmap elsewhere; see
// docs/architecture.md). An unknown name is an error that names it.
struct ReaderChoice {
  std::string name;                     // what was chosen
  std::unique_ptr<AsyncReader> reader;  // null for "mmap"
  std::string note;                     // e.g. why io_uring fell back to threads
};
Expected<ReaderChoice> choose_reader(std::string_view requested);
// What a reader is, for --trace: "the I/O completion port (iocp)".
std::string reader_description(std::string_view name);

// The backends by name, for tests and benchmarks; an error when this build
// or system has no such backend.
Expected<std::unique_ptr<AsyncReader>> make_reader(std::string_view backend);

// Inputs for the linker, read concurrently: every file whole but archives
// ("!<arch>"), which come back as io::PartialFile with their first 64 KiB
// read; the archive reader reads the rest of their index, and a resolve the
// members it pulls (object/archive.hpp). zstd data is decompressed, up to
// `max_expand` bytes (0: the default, io/zstd.hpp).
std::vector<Expected<std::shared_ptr<const FileData>>>
read_inputs(AsyncReader &reader, const std::vector<std::string> &paths, uint64_t &bytes_read,
            uint64_t max_expand = 0);

} // namespace rtlink::io
