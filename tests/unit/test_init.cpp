// Initializers at resolve, finalizers at unload, in GNU ld's order.
#include "helpers.hpp"

static std::vector<int> events;
extern "C" void record_event(int e) { events.push_back(e); }

// The events initfini_log.o kept, wherever the loaded code runs, and then
// forgotten there.
static std::vector<int> logged(rtlink::Linker &l) {
  std::vector<int> out;
  const int n = call(l, "initfini_events");
  REQUIRE(n <= 64);
  for (int i = 0; i < n; ++i) {
    rtlink::CallArg at;
    at.bits = uint64_t(i);
    auto e = l.call("initfini_event", std::span<const rtlink::CallArg>(&at, 1));
    REQUIRE_MESSAGE(bool(e), e.error().message());
    out.push_back(int(*e));
  }
  call(l, "initfini_forget");
  return out;
}

TEST_CASE("initializers and finalizers run in GNU ld's order in the executor's process too") {
  auto l = new_linker();
  load_all(*l, {"initfini_log.o", "initfini.o"});
  CHECK(logged(*l) == std::vector<int>{101, 200, 1000, 2001, 2002});
  REQUIRE(!l->unload(fixture("initfini.o")));
  CHECK(logged(*l) == std::vector<int>{-2001, -2002, -1000, -200, -101});
  // A C++ static's destructor, registered with __cxa_atexit and the unit's
  // __dso_handle, runs at unload before the unit's .fini_array.
  load_all(*l, {"atexit.o"});
  CHECK(logged(*l) == std::vector<int>{1});
  REQUIRE(!l->unload(fixture("atexit.o")));
  CHECK(logged(*l) == std::vector<int>{-1, -3});
}

TEST_CASE("finalize runs finalizers and atexit handlers once in the executor's process too") {
  auto l = new_linker();
  load_all(*l, {"initfini_log.o", "initfini.o", "atexit.o", "cxx_eh.o"});
  CHECK(logged(*l) == std::vector<int>{101, 200, 1000, 2001, 2002, 1});
  l->finalize();
  // Newest first: atexit.o's atexit handler and .fini_array, then initfini.o's.
  CHECK(logged(*l) == std::vector<int>{-1, -3, -2001, -2002, -1000, -200, -101});
  CHECK(call(*l, "initfini_loaded") == 7);
  CHECK(call(*l, "cxx_throw_catch") == 42);  // its unwind tables are still there
  l->finalize();
  CHECK(logged(*l).empty());
}

TEST_CASE("initializers run by priority, .ctors backward; finalizers in reverse" * doctest::test_suite("in-process")) {
  events.clear();
  auto l = new_linker();
  REQUIRE(!l->define_symbol("initfini_record", reinterpret_cast<uint64_t>(&record_event)));
  load_all(*l, {"initfini.o"});
  // 101 and 200 by priority; then, unnumbered, .init_array and .ctors in
  // section order, .ctors backward (its second entry first).
  CHECK(events == std::vector<int>{101, 200, 1000, 2001, 2002});
  events.clear();
  REQUIRE(!l->unload(fixture("initfini.o")));
  // .dtors forward, the unnumbered .fini_array, then 200 before 101.
  CHECK(events == std::vector<int>{-2001, -2002, -1000, -200, -101});
}

TEST_CASE("__cxa_atexit registrations made with the unit's __dso_handle run at unload, before its .fini_array" * doctest::test_suite("in-process")) {
  events.clear();
  auto l = new_linker();
  REQUIRE(!l->define_symbol("initfini_record", reinterpret_cast<uint64_t>(&record_event)));
  load_all(*l, {"atexit.o"});
  CHECK(events == std::vector<int>{1});
  REQUIRE(!l->unload(fixture("atexit.o")));
  // As the C library ends a program: the atexit list, then .fini_array.
  CHECK(events == std::vector<int>{1, -1, -3});
}

TEST_CASE("finalize runs finalizers and atexit handlers once; the code stays callable" * doctest::test_suite("in-process")) {
  events.clear();
  {
    auto l = new_linker();
    REQUIRE(!l->define_symbol("initfini_record", reinterpret_cast<uint64_t>(&record_event)));
    load_all(*l, {"initfini.o", "atexit.o", "cxx_eh.o"});
    events.clear();
    l->finalize();
    // Newest first: atexit.o's atexit handler and .fini_array, then
    // initfini.o's finalizers.
    CHECK(events == std::vector<int>{-1, -3, -2001, -2002, -1000, -200, -101});
    CHECK(call(*l, "initfini_loaded") == 7);
    CHECK(call(*l, "cxx_throw_catch") == 42);  // its unwind tables are still there
    l->finalize();
    CHECK(events.size() == 7);
  }
  CHECK(events.size() == 7);  // not again when it is destroyed
}

TEST_CASE("finalizers run when the linker is destroyed" * doctest::test_suite("in-process")) {
  events.clear();
  {
    auto l = new_linker();
    REQUIRE(!l->define_symbol("initfini_record", reinterpret_cast<uint64_t>(&record_event)));
    load_all(*l, {"atexit.o"});
  }
  CHECK(events == std::vector<int>{1, -1, -3});
}
