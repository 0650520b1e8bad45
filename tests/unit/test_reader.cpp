// The AsyncReader: one suite, run against every backend this build has
// (io_uring and the thread pool here; IOCP with the Windows build).
#include "helpers.hpp"

#include "io/reader.hpp"
#include "platform/platform.hpp"

#include "../common/reader_cases.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <unistd.h>

using namespace rtlink;

namespace {

const char *const kBackends[] = {"io_uring", "threads"};

std::unique_ptr<io::AsyncReader> reader(const std::string &backend) {
  auto r = io::make_reader(backend);
  REQUIRE_MESSAGE(bool(r), r.error().message());
  CHECK(std::string((*r)->name()) == backend);
  return std::move(*r);
}

std::vector<std::string> some_files() {
  return {fixture("rts.o"), fixture("base.o"), fixture("q.o"), fixture("libbase.a"),
          "/usr/lib/x86_64-linux-gnu/libsqlite3.a",
          "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll"};
}

} // namespace

TEST_CASE("inputs read through every backend are the files; archives only in part") {
  for (std::string backend : kBackends) {
    CAPTURE(backend);
    auto r = reader(backend);
    std::vector<std::string> paths = some_files();
    uint64_t bytes_read = 0;
    auto got = io::read_inputs(*r, paths, bytes_read);
    REQUIRE(got.size() == paths.size());
    for (size_t i = 0; i < paths.size(); ++i) {
      CAPTURE(paths[i]);
      REQUIRE_MESSAGE(bool(got[i]), got[i].error().message());
      std::vector<uint8_t> want = read_bytes(paths[i]);
      REQUIRE((*got[i])->size() == want.size());
      // An archive comes back with its head read; the rest when asked for.
      auto partial = std::dynamic_pointer_cast<const io::PartialFile>(*got[i]);
      REQUIRE(partial);
      const bool archive = std::memcmp(want.data(), "!<arch>\n", 8) == 0;
      CHECK(partial->complete() == (!archive || want.size() <= 65536));
      REQUIRE_FALSE(partial->fetch_all(*r));
      CHECK(std::memcmp((*got[i])->data(), want.data(), want.size()) == 0);
    }
    CHECK(bytes_read > 0);
    CHECK(r->in_flight() == 0);
  }
}

TEST_CASE("a file that cannot be read is named; the others are still read") {
  for (std::string backend : kBackends) {
    CAPTURE(backend);
    auto r = reader(backend);
    uint64_t bytes_read = 0;
    auto got = io::read_inputs(*r, {fixture("rts.o"), "/nonexistent/x.o", "/tmp"}, bytes_read);
    REQUIRE(got.size() == 3);
    CHECK(bool(got[0]));
    REQUIRE_FALSE(got[1]);
    CHECK(got[1].error().message() == "/nonexistent/x.o: cannot read: No such file or directory");
    REQUIRE_FALSE(got[2]);
    CHECK(got[2].error().message() == "/tmp: cannot read: is a directory");
  }
}

TEST_CASE("pieces of a file, in any order, with their tags; short at the end; bad handles") {
  const std::string path = "/usr/lib/x86_64-linux-gnu/libsqlite3.a";
  std::vector<uint8_t> want = read_bytes(path);
  for (std::string backend : kBackends) {
    CAPTURE(backend);
    auto r = reader(backend);
    reader_cases::pieces(*r, path, want);
    reader_cases::whole_file(*r, path, want);
    reader_cases::partial_file(*r, path, want);
  }
}

TEST_CASE("an archive read through a reader is read as far as a resolve needs, in every layout") {
  for (std::string backend : kBackends) {
    for (std::string archive : {"libbase.a", "libbase-thin.a", "libbase-nosymtab.a", "libbase-bsd.a"}) {
      CAPTURE(backend);
      CAPTURE(archive);
      rtlink::LinkerOptions o;
      o.io = backend;
      auto l = new_linker(std::move(o));
      load_all(*l, {"rts.o", archive});
      CHECK(call(*l, "rts_main") == 42);
      CHECK(l->stats().members_pulled == 1);
    }
  }
}

TEST_CASE("a large archive is read only as far as its index and the members pulled") {
  const std::string core = "/usr/lib/llvm-19/lib/libLLVMCore.a";
  const uint64_t size = read_bytes(core).size();
  for (std::string backend : kBackends) {
    CAPTURE(backend);
    rtlink::LinkerOptions o;
    o.io = backend;
    auto l = new_linker(std::move(o));
    // Nothing pulls from it: its index is all that is read.
    load_all(*l, {"rts.o", "libbase.a", core});
    const uint64_t index = l->stats().bytes_read;
    CHECK(index < size / 4);
    // The sqlite job, with its archive read in parts: the members it pulls,
    // in a batch per round, and the same answer.
    auto s = new_linker([&] {
      rtlink::LinkerOptions so;
      so.io = backend;
      return so;
    }());
    load_all(*s, {"q.o", "/usr/lib/x86_64-linux-gnu/libsqlite3.a"});
    auto r = s->call_main("main", {"q"});
    REQUIRE(bool(r));
    CHECK(*r == 42);
  }
}

TEST_CASE("threads: a read still queued is cancelled, and its completion still arrives") {
  // One thread, busy reading 192 MiB of /dev/zero: the read queued behind it
  // has not started when it is cancelled.
  auto made = platform::make_thread_reader(1);
  REQUIRE(bool(made));
  auto r = std::move(*made);
  int zero = ::open("/dev/zero", O_RDONLY);
  REQUIRE(zero >= 0);
  std::vector<uint8_t> big(192u << 20), small(64, 0xaa);
  io::Read reads[] = {{zero, 0, uint32_t(big.size()), big.data(), 1},
                      {zero, 0, uint32_t(small.size()), small.data(), 2}};
  REQUIRE_FALSE(r->submit(reads));
  r->cancel(2);
  std::vector<io::Completion> done;
  REQUIRE_FALSE(r->wait(2, done));
  ::close(zero);
  REQUIRE(done.size() == 2);
  std::map<uint64_t, int64_t> by_tag{{done[0].tag, done[0].result}, {done[1].tag, done[1].result}};
  CHECK(by_tag[1] == int64_t(big.size()));
  CHECK(by_tag[2] == -ECANCELED);
  CHECK(small[0] == 0xaa);  // never written
}

TEST_CASE("io_uring: a read waiting on an empty pipe is cancelled in the ring") {
  auto r = reader("io_uring");
  int p[2];
  REQUIRE(::pipe(p) == 0);
  std::vector<uint8_t> buf(16, 0xaa);
  io::Read rd{p[0], ~uint64_t(0), 16, buf.data(), 9};  // offset -1: the pipe's own
  REQUIRE_FALSE(r->submit({&rd, 1}));
  std::vector<io::Completion> done;
  REQUIRE_FALSE(r->wait(0, done));
  CHECK(done.empty());  // nothing to read yet
  r->cancel(9);
  REQUIRE_FALSE(r->wait(1, done));
  ::close(p[0]);
  ::close(p[1]);
  REQUIRE(done.size() == 1);
  CHECK(done[0].tag == 9);
  CHECK(done[0].result == -ECANCELED);
  CHECK(buf[0] == 0xaa);
  CHECK(r->in_flight() == 0);
}

TEST_CASE("choosing a reader: by name, from RTLINK_IO, mmap by default, unknown names refused") {
  ::unsetenv("RTLINK_IO");
  auto def = io::choose_reader("");
  REQUIRE(bool(def));
  CHECK(def->name == "mmap");
  CHECK(def->reader == nullptr);

  auto t = io::choose_reader("threads");
  REQUIRE(bool(t));
  CHECK(t->name == "threads");
  REQUIRE(t->reader != nullptr);

  ::setenv("RTLINK_IO", "io_uring", 1);
  auto u = io::choose_reader("");
  REQUIRE(bool(u));
  CHECK(u->name == "io_uring");  // this machine's kernel has it
  CHECK(u->note.empty());
  auto over = io::choose_reader("threads");  // the option wins over the variable
  REQUIRE(bool(over));
  CHECK(over->name == "threads");

  ::setenv("RTLINK_IO", "floppy", 1);
  auto bad = io::choose_reader("");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "RTLINK_IO=floppy: unknown reader floppy (io_uring, threads, "
                                 "iocp, mmap)");
  ::unsetenv("RTLINK_IO");
  auto iocp = io::choose_reader("iocp");
  REQUIRE_FALSE(iocp);
  CHECK(iocp.error().message().starts_with("io=iocp: the iocp reader is the Windows"));
}

TEST_CASE("Linker::load of several files, through each reader: all of them, or none") {
  for (std::string io : {"mmap", "io_uring", "threads"}) {
    CAPTURE(io);
    rtlink::LinkerOptions o;
    o.io = io;
    auto l = new_linker(std::move(o));
    CHECK(l->reader() == io);

    std::vector<uint8_t> rts = read_bytes(fixture("rts.o"));
    std::string cut = write_temp("cut-" + io + ".o", {rts.begin(), rts.begin() + 200});
    // The second file is cut short: the first, already loaded, is taken back.
    Error e = l->load(std::vector<std::string>{fixture("rts.o"), cut});
    REQUIRE(e);
    CHECK(e.message().starts_with(cut + ": "));
    CHECK(l->units().empty());
    e = l->load(std::vector<std::string>{fixture("rts.o"), "/nonexistent/base.o"});
    REQUIRE(e);
    CHECK(e.message() == "/nonexistent/base.o: cannot read: No such file or directory");
    CHECK(l->units().empty());
    std::remove(cut.c_str());

    REQUIRE_FALSE(l->load(std::vector<std::string>{fixture("rts.o"), fixture("base.o")}));
    REQUIRE_FALSE(l->resolve());
    CHECK(call(*l, "rts_main") == 42);
  }
}

TEST_CASE("an unknown reader makes Linker::create fail, naming it") {
  rtlink::LinkerOptions o;
  o.io = "carrier-pigeon";
  auto l = rtlink::Linker::create(std::move(o));
  REQUIRE_FALSE(l);
  CHECK(l.error().message() ==
        "io=carrier-pigeon: unknown reader carrier-pigeon (io_uring, threads, iocp, mmap)");
}
