// support/bytes.hpp — little-endian values in and out of a byte buffer.
//
// The executor protocol's messages are written with ByteWriter and read with
// ByteReader, which checks every read against the end of its input: input
// that is cut short or lies about a length turns ok() false, and it stays so.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

// Appends bytes to `out`: resized, then copied. (gcc 12 at -O3 warns, falsely,
// that vector::insert of a few bytes overflows: -Wstringop-overflow and
// -Warray-bounds on its inlined memmove.)
inline void append(std::vector<uint8_t> &out, const void *p, size_t n) {
  const size_t at = out.size();
  out.resize(at + n);
  if (n)
    std::memcpy(out.data() + at, p, n);
}
inline void append(std::vector<uint8_t> &out, std::initializer_list<uint8_t> b) {
  append(out, b.begin(), b.size());
}

class ByteWriter {
public:
  ByteWriter &u8(uint8_t v) { return raw(&v, 1); }
  ByteWriter &u16(uint16_t v) { return le(v, 2); }
  ByteWriter &u32(uint32_t v) { return le(v, 4); }
  ByteWriter &u64(uint64_t v) { return le(v, 8); }
  ByteWriter &str(std::string_view s) { return u32(uint32_t(s.size())).raw(s.data(), s.size()); }
  ByteWriter &bytes(std::span<const uint8_t> b) {
    return u32(uint32_t(b.size())).raw(b.data(), b.size());
  }
  ByteWriter &raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    buf_.insert(buf_.end(), b, b + n);
    return *this;
  }
  std::vector<uint8_t> &buffer() { return buf_; }

private:
  ByteWriter &le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      buf_.push_back(uint8_t(v >> (8 * i)));
    return *this;
  }

protected:
  std::vector<uint8_t> buf_;
};

class ByteReader {
public:
  explicit ByteReader(std::span<const uint8_t> input) : p_(input) {}
  uint8_t u8() { return uint8_t(le(1)); }
  uint16_t u16() { return uint16_t(le(2)); }
  uint32_t u32() { return uint32_t(le(4)); }
  uint64_t u64() { return le(8); }
  std::string str() {
    std::span<const uint8_t> b = bytes();
    return std::string(b.begin(), b.end());
  }
  std::span<const uint8_t> bytes() {
    uint32_t n = u32();
    if (!ok_ || n > p_.size() - at_) {
      ok_ = false;
      return {};
    }
    std::span<const uint8_t> b = p_.subspan(at_, n);
    at_ += n;
    return b;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == p_.size(); }

private:
  uint64_t le(int n) {
    if (!ok_ || size_t(n) > p_.size() - at_) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, p_.data() + at_, size_t(n));
    } else {
      for (int i = 0; i < n; ++i)
        v |= uint64_t(p_[at_ + i]) << (8 * i);
    }
    at_ += size_t(n);
    return v;
  }
  std::span<const uint8_t> p_;
  size_t at_ = 0;
  bool ok_ = true;
};

} // namespace rtlink
