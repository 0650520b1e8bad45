// exec/protocol.hpp — what the controller and an out-of-process executor say
// to each other: versioned, length-prefixed binary messages, little-endian.
//
//   message  := u32 length-of-the-rest, u8 kind, payload
//   controller -> executor: Hello, then requests (one at a time)
//   executor -> controller: HelloReply, then one reply per request:
//                           u8 ok (1) + results, or u8 0 + the error's text;
//                           to a call, u8 2 + u32 status when the loaded
//                           code called exit(status): the executor then
//                           serves requests from inside exit until Quit (or
//                           the channel closes), and ends with that status;
//                           to a call, u8 3 + str what + u64 pc when the code
//                           raised an exception nothing handled (Windows):
//                           the executor then ends
//
// The handshake: Hello is u32 magic, u16 version; its reply u32 magic, u16
// the executor's version, u8 its OS (Os), u8 pointer size, u32 page size,
// u64 process id, u8 instruction set (rtlink::Arch: 1 x86-64, 2 aarch64).
// The channel is its own socket: never the loaded code's stdout or stderr,
// which stay the user's.
#pragma once

#include "support/bytes.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::protocol {

constexpr uint32_t kMagic = 0x584c5452;  // "RTLX"
// 2: the hello reply says the executor's process id; 3: a call may answer
// that the loaded code called exit; 4: TlsCreateStatic, RuntimeFunctions
// (TlsFunctions was) answers 4 addresses, a call may answer that it crashed;
// 5: RuntimeFunctions answers 5 (MSVC-ABI C++ throw); 6: the hello reply
// says the executor's instruction set, and a call's convention may be
// AAPCS64 (2); 7: CallDouble
constexpr uint16_t kVersion = 7;
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
  IsCode,  // addresses -> per address: known?, code? (as LookupProcess answers)
  TlsCreate,     // image, image size, size, align -> module
  TlsDestroy,    // module
  RuntimeFunctions,  // -> Executor::runtime_functions(), 5 addresses
  TlsCreateStatic,  // size, align, image bytes -> module, offset from the thread pointer
  CallDouble,  // as Call -> the double's bits (u64)
};

enum class Os : uint8_t { Linux = 1, Windows = 2, MacOS = 3, Other = 4 };

// A message: its length and kind, then values appended (support/bytes.hpp).
class Writer : public ByteWriter {
public:
  explicit Writer(Op op) { buf_.resize(4), buf_.push_back(uint8_t(op)); }
  // The message with its length filled in.
  std::vector<uint8_t> &finish() {
    uint32_t n = uint32_t(buf_.size() - 4);
    std::memcpy(buf_.data(), &n, 4);
    return buf_;
  }
};

// Reads a message's payload, every read bounds-checked.
using Reader = ByteReader;

const char *op_name(Op op);

// Reads bytes [from, size) of a message into buf, which grows as they
// arrive (a megabyte at a time), so that a header announcing a gigabyte
// costs no more than what the peer actually sends. (serve.cpp)
Error receive_into(int64_t channel, std::vector<uint8_t> &buf, size_t from, size_t size);

} // namespace rtlink::protocol
