// bench-read: reads every member of the given archives, as separate reads,
// through one reader backend, or with plain sequential read() ("sequential"),
// and prints how many members and bytes it read.
//
//   bench-read BACKEND ARCHIVE...
//
// Where the members are is found first (from the archives' headers, through
// a mapping); only the reads are what bench-compare times against each other
// (plus the process start, the same for every backend).
#include "io/file.hpp"
#include "io/reader.hpp"
#include "object/archive.hpp"
#include "platform/platform.hpp"

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

struct Member {
  size_t file;
  uint64_t offset;
  uint32_t size;
};

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench-read io_uring|threads|sequential ARCHIVE...\n");
    return 2;
  }
  std::string backend = argv[1];
  std::vector<std::string> paths(argv + 2, argv + argc);
  std::vector<Member> members;
  uint64_t total = 0;
  for (size_t f = 0; f < paths.size(); ++f) {
    auto data = rtlink::read_file(paths[f], false);
    if (!data) {
      std::fprintf(stderr, "bench-read: %s\n", data.error().message().c_str());
      return 1;
    }
    auto ar = rtlink::ArchiveReader::open(paths[f], *data);
    if (!ar) {
      std::fprintf(stderr, "bench-read: %s\n", ar.error().message().c_str());
      return 1;
    }
    const uint8_t *base = (*data)->data();
    for (size_t i = 0; i < (*ar)->member_count(); ++i) {
      const auto &m = (*ar)->member(i);
      members.push_back({f, uint64_t(m.bytes.data() - base), uint32_t(m.bytes.size())});
      total += m.bytes.size();
    }
  }
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[total ? total : 1]);
  std::vector<int> fds;
  for (const std::string &p : paths) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::perror(p.c_str());
      return 1;
    }
    fds.push_back(fd);
  }
  uint64_t got = 0;
  if (backend == "sequential") {
    uint64_t at = 0;
    for (const Member &m : members) {
      if (::lseek(fds[m.file], off_t(m.offset), SEEK_SET) < 0)
        return 1;
      uint32_t done = 0;
      while (done < m.size) {
        ssize_t n = ::read(fds[m.file], buffer.get() + at + done, m.size - done);
        if (n <= 0)
          return 1;
        done += uint32_t(n);
      }
      at += m.size;
      got += done;
    }
  } else {
    auto reader = rtlink::io::make_reader(backend);
    if (!reader) {
      std::fprintf(stderr, "bench-read: %s\n", reader.error().message().c_str());
      return 2;
    }
    std::vector<rtlink::io::Read> reads;
    uint64_t at = 0;
    for (size_t i = 0; i < members.size(); ++i) {
      reads.push_back({fds[members[i].file], members[i].offset, members[i].size, buffer.get() + at, i});
      at += members[i].size;
    }
    // In batches of 256, as the loader pulls members in rounds.
    std::vector<rtlink::io::Completion> done;
    for (size_t i = 0; i < reads.size(); i += 256) {
      size_t n = std::min<size_t>(256, reads.size() - i);
      if ((*reader)->submit({reads.data() + i, n}))
        return 1;
    }
    if ((*reader)->wait(reads.size(), done))
      return 1;
    for (const auto &c : done) {
      if (c.result != members[c.tag].size)
        return 1;
      got += uint64_t(c.result);
    }
  }
  for (int fd : fds)
    ::close(fd);
  std::printf("%zu members, %llu bytes\n", members.size(), static_cast<unsigned long long>(got));
  return got == total ? 0 : 1;
}
