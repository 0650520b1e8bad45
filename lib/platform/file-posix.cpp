// platform/file-posix.cpp — files mapped read-only, prefaulted when small.
#include "platform/platform.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rtlink::platform {

namespace {

// Opens a regular file for reading; its size in `size`.
Expected<int> open_regular(const std::string &path, uint64_t &size) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(path, ": cannot read: ", std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return make_error(path, ": cannot read: ", std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return make_error(path, ": cannot read: ",
                      S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  }
  size = uint64_t(st.st_size);
  return fd;
}

} // namespace

Expected<int64_t> open_for_reading(const std::string &path, uint64_t &size) {
  auto fd = open_regular(path, size);
  if (!fd)
    return fd.take_error();
  return int64_t(*fd);
}

void close_file(int64_t handle) { close(static_cast<int>(handle)); }

std::string error_text(int64_t negative_errno) { return std::strerror(int(-negative_errno)); }

Expected<MappedFile> map_file(const std::string &path, bool prefault) {
  MappedFile f;
  auto opened = open_regular(path, f.size);
  if (!opened)
    return opened.take_error();
  int fd = *opened;
  if (f.size) {
    // Small files are read whole anyway: one populated mapping costs less
    // than a page fault per page. Large archives are touched only where needed.
    int populate = prefault && f.size <= (uint64_t(16) << 20) ? MAP_POPULATE : 0;
    void *p = mmap(nullptr, f.size, PROT_READ, MAP_PRIVATE | populate, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      close(fd);
      return make_error(path, ": cannot map: ", std::strerror(err));
    }
    f.data = static_cast<const uint8_t *>(p);
  }
  close(fd);
  return f;
}

void unmap_file(const MappedFile &f) {
  if (f.data)
    munmap(const_cast<uint8_t *>(f.data), f.size);
}

} // namespace rtlink::platform
