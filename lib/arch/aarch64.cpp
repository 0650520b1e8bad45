// arch/aarch64.cpp — the AArch64 back end.
//
// Every field rtlink writes on AArch64, but the data words (Abs64, PCRel32
// and the other generic kinds), is part of a 32-bit little-endian
// instruction: the field's bits are replaced and the rest of the word kept.
// Checks follow the ELF for the Arm 64-bit Architecture (AArch64) document:
// "fits intN" for pc-relative fields and the checked MOVW_UABS groups,
// alignment for branches and scaled loads and stores. The _NC kinds are
// not checked, as that document says.
//
// A call that leaves the range, or that lies beyond a branch's 128 MiB,
// goes through a stub of the calling unit: adrp/ldr of the cell that holds
// the target's address, then br x16 (the veneer the ABI allows a linker to
// put between any call and its target, clobbering x16 and x17 only).
#include "arch/aarch64.hpp"
#include "arch/aarch64_far.hpp"

#include "support/bytes.hpp"

#include <cstring>

namespace rtlink::aarch64 {

namespace {

uint32_t load32(const uint8_t *loc) {
  uint32_t v;
  std::memcpy(&v, loc, 4);
  return v;
}
void store32(uint8_t *loc, uint32_t v) { std::memcpy(loc, &v, 4); }
template <class T> void store(uint8_t *loc, T v) { std::memcpy(loc, &v, sizeof v); }

bool fits_signed(int64_t v, unsigned bits) {
  int64_t lim = int64_t(1) << (bits - 1);
  return v >= -lim && v < lim;
}

Overflow signed_overflow(uint64_t v, unsigned bits) { return Overflow{bits, "signed", v}; }
Overflow misaligned(uint64_t v, unsigned to) { return Overflow{to, "aligned", v}; }

// Replaces the bits of `mask` (after shifting `field` to `shift`).
void patch(uint8_t *loc, uint32_t field, unsigned shift, uint32_t mask) {
  store32(loc, (load32(loc) & ~mask) | ((field << shift) & mask));
}

uint64_t page(uint64_t x) { return x & ~uint64_t(0xfff); }

// A pc-relative instruction field of `bits` bits holding v / 4.
Overflow branch_field(uint8_t *loc, uint64_t v, unsigned range_bits, unsigned field_bits,
                      unsigned shift) {
  if (!fits_signed(int64_t(v), range_bits))
    return signed_overflow(v, range_bits);
  if (v & 3)
    return misaligned(v, 4);
  patch(loc, uint32_t(v >> 2), shift, ((uint32_t(1) << field_bits) - 1) << shift);
  return {};
}

// ADR and ADRP: immlo in bits 29-30, immhi in bits 5-23.
void adr_field(uint8_t *loc, uint64_t imm) {
  const uint32_t lo = uint32_t(imm & 3), hi = uint32_t((imm >> 2) & 0x7ffff);
  store32(loc, (load32(loc) & ~((3u << 29) | (0x7ffffu << 5))) | (lo << 29) | (hi << 5));
}

Overflow page21(uint8_t *loc, uint64_t target, uint64_t P, bool check) {
  const uint64_t v = page(target) - page(P);
  if (check && !fits_signed(int64_t(v), 33))
    return signed_overflow(v, 33);
  adr_field(loc, v >> 12);
  return {};
}

// The low 12 bits of an address into an ADD or a load/store's imm12 (bits
// 10-21), scaled by the access size.
Overflow lo12(uint8_t *loc, uint64_t v, unsigned scale) {
  const uint64_t lo = v & 0xfff;
  if (lo & ((uint64_t(1) << scale) - 1))
    return misaligned(v, 1u << scale);
  patch(loc, uint32_t(lo >> scale), 10, 0xfffu << 10);
  return {};
}

// MOVZ/MOVK's imm16 (bits 5-20): bits [16 * group, 16 * group + 16) of v.
Overflow movw(uint8_t *loc, uint64_t v, unsigned group, bool check) {
  const unsigned top = 16 * (group + 1);
  if (check && top < 64 && v >> top)
    return Overflow{top, "unsigned", v};
  patch(loc, uint32_t((v >> (16 * group)) & 0xffff), 5, 0xffffu << 5);
  return {};
}

Overflow either(uint8_t *loc, uint64_t v, unsigned bits) {
  const bool u = v < (uint64_t(1) << bits);
  if (!u && !fits_signed(int64_t(v), bits))
    return Overflow{bits, "signed or unsigned", v};
  if (bits == 32) store<uint32_t>(loc, uint32_t(v));
  else if (bits == 16) store<uint16_t>(loc, uint16_t(v));
  else *loc = uint8_t(v);
  return {};
}

Overflow data_signed(uint8_t *loc, uint64_t v, unsigned bits) {
  if (!fits_signed(int64_t(v), bits))
    return signed_overflow(v, bits);
  if (bits == 32) store<int32_t>(loc, int32_t(v));
  else if (bits == 16) store<int16_t>(loc, int16_t(v));
  else *loc = uint8_t(v);
  return {};
}

// adrp xR, cell ; ldr xR, [xR, :lo12:cell] (cells are 8-aligned).
void load_cell(std::vector<uint8_t> &code, uint64_t at, uint64_t cell, unsigned r) {
  uint8_t w[8];
  store32(w, 0x90000000u | r);
  adr_field(w, (page(cell) - page(at + code.size())) >> 12);
  store32(w + 4, 0xf9400000u | uint32_t((cell & 0xfff) >> 3) << 10 | r << 5 | r);
  append(code, w, 8);
}

void insn(std::vector<uint8_t> &code, uint32_t v) {
  uint8_t w[4];
  store32(w, v);
  append(code, w, 4);
}

// adrp xR, x ; add xR, xR, :lo12:x
void address_of(std::vector<uint8_t> &code, uint64_t at, uint64_t x, unsigned r) {
  uint8_t w[8];
  store32(w, 0x90000000u | r);
  adr_field(w, (page(x) - page(at + code.size())) >> 12);
  store32(w + 4, 0x91000000u | uint32_t(x & 0xfff) << 10 | r << 5 | r);
  append(code, w, 8);
}

} // namespace

void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address) {
  std::vector<uint8_t> code;
  load_cell(code, stub_address, cell_address, 16);
  insn(code, 0xd61f0200);  // br x16
  insn(code, 0xd4200020);  // brk #1: never reached
  std::memcpy(at, code.data(), code.size());
}

Overflow apply(EdgeKind kind, uint8_t *loc, const Fixup &f) {
  const uint64_t S = f.S, P = f.P, G = f.G, A = uint64_t(f.A);
  switch (kind) {
  case EdgeKind::Abs64: store<uint64_t>(loc, S + A); return {};
  case EdgeKind::Abs32: return either(loc, S + A, 32);
  case EdgeKind::Abs16: return either(loc, S + A, 16);
  case EdgeKind::PCRel64: store<uint64_t>(loc, S + A - P); return {};
  case EdgeKind::PCRel32: return data_signed(loc, S + A - P, 32);
  case EdgeKind::PCRel16: return data_signed(loc, S + A - P, 16);
  // Mach-O's SUBTRACTOR pairs and POINTER_TO_GOT (macho_aarch64.cpp).
  case EdgeKind::NegDelta64: store<uint64_t>(loc, P - S + A); return {};
  case EdgeKind::NegDelta32: return data_signed(loc, P - S + A, 32);
  case EdgeKind::GOTPCRel32: return data_signed(loc, G + A - P, 32);
  case EdgeKind::A64Branch26: return branch_field(loc, S + A - P, 28, 26, 0);
  case EdgeKind::A64PCRel19: return branch_field(loc, S + A - P, 21, 19, 5);
  case EdgeKind::A64PCRel14: return branch_field(loc, S + A - P, 16, 14, 5);
  case EdgeKind::A64GOTPCRel19: return branch_field(loc, G + A - P, 21, 19, 5);
  case EdgeKind::A64Adr21: {
    const uint64_t v = S + A - P;
    if (!fits_signed(int64_t(v), 21))
      return signed_overflow(v, 21);
    adr_field(loc, v);
    return {};
  }
  case EdgeKind::A64Page21: return page21(loc, S + A, P, true);
  case EdgeKind::A64Page21NC: return page21(loc, S + A, P, false);
  case EdgeKind::A64GOTPage21: return page21(loc, G + A, P, true);
  case EdgeKind::A64AddLo12:
  case EdgeKind::A64Ldst8Lo12: return lo12(loc, S + A, 0);
  case EdgeKind::A64Ldst16Lo12: return lo12(loc, S + A, 1);
  case EdgeKind::A64Ldst32Lo12: return lo12(loc, S + A, 2);
  case EdgeKind::A64Ldst64Lo12: return lo12(loc, S + A, 3);
  case EdgeKind::A64Ldst128Lo12: return lo12(loc, S + A, 4);
  case EdgeKind::A64GOTLo12: return lo12(loc, G + A, 3);
  case EdgeKind::A64MovG0: return movw(loc, S + A, 0, true);
  case EdgeKind::A64MovG0NC: return movw(loc, S + A, 0, false);
  case EdgeKind::A64MovG1: return movw(loc, S + A, 1, true);
  case EdgeKind::A64MovG1NC: return movw(loc, S + A, 1, false);
  case EdgeKind::A64MovG2: return movw(loc, S + A, 2, true);
  case EdgeKind::A64MovG2NC: return movw(loc, S + A, 2, false);
  case EdgeKind::A64MovG3: return movw(loc, S + A, 3, false);
  // S is the descriptor's or the offset's cell, or the offset itself (tls.cpp).
  case EdgeKind::A64TLSDescPage21:
  case EdgeKind::A64TLSIEPage21: return page21(loc, S + A, P, true);
  case EdgeKind::A64TLSDescLd64Lo12:
  case EdgeKind::A64TLSIELd64Lo12: return lo12(loc, S + A, 3);
  case EdgeKind::A64TLSDescAddLo12: return lo12(loc, S + A, 0);
  case EdgeKind::A64TPOffHi12: {
    const uint64_t v = S + A;
    if (v >> 24)
      return Overflow{24, "unsigned", v};
    patch(loc, uint32_t(v >> 12), 10, 0xfffu << 10);
    return {};
  }
  case EdgeKind::A64TPOffLo12:
    if ((S + A) >> 12)
      return Overflow{12, "unsigned", S + A};
    return lo12(loc, S + A, 0);
  case EdgeKind::A64TPOffLo12NC: return lo12(loc, S + A, 0);
  case EdgeKind::DTPOff64: store<uint64_t>(loc, S + A); return {};
  case EdgeKind::DTPMod64: store<uint64_t>(loc, S); return {};
  case EdgeKind::TPOff64: store<uint64_t>(loc, S + A); return {};
  default: break;
  }
  return Overflow{64, "(an edge kind AArch64 does not have)", 0};
}

std::vector<uint8_t> unit_runtime_code(int function, uint64_t at, uint64_t dso,
                                       uint64_t image_base, uint64_t cell) {
  (void)image_base;
  std::vector<uint8_t> code;
  switch (function) {
  case 0:  // atexit(f), at_quick_exit(f): __cxa_atexit(f, 0, dso)
  case 1:
    insn(code, 0xaa1f03e1);  // mov x1, xzr
    address_of(code, at, dso, 2);
    break;
  case 2:  // pthread_atfork(prepare, parent, child): __register_atfork(..., dso)
    address_of(code, at, dso, 3);
    break;
  default: break;  // __stack_chk_fail_local: the jump alone
  }
  load_cell(code, at, cell, 16);
  insn(code, 0xd61f0200);  // br x16
  return code;
}

} // namespace rtlink::aarch64

namespace rtlink {

namespace {
std::span<const uint8_t> no_stack_probe() { return {}; }
CallConv aarch64_convention(Format) { return CallConv::AAPCS64; }
} // namespace

extern const ArchBackend kAArch64Backend;
const ArchBackend kAArch64Backend = {
    Arch::AArch64,
    aarch64::kStubSize,
    aarch64::write_stub,
    aarch64::apply,
    EdgeKind::A64Branch26,
    aarch64::kBranchReach,
    no_stack_probe,
    aarch64_convention,
    aarch64::unit_runtime_code,
    aarch64::far_reference,
    aarch64::plan_far_reference,
    aarch64::write_far,
};

} // namespace rtlink
