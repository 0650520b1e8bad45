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

#include "arch/arch.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rtlink::x86_64 {

// Plans the rewrite of the instruction whose field at `site` refers, by
// `kind` with addend `addend`, to an address outside the range. `starts`
// are offsets where instructions begin (symbols of the section, nearest
// first); the instruction is found by decoding forward from one of them.
// `executable` false: a data section (always a stub).
Expected<FarPlan> plan_far_reference(std::span<const uint8_t> section, bool executable,
                                     std::span<const uint64_t> starts, uint64_t site,
                                     EdgeKind kind, int64_t addend);

// Must an edge of `kind` to `target`, outside the range [base, base + size),
// be rewritten (its 32-bit field does not reach it from everywhere there)?
bool far_reference(EdgeKind kind, uint64_t target, uint64_t base, uint64_t size);

// Fills a thunk's holes (the cell's disp32, the jump back) and puts the jump
// to it (`thunk_at`) in the instruction's place (`insn`, at `insn_at`).
// (rel32 fields between two places in the range: nothing overflows.)
Overflow write_far(const FarPlan &p, uint8_t *thunk, uint64_t thunk_at, uint8_t *insn,
                   uint64_t insn_at, uint64_t cell);

} // namespace rtlink::x86_64
