// object/macho_aarch64.hpp — ARM64_RELOC_* → the AArch64 edge kinds.
#pragma once

#include "object/macho_reloc.hpp"

namespace rtlink::macho_aarch64 {

// arm64 Mach-O keeps the addend of UNSIGNED and SUBTRACTOR in the data, and
// that of BRANCH26, PAGE21 and PAGEOFF12 in an ADDEND just before them; the
// instruction fields hold zero (macho_reloc.hpp: AddendFrom).
macho::Mapping map_relocation(uint8_t type, bool pcrel, unsigned length);
std::string relocation_name(uint16_t type);

// The kind the instruction `insn` asks of a relocation mapped to `kind`:
// PAGEOFF12's by the access (A64AddLo12 for an add, A64Ldst{8..128}Lo12 for
// a load or store of an unsigned offset), each checked to be the
// instruction its type names, with a zero field.
Expected<EdgeKind> instruction_kind(EdgeKind kind, uint32_t insn);

// The thread-local variable thunk: code loads the descriptor's address into
// x0 and calls its first word, for the variable's address in x0; every
// register but x0 is kept (Darwin's convention lets the call change x16
// and x17 too; the executor's function keeps the vector registers and the
// flags). The cell's adrp and ldr lie at kTlvThunkPage and kTlvThunkLoad.
std::span<const uint8_t> tlv_thunk();
constexpr uint64_t kTlvThunkPage = 24, kTlvThunkLoad = 28;

extern const macho::Cpu kCpu;

} // namespace rtlink::macho_aarch64
