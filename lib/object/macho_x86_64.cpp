// object/macho_x86_64.cpp — the Mach-O x86-64 relocation types (mach-o/x86_64/reloc.h),
// in their own names, mapped to generic edge kinds.
#include "object/macho_x86_64.hpp"

#include <llvm/BinaryFormat/MachO.h>

namespace rtlink::macho_x86_64 {

using namespace llvm::MachO;
using macho::Mapping;
using macho::RelocClass;

Mapping map_relocation(uint8_t type, bool pcrel, unsigned length) {
  auto pc32 = [&](EdgeKind k, unsigned tail, bool extern_only) {
    if (!pcrel || length != 2)
      return Mapping{RelocClass::Malformed, k, 4, 0, 0, false};
    return Mapping{RelocClass::Edge, k, 4, -4, tail, extern_only};
  };
  switch (type) {
  case X86_64_RELOC_UNSIGNED:  // S + A, 64 or 32 bits
    if (pcrel || (length != 3 && length != 2))
      return {RelocClass::Malformed, EdgeKind::Abs64, 8, 0, 0, false};
    return length == 3 ? Mapping{RelocClass::Edge, EdgeKind::Abs64, 8, 0, 0, false}
                       : Mapping{RelocClass::Edge, EdgeKind::Abs32, 4, 0, 0, false};
  case X86_64_RELOC_SIGNED: return pc32(EdgeKind::PCRel32, 0, false);     // S + A - (P + 4)
  case X86_64_RELOC_SIGNED_1: return pc32(EdgeKind::PCRel32, 1, false);   // S + A - (P + 5)
  case X86_64_RELOC_SIGNED_2: return pc32(EdgeKind::PCRel32, 2, false);   // S + A - (P + 6)
  case X86_64_RELOC_SIGNED_4: return pc32(EdgeKind::PCRel32, 4, false);   // S + A - (P + 8)
  case X86_64_RELOC_BRANCH: return pc32(EdgeKind::Branch32, 0, false);    // call, jmp
  // movq _x@GOTPCREL(%rip): a cell always (GOT_LOAD lets a linker relax the
  // load into a lea; a cell is as correct and simpler).
  case X86_64_RELOC_GOT_LOAD: return pc32(EdgeKind::GOTPCRel32, 0, true);
  case X86_64_RELOC_GOT: return pc32(EdgeKind::GOTPCRel32, 0, true);
  case X86_64_RELOC_SUBTRACTOR:  // A - B + addend, with the UNSIGNED that follows
    if (pcrel || (length != 3 && length != 2))
      return {RelocClass::Malformed, EdgeKind::Abs64, 8, 0, 0, false};
    return {RelocClass::Subtractor, EdgeKind::PCRel64, length == 3 ? 8u : 4u, 0, 0, true};
  // movq _x@TLVP(%rip), %rdi: a cell holding the address of x's descriptor.
  case X86_64_RELOC_TLV: return pc32(EdgeKind::GOTPCRel32, 0, true);
  default: return {RelocClass::Unknown, EdgeKind::Abs64, 0, 0, 0, false};
  }
}

std::span<const uint8_t> tlv_thunk() {
  // The executor's TLS descriptor function (platform/elf-x86_64.cpp) takes
  // %rax pointing at {function, pointer to {module, offset}}, with the stack
  // aligned as at a call, and returns the address less the thread pointer.
  static const uint8_t code[] = {
      0x48, 0x8d, 0x7f, 0x08,                    // lea  8(%rdi), %rdi    {module, offset}
      0x48, 0x83, 0xec, 0x18,                    // sub  $24, %rsp        (aligned again)
      0x48, 0x89, 0x7c, 0x24, 0x08,              // mov  %rdi, 8(%rsp)
      0x48, 0x89, 0xe0,                          // mov  %rsp, %rax
      0xff, 0x15, 0x00, 0x00, 0x00, 0x00,        // call *cell(%rip)      (kTlvThunkCell)
      0x64, 0x48, 0x03, 0x04, 0x25, 0, 0, 0, 0,  // add  %fs:0, %rax
      0x48, 0x83, 0xc4, 0x18,                    // add  $24, %rsp
      0xc3,                                      // ret
  };
  return code;
}

std::string relocation_name(uint16_t type) {
  switch (type) {
  case X86_64_RELOC_UNSIGNED: return "X86_64_RELOC_UNSIGNED";
  case X86_64_RELOC_SIGNED: return "X86_64_RELOC_SIGNED";
  case X86_64_RELOC_BRANCH: return "X86_64_RELOC_BRANCH";
  case X86_64_RELOC_GOT_LOAD: return "X86_64_RELOC_GOT_LOAD";
  case X86_64_RELOC_GOT: return "X86_64_RELOC_GOT";
  case X86_64_RELOC_SUBTRACTOR: return "X86_64_RELOC_SUBTRACTOR";
  case X86_64_RELOC_SIGNED_1: return "X86_64_RELOC_SIGNED_1";
  case X86_64_RELOC_SIGNED_2: return "X86_64_RELOC_SIGNED_2";
  case X86_64_RELOC_SIGNED_4: return "X86_64_RELOC_SIGNED_4";
  case X86_64_RELOC_TLV: return "X86_64_RELOC_TLV";
  case macho::kImplicitPointer: return "an __eh_frame pointer (no relocation)";
  default: return "relocation type " + std::to_string(type);
  }
}

namespace {

const macho::ThunkEdge kTlvEdges[] = {
    {kTlvThunkCell, EdgeKind::GOTPCRel32, -4, X86_64_RELOC_GOT_LOAD}};

} // namespace

const macho::Cpu kCpu{Arch::X86_64, CPU_TYPE_X86_64, "x86_64", map_relocation,
                      relocation_name, nullptr, tlv_thunk(), kTlvEdges};

} // namespace rtlink::macho_x86_64
