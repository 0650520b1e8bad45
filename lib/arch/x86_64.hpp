// arch/x86_64.hpp — edge kinds → bytes, and the jump stub, for x86-64.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <string>

namespace rtlink::x86_64 {

// jmp *cell(%rip), padded with int3 to 8 bytes.
constexpr uint64_t kStubSize = 8;
void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address);

// The values of the fixup expression (see object/edge_kind.hpp).
struct Fixup {
  uint64_t S;    // target
  int64_t A;     // addend
  uint64_t P;    // site
  uint64_t GOT;  // GOT base of the unit
  uint64_t G;    // target's GOT cell (0 when it has none)
};

// Writes the fixup at `loc`. On a range overflow nothing is written and the
// return value says by how much ("value 0x1_0000_0010 does not fit in 32 bits signed").
std::string apply(EdgeKind kind, uint8_t *loc, const Fixup &f);

} // namespace rtlink::x86_64
