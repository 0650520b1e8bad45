// Weak, common, COMDAT and linker-defined symbols; the tables by name.
#include "helpers.hpp"

#include "support/hash.hpp"

#include <set>

TEST_CASE("a strong definition wins over a weak one") {
  auto l = new_linker();
  load_all(*l, {"weak_a.o", "weak_b.o"});
  CHECK(call(*l, "call_which") == 2);
}

TEST_CASE("a weak definition serves when nothing stronger exists") {
  auto l = new_linker();
  load_all(*l, {"weak_a.o"});
  CHECK(call(*l, "call_which") == 1);
}

TEST_CASE("an undefined weak reference is null") {
  auto l = new_linker();
  load_all(*l, {"weak_a.o"});
  CHECK(call(*l, "weak_missing_is_null") == 1);
}

TEST_CASE("common symbols are allocated once, with the largest size and alignment") {
  auto l = new_linker();
  load_all(*l, {"common_a.o", "common_b.o"});
  auto a = l->call("counter_address_a", {});
  auto b = l->call("counter_address_b", {});
  REQUIRE(bool(a));
  REQUIRE(bool(b));
  CHECK(*a == *b);
  CHECK(uint64_t(*a) == *l->lookup("shared_counter"));
  CHECK(call(*l, "bump_a") == 1);
  CHECK(call(*l, "bump_b") == 2);
  // The last of common_b.o's 4096 bytes, (char)4095: -1 where char is
  // signed (x86-64), 255 where it is not (aarch64).
  CHECK((call(*l, "fill_buffer_b") & 0xff) == 0xff);
  auto alignment = l->call("buffer_alignment_a", {});
  REQUIRE(bool(alignment));
  CHECK(*alignment == 0);
}

TEST_CASE("a COMDAT group is kept once: both objects share one inline function and its static") {
  auto l = new_linker();
  load_all(*l, {"comdat_a.o", "comdat_b.o"});
  CHECK(call(*l, "comdat_from_a") == 1);
  CHECK(call(*l, "comdat_from_b") == 2);
  CHECK(call(*l, "comdat_from_a") == 3);
  // The dropped copy's unwind entry is gone; exceptions still unwind through the kept one.
  auto with = [&](const char *fn, int x) {
    rtlink::CallArg arg;
    arg.bits = uint64_t(x);
    auto r = l->call(fn, std::span<const rtlink::CallArg>(&arg, 1));
    REQUIRE_MESSAGE(bool(r), r.error().message());
    return *r;
  };
  CHECK(with("comdat_throw_a", 1) == 101);
  CHECK(with("comdat_throw_b", 2) == 202);
  CHECK(with("comdat_throw_b", 0) == 0);
}

TEST_CASE("linker-defined symbols: __start_/__stop_, __dso_handle") {
  auto l = new_linker();
  load_all(*l, {"sections.o"});
  CHECK(call(*l, "registry_sum") == 42);
  auto dso = l->call("dso_handle_address", {});
  REQUIRE(bool(dso));
  auto units = l->units();
  REQUIRE(units.size() == 1);
  CHECK(uint64_t(*dso) >= units[0].base);
  CHECK(uint64_t(*dso) < units[0].base + units[0].size);
}

// relocs.o is x86-64 assembly: fn_gotpc32 reads _GLOBAL_OFFSET_TABLE_
// through R_X86_64_GOTPC32.
TEST_CASE("linker-defined symbols: _GLOBAL_OFFSET_TABLE_" * doctest::test_suite("x86-64")) {
  auto l = new_linker();
  load_all(*l, {"sections.o", "relocs.o", "relocs_check.o"});
  CHECK(call(*l, "check_relocs") == 0);
}

TEST_CASE("host symbols registered explicitly win over the process's" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  static int fake_labs_calls = 0;
  struct Fake {
    static long labs(long) {
      ++fake_labs_calls;
      return 7;
    }
  };
  REQUIRE(!l->define_symbol("labs", reinterpret_cast<uint64_t>(&Fake::labs)));
  load_all(*l, {"relocs.o", "relocs_check.o"});
  CHECK(call(*l, "fn_call_host") == 7);
  CHECK(fake_labs_calls == 1);
}

// objload links libstdc++ in statically, and its executor takes
// libstdc++.so for part of the process, opened when first needed (here
// Debian's liblua, which the test program does not link).
TEST_CASE("process libraries are opened the first time a name is not found in the process" *
          doctest::test_suite("in-process")) {
  auto plain = rtlink::make_in_process_executor();
  REQUIRE_FALSE(plain->lookup_process_symbol("luaL_newstate"));
  auto ex = rtlink::make_in_process_executor({"librtlink-no-such-library.so.1", "liblua5.4.so.0"});
  CHECK(ex->lookup_process_symbol("printf"));  // in the process already: nothing is opened
  CHECK_FALSE(plain->lookup_process_symbol("luaL_newstate"));
  // The first does not open and is passed over; the second is opened.
  CHECK(ex->lookup_process_symbol("luaL_newstate"));
  CHECK(plain->lookup_process_symbol("luaL_newstate"));  // now the process's, for good
  CHECK_FALSE(ex->lookup_process_symbol("rtlink_no_such_name"));
}

// support/hash.hpp's NameMap, the session's tables by name: growth, erasing
// (the last entry moves into the hole; erased slots are reused), a key
// re-pointed at the same name elsewhere.
TEST_CASE("NameMap: finds what it holds through growth, erasing and reuse") {
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i)
    names.push_back("name_" + std::to_string(i * 7919 % 5000));
  rtlink::NameMap<int> map;
  for (int i = 0; i < 5000; ++i)
    CHECK(map.try_emplace(names[size_t(i)], i).second);
  CHECK_FALSE(map.try_emplace(names[3], -1).second);
  CHECK(map.size() == 5000);
  map.erase_if([](const auto &kv) { return kv.second % 3 == 0; });
  map.erase(names[1]);
  std::set<int> seen;
  for (const auto &[name, i] : map)
    seen.insert(i);
  for (int i = 0; i < 5000; ++i) {
    const bool kept = i % 3 != 0 && i != 1;
    CHECK(map.count(names[size_t(i)]) == size_t(kept));
    CHECK(seen.count(i) == size_t(kept));
    if (kept)
      CHECK(map.at(names[size_t(i)]) == i);
  }
  for (int i = 0; i < 5000; i += 3)  // back into erased slots
    map[names[size_t(i)]] = -i;
  CHECK(map.size() == 4999);
  CHECK(map.at(names[9]) == -9);
  CHECK(map.find("name_5000") == map.end());
  std::string copy = names[10];
  auto it = map.find(copy);
  REQUIRE(it != map.end());
  it->first.name = names[10];  // the same name in strings that stay
  copy = "overwritten";
  CHECK(map.at(names[10]) == 10);
  map.clear();
  CHECK(map.empty());
  CHECK(map.find(names[10]) == map.end());
}
