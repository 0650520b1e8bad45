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

namespace rtlink {

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
