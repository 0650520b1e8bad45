// support/hash.hpp — a fast hash for symbol names.
//
// Symbol tables are hashed by name many thousand times per resolve;
// std::hash<std::string_view> (a general-purpose murmur hash) costs more per
// short name than the lookup itself. This one mixes 8 bytes at a time with a
// multiply and a shift; names are not adversarial input here.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace rtlink {

//
// Not noexcept, on purpose: libstdc++ then keeps each node's hash code, so a
// lookup walking a bucket compares codes instead of hashing every name it
// passes (it does that for a "fast", noexcept hash).
struct NameHash {
  size_t operator()(std::string_view s) const {
    constexpr uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = s.size() * k;
    const char *p = s.data();
    size_t n = s.size();
    for (; n >= 8; n -= 8, p += 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * k;
      h ^= h >> 32;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    h = (h ^ tail) * k;
    return size_t(h ^ (h >> 29));
  }
};

} // namespace rtlink
