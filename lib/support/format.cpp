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

} // namespace rtlink
