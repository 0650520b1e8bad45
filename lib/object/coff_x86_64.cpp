// object/coff_x86_64.cpp — the PE/COFF specification's AMD64 relocation
// types, in its own names, mapped to generic edge kinds.
#include "object/coff_x86_64.hpp"

#include <llvm/BinaryFormat/COFF.h>

namespace rtlink::coff_x86_64 {

using namespace llvm::COFF;

Mapping map_relocation(uint16_t type) {
  auto edge = [](EdgeKind k, unsigned width, int64_t adjust) {
    return Mapping{RelocClass::Edge, k, width, adjust};
  };
  switch (type) {
  case IMAGE_REL_AMD64_ABSOLUTE: return {RelocClass::None, EdgeKind::Abs64, 0, 0};
  case IMAGE_REL_AMD64_ADDR64: return edge(EdgeKind::Abs64, 8, 0);       // S + A
  case IMAGE_REL_AMD64_ADDR32: return edge(EdgeKind::Abs32, 4, 0);       // S + A
  case IMAGE_REL_AMD64_ADDR32NB: return edge(EdgeKind::ImageRel32, 4, 0); // S + A - ImageBase
  // S + A - (P + 4 + N): the displacement is followed by N more bytes.
  case IMAGE_REL_AMD64_REL32: return edge(EdgeKind::PCRel32, 4, -4);
  case IMAGE_REL_AMD64_REL32_1: return edge(EdgeKind::PCRel32, 4, -5);
  case IMAGE_REL_AMD64_REL32_2: return edge(EdgeKind::PCRel32, 4, -6);
  case IMAGE_REL_AMD64_REL32_3: return edge(EdgeKind::PCRel32, 4, -7);
  case IMAGE_REL_AMD64_REL32_4: return edge(EdgeKind::PCRel32, 4, -8);
  case IMAGE_REL_AMD64_REL32_5: return edge(EdgeKind::PCRel32, 4, -9);
  case IMAGE_REL_AMD64_SECTION: return edge(EdgeKind::SectionIndex16, 2, 0);
  case IMAGE_REL_AMD64_SECREL: return edge(EdgeKind::SectionRel32, 4, 0);
  case IMAGE_REL_AMD64_SECREL7: return edge(EdgeKind::SectionRel7, 1, 0);
  default: return {RelocClass::Unknown, EdgeKind::Abs64, 0, 0};
  }
}

std::string relocation_name(uint16_t type) {
  switch (type) {
  case IMAGE_REL_AMD64_ABSOLUTE: return "IMAGE_REL_AMD64_ABSOLUTE";
  case IMAGE_REL_AMD64_ADDR64: return "IMAGE_REL_AMD64_ADDR64";
  case IMAGE_REL_AMD64_ADDR32: return "IMAGE_REL_AMD64_ADDR32";
  case IMAGE_REL_AMD64_ADDR32NB: return "IMAGE_REL_AMD64_ADDR32NB";
  case IMAGE_REL_AMD64_REL32: return "IMAGE_REL_AMD64_REL32";
  case IMAGE_REL_AMD64_REL32_1: return "IMAGE_REL_AMD64_REL32_1";
  case IMAGE_REL_AMD64_REL32_2: return "IMAGE_REL_AMD64_REL32_2";
  case IMAGE_REL_AMD64_REL32_3: return "IMAGE_REL_AMD64_REL32_3";
  case IMAGE_REL_AMD64_REL32_4: return "IMAGE_REL_AMD64_REL32_4";
  case IMAGE_REL_AMD64_REL32_5: return "IMAGE_REL_AMD64_REL32_5";
  case IMAGE_REL_AMD64_SECTION: return "IMAGE_REL_AMD64_SECTION";
  case IMAGE_REL_AMD64_SECREL: return "IMAGE_REL_AMD64_SECREL";
  case IMAGE_REL_AMD64_SECREL7: return "IMAGE_REL_AMD64_SECREL7";
  case IMAGE_REL_AMD64_TOKEN: return "IMAGE_REL_AMD64_TOKEN";
  case IMAGE_REL_AMD64_SREL32: return "IMAGE_REL_AMD64_SREL32";
  case IMAGE_REL_AMD64_PAIR: return "IMAGE_REL_AMD64_PAIR";
  case IMAGE_REL_AMD64_SSPAN32: return "IMAGE_REL_AMD64_SSPAN32";
  default: return "relocation type " + std::to_string(type);
  }
}

bool is_branch_site(const uint8_t *section, uint64_t offset) {
  if (offset < 1)
    return false;
  uint8_t op = section[offset - 1];
  if (op == 0xe8 || op == 0xe9)  // call rel32, jmp rel32
    return true;
  return offset >= 2 && section[offset - 2] == 0x0f && (op & 0xf0) == 0x80;  // jcc rel32
}

} // namespace rtlink::coff_x86_64
