// arch/aarch64.hpp — edge kinds → instruction fields, the stub (veneer) and
// the unit runtime code for AArch64 (its ArchBackend is kAArch64Backend,
// arch/arch.hpp).
#pragma once

#include "arch/arch.hpp"

#include <cstdint>
#include <vector>

namespace rtlink::aarch64 {

// adrp x16, cell; ldr x16, [x16, :lo12:cell]; br x16; brk #1. x16 (IP0) is
// the register the ABI gives veneers: no call preserves or passes anything in it.
constexpr uint64_t kStubSize = 16;
void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address);

// Writes the fixup at `loc`; on an overflow nothing is written.
Overflow apply(EdgeKind kind, uint8_t *loc, const Fixup &f);

// See ArchBackend::unit_runtime_code.
std::vector<uint8_t> unit_runtime_code(int function, uint64_t at, uint64_t dso,
                                       uint64_t image_base, uint64_t cell);

// A direct branch reaches +-128 MiB.
constexpr uint64_t kBranchReach = uint64_t(1) << 27;

} // namespace rtlink::aarch64
