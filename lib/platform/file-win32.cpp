// platform/file-win32.cpp — files mapped (CreateFileMapping), or opened for
// the AsyncReader (overlapped).
#include "platform/platform.hpp"

#include <windows.h>

#include <cerrno>
#include <cstring>

namespace rtlink::platform {

Expected<int64_t> open_for_reading(const std::string &path, uint64_t &size) {
  HANDLE h = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED, nullptr);
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
  return reinterpret_cast<int64_t>(h);
}

void close_file(int64_t handle) { CloseHandle(reinterpret_cast<HANDLE>(handle)); }

Expected<MappedFile> map_file(const std::string &path, bool) {
  HANDLE h = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    return make_error(path, ": cannot read: ",
                      e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND
                          ? "No such file or directory"
                          : "error " + std::to_string(e));
  }
  LARGE_INTEGER n;
  MappedFile f;
  if (!GetFileSizeEx(h, &n)) {
    CloseHandle(h);
    return make_error(path, ": cannot read: its size is unknown");
  }
  f.size = uint64_t(n.QuadPart);
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

std::string error_text(int64_t negative_errno) { return std::strerror(int(-negative_errno)); }

} // namespace rtlink::platform
