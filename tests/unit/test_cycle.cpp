// The rts <-> base cycle: each calls the other, in either load order.
#include "helpers.hpp"
#include "zstd_compress.hpp"

#include <cstdio>
#include <unistd.h>

TEST_CASE("rts and base resolve against each other, rts loaded first" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  CHECK(call(*l, "rts_main") == 42);
  CHECK(*address_of<long>(*l, "rts_allocations") == 2);
}

TEST_CASE("rts and base resolve against each other, base loaded first") {
  auto l = new_linker();
  load_all(*l, {"base.o", "rts.o"});
  CHECK(call(*l, "rts_main") == 42);
}

TEST_CASE("rts resolves before base is loaded only once base arrives") {
  auto l = new_linker();
  REQUIRE(!l->load(fixture("rts.o")));
  rtlink::Error e = l->resolve();
  REQUIRE(e);
  CHECK(e.message().find("undefined symbol: base_runSparks") != std::string::npos);
  CHECK(e.message().find("rts.o:(function rts_main: .text+0x") != std::string::npos);
  REQUIRE(!l->load(fixture("base.o")));
  REQUIRE(!l->resolve());
  CHECK(call(*l, "rts_main") == 42);
}

TEST_CASE("units report what they depend on") {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  auto units = l->units();
  REQUIRE(units.size() == 2);
  CHECK(units[0].resolved);
  CHECK(units[0].depends_on == std::vector<std::string>{fixture("base.o")});
  CHECK(units[1].depends_on == std::vector<std::string>{fixture("rts.o")});
}

TEST_CASE("a trace says what each reference resolved to") {
  auto l = new_linker();
  std::vector<std::string> lines;
  l->set_trace([&](const std::string &s) { lines.push_back(s); });
  load_all(*l, {"rts.o", "base.o"});
  std::string all;
  for (auto &s : lines)
    all += s + "\n";
  CHECK(all.find("base_runSparks -> " + fixture("base.o")) != std::string::npos);
  CHECK(all.find("rts_allocate -> " + fixture("rts.o")) != std::string::npos);
  // printf comes from the process's global scope, not from a registered host symbol.
  CHECK(all.find("printf -> process 0x") != std::string::npos);
}

TEST_CASE("a trace names the library a reference bound to; the process's scope comes first") {
  auto l = new_linker();
  std::vector<std::string> lines;
  l->set_trace([&](const std::string &s) { lines.push_back(s); });
  auto libm = l->find_system_library("m");
  auto sqlite = l->find_system_library("sqlite3");
  REQUIRE(bool(libm));
  REQUIRE(bool(sqlite));
  REQUIRE(!l->load(*libm));  // libm.so.6 needs libc.so.6, which has printf too
  REQUIRE(!l->load(*sqlite));
  load_all(*l, {"rts.o", "base.o", "uses_sqlite.o"});
  std::string all;
  for (auto &s : lines)
    all += s + "\n";
  CHECK(all.find("printf -> process 0x") != std::string::npos);
  CHECK(all.find("sqlite3_libversion_number -> " + *sqlite + " 0x") != std::string::npos);
  auto info = l->describe("printf");
  REQUIRE(bool(info));
  CHECK(info->defined_by == "process");
}

TEST_CASE("a trace says host only for a registered host symbol" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  std::vector<std::string> lines;
  l->set_trace([&](const std::string &s) { lines.push_back(s); });
  REQUIRE(!l->define_symbol("printf", reinterpret_cast<uint64_t>(&std::printf)));
  load_all(*l, {"rts.o", "base.o"});
  std::string all;
  for (auto &s : lines)
    all += s + "\n";
  CHECK(all.find("printf -> host 0x") != std::string::npos);
}

TEST_CASE("an object compressed with zstd loads from a buffer as what it contains") {
  auto l = new_linker();
  auto plain = read_bytes(fixture("base.o"));
  auto z = zstd_compress(plain);
  REQUIRE(z.size() < plain.size());
  rtlink::Error e = l->load_object_buffer("base.o.zst", z);
  REQUIRE_MESSAGE(!e, e.message());
  load_all(*l, {"rts.o"});
  CHECK(call(*l, "rts_main") == 42);
}
