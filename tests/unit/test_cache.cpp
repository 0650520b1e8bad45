// The link cache: a second identical link is restored from it; a changed
// input misses; a damaged entry is ignored with a warning; cached units
// behave as linked ones (lookups, later links against them, unload).
#include "helpers.hpp"

#include "link/cache.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>

namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/rtlink-cache-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  return tmpl;
}

std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> out;
  for (const auto &e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".rtlc")
      out.push_back(e.path().string());
  return out;
}

void write_bytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out.good());
}

struct Cached {
  std::unique_ptr<rtlink::Linker> linker;
  std::vector<std::string> warnings;
};

// A linker with the cache in `dir`; its warnings are kept.
std::unique_ptr<Cached> cached_linker(const std::string &dir) {
  auto c = std::make_unique<Cached>();
  rtlink::LinkerOptions o;
  o.cache_dir = dir;
  Cached *p = c.get();
  o.warning = [p](const std::string &w) { p->warnings.push_back(w); };
  c->linker = new_linker(std::move(o));
  return c;
}

// Links `files` twice over one fresh cache directory: a full link that
// stores the entry, then one restored from it, without a warning either
// time; `setup` runs before loading, `check` after each link.
void linked_twice(const std::vector<std::string> &files,
                  const std::function<void(rtlink::Linker &)> &check,
                  const std::function<void(rtlink::Linker &)> &setup = {}) {
  const std::string dir = temp_dir();
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    auto c = cached_linker(dir);
    if (setup)
      setup(*c->linker);
    load_all(*c->linker, files);
    CHECK(c->linker->stats().cache_hits == uint64_t(round));
    CHECK(c->linker->stats().cache_stores == uint64_t(1 - round));
    CHECK(c->warnings.empty());
    check(*c->linker);
  }
  std::filesystem::remove_all(dir);
}

// objload-executor: the suite's, or the one beside objload in the build tree.
std::vector<std::string> executor_command() {
  if (const char *ex = test_executor())
    return executor_argv(ex);
  const char *objload = std::getenv("OBJLOAD");
  REQUIRE(objload);
  return {std::filesystem::path(objload).parent_path().parent_path().string() +
              "/objload-executor/objload-executor",
          "--fd=3"};
}

} // namespace

TEST_CASE("a second identical link is restored from the cache and runs the same") {
  const std::string dir = temp_dir();
  auto first = cached_linker(dir);
  load_all(*first->linker, {"rts.o", "base.o"});
  CHECK(first->linker->stats().cache_misses == 1);
  CHECK(first->linker->stats().cache_stores == 1);
  CHECK(call(*first->linker, "rts_main") == 42);
  REQUIRE(entries(dir).size() == 1);

  // The first linker stays: the second's range lies elsewhere, so what it
  // restores is rebased.
  auto second = cached_linker(dir);
  load_all(*second->linker, {"rts.o", "base.o"});
  const rtlink::Stats &s = second->linker->stats();
  CHECK(s.cache_hits == 1);
  CHECK(s.cache_stores == 0);
  CHECK(s.members_pulled == 0);
  CHECK(s.edges_applied == 0);  // nothing was linked: it was all restored
  CHECK(second->warnings.empty());
  if (!test_executor())  // each executor process has a range of its own
    CHECK(*second->linker->lookup("rts_main") != *first->linker->lookup("rts_main"));
  CHECK(call(*second->linker, "rts_main") == 42);
  CHECK(call(*second->linker, "rts_main") == 42);

  // The units are the same, and what they depend on.
  auto units = second->linker->units();
  REQUIRE(units.size() == 2);
  CHECK(units[0].name == fixture("rts.o"));
  CHECK(units[0].resolved);
  CHECK(units[0].depends_on == std::vector<std::string>{fixture("base.o")});
  CHECK(units[1].depends_on == std::vector<std::string>{fixture("rts.o")});
  auto info = second->linker->describe("base_runSparks");
  REQUIRE(bool(info));
  CHECK(info->defined_by == fixture("base.o"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the sqlite job is restored from the cache: archive members, libc bindings") {
  linked_twice({"q.o", system_library("libsqlite3.a")}, [](rtlink::Linker &l) {
    auto r = l.call_main("main", {"q"});
    REQUIRE_MESSAGE(bool(r), r.error().message());
    CHECK(*r == 42);
    // A member is named as when it was pulled.
    auto info = l.describe("sqlite3_open");
    REQUIRE(bool(info));
    CHECK(info->defined_by.find("libsqlite3.a(") != std::string::npos);
  });
}

TEST_CASE("initializers run at restore and finalizers at unload, in order" * doctest::test_suite("in-process")) {
  static std::vector<int> events;
  struct Record {
    static void event(int e) { events.push_back(e); }
  };
  auto setup = [](rtlink::Linker &l) {
    events.clear();
    REQUIRE(!l.define_symbol("initfini_record", reinterpret_cast<uint64_t>(&Record::event)));
  };
  linked_twice({"initfini.o", "atexit.o"}, [](rtlink::Linker &l) {
    CHECK(events == std::vector<int>{101, 200, 1000, 2001, 2002, 1});
    events.clear();
    // atexit.o's __cxa_atexit handler, registered with its own __dso_handle,
    // then its .fini_array.
    REQUIRE(!l.unload(fixture("atexit.o")));
    CHECK(events == std::vector<int>{-1, -3});
    events.clear();
    REQUIRE(!l.unload(fixture("initfini.o")));
    CHECK(events == std::vector<int>{-2001, -2002, -1000, -200, -101});
  }, setup);
}

TEST_CASE("a C++ exception is caught in restored code (its .eh_frame is registered)") {
  linked_twice({"cxx_eh.o"}, [](rtlink::Linker &l) { CHECK(call(l, "cxx_throw_catch") == 42); });
}

// relocs.o: x86-64 assembly (see test_relocs.cpp).
TEST_CASE("every relocation type comes out the same when restored" * doctest::test_suite("x86-64")) {
  linked_twice({"relocs.o", "relocs_check.o"}, [](rtlink::Linker &l) {
    CHECK(call(l, "check_relocs") == 0);
    CHECK(call(l, "fn_call_host") == 42);
  });
}

TEST_CASE("any change to an input is a miss; the same bytes with a new time are a hit") {
  const std::string dir = temp_dir(), work = temp_dir();
  const std::string rts = work + "/rts.o", base = work + "/base.o";
  std::vector<uint8_t> rts_bytes = read_bytes(fixture("rts.o"));
  write_bytes(rts, rts_bytes);
  write_bytes(base, read_bytes(fixture("base.o")));
  auto link = [&] {
    auto c = cached_linker(dir);
    REQUIRE(!c->linker->load(rts));
    REQUIRE(!c->linker->load(base));
    rtlink::Error e = c->linker->resolve();
    REQUIRE_MESSAGE(!e, e.message());
    CHECK(call(*c->linker, "rts_main") == 42);
    return c->linker->stats();
  };
  CHECK(link().cache_stores == 1);
  CHECK(link().cache_hits == 1);

  // Rewritten with the same bytes: a new inode and times, the same contents.
  std::filesystem::remove(rts);
  write_bytes(rts, rts_bytes);
  CHECK(link().cache_hits == 1);

  // One byte of the symbol table's names changed (a local's): a miss.
  auto changed = rts_bytes;
  auto at = std::search(changed.begin(), changed.end(), std::begin("rts.c"), std::end("rts.c") - 1);
  REQUIRE(at != changed.end());
  *at = 'R';
  write_bytes(rts, changed);
  rtlink::Stats s = link();
  CHECK(s.cache_hits == 0);
  CHECK(s.cache_stores == 1);
  CHECK(entries(dir).size() == 2);

  // Loaded in the other order: another link, another entry.
  auto c = cached_linker(dir);
  REQUIRE(!c->linker->load(base));
  REQUIRE(!c->linker->load(rts));
  REQUIRE(!c->linker->resolve());
  CHECK(c->linker->stats().cache_hits == 0);
  CHECK(entries(dir).size() == 3);
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(work);
}

TEST_CASE("a damaged entry is ignored with a warning, and the link is done in full") {
  const std::string dir = temp_dir();
  {
    auto c = cached_linker(dir);
    load_all(*c->linker, {"rts.o", "base.o"});
  }
  REQUIRE(entries(dir).size() == 1);
  const std::string entry = entries(dir)[0];
  const std::vector<uint8_t> good = read_bytes(entry);

  struct Damage {
    const char *what;
    std::vector<uint8_t> bytes;
    const char *says;
  };
  std::vector<Damage> cases;
  cases.push_back({"cut short", std::vector<uint8_t>(good.begin(), good.begin() + 40), "cut short"});
  cases.push_back({"cut in its blocks", std::vector<uint8_t>(good.begin(), good.end() - 100),
                   "past the end"});
  auto flipped = good;
  flipped[100] ^= 0x40;  // in the metadata
  cases.push_back({"a flipped bit in the metadata", flipped, "checksum"});
  flipped = good;
  flipped[good.size() - 4096 + 10] ^= 1;  // in the last block's bytes
  cases.push_back({"a flipped bit in the code", flipped, "checksum"});
  cases.push_back({"empty", {}, "cut short"});

  for (const Damage &d : cases) {
    CAPTURE(d.what);
    write_bytes(entry, d.bytes);
    auto c = cached_linker(dir);
    load_all(*c->linker, {"rts.o", "base.o"});
    CHECK(c->linker->stats().cache_hits == 0);
    CHECK(c->linker->stats().cache_rejected == 1);
    REQUIRE(c->warnings.size() == 1);
    CHECK(c->warnings[0].find(entry) != std::string::npos);
    CHECK(c->warnings[0].find(d.says) != std::string::npos);
    CHECK(call(*c->linker, "rts_main") == 42);
    // The full link wrote the entry again, whole: the next link uses it.
    CHECK(c->linker->stats().cache_stores == 1);
    auto next = cached_linker(dir);
    load_all(*next->linker, {"rts.o", "base.o"});
    CHECK(next->linker->stats().cache_hits == 1);
    CHECK(next->warnings.empty());
    CHECK(call(*next->linker, "rts_main") == 42);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("restored units are linked against later, pulled from again, and unloaded") {
  const std::string sqlite = system_library("libsqlite3.a");
  linked_twice({"q.o", sqlite}, [&](rtlink::Linker &l) {
    const uint64_t pulled = l.stats().members_pulled;
    // A later object binds to a restored member; the member is not pulled again.
    REQUIRE(!l.load(fixture("uses_sqlite.o")));
    rtlink::Error e = l.resolve();
    REQUIRE_MESSAGE(!e, e.message());
    CHECK(l.stats().members_pulled == pulled);
    CHECK(call(l, "sqlite_version") == 3040001);
    // A name no restored member defines: its member is pulled from the archive.
    REQUIRE(!l.require("sqlite3changegroup_add"));
    e = l.resolve();
    REQUIRE_MESSAGE(!e, e.message());
    CHECK(l.stats().members_pulled == pulled + 1);
    CHECK(bool(l.lookup("sqlite3changegroup_add")));
    // The archive is held by what references it.
    rtlink::Error refused = l.unload(sqlite);
    REQUIRE(refused);
    CHECK(refused.message().find("still references") != std::string::npos);
    REQUIRE(!l.unload(std::vector<std::string>{fixture("uses_sqlite.o"), fixture("q.o"), sqlite}));
    CHECK(l.symbols().empty());
  });
}

TEST_CASE("a cache directory that cannot be written is a warning, not an error") {
  auto c = cached_linker("/proc/rtlink-no-such-dir");
  load_all(*c->linker, {"rts.o", "base.o"});
  CHECK(call(*c->linker, "rts_main") == 42);
  CHECK(c->linker->stats().cache_stores == 0);
  REQUIRE(!c->warnings.empty());
  CHECK(c->warnings[0].find("/proc/rtlink-no-such-dir") != std::string::npos);
}

TEST_CASE("a forged entry (its checksum right, its records wrong) never harms the linker") {
  // Through an executor process: what the forged records make loaded code
  // do can only end that process. The linker checks every offset, index and
  // string before it writes a byte, and must come through every forgery
  // whole: it links in full after a warning, or restores what fits its checks.
  const std::string dir = temp_dir();
  auto remote = [&] {
    auto c = std::make_unique<Cached>();
    rtlink::LinkerOptions o;
    o.cache_dir = dir;
    o.executor = rtlink::make_remote_executor({executor_command(), false, 3});
    Cached *p = c.get();
    o.warning = [p](const std::string &w) { p->warnings.push_back(w); };
    c->linker = new_linker(std::move(o));
    return c;
  };
  {
    auto c = remote();
    load_all(*c->linker, {"rts.o", "base.o"});
  }
  REQUIRE(entries(dir).size() == 1);
  const std::string entry = entries(dir)[0];
  const std::vector<uint8_t> good = read_bytes(entry);
  uint64_t meta_size;
  std::memcpy(&meta_size, good.data() + 32, 8);
  REQUIRE(meta_size > 400);
  REQUIRE(64 + meta_size <= good.size());

  int rejected = 0, restored = 0;
  const uint64_t stride = std::max<uint64_t>(4, (meta_size / 200) & ~uint64_t(3));
  for (uint64_t at = 64; at + 4 <= 64 + meta_size; at += stride) {
    for (uint32_t forged : {0xffffffffu, 0x7fffff00u, 1u}) {
      CAPTURE(at);
      CAPTURE(forged);
      std::vector<uint8_t> bytes = good;
      std::memcpy(bytes.data() + at, &forged, 4);
      uint64_t sum = rtlink::cache::checksum({bytes.data() + 64, meta_size});
      std::memcpy(bytes.data() + 48, &sum, 8);
      write_bytes(entry, bytes);
      auto c = remote();
      rtlink::Linker &l = *c->linker;
      REQUIRE(!l.load(fixture("rts.o")));
      REQUIRE(!l.load(fixture("base.o")));
      rtlink::Error e = l.resolve();  // a crash of loaded code in the executor is an error
      (void)e;
      if (l.stats().cache_hits)
        ++restored;
      else
        ++rejected;
      // Whatever happened, the linker goes on.
      REQUIRE(!l.load(fixture("good.o")));
      rtlink::Error again = l.resolve();
      REQUIRE_MESSAGE(!again, again.message());
      CHECK(call(l, "good_answer") == 42);
    }
  }
  CHECK(rejected > 0);
  MESSAGE(rejected << " forged entries rejected, " << restored << " restored");
  std::filesystem::remove_all(dir);
}
