// exec/protocol.hpp — what the controller and an out-of-process executor say
// to each other: versioned, length-prefixed binary messages, little-endian.
//
//   message  := u32 length-of-the-rest, u8 kind, payload
//   controller -> executor: Hello, then requests (one at a time)
//   executor -> controller: HelloReply, then one reply per request:
//                           u8 ok (1) + results, or u8 0 + the error's text
//
// The handshake says the protocol version, the executor's OS, pointer size
// and page size. The channel is its own socket: never the loaded code's
// stdout or stderr, which stay the user's.
#pragma once

#include <rtlink/error.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::protocol {

constexpr uint32_t kMagic = 0x584c5452;  // "RTLX"
constexpr uint16_t kVersion = 1;
constexpr uint32_t kMaxMessage = 1u << 30;

enum class Op : uint8_t {
  Hello = 1,
  Reserve,
  Release,
  Commit,
  Decommit,
  Write,
  Protect,
  LookupProcess,
  LoadLibrary,
  UnloadLibrary,
  LookupLibrary,
  LookupImport,
  RegisterEhFrame,
  DeregisterEhFrame,
  RunFunctions,
  RunAtexit,
  CallMain,
  CallInt,
  Call,
  Ping,  // an empty round trip (the latency benchmark)
  Quit,
  RegisterFunctionTables,
  DeregisterFunctionTables,
  SetLibraryDirs,
};

enum class Os : uint8_t { Linux = 1, Windows = 2, MacOS = 3, Other = 4 };

// Appends values to a message.
class Writer {
public:
  explicit Writer(Op op) { buf_.resize(4), buf_.push_back(uint8_t(op)); }
  Writer &u8(uint8_t v) { return raw(&v, 1); }
  Writer &u16(uint16_t v) { return le(v, 2); }
  Writer &u32(uint32_t v) { return le(v, 4); }
  Writer &u64(uint64_t v) { return le(v, 8); }
  Writer &str(std::string_view s) { return u32(uint32_t(s.size())).raw(s.data(), s.size()); }
  Writer &bytes(std::span<const uint8_t> b) { return u32(uint32_t(b.size())).raw(b.data(), b.size()); }
  // The message with its length filled in.
  std::vector<uint8_t> &finish() {
    uint32_t n = uint32_t(buf_.size() - 4);
    std::memcpy(buf_.data(), &n, 4);
    return buf_;
  }

private:
  Writer &le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      buf_.push_back(uint8_t(v >> (8 * i)));
    return *this;
  }
  Writer &raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    buf_.insert(buf_.end(), b, b + n);
    return *this;
  }
  std::vector<uint8_t> buf_;
};

// Reads values from a message's payload; every read is bounds-checked, and
// `ok()` turns false (and stays false) at the first that runs past the end.
class Reader {
public:
  explicit Reader(std::span<const uint8_t> payload) : p_(payload) {}
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
    for (int i = 0; i < n; ++i)
      v |= uint64_t(p_[at_ + i]) << (8 * i);
    at_ += n;
    return v;
  }
  std::span<const uint8_t> p_;
  size_t at_ = 0;
  bool ok_ = true;
};

const char *op_name(Op op);

} // namespace rtlink::protocol
