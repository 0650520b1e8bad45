// Mach-O x86-64 objects (object/macho.cpp): found by their C names, every
// relocation type clang emits giving its value, universal files, archives,
// initializers and finalizers, and bad input refused with the file named and
// the linker left as it was.
#include "helpers.hpp"
#include "macho_edit.hpp"

#include <cstring>

TEST_CASE("Mach-O relocations: SIGNED_1/2/4, SIGNED, BRANCH, GOT_LOAD, non-extern, by C names") {
  auto l = new_linker();
  load_all(*l, {"macho/relocs.o"});
  // The names are C names: `_store_smalls` is `store_smalls`.
  CHECK(!l->lookup("_store_smalls"));
  (void)call(*l, "store_smalls");
  // Each store went through SIGNED_1/2/4 (extern and non-extern), each load
  // through SIGNED: a wrong addend stores or loads beside the variable.
  CHECK(call(*l, "get_small_sum") == 0x5a + 0x1234 + 0xbeef + 0x7e + 0x600d);
  CHECK(uint32_t(call(*l, "got_value")) == 0xdeadbeefu);  // through a GOT cell
  CHECK(call(*l, "call_target") == 77);                   // BRANCH
  CHECK(call(*l, "call_anon") == 88);  // a pointer made by a non-extern UNSIGNED
}

TEST_CASE("Mach-O SUBTRACTOR pairs: A - B with B or A at the site, and a non-extern A" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"macho/relocs.o"});
  const auto addr = [&](const char *n) {
    return int64_t(reinterpret_cast<uintptr_t>(address_of<char>(*l, n)));
  };
  const int64_t target = addr("target_fn");
  CHECK(*address_of<int64_t>(*l, "delta64") == target - addr("delta64") + 16);
  CHECK(*address_of<int32_t>(*l, "delta32") == int32_t(target - addr("delta32")));
  CHECK(*address_of<int64_t>(*l, "negdelta64") == addr("negdelta64") - target);
  const int64_t anon = *address_of<int64_t>(*l, "anon_ptr");  // Ltext_anon
  CHECK(*address_of<int64_t>(*l, "delta_anon") == anon - addr("delta_anon"));
}

TEST_CASE("Mach-O and ELF units link to each other by C names") {
  auto l = new_linker();
  // base (Mach-O) and rts (ELF) call into each other: rts_main = 11 + 31.
  load_all(*l, {"macho/base.x86_64.o", "rts.o"});
  CHECK(call(*l, "rts_main") == 42);
  auto info = l->describe("base_runSparks");
  REQUIRE(info);
  CHECK(info->defined_by.find("base.x86_64.o") != std::string::npos);
}

TEST_CASE("a universal file's x86_64 slice; one without x86_64 or arm64 is refused naming the file") {
  auto l = new_linker();
  load_all(*l, {"macho/base.fat.o", "rts.o"});
  CHECK(call(*l, "rts_main") == 42);
  auto m = new_linker();
  auto before = snapshot(*m);
  check_error(m->load(fixture("macho/nohost.fat.o")),
              {"nohost.fat.o", "universal file has no x86_64 or arm64 slice (it has i386, armv7)"});
  check_unchanged_and_usable(*m, before, "macho/relocs.o", "call_target", 77);
}

TEST_CASE("Mach-O weak definitions and references, common symbols") {
  auto l = new_linker();
  load_all(*l, {"macho/weak_a.x86_64.o", "macho/common_a.x86_64.o"});
  CHECK(call(*l, "call_which") == 1);
  CHECK(call(*l, "weak_missing_is_null") == 1);  // N_WEAK_REF, defined by nobody
  CHECK(call(*l, "bump_a") == 1);
  CHECK(call(*l, "bump_a") == 2);
  auto buffer = l->lookup("shared_buffer");  // common, 2^4-aligned by its n_desc
  REQUIRE(buffer);
  CHECK(*buffer % 16 == 0);
}

TEST_CASE("a Darwin archive of Mach-O objects: members pulled by C names") {
  for (const char *opt : {"O0", "O2"}) {
    CAPTURE(opt);
    auto l = new_linker();
    load_all(*l, {std::string("macho/program.") + opt + ".o",
                  std::string("macho/libprogram.") + opt + ".a"});
    CHECK(l->lookup("main"));
    CHECK(l->lookup("lib_square"));  // pulled from the archive for _lib_square
    auto info = l->describe("overridden");  // the member's strong one over the weak one
    REQUIRE(info);
    CHECK(info->defined_by.find("program_lib") != std::string::npos);
    rtlink::CallArg nine;
    nine.bits = 9;
    auto r = l->call("lib_square", std::span<const rtlink::CallArg>(&nine, 1));
    REQUIRE_MESSAGE(bool(r), r.error().message());
    CHECK(*r == 81);
  }
}

// libgcc's lookup of the FDE that covers a pc (unwind-dw2-fde.h): `func` is
// the start of the function it covers.
struct dwarf_eh_bases {
  void *tbase, *dbase, *func;
};
extern "C" const void *_Unwind_Find_FDE(void *pc, dwarf_eh_bases *bases);

TEST_CASE("Mach-O __eh_frame is registered, its FDEs at their functions" * doctest::test_suite("in-process")) {
  // clang leaves pc_begin without a relocation: the edge macho.cpp makes
  // moves it with the function.
  for (const char *opt : {"O0", "O2"}) {
    CAPTURE(opt);
    auto l = new_linker();
    load_all(*l, {std::string("macho/program.") + opt + ".o",
                  std::string("macho/libprogram.") + opt + ".a"});
    for (const char *fn : {"classify", "main", "lib_square"}) {
      CAPTURE(fn);
      char *start = address_of<char>(*l, fn);
      dwarf_eh_bases bases{};
      REQUIRE(_Unwind_Find_FDE(start + 1, &bases));
      CHECK(bases.func == start);
    }
  }
}

static int macho_initfini_count = 0;

TEST_CASE("__mod_init_func runs at resolve, __mod_term_func at unload" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  macho_initfini_count = 0;
  REQUIRE(!l->define_symbol("macho_initfini_count", reinterpret_cast<uint64_t>(&macho_initfini_count)));
  load_all(*l, {"macho/initfini.o"});
  CHECK(macho_initfini_count == 1);
  REQUIRE(!l->unload(fixture("macho/initfini.o")));
  CHECK(macho_initfini_count == 11);
}

TEST_CASE("bad Mach-O objects: an error naming the file and what is wrong; the linker as before") {
  auto l = busy_linker();
  auto before = snapshot(*l);
  const auto original = read_bytes(fixture("macho/relocs.o"));

  // Truncated: in the header, and in the middle of the load commands.
  std::vector<uint8_t> tiny(original.begin(), original.begin() + 20);
  check_error(l->load_object_buffer("tiny.o", tiny), {"tiny.o", "truncated Mach-O header"});
  std::vector<uint8_t> cut(original.begin(), original.begin() + 100);
  check_error(l->load_object_buffer("cut.o", cut), {"cut.o", "bad Mach-O header", "where the file has 68 after the header"});

  // A universal file whose x86_64 slice is the file itself.
  std::vector<uint8_t> fat(64, 0);
  const uint32_t fat_words[] = {0xcafebabe, 1, 0x01000007, 3, 0, 64, 0};
  for (size_t k = 0; k < std::size(fat_words); ++k)
    for (int b = 0; b < 4; ++b)
      fat[k * 4 + size_t(b)] = uint8_t(fat_words[k] >> (24 - 8 * b));
  check_error(l->load_object_buffer("self.fat.o", fat), {"self.fat.o"});
  // One whose slice is another universal file (a chain of them would recurse).
  std::vector<uint8_t> nest(4096, 0);
  for (size_t k = 0; k < std::size(fat_words); ++k)
    for (int b = 0; b < 4; ++b)
      nest[k * 4 + size_t(b)] = uint8_t((k == 4 ? 4096u : fat_words[k]) >> (24 - 8 * b));
  nest.insert(nest.end(), fat.begin(), fat.end());
  check_error(l->load_object_buffer("nest.fat.o", nest),
              {"nest.fat.o: the x86_64 slice at 0x1000 is a universal file itself"});

  // A section whose data lies past the end of the file.
  auto bogus = original;
  put<uint32_t>(bogus, section_header(bogus, "__TEXT", "__text") + 48, 0x7fff0000);
  check_error(l->load_object_buffer("bogus-offset.o", bogus), {"bogus-offset.o"});

  // A relocation naming a symbol past the table.
  const size_t text = section_header(original, "__TEXT", "__text");
  const uint32_t reloff = get<uint32_t>(original, text + 56);
  auto bad_sym = original;
  const uint32_t word = get<uint32_t>(bad_sym, reloff + 4);
  put<uint32_t>(bad_sym, reloff + 4, (word & 0xff000000u) | 0xfffff);
  check_error(l->load_object_buffer("bad-symbol.o", bad_sym),
              {"bad-symbol.o:(function call_target: __TEXT,__text+", "refers to symbol #1048575, past the symbol table"});

  // An unknown relocation type (15).
  auto unknown = original;
  put<uint32_t>(unknown, reloff + 4, word | 0xf0000000u);
  check_error(l->load_object_buffer("unknown.o", unknown),
              {"unknown.o:(function call_target: __TEXT,__text+", "unknown relocation type 15"});

  // A header counting more load commands than its commands' size holds
  // (LLVM's reader would reserve room for all of them first).
  auto many = original;
  put<uint32_t>(many, 16, 0x0b000001u);
  check_error(l->load_object_buffer("many-commands.o", many),
              {"many-commands.o", "bad Mach-O header: 184549377 load commands in "});

  // A SUBTRACTOR without its UNSIGNED: the data section's first pair, its
  // second record made a SUBTRACTOR too.
  const size_t data = section_header(original, "__DATA", "__data");
  const uint32_t data_reloff = get<uint32_t>(original, data + 56);
  auto lone = original;
  const uint32_t second = get<uint32_t>(lone, data_reloff + 12);
  put<uint32_t>(lone, data_reloff + 12, (second & 0x0fffffffu) | 0x50000000u);
  check_error(l->load_object_buffer("lone.o", lone),
              {"lone.o:(__DATA,__data+", "X86_64_RELOC_SUBTRACTOR is not followed by an X86_64_RELOC_UNSIGNED"});

  check_unchanged_and_usable(*l, before, "macho/relocs.o", "call_target", 77);
}

TEST_CASE("Mach-O thread-local variables: each thread its own, through the descriptors' thunk") {
  auto l = new_linker();
  load_all(*l, {"macho/tlv.o"});
  // ++counter * 100 + local_total + buf[3]: 5 and zeros to start with.
  CHECK(call(*l, "bump") == 603);
  CHECK(call(*l, "bump") == 705);
  CHECK(call(*l, "bump_in_thread") == 603);  // a new thread starts from the template
  CHECK(call(*l, "bump") == 807);
}

TEST_CASE("Mach-O thread-local variables made at run time, and bad descriptors, are refused by name") {
  auto l = new_linker();
  auto before = snapshot(*l);
  // relocs.o's __DATA,__anon made C++'s thread_local initializer list.
  auto bytes = read_bytes(fixture("macho/relocs.o"));
  const size_t anon = section_header(bytes, "__DATA", "__anon");
  put<uint32_t>(bytes, anon + 64, 0x15);  // S_THREAD_LOCAL_INIT_FUNCTION_POINTERS
  check_error(l->load_object_buffer("tlv-init.o", bytes),
              {"thread-local variables initialised at run time (C++ thread_local) in Mach-O "
               "objects are not supported yet", "tlv-init.o"});
  // __anon as descriptors: 8 bytes, not 24 a variable.
  put<uint32_t>(bytes, anon + 64, 0x13);  // S_THREAD_LOCAL_VARIABLES
  check_error(l->load_object_buffer("tlv-short.o", bytes),
              {"tlv-short.o:(__DATA,__anon+0x0)", "descriptors of 8 bytes"});
  check_unchanged_and_usable(*l, before, "macho/relocs.o", "call_target", 77);
}
