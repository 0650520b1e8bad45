// arch/x86_64.hpp — edge kinds → bytes, the jump stub and the unit runtime
// code for x86-64 (its ArchBackend is kX86_64Backend, arch/arch.hpp).
#pragma once

#include "arch/arch.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace rtlink::x86_64 {

// jmp *cell(%rip), padded with int3 to 8 bytes.
constexpr uint64_t kStubSize = 8;
void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address);

// The stack probe Windows code calls before it grows its frame by more than
// a page (__chkstk from MSVC, ___chkstk_ms from MinGW): RAX holds the size;
// every page below the caller's stack pointer is touched in order; no
// register but the flags changes, nor the stack pointer.
std::span<const uint8_t> stack_probe_code();

// Writes the fixup at `loc`; on an overflow nothing is written.
Overflow apply(EdgeKind kind, uint8_t *loc, const Fixup &f);

// See ArchBackend::unit_runtime_code.
std::vector<uint8_t> unit_runtime_code(int function, uint64_t at, uint64_t dso,
                                       uint64_t image_base, uint64_t cell);

} // namespace rtlink::x86_64
