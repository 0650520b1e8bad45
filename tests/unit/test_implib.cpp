// implib: the .def parser (what it reads, and where it says a file is
// wrong), export checks, the .def writer, and DLL export tables (a real DLL
// from wine, and the same DLL cut short or bent).
#include "helpers.hpp"

#include "implib/exports.hpp"

#include <cstring>

using namespace rtlink::implib;

namespace {

Module parse_ok(const std::string &text, DefOptions opt = {}) {
  auto m = parse_def(text, "t.def", opt);
  REQUIRE_MESSAGE(bool(m), m.error().message());
  return std::move(*m);
}

std::string parse_error(const std::string &text) {
  auto m = parse_def(text, "t.def", {});
  REQUIRE_MESSAGE(!m, "parsed, but should not have: " << text);
  return m.error().message();
}

const Export &find(const Module &m, const std::string &name) {
  for (const Export &e : m.exports)
    if (e.name == name)
      return e;
  FAIL("no export " << name);
  static Export none;
  return none;
}

const std::string kWine = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/";

std::string dll_bytes(const std::string &name) {
  std::vector<uint8_t> b = read_bytes(kWine + name);
  return std::string(b.begin(), b.end());
}

uint32_t rd32(const std::string &b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

void wr32(std::string &b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }

// The file offset of an RVA, through the section table.
size_t file_offset(const std::string &b, uint32_t rva) {
  uint32_t pe = rd32(b, 0x3c);
  uint16_t nsec, opt_size;
  std::memcpy(&nsec, b.data() + pe + 6, 2);
  std::memcpy(&opt_size, b.data() + pe + 20, 2);
  size_t sec = pe + 24 + opt_size;
  for (uint16_t i = 0; i < nsec; ++i, sec += 40) {
    uint32_t va = rd32(b, sec + 12), raw_size = rd32(b, sec + 16), raw = rd32(b, sec + 20);
    if (rva >= va && rva < va + raw_size)
      return raw + (rva - va);
  }
  FAIL("RVA not in any section");
  return 0;
}

// Where the export directory of a PE32+ image is: (directory RVA, file offset).
std::pair<uint32_t, size_t> export_directory(const std::string &b) {
  uint32_t pe = rd32(b, 0x3c);
  uint32_t rva = rd32(b, pe + 24 + 112);  // PE32+: data directories at 112
  return {rva, file_offset(b, rva)};
}

} // namespace

TEST_CASE("a .def with every kind of export reads as written") {
  Module m = parse_ok(R"(; comment
LIBRARY "base.dll" BASE=0x10000000
DESCRIPTION "GNU addition"
VERSION 2.5
HEAPSIZE 0x100000,0x1000
STACKSIZE 65536
SECTIONS
  .shared READ WRITE SHARED
  .text EXECUTE READ
CODE READ EXECUTE
DATA READ WRITE
EXPORTS
  plain
  with_ordinal @5
  ordinal_only @6 NONAME
  variable DATA
  constant CONSTANT
  hidden PRIVATE
  outer = inner
  forwarded = other.func
  imports_as == real_name
  exported EXPORTAS shown_as
  "DATA" ; a name in quotes is never a keyword
  spaced @ 9 DATA
  @fastcall@8
  stdcall@4 @10
)");
  CHECK(m.dll_name == "base.dll");
  CHECK(m.image_base == 0x10000000);
  CHECK_FALSE(m.is_exe);
  REQUIRE(m.exports.size() == 14);
  CHECK(find(m, "with_ordinal").ordinal == 5);
  CHECK(find(m, "ordinal_only").noname);
  CHECK(find(m, "ordinal_only").ordinal == 6);
  CHECK(find(m, "variable").kind == ExportKind::Data);
  CHECK(find(m, "constant").kind == ExportKind::Const);
  CHECK(find(m, "hidden").private_);
  CHECK(find(m, "outer").internal == "inner");
  CHECK(find(m, "forwarded").internal == "other.func");
  CHECK(find(m, "imports_as").import_name == "real_name");
  CHECK(find(m, "exported").export_as == "shown_as");
  CHECK(find(m, "DATA").kind == ExportKind::Code);
  CHECK(find(m, "spaced").ordinal == 9);
  CHECK(find(m, "spaced").kind == ExportKind::Data);
  CHECK(find(m, "@fastcall@8").ordinal == 0);
  CHECK(find(m, "stdcall@4").ordinal == 10);
  CHECK(find(m, "plain").origin == "t.def:13");
}

TEST_CASE("LIBRARY and NAME without an extension get .dll and .exe") {
  CHECK(parse_ok("LIBRARY rts\nEXPORTS\n f\n").dll_name == "rts.dll");
  Module exe = parse_ok("NAME prog\nEXPORTS\n f\n");
  CHECK(exe.dll_name == "prog.exe");
  CHECK(exe.is_exe);
  CHECK(parse_ok("EXPORTS\n f\n").dll_name.empty());  // implib-gen then wants --dll-name
}

TEST_CASE(".def errors name file:line:column and what was expected") {
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  f =\n") ==
        "t.def:4:1: expected the internal name after '=', found the end of the file");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  f @0\n") ==
        "t.def:3:5: ordinal 0 is out of range (1 to 65535)");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  f @70000\n") ==
        "t.def:3:5: ordinal 70000 is out of range (1 to 65535)");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  f NONAME\n") ==
        "t.def:4:1: export f is NONAME but has no @ordinal");
  CHECK(parse_error("LIBRARY a.dll\nEXPOTRS\n  f\n") ==
        "t.def:2:1: expected a statement (LIBRARY, NAME, EXPORTS, ...), found 'EXPOTRS'");
  CHECK(parse_error("LIBRARY a.dll\nLIBRARY b.dll\n") == "t.def:2:1: a second LIBRARY statement");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  \"open\n  g\n") ==
        "t.def:3:3: a string in quotes is not closed before the end of its line");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  f , DATA\n") ==
        "t.def:3:5: expected an export attribute (@ORDINAL, NONAME, DATA, CONSTANT, PRIVATE, "
        "==NAME, EXPORTAS NAME) or the next export, found ','");
  CHECK(parse_error("LIBRARY a.dll\nEXPORTS\n  PRIVATE\n") ==
        "t.def:3:3: expected an export name (PRIVATE is an attribute, written after the name "
        "it applies to), found 'PRIVATE'");
  CHECK(parse_error("LIBRARY a.dll BASE=banana\n") ==
        "t.def:1:20: expected an address after BASE=, found 'banana'");
  CHECK(parse_error("LIBRARY a.dll\nIMPORTS\n  x.y\n").starts_with(
      "t.def:2:1: IMPORTS says what the DLL itself imports"));
  CHECK(parse_error("LIBRARY a.dll\nSECTIONS\n  .s BANANA\n") ==
        "t.def:3:6: expected section attributes (READ, WRITE, EXECUTE, SHARED), found 'BANANA'");
}

TEST_CASE("duplicate exports: an error naming both places, or the first kept") {
  Module m = parse_ok("LIBRARY a.dll\nEXPORTS\n  f\n  g @1\n  f DATA\n");
  Module copy = m;
  rtlink::Error e = check_exports(m, false);
  REQUIRE(e);
  CHECK(e.message() ==
        "t.def:5: export f is listed twice (first at t.def:3); --allow-duplicates keeps the first");
  REQUIRE_FALSE(check_exports(copy, true));
  REQUIRE(copy.exports.size() == 2);
  CHECK(copy.exports[0].kind == ExportKind::Code);
  CHECK(copy.exports[0].name == "f");
  CHECK(copy.exports[1].name == "g");
  CHECK(copy.exports[1].ordinal == 1);

  Module same_ordinal = parse_ok("LIBRARY a.dll\nEXPORTS\n  f @3\n  g @3\n");
  e = check_exports(same_ordinal, true);
  REQUIRE(e);
  CHECK(e.message() == "t.def:4: export g has ordinal 3, which export f (t.def:3) already has");
}

TEST_CASE("the .def writer writes what the parser reads back") {
  Module m = parse_ok("LIBRARY \"my lib.dll\"\nEXPORTS\n  a @2 NONAME DATA\n  b=c PRIVATE\n"
                      "  \"NONAME\" CONSTANT\n  d ==e EXPORTAS f\n");
  std::string text = write_def(m);
  Module back = parse_ok(text);
  CHECK(back.dll_name == "my lib.dll");
  REQUIRE(back.exports.size() == m.exports.size());
  for (size_t i = 0; i < m.exports.size(); ++i) {
    CHECK(back.exports[i].name == m.exports[i].name);
    CHECK(back.exports[i].internal == m.exports[i].internal);
    CHECK(back.exports[i].ordinal == m.exports[i].ordinal);
    CHECK(back.exports[i].noname == m.exports[i].noname);
    CHECK(back.exports[i].private_ == m.exports[i].private_);
    CHECK(back.exports[i].kind == m.exports[i].kind);
    CHECK(back.exports[i].import_name == m.exports[i].import_name);
    CHECK(back.exports[i].export_as == m.exports[i].export_as);
  }
}

TEST_CASE("i386 names: the C underscore, stdcall and fastcall decoration") {
  DefOptions i386{Machine::I386, true};
  Module m = parse_ok("LIBRARY a.dll\nEXPORTS\n  f\n  g@8\n  @h@4\n  ?cxx@@YAXXZ\n", i386);
  CHECK(symbol_name(m, m.exports[0]) == "_f");
  CHECK(symbol_name(m, m.exports[1]) == "_g@8");
  CHECK(symbol_name(m, m.exports[2]) == "@h@4");
  CHECK(symbol_name(m, m.exports[3]) == "?cxx@@YAXXZ");
  CHECK(plan_short_imports(m, {})[1].name_type == ImportNameType::NoPrefix);
  CHECK(plan_short_imports(m, {false, true})[1].name_type == ImportNameType::Undecorate);
  Module msvc = parse_ok("LIBRARY a.dll\nEXPORTS\n  _g@8\n  k@4\n", {Machine::I386, false});
  CHECK(symbol_name(msvc, msvc.exports[0]) == "_g@8");  // lib.exe's dialect: decorated already
  CHECK(symbol_name(msvc, msvc.exports[1]) == "k@4");   // as llvm-lib reads it
}

TEST_CASE("==NAME: an alias of the export that imports NAME, else an import of NAME") {
  Module m = parse_ok("LIBRARY a.dll\nEXPORTS\n  a == elsewhere\n  b == c\n  c\n"
                      "  d @4 NONAME\n  e == d DATA\n  p PRIVATE\n  q == p\n");
  std::vector<ShortImport> plan = plan_short_imports(m, {});
  REQUIRE(plan.size() == 7);
  CHECK(plan[0].name_type == ImportNameType::ExportAs);
  CHECK(plan[0].imported == "elsewhere");
  CHECK(plan[0].renamed);
  CHECK(plan[1].name_type == ImportNameType::Alias);  // c comes later: still served by it
  CHECK(plan[1].imported == "c");
  CHECK(plan[2].name_type == ImportNameType::Name);
  CHECK_FALSE(plan[2].renamed);
  CHECK(plan[3].name_type == ImportNameType::Ordinal);
  CHECK(plan[4].name_type == ImportNameType::Alias);
  CHECK(plan[4].imported == "d");
  CHECK(plan[6].name_type == ImportNameType::ExportAs);  // p is not in the library
  CHECK(std::string(import_name_type_name(plan[6].name_type)) == "exportas");

  DefOptions i386{Machine::I386, true};
  Module m32 = parse_ok("LIBRARY a.dll\nEXPORTS\n  f\n  g == f\n", i386);
  plan = plan_short_imports(m32, {});
  CHECK(plan[0].name_type == ImportNameType::NoPrefix);
  CHECK(plan[1].name_type == ImportNameType::Alias);  // f is imported by the name "f"
  CHECK(plan[1].imported == "_f");
}

TEST_CASE("a real DLL's exports: code, data, forwarders, names and hints") {
  std::string k32 = dll_bytes("kernel32.dll");
  auto m = read_dll_exports("kernel32.dll", k32);
  REQUIRE_MESSAGE(bool(m), m.error().message());
  CHECK(m->dll_name == "KERNEL32.dll");
  CHECK(m->machine == Machine::X86_64);
  const Export &tick = find(*m, "GetTickCount64");
  CHECK(tick.kind == ExportKind::Code);
  CHECK(tick.ordinal > 0);
  size_t forwarders = 0;
  for (const Export &e : m->exports)
    forwarders += !e.forwarder.empty();
  CHECK(forwarders > 50);
  CHECK(find(*m, "AcquireSRWLockExclusive").forwarder == "NTDLL.RtlAcquireSRWLockExclusive");
  // Hints are indices into the sorted name table.
  CHECK(find(*m, "AcquireSRWLockExclusive").hint < find(*m, "GetTickCount64").hint);

  auto crt = read_dll_exports("msvcrt.dll", dll_bytes("msvcrt.dll"));
  REQUIRE_MESSAGE(bool(crt), crt.error().message());
  CHECK(find(*crt, "__argc").kind == ExportKind::Data);
  CHECK(find(*crt, "printf").kind == ExportKind::Code);

  auto shlwapi = read_dll_exports("shlwapi.dll", dll_bytes("shlwapi.dll"));
  REQUIRE_MESSAGE(bool(shlwapi), shlwapi.error().message());
  size_t unnamed = 0;
  for (const Export &e : shlwapi->exports)
    if (e.noname) {
      ++unnamed;
      CHECK(e.name == "shlwapi_ordinal_" + std::to_string(e.ordinal));
    }
  CHECK(unnamed > 100);
}

TEST_CASE("DLLs that are not DLLs, or whose export table is cut short or bent") {
  std::string k32 = dll_bytes("kernel32.dll");
  auto [dir_rva, dir] = export_directory(k32);

  auto err = [](const std::string &bytes) {
    auto m = read_dll_exports("k.dll", bytes);
    REQUIRE(!m);
    return m.error().message();
  };
  CHECK(err("\x7f" "ELF and more") ==
        "k.dll: not a DLL (no PE image here: it does not start with 'MZ')");
  std::vector<uint8_t> exe = read_bytes(kWine + "attrib.exe");
  CHECK(err(std::string(exe.begin(), exe.end())) ==
        "k.dll: not a DLL: an executable (IMAGE_FILE_DLL is not set)");

  // Cut the file inside the name pointer table.
  uint32_t names_rva = rd32(k32, dir + 32);
  std::string cut = k32.substr(0, file_offset(k32, names_rva) + 16);
  INFO(err(cut));
  CHECK(err(cut).find("truncated export table") != std::string::npos);

  std::string bent = k32;
  wr32(bent, dir + 20, 0x7fffffff);  // a huge address table
  CHECK(err(bent).find("out of range") != std::string::npos);
  bent = k32;
  wr32(bent, dir + 16, 65000);  // ordinal base: the last ordinals pass 65535
  CHECK(err(bent).find("has ordinal 65536, out of range (1 to 65535)") != std::string::npos);
  bent = k32;
  wr32(bent, dir + 28, 0xfffff000);  // the address table nowhere in the file
  CHECK(err(bent).find("truncated export table: its address table") != std::string::npos);
  (void)dir_rva;
}

TEST_CASE("a DLL with any one byte of its headers or export table changed is read or refused") {
  // Under AddressSanitizer this shows that no change reads outside the file.
  std::string dll = dll_bytes("version.dll");
  auto whole = read_dll_exports("version.dll", dll);
  REQUIRE_MESSAGE(bool(whole), whole.error().message());
  auto [dir_rva, dir] = export_directory(dll);
  (void)dir_rva;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < 1024 && i < dll.size(); ++i)
    offsets.push_back(i);
  for (size_t i = dir; i < dir + 4096 && i < dll.size(); ++i)
    offsets.push_back(i);
  size_t refused = 0;
  for (size_t off : offsets)
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string bent = dll;
      bent[off] = static_cast<char>(bent[off] ^ flip);
      auto m = read_dll_exports("version.dll", bent);
      if (!m) {
        ++refused;
        CHECK(m.error().message().starts_with("version.dll: "));
      }
    }
  CHECK(refused > 0);
}
