// arch/x86_64.hpp — edge kinds → bytes, and the jump stub, for x86-64.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace rtlink::x86_64 {

// jmp *cell(%rip), padded with int3 to 8 bytes.
constexpr uint64_t kStubSize = 8;
void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address);

// The stack probe Windows code calls before it grows its frame by more than
// a page (__chkstk from MSVC, ___chkstk_ms from MinGW): RAX holds the size;
// every page below the caller's stack pointer is touched in order; no
// register but the flags changes, nor the stack pointer.
std::span<const uint8_t> stack_probe_code();

// The values of the fixup expression (see object/edge_kind.hpp).
struct Fixup {
  uint64_t S;    // target
  int64_t A;     // addend
  uint64_t P;    // site
  uint64_t GOT;  // GOT base of the unit
  uint64_t G;    // target's GOT cell (0 when it has none)
  uint64_t IB = 0;  // image base
  uint64_t SB = 0;  // start of the target's section
  uint16_t SI = 0;  // the target's section index + 1
  uint64_t Z = 0;   // the target's size
};

// The outcome of a fixup: empty on success, else the value that did not fit.
struct Overflow {
  unsigned bits = 0;        // 0: it fit
  const char *how = "";     // "signed", "unsigned", "signed or unsigned"
  uint64_t value = 0;
  explicit operator bool() const { return bits != 0; }
  std::string describe() const;  // "value 0x... does not fit in 32 bits signed"
};

// Writes the fixup at `loc`; on an overflow nothing is written.
Overflow apply(EdgeKind kind, uint8_t *loc, const Fixup &f);

} // namespace rtlink::x86_64
