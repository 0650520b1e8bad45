// The Windows executor, under wine: memory from VirtualAlloc, protections
// (never writable and executable at once), calls with the Microsoft
// convention, and imports bound through LoadLibrary/GetProcAddress.
#include <doctest.h>

#include <rtlink/executor.hpp>

#include <windows.h>

using namespace rtlink;

TEST_CASE("reserve, commit, write, protect read-execute, call") {
  auto ex = make_in_process_executor();
  CHECK(ex->page_size() == 4096);
  auto base = ex->reserve(1 << 20, true);
  REQUIRE_MESSAGE(bool(base), base.error().message());
  CHECK(*base + (1 << 20) <= (uint64_t(2) << 30));  // asked for low: below 2 GiB
  REQUIRE_FALSE(ex->commit(*base, 4096));
  // mov eax, 42; ret
  const uint8_t code[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3};
  REQUIRE_FALSE(ex->write(*base, code));
  REQUIRE_FALSE(ex->protect(*base, 4096, Protection::ReadExecute));
  MEMORY_BASIC_INFORMATION mbi;
  REQUIRE(VirtualQuery(reinterpret_cast<void *>(*base), &mbi, sizeof mbi));
  CHECK(mbi.Protect == PAGE_EXECUTE_READ);  // not PAGE_EXECUTE_READWRITE
  auto r = ex->call_int(*base, CallConv::Microsoft);
  REQUIRE(bool(r));
  CHECK(*r == 42);
  REQUIRE_FALSE(ex->decommit(*base, 4096));
  REQUIRE_FALSE(ex->release(*base, 1 << 20));
}

TEST_CASE("calls with integer, floating-point and string arguments") {
  auto ex = make_in_process_executor();
  // lstrlenA(const char *) from kernel32, by name.
  auto len = ex->lookup_import("kernel32.dll", "lstrlenA", std::nullopt);
  REQUIRE(len);
  CallArg s;
  s.kind = CallArg::Bytes;
  s.bytes = std::string("hello", 6);
  auto r = ex->call(*len, CallConv::Microsoft, {&s, 1});
  REQUIRE(bool(r));
  CHECK(*r == 5);
}

TEST_CASE("imports bind by name and by ordinal through LoadLibrary and GetProcAddress") {
  auto ex = make_in_process_executor();
  auto tick = ex->lookup_import("KERNEL32.DLL", "GetTickCount64", std::nullopt);
  REQUIRE(tick);
  CHECK(*tick == reinterpret_cast<uint64_t>(GetProcAddress(GetModuleHandleA("kernel32.dll"),
                                                           "GetTickCount64")));
  auto wsprintf = ex->lookup_import("user32.dll", "wsprintfA", std::nullopt);
  CHECK(wsprintf);  // user32 loaded on demand
  CHECK_FALSE(ex->lookup_import("kernel32.dll", "NoSuchExport", std::nullopt));
  CHECK_FALSE(ex->lookup_import("no-such-dll.dll", "f", std::nullopt));
  // The first export of kernel32 by its ordinal is what its name gives.
  HMODULE k32 = GetModuleHandleA("kernel32.dll");
  auto by_ordinal = ex->lookup_import("kernel32.dll", "", uint16_t(1));
  REQUIRE(by_ordinal);
  CHECK(*by_ordinal == reinterpret_cast<uint64_t>(GetProcAddress(k32, MAKEINTRESOURCEA(1))));
  auto proc = ex->lookup_process_symbol("GetCurrentProcessId");
  REQUIRE(proc);
}
