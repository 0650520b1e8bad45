// object/elf_x86_64.hpp — ELF x86-64 relocation types → generic edge kinds.
#pragma once

#include "object/elf_reloc.hpp"

#include <llvm/BinaryFormat/ELF.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rtlink::elf_x86_64 {

using Mapping = RelocMapping;

// Inline: it runs once per relocation.
inline Mapping map_relocation(uint32_t type) {
  using namespace llvm::ELF;
  auto edge = [](EdgeKind k) { return Mapping{RelocClass::Edge, k}; };
  switch (type) {
  case R_X86_64_NONE: return {RelocClass::None, EdgeKind::Abs64};
  case R_X86_64_64: return edge(EdgeKind::Abs64);              // S + A
  case R_X86_64_32: return edge(EdgeKind::Abs32);              // S + A, zero-extended
  case R_X86_64_32S: return edge(EdgeKind::Abs32S);            // S + A, sign-extended
  case R_X86_64_16: return edge(EdgeKind::Abs16);
  case R_X86_64_8: return edge(EdgeKind::Abs8);
  case R_X86_64_PC64: return edge(EdgeKind::PCRel64);          // S + A - P
  case R_X86_64_PC32: return edge(EdgeKind::PCRel32);
  case R_X86_64_PC16: return edge(EdgeKind::PCRel16);
  case R_X86_64_PC8: return edge(EdgeKind::PCRel8);
  case R_X86_64_PLT32: return edge(EdgeKind::Branch32);        // L + A - P
  case R_X86_64_GOTPCREL:                                       // G + GOT + A - P
  case R_X86_64_GOTPCRELX:
  case R_X86_64_REX_GOTPCRELX: return edge(EdgeKind::GOTPCRel32);
  case R_X86_64_GOTPCREL64: return edge(EdgeKind::GOTPCRel64);
  case R_X86_64_GOT64: return edge(EdgeKind::GOTOffset64);     // G + A
  case R_X86_64_GOTPC32: return edge(EdgeKind::GOTBasePCRel32); // GOT + A - P
  case R_X86_64_GOTPC64: return edge(EdgeKind::GOTBasePCRel64);
  case R_X86_64_GOTOFF64: return edge(EdgeKind::GOTBaseRel64); // S + A - GOT
  case R_X86_64_PLTOFF64: return edge(EdgeKind::GOTBaseRel64); // L + A - GOT: 64 bits reach
                                                                // the function itself
  case R_X86_64_GOTPLT64: return edge(EdgeKind::GOTOffset64);  // G + A, like GOT64
  case R_X86_64_SIZE32: return edge(EdgeKind::Size32);         // Z + A
  case R_X86_64_SIZE64: return edge(EdgeKind::Size64);
  // Thread-local storage, every model (link/tls.cpp).
  case R_X86_64_TLSGD: return edge(EdgeKind::TLSIndexPCRel32);       // {module, offset} - P
  case R_X86_64_TLSLD: return edge(EdgeKind::TLSModulePCRel32);      // {module, 0} - P
  case R_X86_64_GOTPC32_TLSDESC: return edge(EdgeKind::TLSDescPCRel32);
  case R_X86_64_TLSDESC_CALL: return {RelocClass::None, EdgeKind::Abs64};  // a marker
  case R_X86_64_DTPOFF32: return edge(EdgeKind::DTPOff32);            // offset in the block
  case R_X86_64_DTPOFF64: return edge(EdgeKind::DTPOff64);
  case R_X86_64_DTPMOD64: return edge(EdgeKind::DTPMod64);            // the module
  case R_X86_64_GOTTPOFF: return edge(EdgeKind::TPOffPCRel32);     // initial exec: a cell
  case R_X86_64_TPOFF32: return edge(EdgeKind::TPOff32);             // local exec: the offset
  case R_X86_64_TPOFF64: return edge(EdgeKind::TPOff64);             // from the thread pointer
  default: return {RelocClass::Unknown, EdgeKind::Abs64};
  }
}
std::string relocation_name(uint16_t type);

} // namespace rtlink::elf_x86_64
