// Code reaching data and functions outside the reserved range with 32-bit
// fields (non-PIC and PIE code): each instruction form rewritten
// (arch/x86_64_far.hpp), and what cannot be rewritten refused by name.
#include "helpers.hpp"

#include <sys/mman.h>

#include <cstring>
#include <filesystem>

namespace {

long far_function() { return 42; }

// A page of data far from the range: mmap's own choice lies near the top of
// the address space, many GiB from the range below 2 GiB.
struct FarPage {
  uint8_t *p = static_cast<uint8_t *>(
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ~FarPage() { munmap(p, 4096); }
};

} // namespace

TEST_CASE("every instruction form that reaches far data and functions is rewritten" *
          doctest::test_suite("in-process")) {
  FarPage page;
  REQUIRE(page.p != MAP_FAILED);
  const uint64_t data = reinterpret_cast<uint64_t>(page.p);
  REQUIRE(data > (uint64_t(1) << 33));
  const int64_t first = 1234567;
  const uint32_t second = 0xdeadbeef;
  const double half = 20.5;
  long (*fn)() = &far_function;
  std::memcpy(page.p, &first, 8);
  std::memcpy(page.p + 8, &second, 4);
  page.p[16] = 200;
  std::memcpy(page.p + 32, &half, 8);
  std::memcpy(page.p + 40, &fn, 8);

  // Linked, then restored from the link cache by a second linker (its range
  // elsewhere: the first is still loaded), with the same results.
  const std::string cache = (std::filesystem::temp_directory_path() /
                             ("rtlink-far-cache-" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(cache);
  std::vector<std::unique_ptr<rtlink::Linker>> linkers;
  for (int round = 0; round < 2; ++round) {
  rtlink::LinkerOptions o;
  o.cache_dir = cache;
  o.reserve_size = uint64_t(256) << 20;  // two ranges below 2 GiB
  linkers.push_back(new_linker(std::move(o)));
  rtlink::Linker *l = linkers.back().get();
  REQUIRE(!l->define_symbol("far_data", data));
  REQUIRE(!l->define_symbol("far_fnptr", data + 40));
  REQUIRE(!l->define_symbol("far_func", reinterpret_cast<uint64_t>(&far_function)));
  load_all(*l, {"far.o"});
  CHECK(l->stats().cache_hits == uint64_t(round));
  auto f = [&](const char *name) { return address_of<long(long)>(*l, name); };
  std::memcpy(page.p + 24, &first, 8);

  CHECK(uint64_t(f("far_lea")(0)) == data);
  CHECK(uint64_t(f("far_lea_offset")(0)) == data + 8);
  CHECK(f("far_load")(0) == first);
  CHECK(uint64_t(f("far_load32_r13")(0)) == second);
  CHECK(f("far_movzx")(0) == 200);
  CHECK(f("far_store")(1000) == 1000);
  CHECK(f("far_add_keeps_rsi")(99) == 99);
  CHECK(f("far_red_zone")(0) == 77);
  int64_t stored;
  std::memcpy(&stored, page.p + 24, 8);
  CHECK(stored == 1000 + 6);
  CHECK(f("far_cmp")(first) == 1);
  CHECK(f("far_cmp")(first + 1) == 0);
  CHECK(f("far_sse")(0) == 20);
  CHECK(f("far_vex")(0) == 41);
  CHECK(f("far_mul")(0) == 3 * first);
  CHECK(f("far_call")(0) == 43);
  CHECK(f("far_jmp")(0) == 42);
  CHECK(uint64_t(f("far_imm32")(0)) == data);
  CHECK(uint64_t(f("far_imm32s")(0)) == data + 8);
  CHECK(f("far_table_call")(0) == 42);
  CHECK(uint64_t(f("far_lea_func")(0)) == reinterpret_cast<uint64_t>(&far_function));
  CHECK(f("far_abs_index")(0) == first);
  CHECK(uint64_t(f("far_abs_index")(1)) == second);
  CHECK(uint64_t(f("far_abs_base")(0)) == second);
  CHECK(uint64_t(f("far_add_imm")(5)) == data + 5);
  CHECK(f("far_sub_imm")(long(data + 100)) == 100);
  uint64_t slots[2] = {0, 0};
  CHECK(uint64_t(f("far_store_imm")(long(reinterpret_cast<uint64_t>(slots)))) == data + 16);
  CHECK(slots[1] == data + 16);
  CHECK(uint64_t(f("far_store_imm_rsp")(0)) == data + 24);
  // Every reference to far_data / far_fnptr is a rewritten instruction; the
  // test's own function is rewritten only if this program lies out of reach.
  const uint64_t fn_at = reinterpret_cast<uint64_t>(&far_function);
  if (round == 0)
    CHECK(l->stats().thunks == 24 + (fn_at >= (uint64_t(1) << 31) ? 1 : 0));
  }
  auto a = linkers[0]->lookup("far_lea"), b = linkers[1]->lookup("far_lea");
  REQUIRE((a && b));
  CHECK(*a != *b);
  linkers.clear();
  std::filesystem::remove_all(cache);
}
