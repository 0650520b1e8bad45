// arm64 Mach-O objects (object/macho.cpp, object/macho_aarch64.cpp): each
// ARM64_RELOC_* type mapped to its AArch64 edge kind (the PAGEOFF12 kind by
// the instruction's access), with the addend its ADDEND gives; bad
// relocations refused naming the file, the site and the type, the linker as
// it was. The cases marked "aarch64" run the code, and need the aarch64
// executor (tests/meson.build: aarch64-macho_arm64).
#include "helpers.hpp"
#include "macho_edit.hpp"

#include "object/link_unit.hpp"
#include "object/macho.hpp"
#include "object/macho_aarch64.hpp"

#include <cstring>
#include <tuple>

using rtlink::EdgeKind;

namespace {

// The arm64 Mach-O fixtures (fixtures/macho), where the suites run against
// the aarch64 executor too: their RTLINK_FIXTURES is that build's own.
std::string macho(const std::string &name) {
  const char *dir = std::getenv("RTLINK_MACHO_FIXTURES");
  REQUIRE_MESSAGE(dir, "RTLINK_MACHO_FIXTURES is not set (run the tests through meson test)");
  return std::string(dir) + "/" + name;
}

struct Bytes : rtlink::FileData {
  std::vector<uint8_t> b;
  explicit Bytes(std::vector<uint8_t> v) : b(std::move(v)) {}
  const uint8_t *data() const override { return b.data(); }
  size_t size() const override { return b.size(); }
};

// The front end's unit for fixture `name`.
rtlink::LinkUnit parse(const std::string &name) {
  auto file = std::make_shared<Bytes>(read_bytes(macho(name)));
  auto u = rtlink::parse_macho_object(name, file, {file->b.data(), file->b.size()});
  REQUIRE_MESSAGE(bool(u), u.error().message());
  return std::move(*u);
}

// Each edge of a section as (function or symbol at the site + offset,
// kind, target, addend), for the sites of the fixture's functions.
using Row = std::tuple<std::string, EdgeKind, std::string, int64_t>;
std::vector<Row> rows(const rtlink::LinkUnit &u, const std::string &section) {
  std::vector<Row> out;
  for (uint32_t i = 0; i < u.sections.size(); ++i) {
    if (u.sections[i].name != section)
      continue;
    for (const rtlink::Edge &e : u.edges_of(i))
      out.emplace_back(u.site(i, e.offset), e.kind, u.symbol_name(e.target), e.addend);
  }
  return out;
}

// What a failed check shows: every row.
std::string dump(const std::vector<Row> &rs) {
  std::string out;
  for (const Row &r : rs)
    out += std::get<0>(r) + " " + std::string(rtlink::edge_kind_name(std::get<1>(r))) + " " +
           std::get<2>(r) + " " + std::to_string(std::get<3>(r)) + "\n";
  return out;
}

bool has(const std::vector<Row> &rs, const std::string &site, EdgeKind kind,
         const std::string &target, int64_t addend) {
  for (const Row &r : rs)
    if (std::get<0>(r).find(site) != std::string::npos && std::get<1>(r) == kind &&
        std::get<2>(r) == target && std::get<3>(r) == addend)
      return true;
  return false;
}

// The relocation records of a section: where each lies in the file.
struct Reloc {
  size_t at;
  uint32_t offset, word;
  unsigned type() const { return word >> 28; }
};
std::vector<Reloc> relocs(const std::vector<uint8_t> &b, const std::string &segment,
                          const std::string &section) {
  const size_t h = section_header(b, segment, section);
  std::vector<Reloc> out;
  for (uint32_t k = 0; k < get<uint32_t>(b, h + 60); ++k) {
    const size_t at = get<uint32_t>(b, h + 56) + size_t(k) * 8;
    out.push_back({at, get<uint32_t>(b, at), get<uint32_t>(b, at + 4)});
  }
  return out;
}
// The first of `type` in the table's order (the highest site first, as
// the assembler writes them), or the one at `offset`.
size_t find(const std::vector<Reloc> &rs, unsigned type, int64_t offset = -1) {
  for (size_t k = 0; k < rs.size(); ++k)
    if (rs[k].type() == type && (offset < 0 || rs[k].offset == offset))
      return k;
  FAIL("no relocation of type " << type);
  return 0;
}

constexpr unsigned kUnsigned = 0, kSubtractor = 1, kPage21 = 3, kPageoff12 = 4, kGotPage21 = 5,
                   kAddend = 10;

} // namespace

TEST_CASE("arm64 Mach-O relocations map to the AArch64 edge kinds, addends from ADDEND") {
  const auto u = parse("relocs_arm64.o");
  CHECK(u.arch == rtlink::Arch::AArch64);
  const auto text = rows(u, "__TEXT,__text");
  INFO(dump(text));
  // PAGE21, and PAGEOFF12 by the access: 8 to 128 bits, and an add.
  CHECK(has(text, "get_sum: __TEXT,__text+0x0)", EdgeKind::A64Page21, "b1", 0));
  CHECK(has(text, "get_sum: __TEXT,__text+0x4)", EdgeKind::A64Ldst8Lo12, "b1", 0));
  CHECK(has(text, "get_sum:", EdgeKind::A64Ldst16Lo12, "w2", 0));
  CHECK(has(text, "get_sum:", EdgeKind::A64Ldst32Lo12, "l4", 0));
  CHECK(has(text, "get_sum:", EdgeKind::A64Ldst64Lo12, "q8", 0));
  CHECK(has(text, "get_sum:", EdgeKind::A64Ldst128Lo12, "o16", 0));
  CHECK(has(text, "add_q8:", EdgeKind::A64AddLo12, "q8", 0));
  CHECK(has(text, "store_l4:", EdgeKind::A64Ldst32Lo12, "l4", 0));  // str
  // ADDEND, then PAGE21 / PAGEOFF12 / BRANCH26: the addend is the ADDEND's.
  CHECK(has(text, "get_sum:", EdgeKind::A64Page21, "pair", 4));
  CHECK(has(text, "get_sum:", EdgeKind::A64Ldst32Lo12, "pair", 4));
  CHECK(has(text, "call_target_plus:", EdgeKind::A64Branch26, "target_fn", 8));
  CHECK(has(text, "call_target:", EdgeKind::A64Branch26, "target_fn", 0));
  CHECK(has(text, "bl_target:", EdgeKind::A64Branch26, "target_fn", 0));
  // GOT_LOAD_PAGE21 / PAGEOFF12: l4's cell.
  CHECK(has(text, "got_value:", EdgeKind::A64GOTPage21, "l4", 0));
  CHECK(has(text, "got_value:", EdgeKind::A64GOTLo12, "l4", 0));
  const auto data = rows(u, "__DATA,__data");
  INFO(dump(data));
  CHECK(has(data, "+0x28)", EdgeKind::GOTPCRel32, "l4", 0));        // _to_got: POINTER_TO_GOT
  CHECK(has(data, "+0x38)", EdgeKind::Abs64, "target_fn", 8));      // _ptr_plus: UNSIGNED, addend in the data
  CHECK(has(data, "+0x30)", EdgeKind::Abs64, "section __TEXT,__anon_text", 0));  // via ltmp2
  CHECK(has(data, "+0x40)", EdgeKind::PCRel64, "target_fn", 16));   // _delta64: SUBTRACTOR, B at the site
  CHECK(has(data, "+0x48)", EdgeKind::PCRel32, "target_fn", 0));    // _delta32
  CHECK(has(data, "+0x50)", EdgeKind::NegDelta64, "target_fn", 0)); // _negdelta64: A at the site

  // TLVP_LOAD_PAGE21 / PAGEOFF12: the cell of the variable's descriptor,
  // whose first word becomes the unit's thunk (macho_aarch64.cpp).
  const auto tlv = parse("tlv.arm64.o");
  const auto code = rows(tlv, "__TEXT,__text");
  INFO(dump(code));
  CHECK(has(code, "bump:", EdgeKind::A64GOTPage21, "counter", 0));
  CHECK(has(code, "bump:", EdgeKind::A64GOTLo12, "counter", 0));
  const auto thunk = rows(tlv, "__TEXT,__rtlink_tlv_thunk");
  INFO(dump(thunk));
  CHECK(has(thunk, "+0x18)", EdgeKind::A64GOTPage21, "__rtlink_tls_descriptor", 0));
  CHECK(has(thunk, "+0x1c)", EdgeKind::A64GOTLo12, "__rtlink_tls_descriptor", 0));
  const auto vars = rows(tlv, "__DATA,__thread_vars");
  INFO(dump(vars));
  CHECK(has(vars, "+0x8)", EdgeKind::DTPMod64, "counter$tlv$init", 0));  // _counter's descriptor
  CHECK(has(vars, "+0x10)", EdgeKind::DTPOff64, "counter$tlv$init", 0));
}

TEST_CASE("the instruction at a PAGEOFF12 picks its kind; what no relocation fits is refused") {
  using rtlink::macho_aarch64::instruction_kind;
  auto kind = [](EdgeKind k, uint32_t insn) {
    auto r = instruction_kind(k, insn);
    return r ? std::string(rtlink::edge_kind_name(*r)) : r.error().message();
  };
  const auto lo12 = EdgeKind::A64AddLo12;  // what PAGEOFF12 maps to before the instruction
  CHECK(kind(lo12, 0x91000000) == rtlink::edge_kind_name(EdgeKind::A64AddLo12));     // add x0, x0
  CHECK(kind(lo12, 0x11000000) == rtlink::edge_kind_name(EdgeKind::A64AddLo12));     // add w0, w0
  CHECK(kind(lo12, 0x39400000) == rtlink::edge_kind_name(EdgeKind::A64Ldst8Lo12));   // ldrb
  CHECK(kind(lo12, 0x79000000) == rtlink::edge_kind_name(EdgeKind::A64Ldst16Lo12));  // strh
  CHECK(kind(lo12, 0xb9400000) == rtlink::edge_kind_name(EdgeKind::A64Ldst32Lo12));  // ldr w
  CHECK(kind(lo12, 0xbd400000) == rtlink::edge_kind_name(EdgeKind::A64Ldst32Lo12));  // ldr s
  CHECK(kind(lo12, 0xf9400000) == rtlink::edge_kind_name(EdgeKind::A64Ldst64Lo12));  // ldr x
  CHECK(kind(lo12, 0xfd400000) == rtlink::edge_kind_name(EdgeKind::A64Ldst64Lo12));  // ldr d
  CHECK(kind(lo12, 0x3dc00000) == rtlink::edge_kind_name(EdgeKind::A64Ldst128Lo12)); // ldr q
  CHECK(kind(lo12, 0x3d800000) == rtlink::edge_kind_name(EdgeKind::A64Ldst128Lo12)); // str q
  CHECK(kind(lo12, 0xd503201f) ==
        "the instruction 0xd503201f is not an add or a load or store of an unsigned offset");
  CHECK(kind(lo12, 0xf9400420) ==
        "the instruction 0xf9400420 holds an offset where a relocation's field must be zero");
  CHECK(kind(EdgeKind::A64Page21, 0x90000010) == rtlink::edge_kind_name(EdgeKind::A64Page21));
  CHECK(kind(EdgeKind::A64Page21, 0x10000010) == "the instruction 0x10000010 is not an adrp");
  CHECK(kind(EdgeKind::A64Branch26, 0x94000000) == rtlink::edge_kind_name(EdgeKind::A64Branch26));
  CHECK(kind(EdgeKind::A64Branch26, 0x54000000) == "the instruction 0x54000000 is not a b or bl");
  CHECK(kind(EdgeKind::A64GOTLo12, 0xb9400000) ==
        "the instruction 0xb9400000 is not a 64-bit ldr of an unsigned offset");
}

TEST_CASE("bad arm64 Mach-O relocations: an error naming the file, site and type; the linker as before" *
          doctest::test_suite("x86-64")) {
  auto l = busy_linker();
  auto before = snapshot(*l);
  const auto original = read_bytes(macho("relocs_arm64.o"));
  const auto text = relocs(original, "__TEXT", "__text");
  const size_t text_at = get<uint32_t>(original, section_header(original, "__TEXT", "__text") + 48);

  // An ADDEND whose partner is not of a type that takes one: the PAGE21
  // after it made a GOT_LOAD_PAGE21.
  auto lone = original;
  const Reloc partner = text[find(text, kAddend) + 1];
  put<uint32_t>(lone, partner.at + 4, (partner.word & 0x0fffffffu) | kGotPage21 << 28);
  check_error(l->load_object_buffer("lone-addend.o", lone),
              {"lone-addend.o:(function ", "relocation ARM64_RELOC_ADDEND is not followed by a "
               "BRANCH26, PAGE21 or PAGEOFF12 of the same site"});
  // The last record an ADDEND: nothing follows it.
  auto last = original;
  put<uint32_t>(last, text.back().at + 4, (text.back().word & 0x00ffffffu) | 0x04000000u | kAddend << 28);
  check_error(l->load_object_buffer("last-addend.o", last),
              {"last-addend.o:(", "ARM64_RELOC_ADDEND is not followed by"});

  // PAGEOFF12 on a nop, and on a load whose field is not zero.
  const Reloc off = text[find(text, kPageoff12)];
  auto nop = original;
  put<uint32_t>(nop, text_at + off.offset, 0xd503201fu);
  check_error(l->load_object_buffer("nop.o", nop),
              {"nop.o:(function ", "__TEXT,__text+", "relocation ARM64_RELOC_PAGEOFF12 against",
               "the instruction 0xd503201f is not an add or a load or store of an unsigned offset"});
  auto field = original;
  put<uint32_t>(field, text_at + off.offset, get<uint32_t>(original, text_at + off.offset) | 0x400u);
  check_error(l->load_object_buffer("field.o", field),
              {"field.o:(function ", "ARM64_RELOC_PAGEOFF12",
               "holds an offset where a relocation's field must be zero"});

  // PAGE21 without its pc-relative flag; an unknown type (12); arm64e's
  // signed pointer (11); a GOT load naming a section.
  const Reloc page = text[find(text, kPage21)];
  auto flat = original;
  put<uint32_t>(flat, page.at + 4, page.word & ~(1u << 24));
  check_error(l->load_object_buffer("flat.o", flat),
              {"flat.o:(function ", "relocation ARM64_RELOC_PAGE21 with pcrel 0 and length 4 is malformed"});
  auto unknown = original;
  put<uint32_t>(unknown, page.at + 4, (page.word & 0x0fffffffu) | 12u << 28);
  check_error(l->load_object_buffer("unknown.o", unknown), {"unknown.o:(function ", "unknown relocation type 12"});
  const auto data = relocs(original, "__DATA", "__data");
  const Reloc ptr = data[find(data, kUnsigned, 0x38)];  // _ptr_plus
  auto signed_ptr = original;
  put<uint32_t>(signed_ptr, ptr.at + 4, (ptr.word & 0x0fffffffu) | 11u << 28);
  check_error(l->load_object_buffer("arm64e.o", signed_ptr),
              {"arm64e.o:(__DATA,__data+0x38)", "relocation ARM64_RELOC_AUTHENTICATED_POINTER against "
               "target_fn is not supported yet"});
  const Reloc got = text[find(text, kGotPage21)];
  auto section_got = original;
  put<uint32_t>(section_got, got.at + 4, (got.word & 0xf0000000u) | (got.word & 0x07000000u) | 1u);
  check_error(l->load_object_buffer("section-got.o", section_got),
              {"section-got.o:(function got_value: __TEXT,__text+", "relocation ARM64_RELOC_GOT_LOAD_PAGE21 "
               "must name a symbol, not a section"});
  // A SUBTRACTOR whose UNSIGNED is made a SUBTRACTOR too.
  const Reloc unsigned_after = data[find(data, kSubtractor) + 1];
  auto pairless = original;
  put<uint32_t>(pairless, unsigned_after.at + 4, (unsigned_after.word & 0x0fffffffu) | kSubtractor << 28);
  check_error(l->load_object_buffer("pairless.o", pairless),
              {"pairless.o:(__DATA,__data+", "ARM64_RELOC_SUBTRACTOR is not followed by an ARM64_RELOC_UNSIGNED"});
  check_unchanged_and_usable(*l, before, "macho/relocs.o", "call_target", 77);
}

TEST_CASE("each arm64 Mach-O relocation gives its value in the aarch64 executor" *
          doctest::test_suite("aarch64")) {
  auto l = new_linker();
  load_all(*l, {macho("relocs_arm64.o")});
  CHECK(call(*l, "get_sum") == 654321);      // PAGE21, PAGEOFF12 at every width, ADDEND
  CHECK(call(*l, "add_q8") == 4000);         // PAGEOFF12 on an add
  CHECK(call(*l, "store_l4") == 777);        // on a store
  CHECK(call(*l, "got_value") == 777);       // GOT_LOAD_PAGE21 / PAGEOFF12
  CHECK(call(*l, "via_pointer_to_got") == 777);  // POINTER_TO_GOT
  CHECK(call(*l, "call_target") == 66);      // BRANCH26
  CHECK(call(*l, "call_target_plus") == 77); // ADDEND, then BRANCH26
  CHECK(call(*l, "bl_target") == 67);
  CHECK(call(*l, "call_anon") == 88);        // UNSIGNED to a temporary label's section
  CHECK(call(*l, "call_ptr_plus") == 77);    // UNSIGNED, its addend in the data
  CHECK(call(*l, "check_delta64") == 1);     // SUBTRACTOR pairs
  CHECK(call(*l, "check_delta32") == 1);
  CHECK(call(*l, "check_negdelta64") == 1);
  CHECK(call(*l, "check_delta_anon") == 1);
}

TEST_CASE("a non-extern arm64 UNSIGNED: the bytes hold the address in the object" *
          doctest::test_suite("aarch64")) {
  // _anon_ptr's UNSIGNED names __TEXT,__anon_text by its ordinal, its bytes
  // that section's address (what the assembler writes for a section
  // without a symbol at its start).
  auto bytes = read_bytes(macho("relocs_arm64.o"));
  unsigned ordinal = 0;
  const size_t anon = section_header(bytes, "__TEXT", "__anon_text", &ordinal);
  const auto data = relocs(bytes, "__DATA", "__data");
  const Reloc r = data[find(data, kUnsigned, 0x30)];
  REQUIRE(r.offset == 0x30);
  put<uint32_t>(bytes, r.at + 4, (r.word & 0xf7000000u) | ordinal);  // extern 0
  const size_t data_at = get<uint32_t>(bytes, section_header(bytes, "__DATA", "__data") + 48);
  put<uint64_t>(bytes, data_at + 0x30, get<uint64_t>(bytes, anon + 32));  // addr
  const std::string path = write_temp("nonextern_arm64.o", bytes);
  auto l = new_linker();
  load_all(*l, {path});
  CHECK(call(*l, "call_anon") == 88);
  CHECK(call(*l, "check_delta_anon") == 1);
}

TEST_CASE("arm64 Mach-O thread-local variables: each thread its own, through the thunk" *
          doctest::test_suite("aarch64")) {
  auto l = new_linker();
  load_all(*l, {macho("tlv.arm64.o")});
  // ++counter * 100 + local_total + buf[3]: 5 and zeros to start with.
  CHECK(call(*l, "bump") == 603);
  CHECK(call(*l, "bump") == 705);
  CHECK(call(*l, "bump_in_thread") == 603);  // a new thread starts from the template
  CHECK(call(*l, "bump") == 807);
}

TEST_CASE("an arm64 Darwin archive: members pulled by C names, in the aarch64 executor" *
          doctest::test_suite("aarch64")) {
  for (const char *opt : {"O0", "O2"}) {
    CAPTURE(opt);
    auto l = new_linker();
    load_all(*l, {macho(std::string("arm64_program.") + opt + ".o"),
                  macho(std::string("libarm64_program.") + opt + ".a")});
    auto info = l->describe("overridden");  // the member's strong one over the weak one
    REQUIRE(info);
    CHECK(info->defined_by.find("arm64_program_lib") != std::string::npos);
    rtlink::CallArg nine;
    nine.bits = 9;
    auto r = l->call("lib_square", std::span<const rtlink::CallArg>(&nine, 1));
    REQUIRE_MESSAGE(bool(r), r.error().message());
    CHECK(*r == 81);
  }
}
