// arch/aarch64_far.hpp — AArch64 code that reaches outside the range with a
// short field, and how its instruction is rewritten (arch/far.hpp).
//
// Code built without -fPIC (the small and tiny code models) reaches the
// process's data (stdout, environ) with ADRP and a :lo12: partner, or with
// ADR and literal loads in the tiny model, assuming the linker puts it all
// within 4 GiB (1 MiB). Loaded code lives in the reserved range; the
// process's data does not. Every such reference goes through a cell of the
// unit holding the symbol's address (one per symbol, so every :lo12: use of
// an ADRP's register finds the same page):
//  - `adrp xN, sym` becomes `adrp xN, cell`;
//  - `add xD, xN, :lo12:sym` becomes `ldr xD, [xN, :lo12:cell]`, the
//    address itself (same length: only the instruction changes);
//  - `adr xD, sym` becomes `ldr xD, cell` (a literal load);
//  - any other use is replaced by a branch to a thunk, placed with the
//    unit's stubs, that loads the address from the cell (adrp/ldr) into a
//    register and does the same access with it as the base, the addend as
//    the offset, then branches back: a load into a general register uses
//    that register; other accesses (stores, floating-point and vector
//    registers) borrow x16 or x17, saved on the stack (sp moves down first:
//    AArch64 Linux has no red zone) and restored after; `add` with an addend
//    adds it after loading;
//  - a conditional branch or compare-and-branch to a function outside the
//    range goes to a jump stub, as calls do.
// Anything else (a prefetch, an offset the access cannot encode) is
// refused, naming the instruction and why.
#pragma once

#include "arch/arch.hpp"

namespace rtlink::aarch64 {

bool far_reference(EdgeKind kind, uint64_t target, uint64_t base, uint64_t size);
Expected<FarPlan> plan_far_reference(std::span<const uint8_t> section, bool executable,
                                     std::span<const uint64_t> starts, uint64_t site,
                                     EdgeKind kind, int64_t addend);
Overflow write_far(const FarPlan &p, uint8_t *thunk, uint64_t thunk_at, uint8_t *insn,
                   uint64_t insn_at, uint64_t cell);

} // namespace rtlink::aarch64
