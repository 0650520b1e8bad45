// Every ELF x86-64 relocation type rtlink applies, non-PIC code, C++ EH.
#include "helpers.hpp"

#include "object/link_unit.hpp"

#include <sys/mman.h>

#include <cstdio>
#include <iterator>

// relocs.o is x86-64 assembly, one field per relocation type (test_aarch64.cpp
// and tests/cli/aarch64_programs.sh are aarch64's).
TEST_CASE("every relocation type gives the psABI's value" * doctest::test_suite("x86-64")) {
  auto l = new_linker();
  load_all(*l, {"relocs.o", "relocs_check.o"});
  // check_relocs returns the number of the first field that is wrong.
  CHECK(call(*l, "check_relocs") == 0);
  CHECK(call(*l, "fn_gotpcrelx") == 42);
  CHECK(call(*l, "fn_call_host") == 42);
  CHECK(l->stats().stubs >= 1);
}

TEST_CASE("code built without -fPIC runs from below 2 GiB") {
  auto l = new_linker();
  load_all(*l, {"nonpic.o"});
  CHECK(call(*l, "nonpic_sum") == 42);
  CHECK(*l->lookup("table") < (uint64_t(1) << 31));
}

// A host built without PIE (objload, GHC's programs) has its heap below
// 2 GiB: Linux puts the program break at random up to 1 GiB above the
// executable. Here a mapping stands for a heap that landed near the top of
// that: the default range still fits below 2 GiB, beside it.
TEST_CASE("code built without -fPIC runs from below 2 GiB beside a non-PIE host's heap" *
          doctest::test_suite("in-process")) {
  const uint64_t heap = 0x40600000, heap_size = uint64_t(16) << 20;
  void *p = mmap(reinterpret_cast<void *>(heap), heap_size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  REQUIRE(p == reinterpret_cast<void *>(heap));
  {
    auto l = new_linker();
    load_all(*l, {"nonpic.o"});
    CHECK(call(*l, "nonpic_sum") == 42);
    const uint64_t table = *l->lookup("table");
    CHECK(table < (uint64_t(1) << 31));
    CHECK((table < heap || table >= heap + heap_size));
  }
  munmap(p, heap_size);
}

TEST_CASE("a C++ exception thrown in loaded code is caught in loaded code") {
  auto l = new_linker();
  load_all(*l, {"cxx_eh.o"});
  CHECK(call(*l, "cxx_throw_catch") == 42);
  CHECK(call(*l, "cxx_throw_catch") == 42);
}

TEST_CASE("no loaded page is writable and executable at once" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o", "relocs.o", "relocs_check.o", "cxx_eh.o"});
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int loaded = 0;
  for (auto &u : l->units()) {
    (void)u;
    ++loaded;
  }
  REQUIRE(loaded == 5);
  uint64_t lo = l->units()[0].base, hi = lo;
  for (auto &u : l->units())
    hi = std::max(hi, u.base + u.size);
  int checked = 0;
  while (std::getline(maps, line)) {
    uint64_t start = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    if (start < lo || start >= hi)
      continue;
    std::string perms = line.substr(line.find(' ') + 1, 4);
    CHECK_MESSAGE(!(perms[1] == 'w' && perms[2] == 'x'), line);
    ++checked;
  }
  CHECK(checked >= 5);
}

// A block of 2 MiB or more starts on a 2 MiB boundary and is asked for huge
// pages before its first touch (where the system gives them when asked, as
// Debian's default "madvise" does): fewer, cheaper first touches.
TEST_CASE("a large block is placed in huge pages" * doctest::test_suite("in-process")) {
  auto l = new_linker();
  load_all(*l, {"big_table.o"});
  CHECK(address_of<unsigned(unsigned)>(*l, "big_table_at")(2) == 3);
  const uint64_t table = *l->lookup("big_table");
  std::ifstream thp_mode("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode((std::istreambuf_iterator<char>(thp_mode)), {});
  uint64_t huge_kib = 0;
  std::ifstream smaps("/proc/self/smaps");
  bool in_table = false;
  for (std::string line; std::getline(smaps, line);) {
    // A mapping's first line: "from-to perms ..."; its fields: "Name: n kB".
    unsigned long from = 0, to = 0;
    if (line.find(" kB") == std::string::npos && std::sscanf(line.c_str(), "%lx-%lx", &from, &to) == 2)
      in_table = table >= from && table < to;
    else if (in_table && line.rfind("AnonHugePages:", 0) == 0)
      huge_kib = std::strtoull(line.c_str() + 14, nullptr, 10);
  }
  INFO("transparent huge pages: ", mode);
  if (mode.find("[never]") == std::string::npos)
    CHECK(huge_kib >= 2048);
}

// A block whose last 2 MiB would be half used or more is given all of it, on
// a 2 MiB boundary, so that it too can be one huge page; a smaller one keeps
// its own size.
TEST_CASE("a block of 1 to 2 MiB is given a whole 2 MiB page") {
  auto l = new_linker();
  load_all(*l, {"mid_table.o", "good.o"});
  CHECK(call(*l, "mid_table_second") == 5);
  constexpr uint64_t huge = uint64_t(2) << 20;
  int seen = 0;
  for (const rtlink::UnitInfo &u : l->units()) {
    INFO(u.name, " at 0x", std::hex, u.base, ", ", std::dec, u.size, " bytes");
    if (u.name.find("mid_table.o") != std::string::npos) {
      CHECK(u.base % huge == 0);
      CHECK(u.size == huge);
      ++seen;
    } else if (u.name.find("good.o") != std::string::npos) {
      CHECK(u.size < huge / 2);
      ++seen;
    }
  }
  CHECK(seen == 2);
  CHECK(l->stats().bytes_mapped >= huge);
}

TEST_CASE("an indirect function (IFUNC) binds every reference to what its resolver picks") {
  auto l = new_linker();
  load_all(*l, {"ifunc.o", "ifunc_user.o"});
  CHECK(call(*l, "answer") == 42);  // lookup gives the pick, not the resolver
  CHECK(call(*l, "call_answer") == 43);
  CHECK(call(*l, "call_through_pointer") == 44);
  CHECK(call(*l, "answer_from_another_object") == 45);
  CHECK(call(*l, "ifunc_resolver_calls") == 1);
  // A later object binds to the resolved function directly.
  REQUIRE(!l->unload(fixture("ifunc_user.o")));
  load_all(*l, {"ifunc_user.o"});
  CHECK(call(*l, "answer_from_another_object") == 45);
  CHECK(call(*l, "ifunc_resolver_calls") == 1);
}

// A unit keeps every section's edges in one array; a section's stay
// together and in order however the sections' edges interleave as they come
// (Mach-O adds a section's eh_frame pointers after every relocation).
TEST_CASE("a section's edges stay its own, in order, as sections' edges interleave") {
  rtlink::LinkUnit u;
  const uint8_t bytes[16] = {};
  const uint32_t a = u.add_section("a", bytes, 8, rtlink::Perm::Read);
  const uint32_t b = u.add_section("b", bytes, 8, rtlink::Perm::Read);
  auto edge = [](uint64_t offset) {
    return rtlink::Edge{offset, 0, 0, 0, rtlink::EdgeKind::Abs64};
  };
  auto offsets = [&](uint32_t s) {
    std::vector<uint64_t> out;
    for (const rtlink::Edge &e : u.edges_of(s))
      out.push_back(e.offset);
    return out;
  };
  u.add_edge(a, edge(0));
  u.add_edge(b, edge(8));
  u.add_edge(a, edge(4));  // a's run moves past b's
  u.add_edge(a, edge(6));
  CHECK(offsets(a) == std::vector<uint64_t>{0, 4, 6});
  CHECK(offsets(b) == std::vector<uint64_t>{8});
  // Replaced by fewer (in place), then by more (at the end).
  const rtlink::Edge one[] = {edge(2)};
  u.set_edges(a, one);
  CHECK(offsets(a) == std::vector<uint64_t>{2});
  const rtlink::Edge three[] = {edge(1), edge(3), edge(5)};
  u.set_edges(b, three);
  CHECK(offsets(b) == std::vector<uint64_t>{1, 3, 5});
  CHECK(offsets(a) == std::vector<uint64_t>{2});
}
