// PE/COFF x86-64: objects from MinGW gcc (.gnu.obj) and clang's MSVC target
// (.msvc.obj), archives, import libraries, __imp_ cells and stubs, COMDAT
// selections, weak externals, initializers, and bad input. COFF code runs
// in-process here, called with the Microsoft x64 convention; host functions
// offered to it are ms_abi. The Windows build runs this suite too
// (tests/windows: coff-tests.exe, under wine), but for the cases marked
// "posix-host", which assert what a POSIX process lacks.
#include "elf_edit.hpp"
#include "helpers.hpp"

#include <filesystem>

#define MS __attribute__((ms_abi))

namespace {

const char *const kToolchains[] = {"gnu", "msvc"};

std::string obj(const std::string &name, const std::string &tc) {
  return "coff/" + name + "." + tc + ".obj";
}

const std::string kKernel32 = "/usr/x86_64-w64-mingw32/lib/libkernel32.a";
const std::string kLibgcc = "/usr/lib/gcc/x86_64-w64-mingw32/12-win32/libgcc.a";

std::vector<int> events;
MS void record_event(int e) { events.push_back(e); }

MS unsigned long long fake_tick_count() { return 40; }
MS unsigned fake_process_id() { return 2; }
MS int fake_host_add(int a, int b) { return a + b; }
int fake_host_value = 1;
MS int fake_by_ordinal() { return 100; }
MS int fake_host_twice(int x) { return 2 * x; }

void offer_dll_exports(rtlink::Linker &l) {
  REQUIRE(!l.define_symbol("KERNEL32.dll!GetTickCount64", uint64_t(&fake_tick_count)));
  REQUIRE(!l.define_symbol("kernel32.dll!GetCurrentProcessId", uint64_t(&fake_process_id)));
  REQUIRE(!l.define_symbol("hostlib.dll!host_add", uint64_t(&fake_host_add)));
  REQUIRE(!l.define_symbol("hostlib.dll!host_value", uint64_t(&fake_host_value)));
  REQUIRE(!l.define_symbol("hostlib.dll!#7", uint64_t(&fake_by_ordinal)));
}

} // namespace

TEST_CASE("the rts <-> base cycle as COFF, through __imp_ cells, in either order") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    for (bool rts_first : {true, false}) {
      auto l = new_linker();
      if (rts_first)
        load_all(*l, {obj("rts", tc), obj("base", tc)});
      else
        load_all(*l, {obj("base", tc), obj("rts", tc)});
      CHECK(call(*l, "rts_main") == 42);
      // rts reached base through cells rtlink made: they hold base's addresses.
      CHECK(l->stats().got_cells >= 3);
    }
  }
}

TEST_CASE("COFF archives in both layouts, with and without a symbol index; bigobj") {
  for (const char *archive : {"coff/libcoffbase.a", "coff/coffbase.lib",
                              "coff/libcoffbase_noindex.a", "coff/coffbase_noindex.lib"}) {
    CAPTURE(archive);
    auto l = new_linker();
    load_all(*l, {obj("rts", "gnu"), archive});
    CHECK(l->stats().members_pulled == 1);
    CHECK(call(*l, "rts_main") == 42);
  }
  auto l = new_linker();
  load_all(*l, {"coff/rts.bigobj.obj", obj("base", "msvc")});
  CHECK(call(*l, "rts_main") == 42);
}

TEST_CASE("every COFF relocation type gives the specification's value") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    load_all(*l, {"coff/relocs.obj", obj("relocs_check", tc)});
    CHECK(call(*l, "coff_check_relocs") == 0);
  }
}

TEST_CASE("imports bind to the DLL their import library names" * doctest::test_suite("in-process")) {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    offer_dll_exports(*l);
    // kernel32 from MinGW's long-format library; hostlib from short import
    // members (llvm-dlltool's GNU layout, llvm-lib's MSVC layout).
    load_all(*l, {obj("imports", tc), kKernel32,
                  std::string(tc) == "gnu" ? "coff/libhostlib.a" : "coff/hostlib.lib"});
    CHECK(call(*l, "use_kernel32") == 42);
    CHECK(call(*l, "use_hostlib") == 142);
  }
}

TEST_CASE("a COFF link restored from the cache: imports bound again, the stack probe rtlink's" * doctest::test_suite("in-process")) {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    const std::string dir = temp_dir("rtlink-coff-cache");
    for (int round = 0; round < 2; ++round) {
      CAPTURE(round);
      rtlink::LinkerOptions o;
      o.cache_dir = dir;
      auto l = new_linker(std::move(o));
      offer_dll_exports(*l);
      load_all(*l, {obj("imports", tc), kKernel32,
                    std::string(tc) == "gnu" ? "coff/libhostlib.a" : "coff/hostlib.lib",
                    obj("chkstk", tc)});
      CHECK(l->stats().cache_hits == uint64_t(round));
      CHECK(call(*l, "use_kernel32") == 42);
      CHECK(call(*l, "use_hostlib") == 142);
      CHECK(call(*l, "big_frame") == 62);
    }
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("an import nothing provides names the DLL and the symbol") {
  auto l = new_linker();
  REQUIRE(!l->load(fixture(obj("imports", "gnu"))));
  REQUIRE(!l->load(kKernel32));
  REQUIRE(!l->load(fixture("coff/libhostlib.a")));
  check_error(l->resolve(), {"host_add", "hostlib.dll"});
}

// (A Windows process has kernel32.dll: there the import binds.)
TEST_CASE("an import of a DLL this host lacks is not served by another DLL's same name" * doctest::test_suite("posix-host")) {
  auto l = new_linker();
  REQUIRE(!l->load(fixture(obj("imports", "gnu"))));
  REQUIRE(!l->load(kKernel32));
  REQUIRE(!l->load(fixture("coff/libhostlib.a")));
  check_error(l->resolve(), {"GetTickCount64", "kernel32.dll", "host_add", "hostlib.dll"});
  // A same-named symbol of another DLL does not serve: imports go by DLL.
  REQUIRE(!l->define_symbol("user32.dll!GetTickCount64", uint64_t(&fake_tick_count)));
  check_error(l->resolve(), {"kernel32.dll!GetTickCount64"});
}

TEST_CASE("a plain data reference to a DLL's variable is auto-imported" * doctest::test_suite("in-process")) {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    offer_dll_exports(*l);
    REQUIRE(!l->load(fixture(obj("data_no_dllimport", tc))));
    REQUIRE(!l->load(fixture("coff/libhostlib.a")));
    REQUIRE(!l->resolve());
    fake_host_value = 31;
    CHECK(call(*l, "read_host_value") == 31);
    // gnu: its .refptr cell holds the DLL's address; msvc: a pc-relative
    // load rewritten to load that address from a cell.
    CHECK(call(*l, "address_of_host_value") == int(uint64_t(&fake_host_value)));
    fake_host_value = 1;
  }
}

TEST_CASE("a plain data reference where __imp_X is not a DLL import is an error naming the site") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    REQUIRE(!l->load(fixture(obj("data_via_imp_pointer", tc))));
    REQUIRE(!l->load(fixture(obj("imp_pointer", tc))));
    check_error(l->resolve(), {obj("data_via_imp_pointer", tc) + ":(",
                               "a plain reference to callee, which only __imp_callee provides",
                               obj("imp_pointer", tc), "not a DLL import",
                               "declare it __declspec(dllimport)"});
  }
}

TEST_CASE("a plain call to a registered host function goes through a stub" * doctest::test_suite("in-process")) {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    REQUIRE(!l->define_symbol("host_twice", uint64_t(&fake_host_twice)));
    load_all(*l, {obj("calls_host", tc)});
    CHECK(call(*l, "call_host") == 42);
    CHECK(l->stats().stubs == 1);
  }
}

TEST_CASE("a plain call to X where only __imp_X exists goes through a stub to that cell") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    load_all(*l, {obj("calls_callee", tc), obj("imp_pointer", tc)});
    CHECK(call(*l, "call_callee") == 42);
    CHECK(l->stats().stubs == 1);
  }
}

TEST_CASE("COFF code does not reach the process's own (System V) functions" * doctest::test_suite("posix-host")) {
  auto l = new_linker();
  REQUIRE(!l->load(fixture(obj("calls_host", "gnu"))));
  // host_twice is not registered: nothing in the process may serve it.
  check_error(l->resolve(), {"undefined symbol: host_twice"});
  // rand is the process's own: the report says why it is not used.
  auto l2 = new_linker();
  REQUIRE(!l2->load(fixture(obj("calls_rand", "gnu"))));
  check_error(l2->resolve(), {"undefined symbol: rand", "Microsoft x64 convention", "ms_abi"});
}

TEST_CASE("stack probes: __chkstk and ___chkstk_ms come from rtlink when nothing else has them") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto l = new_linker();
    load_all(*l, {obj("chkstk", tc)});
    CHECK(call(*l, "big_frame") == 62);
  }
}

TEST_CASE("128-bit division and popcount from MinGW's own libgcc.a") {
  auto l = new_linker();
  load_all(*l, {obj("int128", "gnu"), kLibgcc});
  CHECK(l->stats().members_pulled >= 2);
  CHECK(call(*l, "int128_check") == 42);
}

TEST_CASE("weak externals: a strong definition wins, else the default") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    auto alone = new_linker();
    load_all(*alone, {obj("weak_a", tc)});
    CHECK(call(*alone, "call_which") == 1);
    auto both = new_linker();
    load_all(*both, {obj("weak_a", tc), obj("weak_b", tc)});
    CHECK(call(*both, "call_which") == 2);
    CHECK(call(*both, "which_definition") == 2);
  }
}

TEST_CASE("weak externals: SEARCH_NOLIBRARY leaves archives alone, SEARCH_LIBRARY pulls") {
  auto nolib = new_linker();
  load_all(*nolib, {"coff/weak_nolibrary.obj", "coff/libweaktarget.a"});
  CHECK(nolib->stats().members_pulled == 0);
  CHECK(call(*nolib, "call_weak_target") == 1);
  auto lib = new_linker();
  load_all(*lib, {"coff/weak_library.obj", "coff/libweaktarget.a"});
  CHECK(lib->stats().members_pulled == 1);
  CHECK(call(*lib, "call_weak_target") == 2);
}

TEST_CASE("associative COMDAT sections chained to a section that is always kept are kept") {
  // .data$a follows .data$b, which follows .text (not a COMDAT): reading
  // such an object once indexed a group that did not exist.
  auto l = new_linker();
  load_all(*l, {"coff/assoc_chain.obj"});
  CHECK(call(*l, "read_chain") == 5);
}

TEST_CASE(".drectve: /alternatename serves an undefined name") {
  auto l = new_linker();
  load_all(*l, {obj("drectve", "msvc")});
  CHECK(call(*l, "call_wanted") == 42);
}

TEST_CASE(".drectve: -aligncomm aligns a COMMON symbol" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {obj("aligncomm", "gnu")});
  CHECK(reinterpret_cast<long(MS *)()>(*l->lookup("aligned_common_misalignment"))() == 0);
}

TEST_CASE("COMDAT selections: what each allows" * doctest::test_suite("in-process")) {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    std::string p = std::string(tc) == "gnu" ? "lo_" : "sel_";
    auto l = new_linker();
    load_all(*l, {obj("comdat_first", tc), obj("comdat_second_ok", tc)});
    CHECK(*address_of<int>(*l, p + "any") == 1);     // ANY: the first copy
    CHECK(*address_of<int>(*l, p + "same") == 3);    // SAME_SIZE: equal sizes, first kept
    CHECK(*address_of<int>(*l, p + "exact") == 4);   // EXACT_MATCH: same bytes
    if (std::string(tc) == "msvc") {
      CHECK(*address_of<int>(*l, "sel_assoc_first") == 6);
      CHECK(!l->lookup("sel_assoc_second"));             // ASSOCIATIVE: dropped with its leader
      CHECK(*address_of<long long>(*l, "sel_largest") == 55);  // LARGEST: the larger copy
    }
  }
}

TEST_CASE("COMDAT selections: what each refuses") {
  for (const char *tc : kToolchains) {
    CAPTURE(tc);
    struct Case {
      const char *second;
      const char *says;
    };
    for (Case c : {Case{"comdat_nodup", "NODUPLICATES"}, Case{"comdat_same_bad", "SAME_SIZE"},
                   Case{"comdat_exact_bad", "EXACT_MATCH"}}) {
      CAPTURE(c.second);
      auto l = new_linker();
      REQUIRE(!l->load(fixture(obj("comdat_first", tc))));
      check_error(l->load(fixture(obj(c.second, tc))),
                  {"COMDAT", c.says, obj("comdat_first", tc), obj(c.second, tc)});
      // The first copy is untouched, and the linker goes on.
      REQUIRE(!l->resolve());
    }
  }
  auto l = new_linker();
  check_error(l->load(fixture(obj("comdat_newest", "msvc"))), {"NEWEST", "not supported"});
  // LARGEST: a larger copy after the first was resolved cannot take over.
  auto late = new_linker();
  load_all(*late, {obj("comdat_first", "msvc")});
  check_error(late->load(fixture(obj("comdat_second_ok", "msvc"))), {"LARGEST", "resolved"});
}

TEST_CASE("a failed resolve gives back a LARGEST copy a pulled member took over" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  REQUIRE(!l->load(fixture(obj("comdat_first", "msvc"))));
  REQUIRE(!l->load(fixture(obj("wants_assoc", "msvc"))));
  REQUIRE(!l->load(fixture("coff/comdat2.lib")));
  check_error(l->resolve(), {"undefined symbol: sel_assoc_second"});
  CHECK(l->units().size() == 2);
  REQUIRE(!l->unload(fixture(obj("wants_assoc", "msvc"))));
  REQUIRE(!l->resolve());
  CHECK(*address_of<int>(*l, "sel_largest") == 5);  // the first copy, given back
}

TEST_CASE("initializers: MinGW's .ctors/.dtors and MSVC's .CRT$X* lists, in order" * doctest::test_suite("in-process")) {
  {
    events.clear();
    auto l = new_linker();
    REQUIRE(!l->define_symbol("initfini_record", uint64_t(&record_event)));
    load_all(*l, {obj("initfini_gnu", "gnu")});
    CHECK(events == std::vector<int>{101, 200, 1000});
    events.clear();
    REQUIRE(!l->unload(fixture(obj("initfini_gnu", "gnu"))));
    CHECK(events == std::vector<int>{-1000, -101});
  }
  {
    events.clear();
    auto l = new_linker();
    REQUIRE(!l->define_symbol("initfini_record", uint64_t(&record_event)));
    load_all(*l, {obj("initfini_msvc", "msvc")});
    CHECK(events == std::vector<int>{1, 2, 3});  // .CRT$XIU, .CRT$XCB, .CRT$XCU
    events.clear();
    REQUIRE(!l->unload(fixture(obj("initfini_msvc", "msvc"))));
    CHECK(events == std::vector<int>{-1, -2});  // .CRT$XTU, .CRT$XTV
  }
}

TEST_CASE("thread-local storage in a COFF object is refused by name") {
  auto l = new_linker();
  check_error(l->load(fixture(obj("tls", "msvc"))),
              {"thread-local storage in loaded objects is not supported", ".tls$",
               obj("tls", "msvc")});
}

// --- bad input ------------------------------------------------------------

namespace {

std::vector<uint8_t> with_u32(std::vector<uint8_t> b, size_t at, uint32_t v) {
  std::memcpy(b.data() + at, &v, 4);
  return b;
}

// A linker holding the COFF cycle, and a check that it is as it was and usable.
struct Busy {
  std::unique_ptr<rtlink::Linker> l = new_linker();
  size_t units = 0;
  Busy() {
    load_all(*l, {obj("rts", "gnu"), obj("base", "gnu")});
    units = l->units().size();
  }
  void still_fine() {
    CHECK(l->units().size() == units);
    CHECK(call(*l, "rts_main") == 42);
    REQUIRE(!l->load(fixture(obj("chkstk", "msvc"))));
    REQUIRE(!l->resolve());
    CHECK(call(*l, "big_frame") == 62);
  }
};

} // namespace

TEST_CASE("bad COFF input: each a clear error, the linker unchanged") {
  const auto good = read_bytes(fixture(obj("base", "msvc")));
  // IMAGE_FILE_HEADER: Machine(2) NumberOfSections(2) TimeDateStamp(4)
  // PointerToSymbolTable(4) NumberOfSymbols(4) ...; section headers follow at 20.
  uint32_t symtab;
  std::memcpy(&symtab, good.data() + 8, 4);
  {
    Busy b;
    std::vector<uint8_t> cut(good.begin(), good.begin() + 30);
    check_error(b.l->load_object_buffer("cut-header.obj", cut), {"cut-header.obj"});
    b.still_fine();
  }
  {
    Busy b;
    check_error(b.l->load_object_buffer("symtab-far.obj", with_u32(good, 8, 0x7ffffff0)),
                {"symtab-far.obj"});
    b.still_fine();
  }
  {
    Busy b;
    // The first section header's PointerToRawData (at 20 + 20).
    check_error(b.l->load_object_buffer("data-far.obj", with_u32(good, 40, 0x7ffffff0)),
                {"data-far.obj", "runs past the end of the file"});
    b.still_fine();
  }
  {
    Busy b;
    // A relocation's VirtualAddress, in the first section that has any.
    auto bad = good;
    uint16_t nsec;
    std::memcpy(&nsec, good.data() + 2, 2);
    bool done = false;
    for (uint16_t i = 0; i < nsec && !done; ++i) {
      size_t sh = 20 + size_t(i) * 40;
      uint32_t relocs;
      uint16_t count;
      std::memcpy(&relocs, good.data() + sh + 24, 4);
      std::memcpy(&count, good.data() + sh + 32, 2);
      if (count) {
        bad = with_u32(good, relocs, 0x100000);
        done = true;
      }
    }
    REQUIRE(done);
    check_error(b.l->load_object_buffer("reloc-far.obj", bad),
                {"reloc-far.obj", "+0x100000", "runs past the end of section"});
    b.still_fine();
  }
  {
    Busy b;
    // A defined symbol's value far past the end of its section (in an
    // object that would otherwise load beside the cycle).
    const auto chkstk = read_bytes(fixture(obj("chkstk", "msvc")));
    uint32_t table, nsym;
    std::memcpy(&table, chkstk.data() + 8, 4);
    std::memcpy(&nsym, chkstk.data() + 12, 4);
    size_t found = 0;
    const uint8_t *strings = chkstk.data() + table + size_t(nsym) * 18;
    for (uint32_t i = 0; i < nsym; i += 1 + chkstk[table + i * 18 + 17]) {
      const uint8_t *e = chkstk.data() + table + size_t(i) * 18;
      uint32_t inline_name, off;  // a long name: four zero bytes, its string table offset
      std::memcpy(&inline_name, e, 4);
      std::memcpy(&off, e + 4, 4);
      if (inline_name == 0 && std::string(reinterpret_cast<const char *>(strings + off)) == "big_frame")
        found = table + size_t(i) * 18;
    }
    REQUIRE(found != 0);
    check_error(b.l->load_object_buffer("far-symbol.obj", with_u32(chkstk, found + 8, 0x7fff0000)),
                {"far-symbol.obj: symbol 'big_frame': value 0x7fff0000 lies outside its section .text"});
    b.still_fine();
  }
  {
    Busy b;
    // A short import member whose data size runs past its end.
    std::vector<uint8_t> imp = {0, 0, 0xff, 0xff, 0, 0, 0x64, 0x86, 0, 0, 0, 0,
                                0xff, 0, 0, 0, 0, 0, 0, 0, 'f', 0, 'x', '.', 'd', 'l', 'l', 0};
    check_error(b.l->load_object_buffer("broken-import.obj", imp),
                {"broken-import.obj", "runs past the end of the member"});
    b.still_fine();
  }
}
