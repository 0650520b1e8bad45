// The IOCP reader under wine: the shared reader cases, then what is IOCP's
// own — a read pending on a pipe cancelled with CancelIoEx, and a handle not
// opened for overlapped I/O, served through an event.
#include <doctest.h>

#include "../common/reader_cases.hpp"
#include "io/file.hpp"

#include <windows.h>

#include <cstdio>
#include <string>

using namespace rtlink;

namespace {

// A file of known bytes in the temporary directory (this executable's own
// bytes would do, but a file written here says what it holds).
std::string make_file(std::vector<uint8_t> &bytes) {
  char dir[MAX_PATH], path[MAX_PATH];
  GetTempPathA(MAX_PATH, dir);
  GetTempFileNameA(dir, "rtl", 0, path);
  bytes.resize(300 * 1024 + 123);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = uint8_t(i * 131 + (i >> 9));
  FILE *f = std::fopen(path, "wb");
  REQUIRE(f);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  std::fclose(f);
  return path;
}

std::unique_ptr<io::AsyncReader> iocp() {
  auto r = platform::make_iocp_reader();
  REQUIRE_MESSAGE(bool(r), r.error().message());
  CHECK(std::string((*r)->name()) == "iocp");
  return std::move(*r);
}

} // namespace

TEST_CASE("iocp: pieces with their tags, short at the end, a bad handle; a whole file") {
  std::vector<uint8_t> want;
  std::string path = make_file(want);
  auto r = iocp();
  reader_cases::pieces(*r, path, want);
  reader_cases::whole_file(*r, path, want);
  reader_cases::partial_file(*r, path, want);
  DeleteFileA(path.c_str());
}

TEST_CASE("iocp: a read pending on a pipe is cancelled; its completion still arrives") {
  const char *name = "\\\\.\\pipe\\rtlink-reader-test";
  HANDLE server = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE,
                                   1, 4096, 4096, 0, nullptr);
  REQUIRE(server != INVALID_HANDLE_VALUE);
  HANDLE client = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0,
                              nullptr);
  REQUIRE(client != INVALID_HANDLE_VALUE);
  auto r = iocp();
  std::vector<uint8_t> buf(16, 0xaa);
  io::Read rd{reinterpret_cast<int64_t>(server), 0, 16, buf.data(), 9};
  REQUIRE_FALSE(r->submit({&rd, 1}));
  std::vector<io::Completion> done;
  REQUIRE_FALSE(r->wait(0, done));
  CHECK(done.empty());  // nothing written to the pipe: still pending
  r->cancel(9);
  REQUIRE_FALSE(r->wait(1, done));
  REQUIRE(done.size() == 1);
  CHECK(done[0].tag == 9);
  CHECK(done[0].result == -ECANCELED);
  CHECK(buf[0] == 0xaa);
  CHECK(r->in_flight() == 0);
  CloseHandle(client);
  CloseHandle(server);
}

TEST_CASE("iocp: a handle opened without FILE_FLAG_OVERLAPPED is read through an event") {
  std::vector<uint8_t> want;
  std::string path = make_file(want);
  HANDLE h = CreateFileA(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  REQUIRE(h != INVALID_HANDLE_VALUE);
  auto r = iocp();
  std::vector<uint8_t> a(1000), b(1000);
  io::Read reads[] = {{reinterpret_cast<int64_t>(h), 5000, 1000, a.data(), 1},
                      {reinterpret_cast<int64_t>(h), want.size() - 10, 1000, b.data(), 2}};
  REQUIRE_FALSE(r->submit(reads));
  std::vector<io::Completion> done;
  REQUIRE_FALSE(r->wait(2, done));
  REQUIRE(done.size() == 2);
  for (const io::Completion &c : done)
    CHECK(c.result == (c.tag == 1 ? 1000 : 10));
  CHECK(std::memcmp(a.data(), want.data() + 5000, 1000) == 0);
  CHECK(std::memcmp(b.data(), want.data() + want.size() - 10, 10) == 0);
  CloseHandle(h);
  DeleteFileA(path.c_str());
}

TEST_CASE("the loader's reads on Windows: iocp reads whole files, mmap maps them, threads is not here") {
  std::vector<uint8_t> want;
  std::string path = make_file(want);
  auto c = io::choose_reader("iocp");
  REQUIRE_MESSAGE(bool(c), c.error().message());
  CHECK(c->name == "iocp");
  uint64_t bytes_read = 0;
  auto got = io::read_inputs(*c->reader, {path, path + ".missing"}, bytes_read);
  REQUIRE(got.size() == 2);
  REQUIRE_MESSAGE(bool(got[0]), got[0].error().message());
  CHECK(std::vector<uint8_t>((*got[0])->data(), (*got[0])->data() + (*got[0])->size()) == want);
  REQUIRE_FALSE(got[1]);
  CHECK(got[1].error().message() == path + ".missing: cannot read: No such file or directory");

  auto mapped = read_file(path);
  REQUIRE(bool(mapped));
  CHECK((*mapped)->size() == want.size());
  CHECK(std::memcmp((*mapped)->data(), want.data(), want.size()) == 0);

  auto threads = io::choose_reader("threads");
  REQUIRE_FALSE(threads);
  CHECK(threads.error().message().find("not in the Windows build") != std::string::npos);

  // zstd data is recognised, and refused by name: no libzstd here.
  const uint8_t zst[] = {0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0};
  auto z = buffer_contents("x.o.zst", zst);
  REQUIRE_FALSE(z);
  CHECK(z.error().message() == "x.o.zst: zstd-compressed, and this build reads no zstd (it has no libzstd)");
  mapped = {make_error("released")};  // unmapped before the file goes
  DeleteFileA(path.c_str());
}
