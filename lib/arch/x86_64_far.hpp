// arch/x86_64_far.hpp — code that reaches an address outside the reserved
// range with a 32-bit field: how its instruction is rewritten.
//
// Code built without -fPIC or as PIE reaches the process's data (stdout,
// environ, libstdc++'s typeinfo and std::cout) with `disp32(%rip)` operands,
// and takes addresses with 32-bit immediates, assuming the linker puts it all
// within 2 GiB. Loaded code lives in the reserved range; the process's data
// does not. Each such instruction is rewritten, keeping its length and what
// it does:
//  - `lea sym(%rip), %r64` becomes `mov cell(%rip), %r64`, the cell holding
//    the address (same length: only the opcode changes);
//  - any other instruction with a `sym(%rip)` operand is replaced by a jump
//    to a thunk, placed with the unit's stubs, that loads the address from
//    the cell into a register and runs the same instruction with that
//    register as its base, then jumps back. A load into a general register
//    uses that register; other instructions borrow one (saved on the stack
//    below the red zone, restored after); an indirect call or jump goes
//    through %r11, which no call preserves or passes arguments in;
//  - `mov $sym, %r32` / `mov $sym, %r64` (a 32-bit absolute address) become
//    `movabs $sym, %r64` in a thunk;
//  - a call or jump by `rel32` (R_X86_64_PC32 used for a branch) goes to a
//    jump stub, like calls do; so does a 32-bit address in data, or in an
//    instruction that cannot take a 64-bit one, when the target is a
//    function (the executor tells code from data): the stub is then its
//    address as loaded code sees it.
// Anything else is refused, naming the instruction and why.
#pragma once

#include "object/edge_kind.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rtlink::x86_64 {

struct FarPlan {
  enum Kind : uint8_t {
    Stub,          // the field points at a jump stub (a branch, or a function's address)
    LoadFromCell,  // lea → mov: `opcode` goes at `opcode_at`; the field then
                   // refers to the cell (pc-relative, addend `cell_field_addend`)
    Thunk,         // `code` runs instead of the instruction
  };
  Kind kind = Stub;
  uint32_t start = 0, length = 0;  // the instruction, within its section
  uint32_t opcode_at = 0;
  uint8_t opcode = 0;
  int64_t cell_field_addend = 0;
  std::vector<uint8_t> code;   // Thunk: its bytes, with holes for:
  int32_t cell_disp = -1;      //   a disp32 to the cell, ending its instruction
  int32_t imm64 = -1;          //   a 64-bit S + A
  int32_t back = -1;           //   the rel32 of the jump back to the instruction's end
  bool call_thunk = false;     // the site calls the thunk (and is padded with nops)
  bool field_pcrel32 = false;  // LoadFromCell: the field becomes PCRel32 (to the cell)
  bool uses_cell = false;      // the cell holds S + cell_addend
  int64_t cell_addend = 0;
  // Stub: right only if the target is a function (a 32-bit address in data,
  // or in an instruction that cannot take a 64-bit one); if it is not, the
  // reference is refused for this reason.
  bool only_if_code = false;
  std::string refusal;
};

// Plans the rewrite of the instruction whose field at `site` refers, by
// `kind` with addend `addend`, to an address outside the range. `starts`
// are offsets where instructions begin (symbols of the section, nearest
// first); the instruction is found by decoding forward from one of them.
// `executable` false: a data section (always a stub).
Expected<FarPlan> plan_far_reference(std::span<const uint8_t> section, bool executable,
                                     std::span<const uint64_t> starts, uint64_t site,
                                     EdgeKind kind, int64_t addend);

} // namespace rtlink::x86_64
