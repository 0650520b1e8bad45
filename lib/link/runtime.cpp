// link/runtime.cpp — what the linker itself provides when nothing loaded does.
//
// Windows code built by MSVC or MinGW calls a stack probe (__chkstk,
// ___chkstk_ms) before growing its frame by more than a page; those live in
// the toolchain's runtime library. When no loaded archive defines them,
// rtlink adds a small unit of its own with the probe (arch/x86_64.cpp).
#include "arch/x86_64.hpp"
#include "link/session.hpp"


namespace rtlink {

bool Session::is_runtime_symbol(std::string_view name) {
  return name == "__chkstk" || name == "___chkstk_ms";
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
  auto u = add_unit(std::move(lu), "<rtlink runtime>", -1, 0);
  if (u && trace)
    trace("added <rtlink runtime> (__chkstk, ___chkstk_ms)");
  return u;
}

} // namespace rtlink
