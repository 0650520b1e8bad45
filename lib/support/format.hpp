// support/format.hpp — small string helpers for messages (gcc 12 has no <format>).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtlink {

inline std::string hex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19];
  char *p = buf + sizeof buf;
  do {
    *--p = digits[v & 15];
    v >>= 4;
  } while (v);
  *--p = 'x';
  *--p = '0';
  return std::string(p, buf + sizeof buf);
}

// Exactly `width` hex digits, no prefix: "00ff" for (255, 4).
inline std::string hex_digits(uint64_t v, int width) {
  std::string s(size_t(width), '0');
  for (int i = width - 1; i >= 0 && v; --i, v >>= 4)
    s[size_t(i)] = "0123456789abcdef"[v & 15];
  return s;
}

// Adds `line` to a message of several lines (a newline first unless `to` is
// empty). (This, and quote's appends: gcc 12 at -O3 warns falsely of
// "literal" + std::string, -Wrestrict, in a release build.)
inline void append_line(std::string &to, std::string_view line) {
  if (!to.empty())
    to += '\n';
  to += line;
}

inline std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

// "1.25 ms", "3.0 MiB"
std::string format_duration_ns(uint64_t ns);
std::string format_bytes(uint64_t bytes);

// A size as options give it: bytes, or a number with K, M, G or T (powers of
// 1024, an optional "iB" or "B" after): "1048576", "64M", "1GiB". nullopt
// for anything else, 0, or more than 64 bits hold.
std::optional<uint64_t> parse_size(std::string_view text);

} // namespace rtlink
