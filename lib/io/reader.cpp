// io/reader.cpp — picking a reader, and reading whole files through one.
#include "io/reader.hpp"

#include "io/file.hpp"
#include "io/partial.hpp"
#include "io/zstd.hpp"
#include "platform/platform.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace rtlink::io {
namespace {

constexpr uint64_t kHead = 64u << 10;  // what is read of an input before its kind is known
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
  if (name.empty())
    name = platform::default_reader();
  ReaderChoice c;
  if (name == "mmap") {
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

std::string reader_description(std::string_view name) {
  const char *what = name == "iocp"       ? "the I/O completion port"
                     : name == "io_uring" ? "io_uring"
                     : name == "threads"  ? "a pool of threads"
                                          : "mapped pages";
  return std::string(what) + " (" + std::string(name) + ")";
}

namespace {

bool is_archive(const PartialFile &f) {
  static const char magic[] = "!<arch>\n";
  return f.size() >= 8 && std::equal(magic, magic + 8, f.data());
}

} // namespace

std::vector<Expected<std::shared_ptr<const FileData>>>
read_inputs(AsyncReader &reader, const std::vector<std::string> &paths, uint64_t &bytes_read,
            uint64_t max_expand) {
  // Every file's head in one batch; then, in another, the whole of all but
  // archives. What a file then holds is its result (decompressed if zstd).
  std::vector<Expected<std::shared_ptr<PartialFile>>> files;
  std::vector<PartialFile::Want> wants;
  for (const std::string &p : paths) {
    files.push_back(PartialFile::open(p));
    if (files.back())
      wants.push_back({files.back()->get(), 0, kHead});
  }
  Error failed = PartialFile::fetch(reader, wants);
  if (!failed) {
    wants.clear();
    for (auto &f : files)
      if (f && !is_archive(**f))
        wants.push_back({f->get(), 0, (*f)->size()});
    failed = PartialFile::fetch(reader, wants);
  }
  std::vector<Expected<std::shared_ptr<const FileData>>> out;
  out.reserve(files.size());
  for (auto &f : files)
    if (f)
      bytes_read += (*f)->bytes_read();
  for (size_t i = 0; i < files.size(); ++i) {
    if (!files[i]) {
      out.emplace_back(files[i].take_error());
    } else if (failed) {
      out.emplace_back(make_error(failed.message()));
    } else if (PartialFile &f = **files[i]; f.complete() && is_zstd(bytes_of(f))) {
      out.push_back(decompress_zstd(paths[i], bytes_of(f), max_expand));
    } else {
      out.emplace_back(std::shared_ptr<const FileData>(std::move(*files[i])));
    }
  }
  return out;
}

} // namespace rtlink::io
