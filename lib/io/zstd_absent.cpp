// io/zstd_absent.cpp — a build without libzstd (the Windows build): zstd
// data is still recognised, and refused by name.
#include "io/zstd.hpp"

namespace rtlink {

Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t>, uint64_t) {
  return make_error(path, ": zstd-compressed, and this build reads no zstd (it has no libzstd)");
}

} // namespace rtlink
