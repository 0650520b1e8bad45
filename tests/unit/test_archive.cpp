// Archives: members pulled in on demand, in every layout.
#include "helpers.hpp"

#include <algorithm>
#include <cstring>

TEST_CASE("members are pulled in on demand, in each archive layout") {
  for (const char *ar : {"libbase.a", "libbase-thin.a", "libbase-bsd.a", "libbase-nosymtab.a"}) {
    CAPTURE(ar);
    auto l = new_linker();
    load_all(*l, {"rts.o", ar});
    CHECK(call(*l, "rts_main") == 42);
    // weak_b-pic.o defines nothing rts.o needs: it stays out.
    CHECK(l->units().size() == 2);
    CHECK(l->stats().members_pulled == 1);
    CHECK(!l->lookup("which_definition"));
  }
}

TEST_CASE("a real archive: sqlite, pulled in member by member") {
  auto l = new_linker();
  load_all(*l, {"q.o", system_library("libsqlite3.a")});
  CHECK(l->stats().members_pulled > 20);
  auto r = l->call_main("main", {"q"});
  REQUIRE(bool(r));
  CHECK(*r == 42);
}

TEST_CASE("once a link has given back what it read of the members, their names and code still serve") {
  // The pages of sqlite's 87 pulled members, but for their names, leave the
  // resident set once copied into place (on a kernel that takes them in one
  // call; tests/cli/stats.sh checks the resident set, on any kernel).
  auto l = new_linker();
  load_all(*l, {"q.o", system_library("libsqlite3.a")});
  REQUIRE(!l->resolve());
  CHECK(l->stats().members_pulled > 80);
  CHECK(l->lookup("sqlite3_open"));
  CHECK(l->lookup("sqlite3_exec"));
  auto r = l->call_main("main", {"q"});
  REQUIRE(bool(r));
  CHECK(*r == 42);
}

// (Debian's arm64 libm.so is the library itself, not a script: in the
// aarch64 executor this loads it as a shared library. The script cycles
// below are the scripts' test there.)
TEST_CASE("a GNU ld script (glibc's libm.so) loads the libraries it names") {
  auto l = new_linker();
  auto libm = l->find_system_library("m");
  REQUIRE(bool(libm));
  CHECK(libm->find("libm.so") != std::string::npos);
  REQUIRE(!l->load(*libm));
  load_all(*l, {"mathlib.o"});
  CHECK(call(*l, "cos_zero_times_42") == 42);
}

TEST_CASE("GNU ld scripts that name themselves, or each other, are refused with the chain") {
  auto text = [](const std::string &s) { return std::vector<uint8_t>(s.begin(), s.end()); };
  std::string self = write_temp("self.ld", {});
  std::string self_text = "/* names itself */\nGROUP ( " + self + " )\n";
  self = write_temp("self.ld", text(self_text));
  std::string a = write_temp("cycle-a.ld", {}), b = write_temp("cycle-b.ld", {});
  write_temp("cycle-a.ld", text("INPUT(" + fixture("good.o") + " " + b + ")\n"));
  write_temp("cycle-b.ld", text("GROUP(" + fixture("libbase.a") + " " + a + ")\n"));
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  const size_t units = l->units().size();
  rtlink::Error e = l->load(self);
  REQUIRE(e);
  CHECK(e.message() == self + ": the linker script names itself (" + self + ")");
  e = l->load(a);
  REQUIRE(e);
  CHECK(e.message() == a + ": " + b + ": linker scripts name each other in a cycle: " + a + " -> " +
                           b + " -> " + a);
  // What the scripts loaded before the cycle showed (good.o) is taken out again.
  CHECK(l->units().size() == units);
  CHECK(!l->lookup("good_answer"));
  REQUIRE(!l->load(fixture("good.o")));
  REQUIRE(!l->resolve());
  CHECK(call(*l, "good_answer") == 42);
}

TEST_CASE("search paths: added by handle, removed by handle") {
  auto l = new_linker();
  auto h = l->add_search_path(fixture(""));
  auto found = l->find_system_library("base");
  REQUIRE(bool(found));
  CHECK(*found == fixture("") + "/libbase.a");
  REQUIRE(!l->remove_search_path(h));
  CHECK(!l->find_system_library("base"));
  rtlink::Error e = l->remove_search_path(h);
  CHECK(e);
  auto missing = l->find_system_library("no-such-library-anywhere");
  REQUIRE(!missing);
  CHECK(missing.error().message().find("cannot find library -lno-such-library-anywhere") == 0);
}

TEST_CASE("an archive member that is never pulled in cannot cause a duplicate definition") {
  auto l = new_linker();
  load_all(*l, {"dup_a.o", "libdup.a"});
  CHECK(l->units().size() == 1);
  CHECK(call(*l, "duplicate_symbol") == 1);
}

// A resolve parses the members a round would pull ahead, in parallel; the
// pull then takes them in its own order. One that a member pulled before it
// makes unwanted is never added, nor is its parse error reported: here the
// member libbase.a offers for base_runSparks (rts.o's first reference)
// defines base_GHCziConc_runSparks_closure too, which an unreadable member
// of an archive loaded earlier offers.
TEST_CASE("a member a round wanted but a pull made unwanted is not pulled, nor its error given") {
  auto bytes = read_bytes(fixture("libbase.a"));
  const std::string from = "base_runSparks", to = "base_runSparkX";  // offered no more
  auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  REQUIRE(at != bytes.end());
  std::copy(to.begin(), to.end(), at);
  uint32_t far = 0xffffff00;  // base-pic.o's e_shoff past its end
  std::memcpy(bytes.data() + archive_member_contents(bytes, 1) + 0x28, &far, 4);
  const std::string bad = write_temp("unwanted-bad.a", bytes);
  auto l = new_linker();
  load_all(*l, {"rts.o", bad, "libbase.a"});
  CHECK(call(*l, "rts_main") == 42);
  CHECK(l->stats().members_pulled == 1);
  // Pulled for what it alone offers, the same member's error is the link's.
  auto l2 = new_linker();
  REQUIRE(!l2->load(fixture("rts.o")));
  REQUIRE(!l2->load(bad));
  auto r = l2->resolve();
  REQUIRE(r);  // an error
  CHECK(r.message().find(bad + "(base-pic.o): ") == 0);
  CHECK(r.message().find("pulled in for base_GHCziConc_runSparks_closure, referenced by") !=
        std::string::npos);
}

TEST_CASE("a shared library serves what no loaded unit defines, and unloads") {
  auto l = new_linker();
  auto so = l->find_system_library("sqlite3");
  REQUIRE(bool(so));
  CHECK(so->substr(so->size() - 3) == ".so");  // a shared library is preferred, as ld does
  REQUIRE(!l->load(*so));
  load_all(*l, {"uses_sqlite.o"});
  CHECK(call(*l, "sqlite_version") >= 3000000);
  CHECK(l->lookup("sqlite3_open"));
  // The object calls into the library through a stub: the library stays
  // while the object is loaded.
  rtlink::Error busy = l->unload(*so);
  REQUIRE(busy);
  CHECK(busy.message().find("still calls into " + *so) != std::string::npos);
  CHECK(call(*l, "sqlite_version") >= 3000000);
  REQUIRE(!l->unload(fixture("uses_sqlite.o")));
  REQUIRE(!l->unload(*so));
  CHECK(!l->lookup("sqlite3_open_v2"));
}
