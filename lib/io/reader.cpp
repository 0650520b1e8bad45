// io/reader.cpp — picking a reader, and reading whole files through one.
#include "io/reader.hpp"

#include "io/file.hpp"
#include "io/zstd.hpp"
#include "platform/platform.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace rtlink::io {
namespace {

constexpr uint32_t kChunk = 8u << 20;  // one read; a larger file is read in parallel pieces
constexpr unsigned kRingDepth = 64;

unsigned pool_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return std::clamp(n, 2u, 8u);
}

} // namespace

Expected<std::unique_ptr<AsyncReader>> make_reader(std::string_view backend) {
  if (backend == "io_uring")
    return platform::make_uring_reader(kRingDepth);
  if (backend == "threads")
    return platform::make_thread_reader(pool_threads());
  if (backend == "iocp")
    return platform::make_iocp_reader();
  return make_error("unknown reader ", backend, " (io_uring, threads, iocp, mmap)");
}

Expected<ReaderChoice> choose_reader(std::string_view requested) {
  std::string from = "io";
  std::string name(requested);
  if (name.empty()) {
    const char *env = std::getenv("RTLINK_IO");
    if (env && *env) {
      name = env;
      from = "RTLINK_IO";
    }
  }
  ReaderChoice c;
  if (name.empty() || name == "mmap") {
    c.name = "mmap";
    return c;
  }
  if (name == "io_uring") {
    auto r = make_reader(name);
    if (r) {
      c.name = name;
      c.reader = std::move(*r);
      return c;
    }
    // Old kernels and seccomp filters say no: the thread pool reads instead.
    c.note = r.error().message() + "; reading with threads instead";
    name = "threads";
  }
  auto r = make_reader(name);
  if (!r)
    return make_error(from, "=", name, ": ", r.error().message());
  c.name = name;
  c.reader = std::move(*r);
  return c;
}

std::vector<Expected<std::shared_ptr<const FileData>>>
read_files(AsyncReader &reader, const std::vector<std::string> &paths) {
  struct File {
    int64_t handle = -1;
    std::shared_ptr<FileData> data;
    uint8_t *bytes = nullptr;
    uint64_t size = 0;
    Error error;
  };
  struct Piece {
    size_t file;
    uint32_t length;
  };
  std::vector<File> files(paths.size());
  std::vector<Piece> pieces;
  std::vector<Read> reads;
  for (size_t i = 0; i < paths.size(); ++i) {
    File &f = files[i];
    auto h = platform::open_for_reading(paths[i], f.size);
    if (!h) {
      f.error = h.take_error();
      continue;
    }
    f.handle = *h;
    f.data = owned_bytes(f.size, f.bytes);
    for (uint64_t at = 0; at < f.size; at += kChunk) {
      uint32_t len = static_cast<uint32_t>(std::min<uint64_t>(kChunk, f.size - at));
      reads.push_back({f.handle, at, len, f.bytes + at, pieces.size()});
      pieces.push_back({i, len});
    }
  }
  Error submitted = reader.submit(reads);
  std::vector<Completion> done;
  if (!submitted)
    submitted = reader.wait(reads.size(), done);
  if (submitted && reader.in_flight()) {
    // Reads may still write into the buffers: stop them and take their
    // completions before the buffers go.
    for (const Read &r : reads)
      reader.cancel(r.tag);
    if (reader.wait(reader.in_flight(), done))
      for (File &f : files)  // they cannot be taken back: never free what may be written
        new std::shared_ptr<FileData>(f.data);
  }
  for (const Completion &c : done) {
    File &f = files[pieces[c.tag].file];
    if (f.error)
      continue;
    if (c.result < 0)
      f.error = make_error(paths[pieces[c.tag].file], ": cannot read: ",
                           platform::error_text(c.result));
    else if (uint64_t(c.result) < pieces[c.tag].length)
      f.error = make_error(paths[pieces[c.tag].file],
                           ": cannot read: the file became shorter while it was read");
  }
  std::vector<Expected<std::shared_ptr<const FileData>>> out;
  out.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    File &f = files[i];
    if (f.handle >= 0)
      platform::close_file(f.handle);
    if (submitted && !f.error)
      f.error = make_error(paths[i], ": cannot read: ", submitted.message());
    if (f.error) {
      out.emplace_back(std::move(f.error));
      continue;
    }
    std::span<const uint8_t> bytes(f.bytes, f.size);
    if (is_zstd(bytes))
      out.push_back(decompress_zstd(paths[i], bytes));
    else
      out.emplace_back(std::shared_ptr<const FileData>(std::move(f.data)));
  }
  return out;
}

} // namespace rtlink::io
