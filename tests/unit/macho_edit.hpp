// Reading and editing a 64-bit Mach-O object's bytes in the tests
// (test_macho.cpp, test_macho_arm64.cpp): the values at an offset, and
// where a section's header lies.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

template <class T> T get(const std::vector<uint8_t> &b, size_t at) {
  T v;
  REQUIRE(at + sizeof v <= b.size());
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
template <class T> void put(std::vector<uint8_t> &b, size_t at, T v) {
  REQUIRE(at + sizeof v <= b.size());
  std::memcpy(b.data() + at, &v, sizeof v);
}

// Where a section's header lies (its section_64 record: addr at +32,
// offset at +48, reloff at +56, nreloc at +60), and its 1-based ordinal.
inline size_t section_header(const std::vector<uint8_t> &b, const std::string &segment,
                             const std::string &section, unsigned *ordinal = nullptr) {
  const uint32_t ncmds = get<uint32_t>(b, 16);
  size_t at = 32;
  unsigned n = 0;
  for (uint32_t c = 0; c < ncmds; ++c) {
    const uint32_t cmd = get<uint32_t>(b, at), size = get<uint32_t>(b, at + 4);
    if (cmd == 0x19) {  // LC_SEGMENT_64
      const uint32_t nsects = get<uint32_t>(b, at + 64);
      for (uint32_t s = 0; s < nsects; ++s) {
        const size_t h = at + 72 + size_t(s) * 80;
        REQUIRE(h + 80 <= b.size());
        const char *p = reinterpret_cast<const char *>(b.data() + h);
        ++n;
        if (std::string(p + 16, strnlen(p + 16, 16)) == segment &&
            std::string(p, strnlen(p, 16)) == section) {
          if (ordinal)
            *ordinal = n;
          return h;
        }
      }
    }
    at += size;
  }
  FAIL("no section " << segment << "," << section);
  return 0;
}
