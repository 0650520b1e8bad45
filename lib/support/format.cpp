#include "support/format.hpp"

#include <cstdio>

namespace rtlink {


std::string format_duration_ns(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", double(ns) / 1e6);
  return buf;
}

std::string format_bytes(uint64_t bytes) {
  char buf[32];
  if (bytes < 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%llu KiB", (unsigned long long)((bytes + 1023) / 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
  return buf;
}

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (v > (UINT64_MAX - 9) / 10)
      return std::nullopt;
    v = v * 10 + uint64_t(text[i] - '0');
  }
  if (i == 0)
    return std::nullopt;
  std::string_view unit = text.substr(i);
  int shift = 0;
  if (!unit.empty()) {
    switch (unit[0]) {
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    case 'T': case 't': shift = 40; break;
    default: return std::nullopt;
    }
    unit.remove_prefix(1);
    if (unit != "" && unit != "B" && unit != "iB")
      return std::nullopt;
  }
  if (v == 0 || v > (UINT64_MAX >> shift))
    return std::nullopt;
  return v << shift;
}

} // namespace rtlink
