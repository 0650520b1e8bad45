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

// Opens a regular file for reading; its size in `size`, and what identifies
// it in `id` if asked for.
Expected<int> open_regular(const std::string &path, uint64_t &size, FileIdentity *id = nullptr) {
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
  if (id)
    *id = {uint64_t(st.st_dev), uint64_t(st.st_ino), size,
           int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
           int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
  return fd;
}

} // namespace

void set_file_owner(int fd, uint32_t user, uint32_t group) { (void)!fchown(fd, user, group); }

Expected<FileIdentity> file_identity(const std::string &path) {
  uint64_t size = 0;
  FileIdentity id;
  auto fd = open_regular(path, size, &id);
  if (!fd)
    return fd.take_error();
  close(*fd);
  return id;
}

Expected<int64_t> open_for_reading(const std::string &path, uint64_t &size, FileIdentity *id) {
  auto fd = open_regular(path, size, id);
  if (!fd)
    return fd.take_error();
  return int64_t(*fd);
}

void close_file(int64_t handle) { close(static_cast<int>(handle)); }

std::string error_text(int64_t negative_errno) { return std::strerror(int(-negative_errno)); }

Expected<MappedFile> map_file(const std::string &path, bool prefault) {
  MappedFile f;
  auto opened = open_regular(path, f.size, &f.identity);
  if (!opened)
    return opened.take_error();
  int fd = *opened;
  if (f.size) {
    // Small files are read whole anyway: one populated mapping costs less
    // than a page fault per page. Up to 4 MiB, archives too: opening one
    // reads every member's header, a fault every few pages (libsqlite3.a,
    // 2.3 MiB, of whose 102 members the sqlite job pulls 87: 0.93x the
    // time populated whole). Larger archives are touched only where needed
    // (their index, and each member pulled, populated as it is parsed:
    // Session::parse_member): populating GHC's archives of up to 16 MiB
    // whole put 25 MiB of members never pulled in the resident set.
    int populate = prefault && f.size <= (uint64_t(4) << 20) ? MAP_POPULATE : 0;
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

Error map_file_at(uint64_t addr, uint64_t size, const std::string &path, uint64_t offset) {
  uint64_t file_size = 0;
  auto opened = open_regular(path, file_size);
  if (!opened)
    return opened.take_error();
  if (offset > file_size || size > file_size - offset) {
    close(*opened);
    return make_error(path, ": ", size, " bytes at offset ", offset, " run past its end");
  }
  void *p = mmap(reinterpret_cast<void *>(addr), size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_FIXED, *opened, off_t(offset));
  int err = errno;
  close(*opened);
  if (p == MAP_FAILED)
    return make_error(path, ": cannot map at 0x", std::hex, addr, std::dec, ": ",
                      std::strerror(err));
  return Error::success();
}

} // namespace rtlink::platform
