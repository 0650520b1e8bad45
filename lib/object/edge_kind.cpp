#include "object/edge_kind.hpp"

namespace rtlink {

std::string_view edge_kind_name(EdgeKind k) {
  switch (k) {
  case EdgeKind::Abs64: return "Abs64";
  case EdgeKind::Abs32: return "Abs32";
  case EdgeKind::Abs32S: return "Abs32S";
  case EdgeKind::Abs16: return "Abs16";
  case EdgeKind::Abs8: return "Abs8";
  case EdgeKind::PCRel64: return "PCRel64";
  case EdgeKind::PCRel32: return "PCRel32";
  case EdgeKind::PCRel16: return "PCRel16";
  case EdgeKind::PCRel8: return "PCRel8";
  case EdgeKind::NegDelta64: return "NegDelta64";
  case EdgeKind::NegDelta32: return "NegDelta32";
  case EdgeKind::Branch32: return "Branch32";
  case EdgeKind::GOTPCRel32: return "GOTPCRel32";
  case EdgeKind::GOTPCRel64: return "GOTPCRel64";
  case EdgeKind::GOTOffset64: return "GOTOffset64";
  case EdgeKind::GOTBasePCRel32: return "GOTBasePCRel32";
  case EdgeKind::GOTBasePCRel64: return "GOTBasePCRel64";
  case EdgeKind::GOTBaseRel64: return "GOTBaseRel64";
  case EdgeKind::ImageRel32: return "ImageRel32";
  case EdgeKind::SectionIndex16: return "SectionIndex16";
  case EdgeKind::SectionRel32: return "SectionRel32";
  case EdgeKind::SectionRel7: return "SectionRel7";
  case EdgeKind::Size32: return "Size32";
  case EdgeKind::Size64: return "Size64";
  case EdgeKind::TLSIndexPCRel32: return "TLSIndexPCRel32";
  case EdgeKind::TLSModulePCRel32: return "TLSModulePCRel32";
  case EdgeKind::TLSDescPCRel32: return "TLSDescPCRel32";
  case EdgeKind::DTPOff32: return "DTPOff32";
  case EdgeKind::DTPOff64: return "DTPOff64";
  case EdgeKind::DTPMod64: return "DTPMod64";
  case EdgeKind::TPOffPCRel32: return "TPOffPCRel32";
  case EdgeKind::TPOff32: return "TPOff32";
  case EdgeKind::TPOff64: return "TPOff64";
  case EdgeKind::A64Branch26: return "A64Branch26";
  case EdgeKind::A64PCRel19: return "A64PCRel19";
  case EdgeKind::A64PCRel14: return "A64PCRel14";
  case EdgeKind::A64Adr21: return "A64Adr21";
  case EdgeKind::A64Page21: return "A64Page21";
  case EdgeKind::A64Page21NC: return "A64Page21NC";
  case EdgeKind::A64AddLo12: return "A64AddLo12";
  case EdgeKind::A64Ldst8Lo12: return "A64Ldst8Lo12";
  case EdgeKind::A64Ldst16Lo12: return "A64Ldst16Lo12";
  case EdgeKind::A64Ldst32Lo12: return "A64Ldst32Lo12";
  case EdgeKind::A64Ldst64Lo12: return "A64Ldst64Lo12";
  case EdgeKind::A64Ldst128Lo12: return "A64Ldst128Lo12";
  case EdgeKind::A64GOTPage21: return "A64GOTPage21";
  case EdgeKind::A64GOTLo12: return "A64GOTLo12";
  case EdgeKind::A64GOTPCRel19: return "A64GOTPCRel19";
  case EdgeKind::A64MovG0: return "A64MovG0";
  case EdgeKind::A64MovG0NC: return "A64MovG0NC";
  case EdgeKind::A64MovG1: return "A64MovG1";
  case EdgeKind::A64MovG1NC: return "A64MovG1NC";
  case EdgeKind::A64MovG2: return "A64MovG2";
  case EdgeKind::A64MovG2NC: return "A64MovG2NC";
  case EdgeKind::A64MovG3: return "A64MovG3";
  case EdgeKind::A64TLSDescPage21: return "A64TLSDescPage21";
  case EdgeKind::A64TLSDescLd64Lo12: return "A64TLSDescLd64Lo12";
  case EdgeKind::A64TLSDescAddLo12: return "A64TLSDescAddLo12";
  case EdgeKind::A64TLSIEPage21: return "A64TLSIEPage21";
  case EdgeKind::A64TLSIELd64Lo12: return "A64TLSIELd64Lo12";
  case EdgeKind::A64TPOffHi12: return "A64TPOffHi12";
  case EdgeKind::A64TPOffLo12: return "A64TPOffLo12";
  case EdgeKind::A64TPOffLo12NC: return "A64TPOffLo12NC";
  }
  return "?";
}

} // namespace rtlink
