// object/elf_aarch64.cpp — the AArch64 ELF ABI's relocation types, in its
// own names, mapped to edge kinds (object/edge_kind.hpp gives each
// expression and range). What is not here is refused by name: the
// traditional TLS dialect, and the MOVW forms gcc and clang do not emit for
// the code models they support (MOVW_SABS, MOVW_PREL, GOTREL).
#include "object/elf_reloc.hpp"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>

namespace rtlink {

namespace {

using namespace llvm::ELF;

RelocMapping map_aarch64(uint32_t type) {
  auto edge = [](EdgeKind k) { return RelocMapping{RelocClass::Edge, k}; };
  switch (type) {
  case R_AARCH64_NONE:
  case 256: return {RelocClass::None, EdgeKind::Abs64};  // R_AARCH64_NONE's ILP32-era twin
  case R_AARCH64_ABS64: return edge(EdgeKind::Abs64);
  case R_AARCH64_ABS32: return edge(EdgeKind::Abs32);
  case R_AARCH64_ABS16: return edge(EdgeKind::Abs16);
  case R_AARCH64_PREL64: return edge(EdgeKind::PCRel64);
  case R_AARCH64_PREL32: return edge(EdgeKind::PCRel32);
  case R_AARCH64_PREL16: return edge(EdgeKind::PCRel16);
  case R_AARCH64_CALL26:
  case R_AARCH64_JUMP26: return edge(EdgeKind::A64Branch26);
  case R_AARCH64_CONDBR19:
  case R_AARCH64_LD_PREL_LO19: return edge(EdgeKind::A64PCRel19);
  case R_AARCH64_TSTBR14: return edge(EdgeKind::A64PCRel14);
  case R_AARCH64_ADR_PREL_LO21: return edge(EdgeKind::A64Adr21);
  case R_AARCH64_ADR_PREL_PG_HI21: return edge(EdgeKind::A64Page21);
  case R_AARCH64_ADR_PREL_PG_HI21_NC: return edge(EdgeKind::A64Page21NC);
  case R_AARCH64_ADD_ABS_LO12_NC: return edge(EdgeKind::A64AddLo12);
  case R_AARCH64_LDST8_ABS_LO12_NC: return edge(EdgeKind::A64Ldst8Lo12);
  case R_AARCH64_LDST16_ABS_LO12_NC: return edge(EdgeKind::A64Ldst16Lo12);
  case R_AARCH64_LDST32_ABS_LO12_NC: return edge(EdgeKind::A64Ldst32Lo12);
  case R_AARCH64_LDST64_ABS_LO12_NC: return edge(EdgeKind::A64Ldst64Lo12);
  case R_AARCH64_LDST128_ABS_LO12_NC: return edge(EdgeKind::A64Ldst128Lo12);
  case R_AARCH64_ADR_GOT_PAGE: return edge(EdgeKind::A64GOTPage21);
  case R_AARCH64_LD64_GOT_LO12_NC: return edge(EdgeKind::A64GOTLo12);
  case R_AARCH64_GOT_LD_PREL19: return edge(EdgeKind::A64GOTPCRel19);
  case R_AARCH64_MOVW_UABS_G0: return edge(EdgeKind::A64MovG0);
  case R_AARCH64_MOVW_UABS_G0_NC: return edge(EdgeKind::A64MovG0NC);
  case R_AARCH64_MOVW_UABS_G1: return edge(EdgeKind::A64MovG1);
  case R_AARCH64_MOVW_UABS_G1_NC: return edge(EdgeKind::A64MovG1NC);
  case R_AARCH64_MOVW_UABS_G2: return edge(EdgeKind::A64MovG2);
  case R_AARCH64_MOVW_UABS_G2_NC: return edge(EdgeKind::A64MovG2NC);
  case R_AARCH64_MOVW_UABS_G3: return edge(EdgeKind::A64MovG3);
  // Thread-local storage (link/tls.cpp): descriptors (gcc's default), initial
  // and local exec; in data, the module and offset.
  case R_AARCH64_TLSDESC_ADR_PAGE21: return edge(EdgeKind::A64TLSDescPage21);
  case R_AARCH64_TLSDESC_LD64_LO12: return edge(EdgeKind::A64TLSDescLd64Lo12);
  case R_AARCH64_TLSDESC_ADD_LO12: return edge(EdgeKind::A64TLSDescAddLo12);
  case R_AARCH64_TLSDESC_CALL: return {RelocClass::None, EdgeKind::Abs64};  // a marker
  case R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21: return edge(EdgeKind::A64TLSIEPage21);
  case R_AARCH64_TLSIE_LD64_GOTTPREL_LO12_NC: return edge(EdgeKind::A64TLSIELd64Lo12);
  case R_AARCH64_TLSLE_ADD_TPREL_HI12: return edge(EdgeKind::A64TPOffHi12);
  case R_AARCH64_TLSLE_ADD_TPREL_LO12: return edge(EdgeKind::A64TPOffLo12);
  case R_AARCH64_TLSLE_ADD_TPREL_LO12_NC: return edge(EdgeKind::A64TPOffLo12NC);
  case R_AARCH64_TLS_DTPMOD64: return edge(EdgeKind::DTPMod64);
  case R_AARCH64_TLS_DTPREL64: return edge(EdgeKind::DTPOff64);
  case R_AARCH64_TLS_TPREL64: return edge(EdgeKind::TPOff64);
  default:
    // The other thread-local storage types (the traditional dialect's TLSGD
    // and TLSLD, the MOVW forms of TLSLE, the tiny model's LD_PREL19 forms)
    // and the other MOVW groups are the ABI's, not applied yet.
    if ((type >= R_AARCH64_MOVW_SABS_G0 && type <= R_AARCH64_GOTREL32) ||
        (type >= R_AARCH64_TLSGD_ADR_PREL21 && type <= R_AARCH64_TLSLE_LDST128_TPREL_LO12_NC))
      return {RelocClass::Unsupported, EdgeKind::Abs64};
    return {RelocClass::Unknown, EdgeKind::Abs64};
  }
}

std::string relocation_name(uint16_t type) {
  llvm::StringRef n = llvm::object::getELFRelocationTypeName(EM_AARCH64, type);
  if (n == "Unknown")
    return "relocation type " + std::to_string(type);
  return n.str();
}

const ElfMachine kAArch64{Arch::AArch64, map_aarch64, relocation_name};

} // namespace

extern const ElfMachine *const kElfAArch64;
const ElfMachine *const kElfAArch64 = &kAArch64;

} // namespace rtlink
