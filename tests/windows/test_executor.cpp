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
  // An x86-64 Windows process: aarch64's convention is refused, nothing called.
  CHECK(ex->arch() == Arch::X86_64);
  CHECK(ex->native_convention() == CallConv::Microsoft);
  auto refused = ex->call_int(*base, CallConv::AAPCS64);
  REQUIRE_FALSE(bool(refused));
  CHECK(refused.error().message() ==
        "cannot call with the AAPCS64 convention on x86-64 (System V or Microsoft x64 only)");
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

TEST_CASE("function tables: registered, the unwinder finds loaded code; deregistered, no more") {
  auto ex = make_in_process_executor();
  auto base = ex->reserve(1 << 20, false);
  REQUIRE(bool(base));
  REQUIRE_FALSE(ex->commit(*base, 8192));
  // At +0: a function (sub rsp, 40; add rsp, 40; ret); at +64 its UNWIND_INFO
  // (version 1, prolog 4 bytes, one code: UWOP_ALLOC_SMALL 40); at +128 the
  // RUNTIME_FUNCTION (begin, end, unwind info), all relative to base.
  const uint8_t code[] = {0x48, 0x83, 0xec, 0x28, 0x48, 0x83, 0xc4, 0x28, 0xc3};
  const uint8_t unwind[] = {0x01, 0x04, 0x01, 0x00, 0x04, 0x42, 0x00, 0x00};
  const uint32_t entry[] = {0, sizeof code, 64};
  REQUIRE_FALSE(ex->write(*base, code));
  REQUIRE_FALSE(ex->write(*base + 64, unwind));
  REQUIRE_FALSE(ex->write(*base + 128, {reinterpret_cast<const uint8_t *>(entry), sizeof entry}));
  DWORD64 image = 0;
  CHECK(RtlLookupFunctionEntry(*base + 2, &image, nullptr) == nullptr);
  Executor::FunctionTable t{*base + 128, 1, *base};
  REQUIRE_FALSE(ex->register_function_tables({&t, 1}));
  PRUNTIME_FUNCTION f = RtlLookupFunctionEntry(*base + 2, &image, nullptr);
  REQUIRE(f != nullptr);
  CHECK(image == *base);
  CHECK(f->EndAddress == sizeof code);
  uint64_t table = *base + 128;
  REQUIRE_FALSE(ex->deregister_function_tables({&table, 1}));
  CHECK(RtlLookupFunctionEntry(*base + 2, &image, nullptr) == nullptr);
  REQUIRE_FALSE(ex->release(*base, 1 << 20));
}
