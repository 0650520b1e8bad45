// The AArch64 backend's bytes, on any host: every relocation gcc and clang
// emit for the code models rtlink supports, applied by GNU ld
// (aarch64_table.inc, written by aarch64_table.py) and by rtlink, must give
// the same instruction; the veneer must be ld's bytes for the same sequence;
// what does not fit is refused, naming the value.
#include "helpers.hpp"

#include "arch/arch.hpp"

#include <cstring>

using rtlink::EdgeKind;

namespace {

struct LdRow {
  EdgeKind kind;
  const char *what;
  uint64_t S;
  int64_t A;
  uint64_t P, G;
  unsigned width;
  uint64_t before, after;
};

#include "aarch64_table.inc"

const rtlink::ArchBackend &a64() { return rtlink::arch_backend(rtlink::Arch::AArch64); }

// Applies `kind` to the 32-bit word `insn` at P for target S: the word
// after, or the overflow's description.
std::string apply(EdgeKind kind, uint32_t insn, uint64_t S, uint64_t P, uint64_t G = 0) {
  uint8_t w[4];
  std::memcpy(w, &insn, 4);
  rtlink::Fixup f{S, 0, P, 0, G};
  if (rtlink::Overflow o = a64().apply(kind, w, f)) {
    CHECK(std::memcmp(w, &insn, 4) == 0);  // nothing written
    return o.describe();
  }
  uint32_t out;
  std::memcpy(&out, w, 4);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", out);
  return buf;
}

} // namespace

TEST_CASE("every AArch64 relocation gives what GNU ld gives") {
  for (const LdRow &r : kLdRows) {
    INFO(r.what);
    uint8_t site[8];
    std::memcpy(site, &r.before, 8);
    rtlink::Fixup f{r.S, r.A, r.P, 0, r.G};
    rtlink::Overflow o = a64().apply(r.kind, site, f);
    CHECK_MESSAGE(!o, o.describe());
    uint64_t after = 0;
    std::memcpy(&after, site, r.width);
    CHECK(after == r.after);
  }
}

TEST_CASE("the AArch64 veneer is the sequence ld links") {
  CHECK(a64().stub_size == sizeof kVeneer);
  uint8_t out[sizeof kVeneer] = {};
  a64().write_stub(out, kVeneerAt, kVeneerCell);
  CHECK(std::memcmp(out, kVeneer, sizeof kVeneer) == 0);
}

TEST_CASE("an AArch64 field that does not fit is refused, and left as it was") {
  const uint64_t P = 0x10000000;
  // bl: +-128 MiB, in words.
  CHECK(apply(EdgeKind::A64Branch26, 0x94000000, P + 0x7fffffc, P) == "95ffffff");
  CHECK(apply(EdgeKind::A64Branch26, 0x94000000, P - 0x8000000, P) == "96000000");
  CHECK(apply(EdgeKind::A64Branch26, 0x94000000, P + 0x8000000, P) ==
        "value 0x8000000 does not fit in 28 bits signed");
  CHECK(apply(EdgeKind::A64Branch26, 0x94000000, P + 2, P) == "value 0x2 is not a multiple of 4");
  // b.cond / cbz / ldr literal: +-1 MiB; tbz: +-32 KiB.
  CHECK(apply(EdgeKind::A64PCRel19, 0x54000001, P + 0x100000, P) ==
        "value 0x100000 does not fit in 21 bits signed");
  CHECK(apply(EdgeKind::A64PCRel14, 0x36180001, P - 0x8004, P) ==
        "value 0xffffffffffff7ffc does not fit in 16 bits signed");
  // adrp: +-4 GiB of pages.
  CHECK(apply(EdgeKind::A64Page21, 0x90000002, P + (uint64_t(1) << 32), P) ==
        "value 0x100000000 does not fit in 33 bits signed");
  // A scaled load's address must be a multiple of its size.
  CHECK(apply(EdgeKind::A64Ldst64Lo12, 0xf9400043, 0x12345abc, P) ==
        "value 0x12345abc is not a multiple of 8");
  CHECK(apply(EdgeKind::A64GOTLo12, 0xf9400129, 0, P, 0x1001ffe4) ==
        "value 0x1001ffe4 is not a multiple of 8");
  // The checked MOVW groups: G0 within 16 bits, G1 within 32, G2 within 48.
  CHECK(apply(EdgeKind::A64MovG0, 0xd2800004, 0x10000, P) ==
        "value 0x10000 does not fit in 16 bits unsigned");
  CHECK(apply(EdgeKind::A64MovG1, 0xd2a00004, uint64_t(1) << 32, P) ==
        "value 0x100000000 does not fit in 32 bits unsigned");
  CHECK(apply(EdgeKind::A64MovG0NC, 0xf2800004, 0x12345, P) == "f28468a4");
}

TEST_CASE("the AArch64 backend writes Mach-O's data kinds: NegDelta and GOTPCRel32") {
  // SUBTRACTOR pairs whose minuend is the site's (P - S + A), and
  // POINTER_TO_GOT (G + A - P), as arm64 Mach-O objects have them.
  auto data = [](EdgeKind kind, uint64_t S, int64_t A, uint64_t P, uint64_t G, unsigned width) {
    uint8_t w[8] = {};
    rtlink::Fixup f{S, A, P, 0, G};
    if (rtlink::Overflow o = a64().apply(kind, w, f))
      return o.describe();
    uint64_t v = 0;
    std::memcpy(&v, w, width);
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return std::string(buf);
  };
  CHECK(data(EdgeKind::NegDelta64, 0x1000, 8, 0x5000, 0, 8) == "4008");
  CHECK(data(EdgeKind::NegDelta32, 0x5000, 0, 0x1000, 0, 4) == "ffffc000");
  CHECK(data(EdgeKind::NegDelta32, 0x100000000, 0, 0x1000, 0, 4) ==
        "value 0xffffffff00001000 does not fit in 32 bits signed");
  CHECK(data(EdgeKind::GOTPCRel32, 0, 0, 0x2000, 0x2010, 4) == "10");
  CHECK(data(EdgeKind::GOTPCRel32, 0, 0, 0x2000, 0x100002000, 4) ==
        "value 0x100000000 does not fit in 32 bits signed");
}

TEST_CASE("a backend refuses another arch's edge kinds") {
  uint8_t w[4] = {1, 2, 3, 4};
  rtlink::Fixup f{0x1000, 0, 0x2000, 0, 0};
  const auto &x86 = rtlink::arch_backend(rtlink::Arch::X86_64);
  CHECK(bool(x86.apply(EdgeKind::A64Branch26, w, f)));
  CHECK(bool(a64().apply(EdgeKind::SectionRel7, w, f)));
  CHECK(w[0] == 1);
  CHECK(w[3] == 4);
}

namespace {

// The far-reference plan for the one instruction `insn` (arch/aarch64_far.hpp),
// as if its relocation `kind` reached outside the range.
rtlink::Expected<rtlink::FarPlan> plan_far(uint32_t insn, EdgeKind kind, int64_t addend = 0) {
  uint8_t code[4];
  std::memcpy(code, &insn, 4);
  const uint64_t starts[] = {0};
  return a64().plan_far(std::span<const uint8_t>(code, 4), true, std::span<const uint64_t>(starts), 0, kind, addend);
}

std::vector<uint32_t> words(std::span<const uint8_t> b) {
  std::vector<uint32_t> w(b.size() / 4);
  std::memcpy(w.data(), b.data(), w.size() * 4);
  return w;
}

} // namespace

TEST_CASE("AArch64 references outside the range go through a cell") {
  const uint64_t base = 0x60000000, size = 512 << 20, far = 0x5500c67718;
  // An ADRP and its partners leave the page's reach together; ADR and
  // literal loads leave 1 MiB.
  CHECK(a64().far_reference(EdgeKind::A64Page21, far, base, size));
  CHECK(a64().far_reference(EdgeKind::A64Ldst32Lo12, far, base, size));
  CHECK_FALSE(a64().far_reference(EdgeKind::A64Page21, base + size + (1 << 30), base, size));
  CHECK(a64().far_reference(EdgeKind::A64Adr21, base + size + (2 << 20), base, size));
  CHECK_FALSE(a64().far_reference(EdgeKind::A64Adr21, base + 0x20000, base, 0x10000));

  // adrp x2, sym: the field changes, nothing else.
  auto adrp = plan_far(0x90000002, EdgeKind::A64Page21);
  REQUIRE(adrp);
  CHECK(adrp->kind == rtlink::FarPlan::LoadFromCell);
  CHECK(adrp->opcode_size == 0);
  // add x0, x1, :lo12:sym becomes ldr x0, [x1, :lo12:cell].
  auto add = plan_far(0x91000020, EdgeKind::A64AddLo12);
  REQUIRE(add);
  CHECK(add->kind == rtlink::FarPlan::LoadFromCell);
  CHECK(add->opcode == 0xf9400020);
  CHECK(add->field_kind == EdgeKind::A64Ldst64Lo12);
  // adr x3, sym becomes ldr x3, cell.
  auto adr = plan_far(0x10000003, EdgeKind::A64Adr21);
  REQUIRE(adr);
  CHECK(adr->opcode == 0x58000003);
  CHECK(adr->field_kind == EdgeKind::A64PCRel19);

  // ldr w5, [x2, :lo12:sym+8]: a thunk loading the address into x5, then
  // the load from it at 8, then back; placed and written.
  auto load = plan_far(0xb9400045, EdgeKind::A64Ldst32Lo12, 8);
  REQUIRE(load);
  CHECK(load->kind == rtlink::FarPlan::Thunk);
  CHECK(words(load->code) == std::vector<uint32_t>{0x90000005, 0xf94000a5, 0xb94008a5, 0x14000000});
  uint8_t thunk[16], insn[4] = {0x45, 0x00, 0x40, 0xb9};
  std::memcpy(thunk, load->code.data(), 16);
  const uint64_t thunk_at = 0x60001000, insn_at = 0x60000010, cell = 0x60003018;
  CHECK_FALSE(a64().write_far(*load, thunk, thunk_at, insn, insn_at, cell));
  CHECK(words(thunk) == std::vector<uint32_t>{0xd0000005,   // adrp x5, +2 pages
                                              0xf9400ca5,   // ldr x5, [x5, #0x18]
                                              0xb94008a5,   // ldr w5, [x5, #8]
                                              0x17fffc02}); // b insn_at + 4
  CHECK(words(insn) == std::vector<uint32_t>{0x140003fc});  // b thunk_at

  // str wzr, [x1, :lo12:sym]: x16 borrowed and kept on the stack.
  auto store = plan_far(0xb900003f, EdgeKind::A64Ldst32Lo12);
  REQUIRE(store);
  CHECK(words(store->code) ==
        std::vector<uint32_t>{0xf81f0ff0, 0x90000010, 0xf9400210, 0xb900021f, 0xf84107f0, 0x14000000});
  // ldr x16, [x16, :lo12:sym] into a vector register: x16 is not the
  // target here, so x16 is borrowed; str x16 (the value) borrows x17.
  auto str16 = plan_far(0xf9000210, EdgeKind::A64Ldst64Lo12);
  REQUIRE(str16);
  CHECK(words(str16->code)[0] == 0xf81f0ff1);

  // Refused, saying why: a prefetch, an offset the access cannot encode,
  // a relocation on the wrong instruction.
  auto prfm = plan_far(0xf9800000, EdgeKind::A64Ldst64Lo12);
  REQUIRE_FALSE(prfm);
  CHECK(prfm.error().message().find("prefetch") != std::string::npos);
  auto odd = plan_far(0xb9400045, EdgeKind::A64Ldst32Lo12, 6);
  REQUIRE_FALSE(odd);
  CHECK(odd.error().message().find("addend 6") != std::string::npos);
  auto wrong = plan_far(0xd503201f, EdgeKind::A64Page21);
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().message().find("d503201f is not an adrp") != std::string::npos);
}
