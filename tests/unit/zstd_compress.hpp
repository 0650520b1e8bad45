// zstd-compressed bytes, for the tests of compressed inputs (libzstd: not in
// the Windows build, whose suites leave those tests out).
#pragma once

#include <doctest/doctest.h>
#include <zstd.h>

#include <cstdint>
#include <vector>

inline std::vector<uint8_t> zstd_compress(const std::vector<uint8_t> &plain) {
  std::vector<uint8_t> z(ZSTD_compressBound(plain.size()));
  size_t n = ZSTD_compress(z.data(), z.size(), plain.data(), plain.size(), 3);
  REQUIRE(!ZSTD_isError(n));
  z.resize(n);
  return z;
}
