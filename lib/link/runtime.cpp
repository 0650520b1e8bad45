// link/runtime.cpp — what the linker itself provides when nothing loaded does.
//
// Windows code built by MSVC or MinGW calls a stack probe (__chkstk,
// ___chkstk_ms) before growing its frame by more than a page; those live in
// the toolchain's runtime library. MinGW's gcc also makes every main() call
// __main first, which in a linked program runs the .ctors list: rtlink runs
// initializers itself, so its __main does nothing. libmingw32's own __main
// (pulled when that archive is named) walks __CTOR_LIST__ / __DTOR_LIST__,
// which GNU ld makes from .ctors/.dtors and libgcc's _ctors.o defines empty:
// rtlink's are empty too ({-1, 0}: no constructor runs twice). When no
// loaded archive defines them, rtlink adds a small unit of its own with
// these, weak, so that a definition loaded later takes the name over
// (each ArchBackend has its probe: x86-64's in arch/x86_64.cpp).
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
//
// COFF code's atexit and _onexit (C++ global destructors, from MinGW's and
// MSVC's compilers) are the C runtime's, whose list runs at the process's
// exit, after the unit's pages are gone, or never. Where the executor has a
// registrar of its own (Executor::runtime_functions()[3]: the Windows
// executor's), each COFF unit gets the same few bytes, calling it with the
// unit's __dso_handle, so they run at its unload and at the Linker's end.
//
// MSVC-ABI code's _CxxThrowException is the C runtime's too, and asks the
// loader for the image base of the thrown type's throw info, which for
// loaded code the loader does not know. The executor's throw
// (runtime_functions()[4]) takes the unit's __ImageBase from the same few
// bytes (platform/unwind-win32.cpp says the rest).
namespace {
struct UnitRuntime {
  std::string_view name, callee;
  Format format;
};
constexpr UnitRuntime kUnitRuntime[] = {
    {"atexit", "__cxa_atexit", Format::ELF},                // atexit(f): __cxa_atexit(f, 0, dso)
    {"at_quick_exit", "__cxa_at_quick_exit", Format::ELF},  // the same, for quick_exit
    {"pthread_atfork", "__register_atfork", Format::ELF},   // (prepare, parent, child, dso)
    {"__stack_chk_fail_local", "__stack_chk_fail", Format::ELF},
    {"atexit", Session::kCoffAtexit, Format::COFF},   // atexit(f): registrar(f, dso, 0)
    {"_onexit", Session::kCoffAtexit, Format::COFF},  // _onexit(f): registrar(f, dso, 1)
    // _CxxThrowException(object, info): throw(object, info, __ImageBase)
    {"_CxxThrowException", Session::kCoffCxxThrow, Format::COFF},
};
} // namespace

bool Session::unit_runtime_applies(int function) const {
  const UnitRuntime &f = kUnitRuntime[function];
  return f.format == Format::ELF || runtime_function(executor_function(f.callee)) != 0;
}

int Session::unit_runtime_function(std::string_view name, Format format) {
  // Mach-O code runs on the POSIX host's C library, as ELF code does: its
  // `_atexit` (the unit's `atexit`) is ELF's row.
  const Format rows = format == Format::MachO ? Format::ELF : format;
  for (size_t i = 0; i < std::size(kUnitRuntime); ++i)
    if (kUnitRuntime[i].name == name && kUnitRuntime[i].format == rows)
      return int(i);
  return -1;
}

// The executor's own functions loaded code calls, asked once per executor.
uint64_t Session::runtime_function(int which) const {
  if (!runtime_functions_) {
    auto f = executor->runtime_functions();
    runtime_functions_ = f ? *f : RuntimeFunctions{};
  }
  return (*runtime_functions_)[size_t(which)];
}

std::string_view Session::unit_runtime_callee(int function) { return kUnitRuntime[function].callee; }

bool Session::is_runtime_symbol(std::string_view name) {
  return name == "__chkstk" || name == "___chkstk_ms" || name == "__main" ||
         name == "__CTOR_LIST__" || name == "__DTOR_LIST__";
}

Expected<Unit *> Session::add_runtime_unit() {
  for (const auto &u : units)
    if (u->path == "<rtlink runtime>")
      return u.get();
  // COFF code on the executor's arch: the only one a Windows stack probe serves.
  const ArchBackend &arch = arch_backend(executor->arch());
  std::span<const uint8_t> code = arch.stack_probe();
  LinkUnit lu;
  lu.arch = arch.arch;
  lu.name = "<rtlink runtime>";
  lu.format = Format::COFF;
  lu.add_section(".text", code, 16, Perm::ReadExecute);
  Symbol probe;
  probe.section = 0;
  // Weak: a definition loaded later (libgcc's ___chkstk_ms, libmingw32's
  // __main, pulled for another name) takes the name over.
  probe.binding = Binding::Weak;
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
  // Two empty lists, as libgcc's _ctors.o has them: a -1 count, then the end.
  static const uint64_t empty_lists[4] = {~uint64_t(0), 0, ~uint64_t(0), 0};
  Symbol list;
  list.section = lu.add_section(
      ".rdata$ctors", {reinterpret_cast<const uint8_t *>(empty_lists), sizeof empty_lists}, 8,
      Perm::Read);
  list.binding = Binding::Weak;
  list.name = "__CTOR_LIST__";
  lu.symbols.push_back(list);
  list.name = "__DTOR_LIST__";
  list.value = 16;
  lu.symbols.push_back(list);
  auto u = add_unit(std::move(lu), "<rtlink runtime>", -1, 0);
  if (u && trace)
    trace("added <rtlink runtime> (__chkstk, ___chkstk_ms, __main, __CTOR_LIST__, "
          "__DTOR_LIST__)");
  return u;
}

} // namespace rtlink
