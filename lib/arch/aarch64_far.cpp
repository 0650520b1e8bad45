// arch/aarch64_far.cpp — rewriting AArch64 instructions that reach outside
// the range (see aarch64_far.hpp for the forms and why). Encodings are the
// Arm Architecture Reference Manual's (A64 base instructions).
#include "arch/aarch64_far.hpp"

#include "arch/aarch64.hpp"
#include "support/format.hpp"

#include <cstring>

namespace rtlink::aarch64 {

namespace {

uint32_t word_at(std::span<const uint8_t> section, uint64_t at) {
  uint32_t w;
  std::memcpy(&w, section.data() + at, 4);
  return w;
}

void emit(std::vector<uint8_t> &code, uint32_t w) {
  const size_t n = code.size();
  code.resize(n + 4);
  std::memcpy(code.data() + n, &w, 4);
}

uint32_t rd(uint32_t w) { return w & 31; }
uint32_t rn(uint32_t w) { return (w >> 5) & 31; }

bool is_adrp(uint32_t w) { return (w & 0x9f000000) == 0x90000000; }
bool is_adr(uint32_t w) { return (w & 0x9f000000) == 0x10000000; }
bool is_add_imm64(uint32_t w) { return (w & 0xffc00000) == 0x91000000; }  // shift 0
bool is_ldst_uimm(uint32_t w) { return (w & 0x3b000000) == 0x39000000; }
bool is_ldr_literal(uint32_t w) { return (w & 0x3b000000) == 0x18000000; }
bool is_b_cond(uint32_t w) { return (w & 0xff000010) == 0x54000000; }
bool is_cbz(uint32_t w) { return (w & 0x7e000000) == 0x34000000; }
bool is_tbz(uint32_t w) { return (w & 0x7e000000) == 0x36000000; }

uint32_t ldr_x(uint32_t t, uint32_t n) { return 0xf9400000 | (n << 5) | t; }   // ldr xT, [xN]
uint32_t adrp(uint32_t d) { return 0x90000000 | d; }                           // adrp xD, 0
uint32_t ldr_literal_x(uint32_t t) { return 0x58000000 | t; }                  // ldr xT, .
uint32_t push(uint32_t s) { return 0xf81f0fe0 | s; }  // str xS, [sp, #-16]!
uint32_t pop(uint32_t s) { return 0xf84107e0 | s; }   // ldr xS, [sp], #16
constexpr uint32_t kBranch = 0x14000000;              // b .

// `add/sub xD, xD, #|a|`, if |a| fits 12 bits.
std::optional<uint32_t> add_imm(uint32_t d, int64_t a) {
  const uint64_t m = a < 0 ? uint64_t(-a) : uint64_t(a);
  if (m >= 4096)
    return std::nullopt;
  return (a < 0 ? 0xd1000000u : 0x91000000u) | uint32_t(m << 10) | (d << 5) | d;
}

// The address the cell holds, into xT: adrp xT, cell; ldr xT, [xT, :lo12:cell].
void load_cell(FarPlan &plan, uint32_t t) {
  plan.cell_disp = int32_t(plan.code.size());
  emit(plan.code, adrp(t));
  emit(plan.code, ldr_x(t, t));
}

void jump_back(FarPlan &plan) {
  plan.back = int32_t(plan.code.size());
  emit(plan.code, kBranch);
}

// An unsigned-offset load or store (`w`), its base now `base` and its offset
// `offset`: the access with its scale, or why it cannot be.
Expected<uint32_t> rebased(uint32_t w, unsigned scale, uint32_t base, int64_t offset) {
  if (offset < 0 || offset % (int64_t(1) << scale) || (offset >> scale) >= 4096)
    return make_error("the addend ", offset, " is not an offset this access can encode");
  return (w & ~((0xfffu << 10) | (31u << 5))) | uint32_t(offset >> scale) << 10 | base << 5;
}

// The access of `w` (a load or store, unsigned offset, scale `scale`) done
// in a thunk with the address from the cell as its base: in the register a
// general-register load writes, else in x16 or x17, saved on the stack.
Expected<FarPlan> access_thunk(FarPlan plan, uint32_t w, unsigned scale, int64_t addend, uint32_t t,
                               bool vector, bool load) {
  plan.kind = FarPlan::Thunk;
  plan.uses_cell = true;
  if (load && !vector && t != 31) {
    load_cell(plan, t);
    auto access = rebased(w, scale, t, addend);
    if (!access)
      return access.take_error();
    emit(plan.code, *access);
  } else {
    const uint32_t s = !vector && t == 16 ? 17 : 16;
    auto access = rebased(w, scale, s, addend);
    if (!access)
      return access.take_error();
    emit(plan.code, push(s));
    load_cell(plan, s);
    emit(plan.code, *access);
    emit(plan.code, pop(s));
  }
  jump_back(plan);
  return plan;
}

// An address past the symbol's start into xD: the cell's, then the addend.
Expected<FarPlan> address_thunk(FarPlan plan, uint32_t d, int64_t addend) {
  auto add = add_imm(d, addend);
  if (!add)
    return make_error("the addend ", addend, " is too large for one add");
  plan.kind = FarPlan::Thunk;
  plan.uses_cell = true;
  load_cell(plan, d);
  emit(plan.code, *add);
  jump_back(plan);
  return plan;
}

// The same load, from the unsigned-offset form, for a literal load's opc
// and V: its word with no base and no offset, and its scale.
std::optional<std::pair<uint32_t, unsigned>> literal_as_uimm(uint32_t w) {
  const uint32_t opc = w >> 30, v = (w >> 26) & 1;
  if (!v)
    switch (opc) {
    case 0: return std::pair{0xb9400000u | rd(w), 2u};  // ldr wT
    case 1: return std::pair{0xf9400000u | rd(w), 3u};  // ldr xT
    case 2: return std::pair{0xb9800000u | rd(w), 2u};  // ldrsw xT
    default: return std::nullopt;                        // prfm
    }
  switch (opc) {
  case 0: return std::pair{0xbd400000u | rd(w), 2u};  // ldr sT
  case 1: return std::pair{0xfd400000u | rd(w), 3u};  // ldr dT
  case 2: return std::pair{0x3dc00000u | rd(w), 4u};  // ldr qT
  default: return std::nullopt;
  }
}

bool reaches(uint64_t target, uint64_t base, uint64_t size, int64_t lim, bool pages) {
  auto at = [&](uint64_t p) { return pages ? p & ~uint64_t(0xfff) : p; };
  const int64_t lo = int64_t(at(target) - at(base + size));
  const int64_t hi = int64_t(at(target) - at(base));
  return lo >= -lim && hi < lim;
}

} // namespace

bool far_reference(EdgeKind kind, uint64_t target, uint64_t base, uint64_t size) {
  switch (kind) {
  case EdgeKind::A64Page21:
  case EdgeKind::A64Page21NC:
  case EdgeKind::A64AddLo12:
  case EdgeKind::A64Ldst8Lo12:
  case EdgeKind::A64Ldst16Lo12:
  case EdgeKind::A64Ldst32Lo12:
  case EdgeKind::A64Ldst64Lo12:
  case EdgeKind::A64Ldst128Lo12:
    // An ADRP and its partners, together: whether the page is in reach.
    return !reaches(target, base, size, int64_t(1) << 32, true);
  case EdgeKind::A64Adr21:
  case EdgeKind::A64PCRel19: return !reaches(target, base, size, int64_t(1) << 20, false);
  case EdgeKind::A64PCRel14: return !reaches(target, base, size, int64_t(1) << 15, false);
  default: return false;
  }
}

Expected<FarPlan> plan_far_reference(std::span<const uint8_t> section, bool executable,
                                     std::span<const uint64_t>, uint64_t site, EdgeKind kind,
                                     int64_t addend) {
  if (!executable || site % 4 || site + 4 > section.size())
    return make_error("it is not an instruction of code");
  const uint32_t w = word_at(section, site);
  FarPlan plan;
  plan.start = uint32_t(site);
  plan.length = 4;
  auto load_from_cell = [&](uint32_t opcode, uint8_t size, std::optional<EdgeKind> as) {
    plan.kind = FarPlan::LoadFromCell;
    plan.opcode_at = uint32_t(site);
    plan.opcode = opcode;
    plan.opcode_size = size;
    plan.field_kind = as;
    plan.uses_cell = true;
    return plan;
  };
  auto refuse = [&](const char *what) {
    return make_error("the instruction ", hex_digits(w, 8), " ", what);
  };
  switch (kind) {
  case EdgeKind::A64Page21:
  case EdgeKind::A64Page21NC:
    if (!is_adrp(w))
      return refuse("is not an adrp");
    return load_from_cell(0, 0, std::nullopt);  // the page of the cell
  case EdgeKind::A64AddLo12: {
    if (!is_add_imm64(w) || rd(w) == 31 || rn(w) == 31)
      return refuse("is not an add of a general register and an immediate");
    if (addend == 0)
      return load_from_cell(ldr_x(rd(w), rn(w)), 4, EdgeKind::A64Ldst64Lo12);
    return address_thunk(plan, rd(w), addend);
  }
  case EdgeKind::A64Ldst8Lo12:
  case EdgeKind::A64Ldst16Lo12:
  case EdgeKind::A64Ldst32Lo12:
  case EdgeKind::A64Ldst64Lo12:
  case EdgeKind::A64Ldst128Lo12: {
    if (!is_ldst_uimm(w))
      return refuse("is not a load or store with an unsigned offset");
    const uint32_t size = w >> 30, opc = (w >> 22) & 3;
    const bool vector = (w >> 26) & 1;
    if (!vector && size == 3 && opc == 2)
      return refuse("is a prefetch (prfm)");
    const unsigned scale = vector && (opc & 2) ? 4 : size;
    return access_thunk(plan, w, scale, addend, rd(w), vector, opc != 0);
  }
  case EdgeKind::A64Adr21: {
    if (!is_adr(w) || rd(w) == 31)
      return refuse("is not an adr");
    if (addend == 0)
      return load_from_cell(ldr_literal_x(rd(w)), 4, EdgeKind::A64PCRel19);
    return address_thunk(plan, rd(w), addend);
  }
  case EdgeKind::A64PCRel19:
  case EdgeKind::A64PCRel14: {
    if (is_b_cond(w) || is_cbz(w) || is_tbz(w)) {
      if (addend != 0)
        return make_error("a branch to ", addend, " bytes past a function's start, which no stub can stand for");
      plan.kind = FarPlan::Stub;
      return plan;
    }
    if (kind == EdgeKind::A64PCRel14 || !is_ldr_literal(w))
      return refuse("is neither a branch nor a literal load");
    auto as = literal_as_uimm(w);
    if (!as)
      return refuse("is a prefetch (prfm)");
    const bool vector = (w >> 26) & 1;
    return access_thunk(plan, as->first, as->second, addend, rd(w), vector, true);
  }
  default: return make_error("its relocation cannot be rewritten on aarch64");
  }
}

Overflow write_far(const FarPlan &p, uint8_t *thunk, uint64_t thunk_at, uint8_t *insn,
                   uint64_t insn_at, uint64_t cell) {
  auto field = [](EdgeKind kind, uint8_t *loc, uint64_t P, uint64_t S) {
    Fixup f{};
    f.S = S;
    f.P = P;
    return apply(kind, loc, f);
  };
  if (p.cell_disp >= 0) {
    const uint64_t at = thunk_at + uint64_t(p.cell_disp);
    if (Overflow o = field(EdgeKind::A64Page21, thunk + p.cell_disp, at, cell))
      return o;
    if (Overflow o = field(EdgeKind::A64Ldst64Lo12, thunk + p.cell_disp + 4, at + 4, cell))
      return o;
  }
  if (p.back >= 0)
    if (Overflow o = field(EdgeKind::A64Branch26, thunk + p.back, thunk_at + uint64_t(p.back),
                           insn_at + p.length))
      return o;
  uint8_t jump[4];
  std::memcpy(jump, &kBranch, 4);
  if (Overflow o = field(EdgeKind::A64Branch26, jump, insn_at, thunk_at))
    return o;
  std::memcpy(insn, jump, 4);
  return {};
}

} // namespace rtlink::aarch64
