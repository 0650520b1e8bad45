// Unload, reload, dependents, the lookup cache, and memory over many cycles.
#include "helpers.hpp"

#include <atomic>
#include <cstdio>
#include <thread>

namespace {

uint64_t resident_bytes() {
  FILE *f = std::fopen("/proc/self/statm", "r");
  REQUIRE(f);
  unsigned long long total = 0, resident = 0;
  REQUIRE(std::fscanf(f, "%llu %llu", &total, &resident) == 2);
  std::fclose(f);
  return resident * 4096;
}

} // namespace

TEST_CASE("unload, then load the same object again") {
  auto l = new_linker();
  load_all(*l, {"good.o"});
  CHECK(call(*l, "good_answer") == 42);
  REQUIRE(!l->unload(fixture("good.o")));
  CHECK(!l->lookup("good_answer"));
  CHECK(l->units().empty());
  load_all(*l, {"good.o"});
  CHECK(call(*l, "good_answer") == 42);
}

TEST_CASE("unload is refused while another unit references the object") {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  rtlink::Error e = l->unload(fixture("base.o"));
  REQUIRE(e);
  CHECK(e.message().find("cannot unload " + fixture("base.o") + ": " + fixture("rts.o") +
                         " still references") != std::string::npos);
  CHECK(call(*l, "rts_main") == 42);  // nothing was taken away
  // Each half of the cycle holds the other: they go together.
  CHECK(l->unload(fixture("rts.o")));
  REQUIRE(!l->unload(std::vector<std::string>{fixture("rts.o"), fixture("base.o")}));
  CHECK(l->units().empty());
  load_all(*l, {"base.o", "rts.o"});
  CHECK(call(*l, "rts_main") == 42);
}

TEST_CASE("unloading an archive unloads the members pulled from it") {
  auto l = new_linker();
  load_all(*l, {"good.o", "libbase.a", "weak_a.o"});
  CHECK(l->units().size() == 2);
  REQUIRE(!l->unload(fixture("libbase.a")));
  CHECK(l->units().size() == 2);
  CHECK(l->unload(fixture("no-such.o")));
}

TEST_CASE("lookups may run concurrently" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  uint64_t expected = *l->lookup("rts_main");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        auto a = l->lookup(i % 2 ? "rts_main" : "printf");
        if (!a || (i % 2 && *a != expected))
          ++wrong;
        if (i % 1000 == 0)
          l->purge_lookup_cache();
      }
    });
  for (auto &t : threads)
    t.join();
  CHECK(wrong == 0);
}

TEST_CASE("1,000 load/resolve/run/unload cycles end with memory where it started" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  const std::vector<std::string> files = {"relocs.o", "relocs_check.o", "cxx_eh.o", "initfini.o"};
  static int sink = 0;
  struct Rec {
    static void record(int e) { sink += e; }
  };
  REQUIRE(!l->define_symbol("initfini_record", reinterpret_cast<uint64_t>(&Rec::record)));
  auto cycle = [&] {
    load_all(*l, files);
    REQUIRE(call(*l, "check_relocs") == 0);
    REQUIRE(call(*l, "cxx_throw_catch") == 42);
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
      rtlink::Error e = l->unload(fixture(*it));
      REQUIRE_MESSAGE(!e, e.message());
    }
  };
  for (int i = 0; i < 50; ++i)
    cycle();  // warm up allocators and caches
  uint64_t before = resident_bytes();
  for (int i = 0; i < 1000; ++i)
    cycle();
  uint64_t after = resident_bytes();
  CHECK(l->units().empty());
  CHECK(l->stats().bytes_mapped == 0);
  MESSAGE("resident before " << before / 1024 << " KiB, after " << after / 1024 << " KiB");
  CHECK(after <= before + 1024 * 1024);
}
