// The protocol's encoding, on the Windows build: what one side writes the
// other reads back, and a short message is caught, never read past.
#include <doctest.h>

#include "exec/protocol.hpp"

using namespace rtlink::protocol;

TEST_CASE("values written are read back in order") {
  Writer w(Op::Call);
  const uint8_t bytes[] = {1, 2, 3};
  w.u8(7).u16(0xbeef).u32(0xdeadbeef).u64(0x0123456789abcdefull).str("kernel32.dll").bytes(bytes);
  std::vector<uint8_t> &m = w.finish();
  uint32_t n;
  std::memcpy(&n, m.data(), 4);
  CHECK(n == m.size() - 4);
  CHECK(Op(m[4]) == Op::Call);
  Reader r(std::span<const uint8_t>(m).subspan(5));
  CHECK(r.u8() == 7);
  CHECK(r.u16() == 0xbeef);
  CHECK(r.u32() == 0xdeadbeef);
  CHECK(r.u64() == 0x0123456789abcdefull);
  CHECK(r.str() == "kernel32.dll");
  auto b = r.bytes();
  REQUIRE(b.size() == 3);
  CHECK(b[2] == 3);
  CHECK(r.ok());
  CHECK(r.at_end());
}

TEST_CASE("a short message turns the reader off instead of reading past it") {
  Writer w(Op::Write);
  w.u64(0x1000).u32(1000);  // says 1000 bytes follow; none do
  std::vector<uint8_t> &m = w.finish();
  Reader r(std::span<const uint8_t>(m).subspan(5, 8));
  CHECK(r.u64() == 0x1000);
  CHECK(r.bytes().empty());
  CHECK_FALSE(r.ok());
  CHECK(r.u32() == 0);  // stays off
  CHECK_FALSE(r.ok());
}
