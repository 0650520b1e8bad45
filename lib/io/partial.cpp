// io/partial.cpp — files read in parts through an AsyncReader.
#include "io/partial.hpp"

#include "platform/platform.hpp"

#include <algorithm>
#include <cstdlib>

namespace rtlink::io {

namespace {

constexpr uint64_t kChunk = 8u << 20;  // one read; a larger run is read in parallel pieces
enum : uint8_t { kUnread = 0, kRead = 1, kPending = 2 };

} // namespace

Expected<std::shared_ptr<PartialFile>> PartialFile::open(const std::string &path) {
  std::shared_ptr<PartialFile> f(new PartialFile());
  f->path_ = path;
  auto h = platform::open_for_reading(path, f->size_, &f->identity_);
  if (!h)
    return h.take_error();
  f->handle_ = *h;
  if (f->size_) {
    // calloc: a large buffer is fresh zero pages, which cost nothing until read into.
    f->bytes_ = static_cast<uint8_t *>(std::calloc(f->size_, 1));
    if (!f->bytes_)
      return make_error(path, ": cannot read: out of memory for its ", f->size_, " bytes");
  }
  f->page_read_.assign((f->size_ + kPage - 1) / kPage, kUnread);
  if (!f->size_) {
    platform::close_file(f->handle_);
    f->handle_ = -1;
  }
  return f;
}

PartialFile::~PartialFile() {
  if (handle_ >= 0)
    platform::close_file(handle_);
  if (!abandoned_)
    std::free(bytes_);
}

bool PartialFile::has(uint64_t offset, uint64_t length) const {
  if (offset > size_ || length > size_ - offset)
    return false;
  for (uint64_t p = offset / kPage; p < (offset + length + kPage - 1) / kPage; ++p)
    if (page_read_[p] != kRead)
      return false;
  return true;
}

Error PartialFile::fetch_all(AsyncReader &reader) const {
  Want all{this, 0, size_};
  return fetch(reader, {&all, 1});
}

Error PartialFile::fetch(AsyncReader &reader, std::span<const Want> wants) {
  // Runs of pages not read yet (nor asked for twice in this batch).
  struct Run {
    const PartialFile *file;
    uint64_t first, pages;
  };
  std::vector<Run> runs;
  for (const Want &w : wants) {
    const PartialFile *f = w.file;
    if (w.offset >= f->size_ || !w.length)
      continue;
    const uint64_t end = w.offset + std::min(w.length, f->size_ - w.offset);
    for (uint64_t p = w.offset / kPage; p < (end + kPage - 1) / kPage; ++p) {
      if (f->page_read_[p] != kUnread)
        continue;
      f->page_read_[p] = kPending;
      if (!runs.empty() && runs.back().file == f && runs.back().first + runs.back().pages == p)
        ++runs.back().pages;
      else
        runs.push_back({f, p, 1});
    }
  }
  if (runs.empty())
    return Error::success();
  struct Piece {
    const PartialFile *file;
    uint32_t length;
  };
  std::vector<Read> reads;
  std::vector<Piece> pieces;
  for (const Run &r : runs) {
    const uint64_t end = std::min(r.file->size_, (r.first + r.pages) * kPage);
    for (uint64_t at = r.first * kPage; at < end; at += kChunk) {
      const uint32_t len = uint32_t(std::min(kChunk, end - at));
      reads.push_back({r.file->handle_, at, len, r.file->bytes_ + at, pieces.size()});
      pieces.push_back({r.file, len});
    }
  }
  Error failed = reader.submit(reads);
  std::vector<Completion> done;
  if (!failed)
    failed = reader.wait(reads.size(), done);
  if (failed && reader.in_flight()) {
    // Reads may still write into the buffers: stop them and take their
    // completions; if even that fails, the buffers are never freed.
    for (const Read &r : reads)
      reader.cancel(r.tag);
    if (reader.wait(reader.in_flight(), done))
      for (const Run &r : runs)
        r.file->abandoned_ = true;
  }
  if (failed)
    failed = make_error(runs.front().file->path_, ": cannot read: ", failed.message());
  for (const Completion &c : done) {
    if (failed)
      break;
    const Piece &p = pieces[c.tag];
    if (c.result < 0)
      failed = make_error(p.file->path_, ": cannot read: ", platform::error_text(c.result));
    else if (uint64_t(c.result) < p.length)
      failed = make_error(p.file->path_,
                          ": cannot read: the file became shorter while it was read");
  }
  for (const Run &r : runs) {
    const uint8_t state = failed ? kUnread : kRead;
    std::fill_n(r.file->page_read_.begin() + std::ptrdiff_t(r.first), r.pages, state);
    if (failed)
      continue;
    r.file->read_ += std::min(r.file->size_, (r.first + r.pages) * kPage) - r.first * kPage;
    if (r.file->complete() && r.file->handle_ >= 0) {
      platform::close_file(r.file->handle_);
      r.file->handle_ = -1;
    }
  }
  return failed;
}

} // namespace rtlink::io
