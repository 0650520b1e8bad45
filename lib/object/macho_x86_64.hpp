// object/macho_x86_64.hpp — X86_64_RELOC_* → generic edge kinds.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace rtlink::macho_x86_64 {

// Subtractor: the first of a SUBTRACTOR/UNSIGNED pair (macho.cpp reads both).
// Unsupported: a type the ABI defines that rtlink does not apply yet.
// Malformed: a known type with a pc-relative flag or length it never has.
enum class RelocClass { Edge, Subtractor, Unsupported, Malformed, Unknown };

// Mach-O keeps addends in the section bytes: `width` bytes at the site are
// the implicit addend, and `adjust` is added to it. The pc-relative types
// count from the end of the instruction, P + 4 + `tail` (SIGNED_N: N bytes
// of immediate follow the displacement); the compiler has already folded
// -N into an extern relocation's bytes, so `adjust` is -4 for all of them,
// and `tail` matters only to a non-extern (section-relative) relocation,
// whose bytes hold the target's address in the object less that end.
struct Mapping {
  RelocClass cls;
  EdgeKind kind;
  unsigned width;
  int64_t adjust;
  unsigned tail;
  bool extern_only;  // GOT, GOT_LOAD: a section has no GOT cell
};

Mapping map_relocation(uint8_t type, bool pcrel, unsigned length);
std::string relocation_name(uint16_t type);

// The thread-local variable thunk (macho.cpp adds it to a unit with
// __thread_vars): each variable's descriptor is {thunk, module, offset}, and
// code calls the thunk with %rdi = the descriptor for the variable's address
// in %rax, every register but %rax and %rdi kept (xmm too: clang assumes
// only GPRs survive, but the executor's function keeps them all). The thunk
// hands {module, offset} to the executor's TLS descriptor function through a
// GOT cell whose rel32 lies at kTlvThunkCell.
std::span<const uint8_t> tlv_thunk();
constexpr uint64_t kTlvThunkCell = 18;

// The `native` of an edge macho.cpp makes for an __eh_frame pointer the
// object left without a relocation (an address within the object).
constexpr uint16_t kImplicitPointer = 0xffff;

} // namespace rtlink::macho_x86_64
