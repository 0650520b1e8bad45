// platform/file-win32.cpp — files mapped (CreateFileMapping), or opened for
// the AsyncReader (overlapped).
#include "platform/platform.hpp"

#include <windows.h>

#include <cerrno>
#include <cstring>

namespace rtlink::platform {

namespace {

// Nanoseconds since the Unix epoch of a FILETIME's (100 ns since 1601).
int64_t unix_ns(int64_t filetime) {
  return filetime ? (filetime - 116444736000000000LL) * 100 : 0;
}

// Opens a file to read, with `flags` (FILE_FLAG_OVERLAPPED for the reader);
// its size in `size`, and what identifies it in `id` if asked for: the
// volume's serial number and the file's index, its size, its last write and
// its last change (of data or attributes).
Expected<HANDLE> open_read(const std::string &path, DWORD flags, uint64_t &size,
                           FileIdentity *id = nullptr) {
  HANDLE h = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | flags, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    return make_error(path, ": cannot read: ",
                      e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND
                          ? "No such file or directory"
                          : "error " + std::to_string(e));
  }
  LARGE_INTEGER n;
  if (!GetFileSizeEx(h, &n)) {
    CloseHandle(h);
    return make_error(path, ": cannot read: its size is unknown");
  }
  size = uint64_t(n.QuadPart);
  BY_HANDLE_FILE_INFORMATION info;
  FILE_BASIC_INFO basic;
  if (id && GetFileInformationByHandle(h, &info) &&
      GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic))
    *id = {info.dwVolumeSerialNumber,
           uint64_t(info.nFileIndexHigh) << 32 | info.nFileIndexLow, size,
           unix_ns(basic.LastWriteTime.QuadPart), unix_ns(basic.ChangeTime.QuadPart)};
  return h;
}

} // namespace

Expected<int64_t> open_for_reading(const std::string &path, uint64_t &size, FileIdentity *id) {
  auto h = open_read(path, FILE_FLAG_OVERLAPPED, size, id);
  if (!h)
    return h.take_error();
  return reinterpret_cast<int64_t>(*h);
}

void close_file(int64_t handle) { CloseHandle(reinterpret_cast<HANDLE>(handle)); }

Expected<MappedFile> map_file(const std::string &path, bool) {
  MappedFile f;
  auto opened = open_read(path, 0, f.size, &f.identity);
  if (!opened)
    return opened.take_error();
  HANDLE h = *opened;
  if (f.size) {
    HANDLE m = CreateFileMappingA(h, nullptr, PAGE_READONLY, 0, 0, nullptr);
    void *p = m ? MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0) : nullptr;
    if (m)
      CloseHandle(m);  // the view keeps the mapping
    if (!p) {
      CloseHandle(h);
      return make_error(path, ": cannot map (error ", GetLastError(), ")");
    }
    f.data = static_cast<const uint8_t *>(p);
  }
  CloseHandle(h);
  return f;
}

void unmap_file(const MappedFile &f) {
  if (f.data)
    UnmapViewOfFile(f.data);
}

Error map_file_at(uint64_t, uint64_t, const std::string &path, uint64_t) {
  return make_error(path, ": mapping a file over reserved pages is not done on Windows");
}

void set_file_owner(int, uint32_t, uint32_t) {}

Expected<FileIdentity> file_identity(const std::string &path) {
  uint64_t size = 0;
  FileIdentity id;
  auto h = open_read(path, 0, size, &id);
  if (!h)
    return h.take_error();
  CloseHandle(*h);
  return id;
}

std::string error_text(int64_t negative_errno) { return std::strerror(int(-negative_errno)); }

} // namespace rtlink::platform
