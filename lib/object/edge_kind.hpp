// object/edge_kind.hpp — generic edge kinds.
//
// Every front end maps its native relocation types to these; the arch back
// end (arch/x86_64.cpp, arch/aarch64.cpp) turns them into bytes. In the fixup expressions:
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
  NegDelta64,     // P - S + A                  64 bits    (Mach-O SUBTRACTOR pairs whose
  NegDelta32,     // P - S + A                  fits int32  minuend lies at the site's section)
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
  // AArch64 (arch/aarch64.cpp): fields of 32-bit little-endian instruction
  // words. Page(x) is x & ~0xfff; "aligned N": the value must be a
  // multiple of N, and the field holds it divided by N.
  A64Branch26,      // S + A - P                fits int28, aligned 4 (B, BL: CALL26, JUMP26);
                    // S is a stub when the target lies outside the range or
                    // beyond 128 MiB (a veneer)
  A64PCRel19,       // S + A - P                fits int21, aligned 4 (B.cond, CBZ, LDR
                    // literal: CONDBR19, LD_PREL_LO19)
  A64PCRel14,       // S + A - P                fits int16, aligned 4 (TBZ: TSTBR14)
  A64Adr21,         // S + A - P                fits int21 (ADR: ADR_PREL_LO21)
  A64Page21,        // Page(S + A) - Page(P)    fits int33 (ADRP: ADR_PREL_PG_HI21)
  A64Page21NC,      // the same, unchecked      (ADR_PREL_PG_HI21_NC)
  A64AddLo12,       // (S + A) & 0xfff          (ADD: ADD_ABS_LO12_NC)
  A64Ldst8Lo12,     // (S + A) & 0xfff          (LDRB/STRB: LDST8_ABS_LO12_NC)
  A64Ldst16Lo12,    // (S + A) & 0xfff          aligned 2 (LDST16_ABS_LO12_NC)
  A64Ldst32Lo12,    // (S + A) & 0xfff          aligned 4 (LDST32_ABS_LO12_NC)
  A64Ldst64Lo12,    // (S + A) & 0xfff          aligned 8 (LDST64_ABS_LO12_NC)
  A64Ldst128Lo12,   // (S + A) & 0xfff          aligned 16 (LDST128_ABS_LO12_NC)
  A64GOTPage21,     // Page(G + A) - Page(P)    fits int33 (ADRP: ADR_GOT_PAGE)
  A64GOTLo12,       // (G + A) & 0xfff          aligned 8 (LDR: LD64_GOT_LO12_NC)
  A64GOTPCRel19,    // G + A - P                fits int21, aligned 4 (LDR literal: GOT_LD_PREL19)
  A64MovG0,         // (S + A) & 0xffff         fits uint16 (MOVZ/MOVK: MOVW_UABS_G0)
  A64MovG0NC,       // (S + A) & 0xffff         unchecked (MOVW_UABS_G0_NC)
  A64MovG1,         // (S + A) >> 16 & 0xffff   fits uint32 (MOVW_UABS_G1)
  A64MovG1NC,       // (S + A) >> 16 & 0xffff   unchecked
  A64MovG2,         // (S + A) >> 32 & 0xffff   fits uint48
  A64MovG2NC,       // (S + A) >> 32 & 0xffff   unchecked
  A64MovG3,         // (S + A) >> 48            (MOVW_UABS_G3)
  // AArch64 thread-local storage (link/tls.cpp; TD, TC and T as above).
  A64TLSDescPage21,   // Page(TD + A) - Page(P)  fits int33 (TLSDESC_ADR_PAGE21)
  A64TLSDescLd64Lo12, // (TD + A) & 0xfff        aligned 8 (TLSDESC_LD64_LO12)
  A64TLSDescAddLo12,  // (TD + A) & 0xfff        (TLSDESC_ADD_LO12)
  A64TLSIEPage21,     // Page(TC + A) - Page(P)  fits int33 (TLSIE_ADR_GOTTPREL_PAGE21)
  A64TLSIELd64Lo12,   // (TC + A) & 0xfff        aligned 8 (TLSIE_LD64_GOTTPREL_LO12_NC)
  A64TPOffHi12,       // (T + A) >> 12           fits uint24 (ADD: TLSLE_ADD_TPREL_HI12)
  A64TPOffLo12,       // (T + A) & 0xfff         fits uint12 (TLSLE_ADD_TPREL_LO12)
  A64TPOffLo12NC,     // (T + A) & 0xfff         unchecked (TLSLE_ADD_TPREL_LO12_NC)
};

constexpr bool needs_got_cell(EdgeKind k) {
  return k == EdgeKind::GOTPCRel32 || k == EdgeKind::GOTPCRel64 || k == EdgeKind::GOTOffset64 ||
         k == EdgeKind::A64GOTPage21 || k == EdgeKind::A64GOTLo12 || k == EdgeKind::A64GOTPCRel19;
}

// Initial and local exec: the target at one offset from every thread's pointer.
constexpr bool static_tls_edge(EdgeKind k) {
  switch (k) {
  case EdgeKind::TPOffPCRel32:
  case EdgeKind::TPOff32:
  case EdgeKind::TPOff64:
  case EdgeKind::A64TLSIEPage21:
  case EdgeKind::A64TLSIELd64Lo12:
  case EdgeKind::A64TPOffHi12:
  case EdgeKind::A64TPOffLo12:
  case EdgeKind::A64TPOffLo12NC: return true;
  default: return false;
  }
}

// Any edge that reaches thread-local storage (link/tls.cpp).
constexpr bool tls_edge(EdgeKind k) {
  return k == EdgeKind::TLSIndexPCRel32 || k == EdgeKind::TLSModulePCRel32 ||
         k == EdgeKind::TLSDescPCRel32 || k == EdgeKind::DTPOff32 || k == EdgeKind::DTPOff64 ||
         k == EdgeKind::DTPMod64 || k == EdgeKind::A64TLSDescPage21 ||
         k == EdgeKind::A64TLSDescLd64Lo12 || k == EdgeKind::A64TLSDescAddLo12 ||
         static_tls_edge(k);
}

std::string_view edge_kind_name(EdgeKind k);
// Bytes the fixup writes at its site.
inline unsigned edge_width(EdgeKind kind) {
  switch (kind) {
  case EdgeKind::Abs64:
  case EdgeKind::PCRel64:
  case EdgeKind::NegDelta64:
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
