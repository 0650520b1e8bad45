// Thread-local storage in loaded ELF objects (link/tls.cpp): general and
// local dynamic, TLS descriptors, initial and local exec (a block in the C
// library's static TLS area), .tdata templates, threads started before and
// after the load, C++ thread_local, storage released at unload.
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

TEST_CASE("initial and local exec: one copy per thread, at a fixed offset, every model alike") {
  auto l = new_linker();
  load_all(*l, {"tls_exec.o", "tls_exec_ie.o"});
  CHECK(call(*l, "bump_exec") == 1);        // local exec
  CHECK(call(*l, "bump_exec_ie") == 11);    // initial exec, the same variable
  CHECK(call(*l, "bump_exec") == 12);
  CHECK(call(*l, "exec_init_sum") == 42);   // .tdata: the template
  CHECK(call(*l, "exec_init_gd") == 4002);  // general dynamic, the same block
  CHECK(call(*l, "exec_deref") == 7);       // a template that needed a relocation
  CHECK(call(*l, "exec_threads") == 4 * (1000 + 42 + 7));
  CHECK(call(*l, "bump_exec") == 13);       // this thread's copy, untouched by the others
  // Unloaded (the slice goes back) and loaded again: fresh copies.
  REQUIRE(!l->unload(fixture("tls_exec_ie.o")));
  REQUIRE(!l->unload(fixture("tls_exec.o")));
  for (int i = 0; i < 3; ++i) {
    load_all(*l, {"tls_exec.o"});
    CHECK(call(*l, "bump_exec") == 1);
    REQUIRE(!l->unload(fixture("tls_exec.o")));
  }
}

TEST_CASE("local exec: a thread started before the load has the template" *
          doctest::test_suite("in-process")) {
  std::mutex m;
  std::condition_variable cv;
  int (*bump)() = nullptr;
  long (*sum)() = nullptr;
  int (*deref)() = nullptr;
  long seen = 0;
  std::thread early([&] {
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return bump != nullptr; });
    seen = sum() * 1000 + deref() * 100 + bump() * 10 + bump();
  });
  auto l = new_linker();
  load_all(*l, {"tls_exec.o"});
  CHECK(call(*l, "bump_exec") == 1);
  {
    std::lock_guard<std::mutex> g(m);
    sum = address_of<long()>(*l, "exec_init_sum");
    deref = address_of<int()>(*l, "exec_deref");
    bump = address_of<int()>(*l, "bump_exec");
  }
  cv.notify_one();
  early.join();
  CHECK(seen == 42 * 1000 + 7 * 100 + 12);
  CHECK(call(*l, "bump_exec") == 2);
}
