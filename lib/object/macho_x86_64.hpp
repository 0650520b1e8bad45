// object/macho_x86_64.hpp — X86_64_RELOC_* → generic edge kinds.
#pragma once

#include "object/macho_reloc.hpp"

namespace rtlink::macho_x86_64 {

// Mach-O keeps x86-64 addends in the section bytes (macho_reloc.hpp,
// Mapping: `width` bytes, `adjust`, `tail`).
macho::Mapping map_relocation(uint8_t type, bool pcrel, unsigned length);
std::string relocation_name(uint16_t type);

// The thread-local variable thunk: code calls it with %rdi = the
// descriptor for the variable's address in %rax, every register but %rax
// and %rdi kept (xmm too: clang assumes only GPRs survive, but the
// executor's function keeps them all). Its cell's rel32 lies at
// kTlvThunkCell.
std::span<const uint8_t> tlv_thunk();
constexpr uint64_t kTlvThunkCell = 18;

extern const macho::Cpu kCpu;

} // namespace rtlink::macho_x86_64
