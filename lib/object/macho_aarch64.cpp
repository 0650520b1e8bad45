// object/macho_aarch64.cpp — the Mach-O arm64 relocation types
// (mach-o/arm64/reloc.h), in their own names, mapped to the AArch64 edge
// kinds the ELF front end uses (object/edge_kind.hpp).
//
// What differs from ELF's R_AARCH64_*: one PAGEOFF12 type serves every
// instruction that takes a page offset, so the instruction at the site
// says which Lo12 kind (the access size scales the field); the addend of
// an instruction's relocation comes from an ADDEND record before it, never
// from the instruction; GOT_LOAD and TLVP_LOAD reach a cell (TLVP's holds
// the address of the variable's descriptor in __thread_vars, macho.cpp).
// arm64e's AUTHENTICATED_POINTER is refused by name.
#include "object/macho_aarch64.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/MachO.h>

#include <bit>

namespace rtlink::macho_aarch64 {

using namespace llvm::MachO;
using macho::AddendFrom;
using macho::Mapping;
using macho::RelocClass;

Mapping map_relocation(uint8_t type, bool pcrel, unsigned length) {
  // A field of an instruction word, pc-relative or not as the type is.
  // Always against a symbol: the assembler gives each section's start one
  // (ltmpN) for a reference to a temporary label, so none is emitted, and
  // what a section-relative one would mean (is a pc-relative one's ADDEND
  // an address, or counted from the site?) is not written down anywhere.
  auto insn = [&](EdgeKind k, bool want_pcrel, AddendFrom addend) {
    const RelocClass cls = pcrel == want_pcrel && length == 2 ? RelocClass::Edge
                                                              : RelocClass::Malformed;
    return Mapping{cls, k, 4, 0, 0, true, addend, true};
  };
  switch (type) {
  case ARM64_RELOC_UNSIGNED:  // S + A, 64 or 32 bits, A in the data
    if (pcrel || (length != 3 && length != 2))
      return {RelocClass::Malformed, EdgeKind::Abs64, 8, 0, 0, false};
    return length == 3 ? Mapping{RelocClass::Edge, EdgeKind::Abs64, 8, 0, 0, false}
                       : Mapping{RelocClass::Edge, EdgeKind::Abs32, 4, 0, 0, false};
  case ARM64_RELOC_SUBTRACTOR:  // A - B + addend, with the UNSIGNED that follows
    if (pcrel || (length != 3 && length != 2))
      return {RelocClass::Malformed, EdgeKind::Abs64, 8, 0, 0, false};
    return {RelocClass::Subtractor, EdgeKind::PCRel64, length == 3 ? 8u : 4u, 0, 0, true};
  case ARM64_RELOC_BRANCH26:  // b, bl
    return insn(EdgeKind::A64Branch26, true, AddendFrom::Prefix);
  case ARM64_RELOC_PAGE21:  // adrp
    return insn(EdgeKind::A64Page21, true, AddendFrom::Prefix);
  case ARM64_RELOC_PAGEOFF12:  // add, or a load or store: by the instruction
    return insn(EdgeKind::A64AddLo12, false, AddendFrom::Prefix);
  case ARM64_RELOC_GOT_LOAD_PAGE21:  // adrp of the target's cell
    return insn(EdgeKind::A64GOTPage21, true, AddendFrom::None);
  case ARM64_RELOC_GOT_LOAD_PAGEOFF12:  // ldr from it
    return insn(EdgeKind::A64GOTLo12, false, AddendFrom::None);
  // The variable's descriptor's address, from a cell.
  case ARM64_RELOC_TLVP_LOAD_PAGE21:
    return insn(EdgeKind::A64GOTPage21, true, AddendFrom::None);
  case ARM64_RELOC_TLVP_LOAD_PAGEOFF12:
    return insn(EdgeKind::A64GOTLo12, false, AddendFrom::None);
  case ARM64_RELOC_POINTER_TO_GOT:  // G - P in 32 bits (__eh_frame's personality)
    if (!pcrel && length == 3)  // G itself in 64 bits: ld64 has it, clang does not emit it
      return {RelocClass::Unsupported, EdgeKind::Abs64, 8, 0, 0, true, AddendFrom::None};
    if (!pcrel || length != 2)
      return {RelocClass::Malformed, EdgeKind::GOTPCRel32, 4, 0, 0, true, AddendFrom::None};
    return {RelocClass::Edge, EdgeKind::GOTPCRel32, 4, 0, 0, true, AddendFrom::None};
  case ARM64_RELOC_ADDEND:  // the next one's addend, in the symbol number
    if (pcrel || length != 2)
      return {RelocClass::Malformed, EdgeKind::Abs64, 4, 0, 0, false};
    return {RelocClass::Addend, EdgeKind::Abs64, 4, 0, 0, false};
  case ARM64_RELOC_AUTHENTICATED_POINTER:  // arm64e's signed pointers
    return {RelocClass::Unsupported, EdgeKind::Abs64, 8, 0, 0, false};
  default: return {RelocClass::Unknown, EdgeKind::Abs64, 0, 0, 0, false};
  }
}

Expected<EdgeKind> instruction_kind(EdgeKind kind, uint32_t insn) {
  auto wrong = [&](const char *want) {
    return make_error("the instruction ", hex(insn), " is not ", want);
  };
  auto nonzero = [&] {
    return make_error("the instruction ", hex(insn),
                      " holds an offset where a relocation's field must be zero");
  };
  switch (kind) {
  case EdgeKind::A64Branch26:
    if ((insn & 0x7c000000) != 0x14000000)
      return wrong("a b or bl");
    return insn & 0x03ffffff ? Expected<EdgeKind>(nonzero()) : kind;
  case EdgeKind::A64Page21:
  case EdgeKind::A64GOTPage21:
    if ((insn & 0x9f000000) != 0x90000000)
      return wrong("an adrp");
    return insn & 0x60ffffe0 ? Expected<EdgeKind>(nonzero()) : kind;
  case EdgeKind::A64GOTLo12:
    if ((insn & 0xffc00000) != 0xf9400000)
      return wrong("a 64-bit ldr of an unsigned offset");
    return insn & 0x003ffc00 ? Expected<EdgeKind>(nonzero()) : kind;
  case EdgeKind::A64AddLo12: {
    const bool add = (insn & 0x7fc00000) == 0x11000000;  // add (immediate), unshifted
    if (!add && (insn & 0x3b000000) != 0x39000000)
      return wrong("an add or a load or store of an unsigned offset");
    if (insn & 0x003ffc00)
      return nonzero();
    if (add)
      return EdgeKind::A64AddLo12;
    // ldr/str (and prfm) of an unsigned offset: size in bits 31-30; a
    // vector register's (bit 26) opc 1x with size 0 is a 128-bit access.
    const unsigned size = insn >> 30;
    const bool q = (insn >> 26 & 1) && size == 0 && (insn >> 23 & 1);
    static constexpr EdgeKind by_size[] = {EdgeKind::A64Ldst8Lo12, EdgeKind::A64Ldst16Lo12,
                                           EdgeKind::A64Ldst32Lo12, EdgeKind::A64Ldst64Lo12};
    return q ? EdgeKind::A64Ldst128Lo12 : by_size[size];
  }
  default: return kind;
  }
}

std::span<const uint8_t> tlv_thunk() {
  // The executor's TLS descriptor function (platform/elf-aarch64.cpp) takes
  // x0 pointing at {function, pointer to {module, offset}} and returns the
  // address less the thread pointer, every other register kept.
  static const uint32_t code[] = {
      0xa9be7bfd,  // stp  x29, x30, [sp, #-32]!
      0x910003fd,  // mov  x29, sp
      0xf9000bf0,  // str  x16, [sp, #16]       (kept; the pair's first word)
      0x91002000,  // add  x0, x0, #8           {module, offset}
      0xf9000fe0,  // str  x0, [sp, #24]
      0x910043e0,  // add  x0, sp, #16          the pair
      0x90000010,  // adrp x16, cell            (kTlvThunkPage)
      0xf9400210,  // ldr  x16, [x16, :lo12:cell] (kTlvThunkLoad)
      0xd63f0200,  // blr  x16
      0xd53bd050,  // mrs  x16, tpidr_el0
      0x8b100000,  // add  x0, x0, x16
      0xf9400bf0,  // ldr  x16, [sp, #16]
      0xa8c27bfd,  // ldp  x29, x30, [sp], #32
      0xd65f03c0,  // ret
  };
  static_assert(std::endian::native == std::endian::little, "the words are stored as they lie");
  return {reinterpret_cast<const uint8_t *>(code), sizeof code};
}

std::string relocation_name(uint16_t type) {
  switch (type) {
  case ARM64_RELOC_UNSIGNED: return "ARM64_RELOC_UNSIGNED";
  case ARM64_RELOC_SUBTRACTOR: return "ARM64_RELOC_SUBTRACTOR";
  case ARM64_RELOC_BRANCH26: return "ARM64_RELOC_BRANCH26";
  case ARM64_RELOC_PAGE21: return "ARM64_RELOC_PAGE21";
  case ARM64_RELOC_PAGEOFF12: return "ARM64_RELOC_PAGEOFF12";
  case ARM64_RELOC_GOT_LOAD_PAGE21: return "ARM64_RELOC_GOT_LOAD_PAGE21";
  case ARM64_RELOC_GOT_LOAD_PAGEOFF12: return "ARM64_RELOC_GOT_LOAD_PAGEOFF12";
  case ARM64_RELOC_POINTER_TO_GOT: return "ARM64_RELOC_POINTER_TO_GOT";
  case ARM64_RELOC_TLVP_LOAD_PAGE21: return "ARM64_RELOC_TLVP_LOAD_PAGE21";
  case ARM64_RELOC_TLVP_LOAD_PAGEOFF12: return "ARM64_RELOC_TLVP_LOAD_PAGEOFF12";
  case ARM64_RELOC_ADDEND: return "ARM64_RELOC_ADDEND";
  case ARM64_RELOC_AUTHENTICATED_POINTER: return "ARM64_RELOC_AUTHENTICATED_POINTER";
  case macho::kImplicitPointer: return "an __eh_frame pointer (no relocation)";
  default: return "relocation type " + std::to_string(type);
  }
}

namespace {

const macho::ThunkEdge kTlvEdges[] = {
    {kTlvThunkPage, EdgeKind::A64GOTPage21, 0, ARM64_RELOC_GOT_LOAD_PAGE21},
    {kTlvThunkLoad, EdgeKind::A64GOTLo12, 0, ARM64_RELOC_GOT_LOAD_PAGEOFF12}};

} // namespace

const macho::Cpu kCpu{Arch::AArch64, CPU_TYPE_ARM64, "arm64", map_relocation,
                      relocation_name, instruction_kind, tlv_thunk(), kTlvEdges};

} // namespace rtlink::macho_aarch64
