// The AsyncReader's test cases, the same for every backend: the Linux suite
// runs them with io_uring and the thread pool, the Windows suite (under
// wine) with IOCP. The including file has included doctest.
#pragma once

#include "io/partial.hpp"
#include "io/reader.hpp"
#include "platform/platform.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

namespace reader_cases {

using rtlink::io::AsyncReader;
using rtlink::io::Completion;
using rtlink::io::Read;

// 300 reads of 4099 bytes at scattered offsets of `path` (whose bytes are
// `want`), the last one running past the end, and one on a handle that is
// none: one completion each, with its tag, its bytes where they belong, short
// at the end, -EBADF for the bad handle; then nothing in flight.
inline void pieces(AsyncReader &r, const std::string &path, const std::vector<uint8_t> &want) {
  uint64_t size = 0;
  auto h = rtlink::platform::open_for_reading(path, size);
  REQUIRE(bool(h));
  REQUIRE(size == want.size());
  REQUIRE(size > 8192);
  std::vector<std::vector<uint8_t>> bufs(300, std::vector<uint8_t>(4099));
  std::vector<uint8_t> spare(16);
  std::vector<Read> reads;
  for (uint64_t i = 0; i < bufs.size(); ++i) {
    uint64_t off = (i * 7919 * 4099) % (size - 4099);
    if (i == bufs.size() - 1)
      off = size - 100;
    reads.push_back({*h, off, 4099, bufs[i].data(), 1000 + i});
  }
  reads.push_back({-1, 0, 16, spare.data(), 7});
  REQUIRE_FALSE(r.submit(reads));
  CHECK(r.in_flight() == reads.size());
  std::vector<Completion> done;
  REQUIRE_FALSE(r.wait(reads.size(), done));
  REQUIRE(done.size() == reads.size());
  std::map<uint64_t, int64_t> by_tag;
  for (const Completion &c : done)
    CHECK(by_tag.emplace(c.tag, c.result).second);  // one completion per read
  CHECK(by_tag[7] == -EBADF);
  for (uint64_t i = 0; i < bufs.size(); ++i) {
    int64_t expect = i == bufs.size() - 1 ? 100 : 4099;
    REQUIRE(by_tag[1000 + i] == expect);
    CHECK(std::memcmp(bufs[i].data(), want.data() + reads[i].offset, size_t(expect)) == 0);
  }
  done.clear();
  REQUIRE_FALSE(r.wait(5, done));  // nothing in flight: at once, with nothing
  CHECK(done.empty());
  CHECK(r.in_flight() == 0);
  rtlink::platform::close_file(*h);
}

// A whole file, in 64 KiB pieces submitted in batches of 16, completions
// taken as they come (some at a time): the file, byte for byte.
inline void whole_file(AsyncReader &r, const std::string &path, const std::vector<uint8_t> &want) {
  uint64_t size = 0;
  auto h = rtlink::platform::open_for_reading(path, size);
  REQUIRE(bool(h));
  std::vector<uint8_t> got(size);
  std::vector<Read> reads;
  for (uint64_t at = 0, k = 0; at < size; at += 65536, ++k)
    reads.push_back({*h, at, uint32_t(std::min<uint64_t>(65536, size - at)), got.data() + at, k});
  size_t taken = 0;
  std::vector<Completion> done;
  for (size_t i = 0; i < reads.size(); i += 16) {
    REQUIRE_FALSE(r.submit({reads.data() + i, std::min<size_t>(16, reads.size() - i)}));
    REQUIRE_FALSE(r.wait(1, done));
  }
  REQUIRE_FALSE(r.wait(r.in_flight(), done));
  for (const Completion &c : done) {
    CHECK(c.result == reads[c.tag].length);
    ++taken;
  }
  CHECK(taken == reads.size());
  CHECK(got == want);
  rtlink::platform::close_file(*h);
}

// A file read in parts (io::PartialFile): zeros where nothing was read;
// ranges from two places in one batch, then overlapping ones, each page read
// once; the whole file at the end, byte for byte.
inline void partial_file(AsyncReader &r, const std::string &path, const std::vector<uint8_t> &want) {
  using rtlink::io::PartialFile;
  auto opened = PartialFile::open(path);
  REQUIRE(bool(opened));
  const PartialFile &f = **opened;
  REQUIRE(f.size() == want.size());
  REQUIRE(f.size() > 100000);
  CHECK(f.bytes_read() == 0);
  CHECK_FALSE(f.has(0, 1));
  CHECK(f.data()[5000] == 0);
  std::vector<PartialFile::Want> two = {{&f, 10, 100}, {&f, 50000, 9000}};
  REQUIRE_FALSE(PartialFile::fetch(r, two));
  CHECK(f.has(10, 100));
  CHECK(f.has(50000, 9000));
  CHECK_FALSE(f.has(20000, 1));
  CHECK(std::memcmp(f.data() + 10, want.data() + 10, 100) == 0);
  CHECK(std::memcmp(f.data() + 50000, want.data() + 50000, 9000) == 0);
  const uint64_t after_two = f.bytes_read();
  CHECK(after_two == 4096 + 3 * 4096);  // whole pages: one, and 49152..61440
  // Read already: nothing read again.
  std::vector<PartialFile::Want> again = {{&f, 0, 4096}, {&f, 52000, 10}};
  REQUIRE_FALSE(PartialFile::fetch(r, again));
  CHECK(f.bytes_read() == after_two);
  // Past the end: clipped.
  std::vector<PartialFile::Want> tail = {{&f, f.size() - 10, 1000}};
  REQUIRE_FALSE(PartialFile::fetch(r, tail));
  CHECK(f.has(f.size() - 10, 10));
  CHECK(std::memcmp(f.data() + f.size() - 10, want.data() + want.size() - 10, 10) == 0);
  REQUIRE_FALSE(f.fetch_all(r));
  CHECK(f.complete());
  CHECK(f.bytes_read() == f.size());
  CHECK(std::memcmp(f.data(), want.data(), want.size()) == 0);
  CHECK(r.in_flight() == 0);
}

} // namespace reader_cases
