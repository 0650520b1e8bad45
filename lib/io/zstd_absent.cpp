// io/zstd_absent.cpp — a build without libzstd (the Windows build): zstd
// data is still recognised, and refused by name.
#include "io/zstd.hpp"

#include <cstring>

namespace rtlink {

bool is_zstd(std::span<const uint8_t> bytes) {
  static const uint8_t magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), magic, 4) == 0;
}

Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t>, uint64_t) {
  return make_error(path, ": zstd-compressed, and this build reads no zstd (it has no libzstd)");
}

} // namespace rtlink
