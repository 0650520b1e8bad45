// io/zstd_common.cpp — what every build knows of zstd, with libzstd
// (io/zstd.cpp) or without it (io/zstd_absent.cpp): its magic bytes, and the
// most an input may expand to.
#include "io/zstd.hpp"
#include "support/format.hpp"

#include <cstdlib>
#include <cstring>

namespace rtlink {

Expected<uint64_t> max_expand(uint64_t given) {
  if (given)
    return given;
  const char *env = std::getenv("RTLINK_MAX_EXPAND");
  if (!env || !*env)
    return kDefaultMaxExpand;
  if (auto v = parse_size(env))
    return *v;
  return make_error("RTLINK_MAX_EXPAND=", env, ": not a size (bytes, or a number with K, M, G or T)");
}

bool is_zstd(std::span<const uint8_t> bytes) {
  static const uint8_t magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), magic, 4) == 0;
}

} // namespace rtlink
