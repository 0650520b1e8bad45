// Thread-local storage in loaded ELF objects (link/tls.cpp): general and
// local dynamic, TLS descriptors, .tdata templates, threads started before
// and after the load, C++ thread_local, storage released at unload.
#include "helpers.hpp"

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

TEST_CASE("thread-local variables: each thread its own, from the template") {
  auto l = new_linker();
  load_all(*l, {"tls.o"});
  CHECK(call(*l, "bump_tls") == 1);
  CHECK(call(*l, "bump_tls") == 2);
  CHECK(call(*l, "local_tls") == 6);  // static __thread: local dynamic
  CHECK(call(*l, "tls_init_sum") == 10);
  CHECK(call(*l, "tls_threads") == 4 * (1000 + 1001 + 6));
  CHECK(call(*l, "bump_tls") == 3);  // this thread's copy, untouched by the others
  // Unloaded and loaded again: a fresh module, fresh copies.
  REQUIRE(!l->unload(fixture("tls.o")));
  load_all(*l, {"tls.o"});
  CHECK(call(*l, "bump_tls") == 1);
  CHECK(l->stats().cache_stores == 0);
}

TEST_CASE("thread-local variables through TLS descriptors keep the caller's registers") {
  auto l = new_linker();
  load_all(*l, {"tls_desc.o"});
  CHECK(call(*l, "bump_desc") == 1);
  CHECK(call(*l, "bump_desc") == 2);
  CHECK(call(*l, "local_desc") == 8);
  rtlink::CallArg x;
  x.kind = rtlink::CallArg::Float;
  double v = 2.0;
  std::memcpy(&x.bits, &v, 8);
  auto r = l->call("scaled_desc", std::span<const rtlink::CallArg>(&x, 1));
  REQUIRE(bool(r));
  CHECK(*r == 5);  // 2.0 * 1.5 + 2.0
}

TEST_CASE("C++ thread_local with a destructor, in a thread of loaded code and in this one") {
  auto l = new_linker();
  load_all(*l, {"tls_cxx.o"});
  CHECK(call(*l, "cxx_tls_thread") == 102 * 1000 + 101);
  CHECK(call(*l, "bump_cxx_tls") == 102);
  REQUIRE(!l->unload(fixture("tls_cxx.o")));  // this thread's destructor runs now
}

TEST_CASE("a thread started before the load gets its own copy" * doctest::test_suite("in-process")) {
  std::mutex m;
  std::condition_variable cv;
  int (*bump)() = nullptr;
  int seen = 0;
  std::thread early([&] {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return bump != nullptr; });
    seen = bump() * 10 + bump();
  });
  auto l = new_linker();
  load_all(*l, {"tls.o"});
  CHECK(call(*l, "bump_tls") == 1);
  {
    std::lock_guard<std::mutex> g(m);
    bump = address_of<int()>(*l, "bump_tls");
  }
  cv.notify_one();
  early.join();
  CHECK(seen == 12);
  CHECK(call(*l, "bump_tls") == 2);
}
