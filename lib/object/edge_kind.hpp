// object/edge_kind.hpp — generic edge kinds.
//
// Every front end maps its native relocation types to these; the arch back
// end (arch/x86_64.cpp) turns them into bytes. In the fixup expressions:
//   S    the target's address            A    the addend
//   P    the address of the fixup site   GOT  the unit's GOT base
//   G    the address of the target's GOT cell (made by the GOT/stub pass)
//   IB   the image base (__ImageBase): the start of the reserved range
//   SB   the start of the section that holds the target; SI its index + 1
//   Z    the target's size (its definition's st_size)
// "fits" names the range check; a value outside it is an error naming the
// site, the native relocation and the target.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtlink {

enum class EdgeKind : uint8_t {
  Abs64,          // S + A                      64 bits
  Abs32,          // S + A                      fits uint32
  Abs32S,         // S + A                      fits int32
  Abs16,          // S + A                      fits int16 or uint16
  Abs8,           // S + A                      fits int8 or uint8
  PCRel64,        // S + A - P                  64 bits
  PCRel32,        // S + A - P                  fits int32
  PCRel16,        // S + A - P                  fits int16
  PCRel8,         // S + A - P                  fits int8
  Branch32,       // S + A - P, fits int32; S is a jump stub when the
                  // target lies outside the reserved range
  GOTPCRel32,     // G + A - P                  fits int32
  GOTPCRel64,     // G + A - P                  64 bits
  GOTOffset64,    // G - GOT + A                64 bits
  GOTBasePCRel32, // GOT + A - P                fits int32
  GOTBasePCRel64, // GOT + A - P                64 bits
  GOTBaseRel64,   // S + A - GOT                64 bits
  ImageRel32,     // S + A - IB                 fits uint32 (COFF ADDR32NB)
  SectionIndex16, // SI                         16 bits    (COFF SECTION)
  SectionRel32,   // S + A - SB                 fits uint32 (COFF SECREL)
  SectionRel7,    // S + A - SB                 fits 7 bits, in the low 7 bits (SECREL7)
  Size32,         // Z + A                      fits uint32 (Z: the target's size)
  Size64,         // Z + A                      64 bits
  // Thread-local storage (link/tls.cpp). TI: the target's {module, offset}
  // pair (two cells); TM: the unit's {module, 0}; TD: the target's TLS
  // descriptor (four cells); O: the target's offset in its unit's block; M:
  // the module of the unit that defines it; T: the target's offset from the
  // thread pointer (its unit's block lies in the C library's static TLS
  // area: initial and local exec); TC: a cell holding T.
  TLSIndexPCRel32,  // TI + A - P               fits int32
  TLSModulePCRel32, // TM + A - P               fits int32
  TLSDescPCRel32,   // TD + A - P               fits int32
  DTPOff32,         // O + A                    fits int32
  DTPOff64,         // O + A                    64 bits
  DTPMod64,         // M                        64 bits
  TPOffPCRel32,     // TC + A - P               fits int32 (GOTTPOFF)
  TPOff32,          // T + A                    fits int32
  TPOff64,          // T + A                    64 bits
};

constexpr bool needs_got_cell(EdgeKind k) {
  return k == EdgeKind::GOTPCRel32 || k == EdgeKind::GOTPCRel64 || k == EdgeKind::GOTOffset64;
}

std::string_view edge_kind_name(EdgeKind k);
// Bytes the fixup writes at its site.
inline unsigned edge_width(EdgeKind kind) {
  switch (kind) {
  case EdgeKind::Abs64:
  case EdgeKind::PCRel64:
  case EdgeKind::GOTPCRel64:
  case EdgeKind::GOTOffset64:
  case EdgeKind::GOTBasePCRel64:
  case EdgeKind::GOTBaseRel64:
  case EdgeKind::Size64:
  case EdgeKind::DTPOff64:
  case EdgeKind::DTPMod64:
  case EdgeKind::TPOff64: return 8;
  case EdgeKind::Abs16:
  case EdgeKind::PCRel16:
  case EdgeKind::SectionIndex16: return 2;
  case EdgeKind::Abs8:
  case EdgeKind::PCRel8:
  case EdgeKind::SectionRel7: return 1;
  default: return 4;
  }
}


} // namespace rtlink
