// object/coff_x86_64.hpp — IMAGE_REL_AMD64_* → generic edge kinds.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <string>

namespace rtlink::coff_x86_64 {

enum class RelocClass { Edge, None, Unknown };

// COFF keeps addends in the section bytes: `width` bytes at the site are the
// implicit addend, and `adjust` is added to it (REL32_N: -(4 + N)).
struct Mapping {
  RelocClass cls;
  EdgeKind kind;
  unsigned width;
  int64_t adjust;
};

Mapping map_relocation(uint16_t type);
std::string relocation_name(uint16_t type);

// Is the rel32 at `offset` the operand of a call, jmp or jcc? COFF marks no
// difference between a branch and a data reference; a branch to something
// outside the loaded range gets a stub, a data reference cannot. The byte
// before a RIP-relative data operand is a ModRM byte (mod 00, r/m 101).
bool is_branch_site(const uint8_t *section, uint64_t offset);

} // namespace rtlink::coff_x86_64
