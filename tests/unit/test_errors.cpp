// Bad input: each gives a clear error naming the file and what is wrong, and
// leaves the linker as it was; the same linker then loads and runs a good object.
#include "elf_edit.hpp"
#include "helpers.hpp"
#include "zstd_compress.hpp"

#include <algorithm>


namespace {

// A copy of a fixture whose first relocation in `rela` has `bytes` written at
// `field` (0 r_offset, 8 r_info's type word, 12 its symbol word), saved to a
// temporary file whose path is returned.
template <class T>
std::string corrupt_first_relocation(const std::string &object, const std::string &rela,
                                     size_t field, T value) {
  auto bytes = read_bytes(fixture(object));
  ElfSection sec = elf_section(bytes, rela);
  REQUIRE(sec.size >= 24);
  std::memcpy(bytes.data() + sec.offset + field, &value, sizeof value);
  return write_temp(object + "-" + std::to_string(field) + "-corrupt.o", bytes);
}

} // namespace

TEST_CASE("a truncated object") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto bytes = read_bytes(fixture("good.o"));
  bytes.resize(100);
  std::string path = write_temp("truncated.o", bytes);
  check_error(l->load(path), {path});
  std::vector<uint8_t> tiny(bytes.begin(), bytes.begin() + 20);
  check_error(l->load_object_buffer("tiny.o", tiny), {"tiny.o", "truncated ELF header"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a truncated or corrupt zstd-compressed object") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto plain = read_bytes(fixture("good.o"));
  auto z = zstd_compress(plain);
  std::vector<uint8_t> cut(z.begin(), z.begin() + z.size() / 2);
  check_error(l->load_object_buffer("cut.o.zst", cut), {"cut.o.zst", "truncated zstd data"});
  std::vector<uint8_t> bad = z;
  bad[6] ^= 0xff;  // the content size the frame header records (2 bytes from 5)
  check_error(l->load_object_buffer("bad.o.zst", bad), {"bad.o.zst", "corrupt zstd data"});
  check_unchanged_and_usable(*l, before);
}

// A zstd frame of `blocks` RLE blocks of 128 KiB of zeros each: 4 bytes a
// block, so 98 KB say 3 GiB. `recorded`: the frame header gives the size.
static std::vector<uint8_t> zstd_zeros(uint32_t blocks, bool recorded) {
  std::vector<uint8_t> z = {0x28, 0xb5, 0x2f, 0xfd};
  const uint64_t size = uint64_t(blocks) << 17;
  if (recorded) {
    z.push_back(0xe0);  // an 8-byte content size, single segment
    for (int i = 0; i < 8; ++i)
      z.push_back(uint8_t(size >> (8 * i)));
  } else {
    z.push_back(0x00);  // no content size; a window descriptor follows
    z.push_back(0x50);  // a window of 2^(10 + 10) = 1 MiB
  }
  for (uint32_t b = 0; b < blocks; ++b) {
    const uint32_t header = (uint32_t(1) << 17) << 3 | 1u << 1 | (b + 1 == blocks ? 1u : 0u);
    z.insert(z.end(), {uint8_t(header), uint8_t(header >> 8), uint8_t(header >> 16), 0x00});
  }
  return z;
}

TEST_CASE("a zstd stream that expands past the limit is refused, naming it") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  // The issue's: 98 KB that expand to 3 GiB, past the default 1 GiB, refused
  // from the frame header before anything is decompressed.
  auto bomb = zstd_zeros(3 * 8192, true);
  CHECK(bomb.size() < 100000);
  std::string path = write_temp("bomb.zst", bomb);
  check_error(l->load(path), {path + ": zstd data expands beyond 1073741824 bytes (1 GiB), the most "
                              "a compressed input may expand to (--max-expand=SIZE or "
                              "RTLINK_MAX_EXPAND=SIZE raises it)"});
  check_unchanged_and_usable(*l, before);
  // LinkerOptions::max_expand; a stream that does not say its size is
  // counted as it is decoded.
  rtlink::LinkerOptions small;
  small.max_expand = 1 << 20;
  auto l2 = new_linker(std::move(small));
  check_error(l2->load_object_buffer("streamed.zst", zstd_zeros(16, false)),
              {"streamed.zst: zstd data expands beyond 1048576 bytes (1 MiB)"});
  check_error(l2->load_object_buffer("recorded.zst", zstd_zeros(16, true)),
              {"recorded.zst: zstd data expands beyond 1048576 bytes (1 MiB)"});
  // Up to the limit is decompressed (1 MiB of zeros, then no object).
  rtlink::Error fits = l2->load_object_buffer("fits.zst", zstd_zeros(8, false));
  REQUIRE(fits);
  CHECK_MESSAGE(fits.message().find("expands") == std::string::npos, fits.message());
  REQUIRE(!l2->load(fixture("good.o")));
  REQUIRE(!l2->resolve());
  CHECK(call(*l2, "good_answer") == 42);
}

TEST_CASE("an unreadable RTLINK_MAX_EXPAND makes Linker::create fail, naming it") {
  ::setenv("RTLINK_MAX_EXPAND", "lots", 1);
  auto l = rtlink::Linker::create();
  ::unsetenv("RTLINK_MAX_EXPAND");
  REQUIRE(!l);
  CHECK(l.error().message() == "RTLINK_MAX_EXPAND=lots: not a size (bytes, or a number with K, M, G or T)");
}

TEST_CASE("a loaded section marked compressed (SHF_COMPRESSED)") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto bytes = read_bytes(fixture("good.o"));
  ElfSection text = elf_section(bytes, ".text");
  REQUIRE(text.header != 0);
  bytes[text.header + 9] |= 0x08;  // SHF_COMPRESSED is 0x800
  check_error(l->load_object_buffer("compressed-text.o", bytes),
              {"compressed-text.o", "section .text", "SHF_COMPRESSED"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("an archive whose symbol table points past the end") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto bytes = read_bytes(fixture("libbase.a"));
  // GNU layout: "!<arch>\n", a 60-byte header, then a big-endian count and offsets.
  REQUIRE(std::string(bytes.begin(), bytes.begin() + 8) == "!<arch>\n");
  bytes[72] = 0x00, bytes[73] = 0xff, bytes[74] = 0xff, bytes[75] = 0xf0;
  std::string path = write_temp("bad-offset.a", bytes);
  check_error(l->load(path), {path, "offset 0xfffff0", "past the end of the archive"});
  check_unchanged_and_usable(*l, before);
}

// The MSVC and MinGW archives here are the x86-64 COFF fixtures, which the
// aarch64 fixtures do not have. (The GNU and BSD parts check how this process
// reads an archive's index, before any executor takes part.)
TEST_CASE("an archive whose symbol table does not fit its own size is refused, not walked" *
          doctest::test_suite("x86-64")) {
  auto l = busy_linker();
  auto before = snapshot(*l);
  // GNU: the symbol count raised far past what the table holds.
  auto gnu = read_bytes(fixture("libbase.a"));
  gnu[68] = 0x01;
  std::string path = write_temp("big-count.a", gnu);
  check_error(l->load(path), {path + ": malformed symbol table (archive index): the member "
                              "offsets of its 16777219 symbols run past its end"});
  // BSD, its first member renamed "/": its table is then read as GNU's,
  // whose big-endian count is the bytes "__.S".
  auto bsd = read_bytes(fixture("libbase-bsd.a"));
  REQUIRE(std::string(bsd.begin() + 8, bsd.begin() + 13) == "#1/12");
  std::memcpy(bsd.data() + 8, "/    ", 5);
  path = write_temp("bsd-renamed.a", bsd);
  check_error(l->load(path), {path + ": malformed symbol table", "run past its end"});
  // MSVC: the second linker member's member count byte-swapped.
  auto msvc = read_bytes(fixture("coff/coffbase.lib"));
  size_t second = archive_member_contents(msvc, 1);
  std::reverse(msvc.begin() + long(second), msvc.begin() + long(second) + 4);
  path = write_temp("swapped.lib", msvc);
  check_error(l->load(path), {path + ": malformed symbol table", "the offsets of its 16777216 members"});
  // BSD: a name offset past the names.
  bsd = read_bytes(fixture("libbase-bsd.a"));
  bsd[archive_member_contents(bsd, 0) + 12 + 4] = 0xff;
  path = write_temp("bsd-name.a", bsd);
  check_error(l->load(path), {path + ": malformed symbol table", "the name of symbol 0 (at offset 255"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("an archive without a symbol index whose member does not read names the member" *
          doctest::test_suite("x86-64")) {  // the x86-64 COFF fixtures, as above
  auto l = busy_linker();
  auto before = snapshot(*l);
  // ELF: the first member's section header table moved past its end.
  auto elf = read_bytes(fixture("libbase-nosymtab.a"));
  uint32_t far = 0xffffff00;
  std::memcpy(elf.data() + archive_member_contents(elf, 0) + 0x28, &far, 4);  // e_shoff
  std::string path = write_temp("noindex-bad.a", elf);
  check_error(l->load(path), {path + "(base-pic.o): bad section header table: ",
                              "(the archive has no symbol index, so every member's symbols are read)"});
  // COFF: the member's symbol table moved past its end.
  auto coff = read_bytes(fixture("coff/libcoffbase_noindex.a"));
  std::memcpy(coff.data() + archive_member_contents(coff, 0) + 8, &far, 4);  // PointerToSymbolTable
  path = write_temp("noindex-bad-coff.a", coff);
  check_error(l->load(path), {path + "(base.gnu.obj): symbol table of 22 entries runs past the end"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a truncated archive is named, read whole or in parts") {
  auto bytes = read_bytes(system_library("libsqlite3.a"));
  bytes.resize(1000000);
  std::string path = write_temp("cut-sqlite.a", bytes);
  for (std::string io : {"mmap", "threads"}) {
    CAPTURE(io);
    rtlink::LinkerOptions o;
    o.io = io;
    auto l = new_linker(std::move(o));
    load_all(*l, {"rts.o", "base.o"});
    auto before = snapshot(*l);
    check_error(l->load(path), {path + ": truncated or malformed archive", "past the end"});
    check_unchanged_and_usable(*l, before);
  }
}

TEST_CASE("a relocation past the end of its section") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  std::string path = corrupt_first_relocation("good.o", ".rela.eh_frame", 0, uint64_t(0x10000));
  check_error(l->load(path), {path, ".eh_frame+0x10000", "runs past the end of section .eh_frame"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("relocations into a section without contents (SHT_NOBITS)") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto bytes = read_bytes(fixture("ifunc.o"));
  ElfSection data = elf_section(bytes, ".data.rel");
  REQUIRE(data.header != 0);
  REQUIRE(elf_section(bytes, ".rela.data.rel").size > 0);
  bytes[data.header + 4] = 8;  // sh_type: SHT_NOBITS, its .rela kept
  std::string path = write_temp("nobits-rela.o", bytes);
  check_error(l->load(path), {path + ": relocation section .rela.data.rel applies to .data.rel, "
                              "which has no contents (SHT_NOBITS)"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a defined symbol whose value lies outside its section") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  auto bytes = read_bytes(fixture("good.o"));
  uint64_t sym = elf_symbol(bytes, "good_answer");
  REQUIRE(sym != 0);
  uint64_t far = 0x7fff0000;
  std::memcpy(bytes.data() + sym + 8, &far, 8);
  std::string path = write_temp("far-symbol.o", bytes);
  check_error(l->load(path), {path + ": symbol 'good_answer': value 0x7fff0000 lies outside its "
                              "section .text (size 0x"});
  // One past the end is where an end symbol lies: accepted.
  uint64_t text_size = elf_section(bytes, ".text").size;
  std::memcpy(bytes.data() + sym + 8, &text_size, 8);
  REQUIRE(!l->load_object_buffer("end-symbol.o", bytes));
  REQUIRE(!l->unload("end-symbol.o"));
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("an unknown relocation type") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  std::string path = corrupt_first_relocation("rts.o", ".rela.text", 8, uint32_t(200));
  check_error(l->load(path), {path + ":(function rts_allocate: .text+0x", "unknown relocation type 200"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a relocation naming a symbol past the symbol table") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  std::string path = corrupt_first_relocation("rts.o", ".rela.text", 12, uint32_t(0xfffff));
  check_error(l->load(path), {path, "past the symbol table"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a file that is nothing rtlink reads") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  std::string path = write_temp("garbage.bin", std::vector<uint8_t>(64, 0x5a));
  check_error(l->load(path), {path, "not an object, archive, shared library or linker script"});
  check_error(l->load("/no/such/file.o"), {"/no/such/file.o", "cannot read"});
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("undefined symbols: every one reported, with sites and suggestions") {
  auto l = busy_linker();
  REQUIRE(!l->load(fixture("undefined.o")));
  auto before = snapshot(*l);
  rtlink::Error e = l->resolve();
  check_error(e, {"undefined symbol: no_such_function",
                  ">>> referenced by " + fixture("undefined.o") + ":(function calls_missing: .text+0x",
                  "undefined symbol: rts_alocate", "did you mean 'rts_allocate'"});
  CHECK(snapshot(*l).units == before.units);
  CHECK(snapshot(*l).mapped == before.mapped);
  // The unit that failed stays loaded (its load succeeded) until unloaded.
  REQUIRE(!l->unload(fixture("undefined.o")));
  check_unchanged_and_usable(*l, snapshot(*l));
}

TEST_CASE("suggestions: a missing -l, and a C++ name that was not extern \"C\"") {
  auto l = new_linker();
  REQUIRE(!l->load(fixture("uses_sqlite.o")));
  check_error(l->resolve(), {"undefined symbol: sqlite3_libversion_number", "add -lsqlite3"});
  auto l2 = new_linker();
  REQUIRE(!l2->load(fixture("calls_cxx_helper.o")));
  REQUIRE(!l2->load(fixture("cxx_name.o")));
  check_error(l2->resolve(), {"undefined symbol: cxx_helper", "cxx_helper(int)",
                              "declare it extern \"C\""});
}

TEST_CASE("suggestions: a leading underscore") {
  auto l = new_linker();
  REQUIRE(!l->load(fixture("good.o")));
  REQUIRE(!l->load(fixture("underscore.o")));
  check_error(l->resolve(), {"undefined symbol: _good_answer",
                             "did you mean 'good_answer' (defined in " + fixture("good.o") + ")?"});
}

TEST_CASE("a duplicate definition names both objects") {
  auto l = busy_linker();
  REQUIRE(!l->load(fixture("dup_a.o")));
  auto before = snapshot(*l);
  check_error(l->load(fixture("dup_b.o")),
              {"duplicate symbol: duplicate_symbol", ">>> defined in " + fixture("dup_a.o"),
               ">>> defined in " + fixture("dup_b.o")});
  check_unchanged_and_usable(*l, before);
  CHECK(call(*l, "duplicate_symbol") == 1);
}

TEST_CASE("a far data address non-PIC code cannot reach: refused naming the instruction (x86-64), through a cell (aarch64)") {
  auto l = busy_linker();
  REQUIRE(!l->load(fixture("nonpic_extern.o")));
  auto before = snapshot(*l);
  // x86-64 stores the address as a 32-bit immediate (movq $environ, x: the
  // instruction is named by its bytes). aarch64's small model reaches it
  // from the page of the code (adrp, +-4 GiB), which rtlink rewrites to go
  // through a cell (arch/aarch64_far.hpp): there the same object links.
  if (l->executor().arch() == rtlink::Arch::AArch64) {
    REQUIRE(!l->resolve());
    call(*l, "keep_environ_address");
    REQUIRE(!l->unload(fixture("nonpic_extern.o")));
    return;
  }
  check_error(l->resolve(), {fixture("nonpic_extern.o") + ":(function keep_environ_address: .text+0x7): relocation R_X86_64_32S",
                             "'environ'", "cannot reach it outside the loaded range",
                             "(48 c7 05 00 00 00 00 00 00 00 00)", "is data, not a function"});
  CHECK(snapshot(*l).mapped == before.mapped);
  REQUIRE(!l->unload(fixture("nonpic_extern.o")));
  check_unchanged_and_usable(*l, snapshot(*l));
}

TEST_CASE("a fixup that fails in a batch fixed up on every core: its error, and the linker as it was") {
  auto l = busy_linker();
  if (l->executor().arch() != rtlink::Arch::X86_64)
    return;  // the fixture is x86-64 assembly
  auto before = snapshot(*l);
  REQUIRE(!l->load(fixture("size_of_extern.o")));
  REQUIRE(!l->load(system_library("libsqlite3.a")));
  check_error(l->resolve(), {fixture("size_of_extern.o") + ":(.data+0x0): relocation R_X86_64_SIZE64",
                             "'environ'", "its size is not known"});
  CHECK(l->stats().members_pulled > 80);  // sqlite's members were pulled, then put back
  REQUIRE(!l->unload(fixture("size_of_extern.o")));
  REQUIRE(!l->unload(system_library("libsqlite3.a")));
  check_unchanged_and_usable(*l, before);
}

TEST_CASE("a failed resolve puts back the archive members it pulled") {
  auto l = new_linker();
  REQUIRE(!l->load(fixture("rts.o")));
  REQUIRE(!l->load(fixture("undefined.o")));
  REQUIRE(!l->load(fixture("libbase.a")));
  CHECK(l->resolve());  // no_such_function is missing
  CHECK(l->units().size() == 2);  // base-pic.o was pulled, then put back
  REQUIRE(!l->unload(fixture("undefined.o")));
  REQUIRE(!l->resolve());
  CHECK(l->units().size() == 2);
  CHECK(call(*l, "rts_main") == 42);
}

TEST_CASE("initial exec into a unit whose thread-local block was made dynamic is refused by name") {
  auto l = new_linker();
  load_all(*l, {"tls.o"});
  CHECK(call(*l, "bump_tls") == 1);
  REQUIRE(!l->load(fixture("tls_exec_late.o")));
  auto before = snapshot(*l);
  // The first instruction of the initial-exec sequence: x86-64's movq
  // x@gottpoff(%rip), aarch64's adrp of the GOT entry's page.
  const std::string site = l->executor().arch() == rtlink::Arch::AArch64
                               ? ":(function bump_late: .text+0x4): relocation R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21"
                               : ":(function bump_late: .text+0x3): relocation R_X86_64_GOTTPOFF";
  check_error(l->resolve(), {fixture("tls_exec_late.o") + site + " against 'tls_counter'",
                             "a variable of " + fixture("tls.o"), "made per thread on demand",
                             "load both in one resolve, or build this with -fPIC"});
  CHECK(snapshot(*l).mapped == before.mapped);
  CHECK(call(*l, "bump_tls") == 2);  // the loaded unit, as it was
  REQUIRE(!l->unload(fixture("tls_exec_late.o")));
  check_unchanged_and_usable(*l, snapshot(*l));
}
