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

TEST_CASE("a backend refuses another arch's edge kinds") {
  uint8_t w[4] = {1, 2, 3, 4};
  rtlink::Fixup f{0x1000, 0, 0x2000, 0, 0};
  const auto &x86 = rtlink::arch_backend(rtlink::Arch::X86_64);
  CHECK(bool(x86.apply(EdgeKind::A64Branch26, w, f)));
  CHECK(bool(a64().apply(EdgeKind::SectionRel7, w, f)));
  CHECK(w[0] == 1);
  CHECK(w[3] == 4);
}
