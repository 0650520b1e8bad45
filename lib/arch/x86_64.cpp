// arch/x86_64.cpp — the x86-64 back end.
//
// x86-64 is little-endian and allows unaligned stores; the writers below go
// through memcpy all the same, which compiles to one store and keeps the
// sanitizers quiet. Every 32-bit and narrower field is range-checked the way
// the psABI says its relocation overflows: signed for pc-relative and 32S
// fields, zero-extended for 32, either for 16 and 8 (a "bitfield" check, as
// GNU ld does for R_X86_64_16/8).
//
// A pc-relative reference to anything outside the reserved range goes
// through a stub, `jmp *cell(%rip)`, whose cell holds the target's address:
// the stub lies inside the range, so rel32 always reaches it.
#include "arch/x86_64.hpp"
#include "arch/x86_64_far.hpp"
#include "support/bytes.hpp"
#include "support/format.hpp"

#include <cstring>

namespace rtlink::x86_64 {

namespace {

template <class T> void store(uint8_t *loc, T v) { std::memcpy(loc, &v, sizeof v); }

bool fits_signed(int64_t v, unsigned bits) {
  int64_t lim = int64_t(1) << (bits - 1);
  return v >= -lim && v < lim;
}
bool fits_unsigned(uint64_t v, unsigned bits) { return v < (uint64_t(1) << bits); }

Overflow overflow(uint64_t v, unsigned bits, const char *how) { return Overflow{bits, how, v}; }

Overflow write_signed(uint8_t *loc, uint64_t v, unsigned bits) {
  if (!fits_signed(int64_t(v), bits))
    return overflow(v, bits, "signed");
  if (bits == 32) store<int32_t>(loc, int32_t(v));
  else if (bits == 16) store<int16_t>(loc, int16_t(v));
  else store<int8_t>(loc, int8_t(v));
  return {};
}

Overflow write_unsigned32(uint8_t *loc, uint64_t v) {
  if (!fits_unsigned(v, 32))
    return overflow(v, 32, "unsigned");
  store<uint32_t>(loc, uint32_t(v));
  return {};
}

// R_X86_64_16 / _8: accepted if the value fits either way.
Overflow write_either(uint8_t *loc, uint64_t v, unsigned bits) {
  if (!fits_unsigned(v, bits) && !fits_signed(int64_t(v), bits))
    return overflow(v, bits, "signed or unsigned");
  if (bits == 16) store<uint16_t>(loc, uint16_t(v));
  else store<uint8_t>(loc, uint8_t(v));
  return {};
}

} // namespace

void write_stub(uint8_t *at, uint64_t stub_address, uint64_t cell_address) {
  // ff 25 <disp32>   jmp *disp32(%rip); disp is from the end of the 6-byte instruction.
  at[0] = 0xff;
  at[1] = 0x25;
  store<int32_t>(at + 2, int32_t(int64_t(cell_address) - int64_t(stub_address + 6)));
  at[6] = 0xcc;
  at[7] = 0xcc;
}

std::span<const uint8_t> stack_probe_code() {
  static const uint8_t code[] = {
      0x51,                                      //     push %rcx
      0x50,                                      //     push %rax
      0x48, 0x3d, 0x00, 0x10, 0x00, 0x00,        //     cmp  $0x1000, %rax
      0x48, 0x8d, 0x4c, 0x24, 0x18,              //     lea  24(%rsp), %rcx  (the caller's rsp)
      0x72, 0x19,                                //     jb   2f
      0x48, 0x81, 0xe9, 0x00, 0x10, 0x00, 0x00,  // 1:  sub  $0x1000, %rcx
      0x48, 0x83, 0x09, 0x00,                    //     orq  $0, (%rcx)      (touch the page)
      0x48, 0x2d, 0x00, 0x10, 0x00, 0x00,        //     sub  $0x1000, %rax
      0x48, 0x3d, 0x00, 0x10, 0x00, 0x00,        //     cmp  $0x1000, %rax
      0x77, 0xe7,                                //     ja   1b
      0x48, 0x29, 0xc1,                          // 2:  sub  %rax, %rcx
      0x48, 0x83, 0x09, 0x00,                    //     orq  $0, (%rcx)
      0x58,                                      //     pop  %rax
      0x59,                                      //     pop  %rcx
      0xc3,                                      //     ret
  };
  return code;
}

Overflow apply(EdgeKind kind, uint8_t *loc, const Fixup &f) {
  const uint64_t S = f.S, P = f.P, GOT = f.GOT, G = f.G;
  const uint64_t A = uint64_t(f.A);
  switch (kind) {
  case EdgeKind::Abs64: store<uint64_t>(loc, S + A); return {};
  case EdgeKind::Abs32: return write_unsigned32(loc, S + A);
  case EdgeKind::Abs32S: return write_signed(loc, S + A, 32);
  case EdgeKind::Abs16: return write_either(loc, S + A, 16);
  case EdgeKind::Abs8: return write_either(loc, S + A, 8);
  case EdgeKind::PCRel64: store<uint64_t>(loc, S + A - P); return {};
  case EdgeKind::PCRel32:
  case EdgeKind::Branch32: return write_signed(loc, S + A - P, 32);
  case EdgeKind::PCRel16: return write_signed(loc, S + A - P, 16);
  case EdgeKind::PCRel8: return write_signed(loc, S + A - P, 8);
  case EdgeKind::NegDelta64: store<uint64_t>(loc, P - S + A); return {};
  case EdgeKind::NegDelta32: return write_signed(loc, P - S + A, 32);
  case EdgeKind::GOTPCRel32: return write_signed(loc, G + A - P, 32);
  case EdgeKind::GOTPCRel64: store<uint64_t>(loc, G + A - P); return {};
  case EdgeKind::GOTOffset64: store<uint64_t>(loc, G - GOT + A); return {};
  case EdgeKind::GOTBasePCRel32: return write_signed(loc, GOT + A - P, 32);
  case EdgeKind::GOTBasePCRel64: store<uint64_t>(loc, GOT + A - P); return {};
  case EdgeKind::GOTBaseRel64: store<uint64_t>(loc, S + A - GOT); return {};
  case EdgeKind::ImageRel32: return write_unsigned32(loc, S + A - f.IB);
  case EdgeKind::SectionIndex16: store<uint16_t>(loc, f.SI); return {};
  case EdgeKind::SectionRel32: return write_unsigned32(loc, S + A - f.SB);
  case EdgeKind::Size32: return write_unsigned32(loc, f.Z + A);
  case EdgeKind::Size64: store<uint64_t>(loc, f.Z + A); return {};
  // S is the pair / descriptor cell, the offset or the module (link/tls.cpp).
  case EdgeKind::TLSIndexPCRel32:
  case EdgeKind::TLSModulePCRel32:
  case EdgeKind::TLSDescPCRel32: return write_signed(loc, S + A - P, 32);
  case EdgeKind::DTPOff32: return write_signed(loc, S + A, 32);
  case EdgeKind::DTPOff64: store<uint64_t>(loc, S + A); return {};
  case EdgeKind::DTPMod64: store<uint64_t>(loc, S); return {};
  case EdgeKind::TPOffPCRel32: return write_signed(loc, S + A - P, 32);
  case EdgeKind::TPOff32: return write_signed(loc, S + A, 32);
  case EdgeKind::TPOff64: store<uint64_t>(loc, S + A); return {};
  case EdgeKind::SectionRel7: {
    uint64_t v = S + A - f.SB;
    if (v >= 128)
      return overflow(v, 7, "unsigned");
    *loc = uint8_t((*loc & 0x80) | v);
    return {};
  }
  default: break;  // another arch's kinds: no x86-64 front end makes them
  }
  return Overflow{64, "(an edge kind x86-64 does not have)", 0};
}

// The unit runtime code (link/runtime.cpp's table): the unit's __dso_handle
// or image base passed as the callee wants it, then a jump through the cell.
// The longest is 19 bytes.
std::vector<uint8_t> unit_runtime_code(int function, uint64_t at, uint64_t dso,
                                       uint64_t image_base, uint64_t cell) {
  std::vector<uint8_t> code;
  auto rel32 = [&](uint64_t to) {  // from the end of the 4 bytes about to be written
    int32_t v = int32_t(int64_t(to) - int64_t(at + code.size() + 4));
    append(code, &v, 4);
  };
  switch (function) {
  case 0:
  case 1:
    code = {0x48, 0x8d, 0x15};  // lea dso(%rip), %rdx
    rel32(dso);
    append(code, {0x31, 0xf6});  // xor %esi, %esi
    break;
  case 2:
    code = {0x48, 0x8d, 0x0d};  // lea dso(%rip), %rcx
    rel32(dso);
    break;
  case 4:
  case 5:
    code = {0x48, 0x8d, 0x15};  // lea dso(%rip), %rdx (the Windows convention: f in %rcx)
    rel32(dso);
    if (function == 4)
      append(code, {0x45, 0x31, 0xc0});  // xor %r8d, %r8d
    else
      append(code, {0x41, 0xb8, 0x01, 0x00, 0x00, 0x00});  // mov $1, %r8d
    break;
  case 6:
    // lea image_base(%rip), %r8 (object, info in %rcx, %rdx): pc-relative
    // like the others, so the link cache may place the code elsewhere; the
    // range (at most 2 GiB) keeps its base within reach.
    code = {0x4c, 0x8d, 0x05};
    rel32(image_base);
    break;
  default: break;
  }
  append(code, {0xff, 0x25});  // jmp *cell(%rip)
  rel32(cell);
  return code;
}

} // namespace rtlink::x86_64

namespace rtlink {

namespace {
CallConv x86_64_convention(Format format) {
  return format == Format::COFF ? CallConv::Microsoft : CallConv::SysV;
}
} // namespace

extern const ArchBackend kX86_64Backend;
const ArchBackend kX86_64Backend = {
    Arch::X86_64,
    x86_64::kStubSize,
    x86_64::write_stub,
    x86_64::apply,
    EdgeKind::Branch32,
    uint64_t(1) << 31,
    x86_64::stack_probe_code,
    x86_64_convention,
    x86_64::unit_runtime_code,
    x86_64::far_reference,
    x86_64::plan_far_reference,
    x86_64::write_far,
};

} // namespace rtlink
