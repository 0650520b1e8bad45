// Shared by the library tests: fixtures by name, and a linker per test.
#pragma once

#include <rtlink/linker.hpp>

#include "platform/platform.hpp"
#include "support/words.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

inline std::string fixture(const std::string &name) {
  if (!name.empty() && name[0] == '/')
    return name;  // a real input nobody here wrote
  const char *dir = std::getenv("RTLINK_FIXTURES");
  REQUIRE_MESSAGE(dir, "RTLINK_FIXTURES is not set (run the tests through meson test)");
  return std::string(dir) + "/" + name;
}

// A library of the system for the machine the suite's code runs on, from
// Debian's multiarch directory (RTLINK_TEST_MULTIARCH: x86_64-linux-gnu
// unless set; aarch64-linux-gnu for the suites run in the aarch64 executor).
inline std::string system_library(const std::string &file) {
  const char *triple = std::getenv("RTLINK_TEST_MULTIARCH");
  return std::string("/usr/lib/") + (triple && *triple ? triple : "x86_64-linux-gnu") + "/" + file;
}

// RTLINK_TEST_EXECUTOR=COMMAND runs the suite against an out-of-process
// executor instead of this process: objload-executor's path, or a command
// that starts it, as objload's --executor takes one (words, quotes keep
// blanks): "qemu-aarch64 build-arm64/.../objload-executor".
inline const char *test_executor() {
  const char *ex = std::getenv("RTLINK_TEST_EXECUTOR");
  return ex && *ex ? ex : nullptr;
}

// The executor's command line, the protocol channel its descriptor 3.
inline std::vector<std::string> executor_argv(const std::string &command) {
  std::vector<std::string> argv = rtlink::split_words(command, "\"'");
  REQUIRE_MESSAGE(!argv.empty(), "RTLINK_TEST_EXECUTOR names no command");
  argv.push_back("--fd=3");
  return argv;
}

inline std::unique_ptr<rtlink::Linker> new_linker(rtlink::LinkerOptions options = {}) {
  if (const char *ex = test_executor(); ex && !options.executor)
    options.executor = rtlink::make_remote_executor({executor_argv(ex), false, 3});
  auto l = rtlink::Linker::create(std::move(options));
  REQUIRE_MESSAGE(bool(l), l.error().message());
  return std::move(*l);
}

// Loads each file, resolves, and fails the test with the linker's message otherwise.
inline void load_all(rtlink::Linker &l, const std::vector<std::string> &files) {
  for (const std::string &f : files) {
    rtlink::Error e = l.load(fixture(f));
    REQUIRE_MESSAGE(!e, e.message());
  }
  rtlink::Error e = l.resolve();
  REQUIRE_MESSAGE(!e, e.message());
}

inline int call(rtlink::Linker &l, const std::string &symbol) {
  auto r = l.call_int(symbol);
  REQUIRE_MESSAGE(bool(r), r.error().message());
  return *r;
}

template <class T> T *address_of(rtlink::Linker &l, const std::string &symbol) {
  auto a = l.lookup(symbol);
  REQUIRE_MESSAGE(bool(a), a.error().message());
  return reinterpret_cast<T *>(*a);
}

inline std::vector<uint8_t> read_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), ("cannot read " + path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The offset of the contents of an archive's member `k` (0: the first; the
// symbol table, if any, is a member).
inline size_t archive_member_contents(const std::vector<uint8_t> &ar, int k) {
  size_t at = 8;
  for (;; --k) {
    REQUIRE(at + 60 <= ar.size());
    size_t size = std::stoul(std::string(ar.begin() + long(at) + 48, ar.begin() + long(at) + 58));
    if (k == 0)
      return at + 60;
    at += 60 + size;
    at += at & 1;
  }
}

inline std::string write_temp(const std::string &name, const std::vector<uint8_t> &bytes) {
  const char *tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/rtlink-test-" +
                     std::to_string(rtlink::platform::process_id()) + "-" + name;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
  REQUIRE(out.good());
  return path;
}

// A new empty directory under the system's temporary directory, named
// `name` and this process; the caller removes it.
inline std::string temp_dir(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() /
             (name + "-" + std::to_string(rtlink::platform::process_id()));
  std::filesystem::remove_all(dir);
  REQUIRE(std::filesystem::create_directories(dir));
  return dir.string();
}

// What a refused input must leave as it was: the units (and whether each is
// resolved) and the memory mapped.
struct Snapshot {
  std::vector<std::string> units;
  uint64_t mapped;
};

inline Snapshot snapshot(rtlink::Linker &l) {
  Snapshot s{{}, l.stats().bytes_mapped};
  for (auto &u : l.units())
    s.units.push_back(u.name + (u.resolved ? " resolved" : " loaded"));
  return s;
}

// `e` is an error whose message contains each of `parts`.
inline void check_error(const rtlink::Error &e, std::initializer_list<std::string> parts) {
  REQUIRE(e);
  for (const std::string &p : parts)
    CHECK_MESSAGE(e.message().find(p) != std::string::npos, "'" << p << "' not in: " << e.message());
}

// After a refusal: the same units and memory as `before`, and the linker
// still loads `object`, resolves, and calls `symbol`, which gives `value`.
inline void check_unchanged_and_usable(rtlink::Linker &l, const Snapshot &before,
                                       const std::string &object = "good.o",
                                       const std::string &symbol = "good_answer", int value = 42) {
  Snapshot after = snapshot(l);
  CHECK(after.units == before.units);
  CHECK(after.mapped == before.mapped);
  REQUIRE(!l.load(fixture(object)));
  rtlink::Error e = l.resolve();
  REQUIRE_MESSAGE(!e, e.message());
  CHECK(call(l, symbol) == value);
}

// A linker that already holds something (rts.o and base.o, resolved), so
// "unchanged" means something.
inline std::unique_ptr<rtlink::Linker> busy_linker() {
  auto l = new_linker();
  load_all(*l, {"rts.o", "base.o"});
  return l;
}
