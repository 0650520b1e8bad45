// link/runtime.cpp — what the linker itself provides when nothing loaded does.
//
// Windows code built by MSVC or MinGW calls a stack probe (__chkstk,
// ___chkstk_ms) before growing its frame by more than a page; those live in
// the toolchain's runtime library. MinGW's gcc also makes every main() call
// __main first, which in a linked program runs the .ctors list: rtlink runs
// initializers itself, so its __main does nothing. When no loaded archive
// defines them, rtlink adds a small unit of its own with these
// (arch/x86_64.cpp has the probe).
#include "arch/x86_64.hpp"
#include "link/session.hpp"

#include <iterator>

namespace rtlink {

// What glibc keeps out of libc.so.6, in libc_nonshared.a: functions that
// pass the caller's own __dso_handle on, so that what a shared object
// registers goes when it is unloaded. rtlink gives each unit that calls them
// code of its own doing the same with the unit's __dso_handle: atexit
// handlers then run at the unit's unload (and at finalize), before its
// .fini_array, as the C library runs them; fork handlers are dropped with it
// (__cxa_finalize unregisters them).
namespace {
struct UnitRuntime {
  std::string_view name, callee;
};
constexpr UnitRuntime kUnitRuntime[] = {
    {"atexit", "__cxa_atexit"},                // atexit(f): __cxa_atexit(f, 0, dso)
    {"at_quick_exit", "__cxa_at_quick_exit"},  // the same, for quick_exit
    {"pthread_atfork", "__register_atfork"},   // (prepare, parent, child, dso)
    {"__stack_chk_fail_local", "__stack_chk_fail"},
};
} // namespace

int Session::unit_runtime_function(std::string_view name) {
  for (size_t i = 0; i < std::size(kUnitRuntime); ++i)
    if (kUnitRuntime[i].name == name)
      return int(i);
  return -1;
}

std::string_view Session::unit_runtime_callee(int function) { return kUnitRuntime[function].callee; }

std::vector<uint8_t> Session::unit_runtime_code(int function, uint64_t at, uint64_t dso,
                                                uint64_t cell) {
  std::vector<uint8_t> code;
  auto rel32 = [&](uint64_t to) {  // from the end of the 4 bytes about to be written
    int32_t v = int32_t(int64_t(to) - int64_t(at + code.size() + 4));
    const uint8_t *b = reinterpret_cast<const uint8_t *>(&v);
    code.insert(code.end(), b, b + 4);
  };
  switch (function) {
  case 0:
  case 1:
    code = {0x48, 0x8d, 0x15};  // lea dso(%rip), %rdx
    rel32(dso);
    code.insert(code.end(), {0x31, 0xf6});  // xor %esi, %esi
    break;
  case 2:
    code = {0x48, 0x8d, 0x0d};  // lea dso(%rip), %rcx
    rel32(dso);
    break;
  default: break;
  }
  code.insert(code.end(), {0xff, 0x25});  // jmp *cell(%rip)
  rel32(cell);
  return code;
}

bool Session::is_runtime_symbol(std::string_view name) {
  return name == "__chkstk" || name == "___chkstk_ms" || name == "__main";
}

Expected<Unit *> Session::add_runtime_unit() {
  for (const auto &u : units)
    if (u->path == "<rtlink runtime>")
      return u.get();
  std::span<const uint8_t> code = x86_64::stack_probe_code();
  LinkUnit lu;
  lu.name = "<rtlink runtime>";
  lu.format = Format::COFF;
  lu.add_section(".text", code, 16, Perm::ReadExecute);
  Symbol probe;
  probe.section = 0;
  probe.binding = Binding::Global;
  probe.is_function = true;
  probe.name = "__chkstk";
  lu.symbols = {Symbol{}, probe};
  probe.name = "___chkstk_ms";
  lu.symbols.push_back(probe);
  static const uint8_t ret[] = {0xc3};  // __main: initializers are rtlink's to run
  Symbol main_hook = probe;
  main_hook.section = lu.add_section(".text$main", ret, 16, Perm::ReadExecute);
  main_hook.name = "__main";
  lu.symbols.push_back(main_hook);
  auto u = add_unit(std::move(lu), "<rtlink runtime>", -1, 0);
  if (u && trace)
    trace("added <rtlink runtime> (__chkstk, ___chkstk_ms, __main)");
  return u;
}

} // namespace rtlink
