// Weak, common, COMDAT and linker-defined symbols.
#include "helpers.hpp"

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

TEST_CASE("common symbols are allocated once, with the largest size and alignment" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"common_a.o", "common_b.o"});
  auto a = reinterpret_cast<int *(*)()>(*l->lookup("counter_address_a"))();
  auto b = reinterpret_cast<int *(*)()>(*l->lookup("counter_address_b"))();
  CHECK(a == b);
  CHECK(call(*l, "bump_a") == 1);
  CHECK(call(*l, "bump_b") == 2);
  CHECK(call(*l, "fill_buffer_b") == static_cast<char>(4095));
  CHECK(reinterpret_cast<long (*)()>(*l->lookup("buffer_alignment_a"))() == 0);
}

TEST_CASE("a COMDAT group is kept once: both objects share one inline function and its static" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"comdat_a.o", "comdat_b.o"});
  CHECK(call(*l, "comdat_from_a") == 1);
  CHECK(call(*l, "comdat_from_b") == 2);
  CHECK(call(*l, "comdat_from_a") == 3);
  // The dropped copy's unwind entry is gone; exceptions still unwind through the kept one.
  auto throw_a = reinterpret_cast<int (*)(int)>(*l->lookup("comdat_throw_a"));
  auto throw_b = reinterpret_cast<int (*)(int)>(*l->lookup("comdat_throw_b"));
  CHECK(throw_a(1) == 101);
  CHECK(throw_b(2) == 202);
  CHECK(throw_b(0) == 0);
}

TEST_CASE("linker-defined symbols: __start_/__stop_, __dso_handle, _GLOBAL_OFFSET_TABLE_" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"sections.o", "relocs.o", "relocs_check.o"});
  CHECK(call(*l, "registry_sum") == 42);
  void *dso = reinterpret_cast<void *(*)()>(*l->lookup("dso_handle_address"))();
  auto units = l->units();
  CHECK(reinterpret_cast<uint64_t>(dso) >= units[0].base);
  CHECK(reinterpret_cast<uint64_t>(dso) < units[0].base + units[0].size);
  CHECK(call(*l, "check_relocs") == 0);  // fn_gotpc32 reads _GLOBAL_OFFSET_TABLE_
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
