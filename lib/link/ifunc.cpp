// link/ifunc.cpp — indirect functions (STT_GNU_IFUNC).
//
// An IFUNC's symbol value is its resolver: a function that returns the
// address every reference must reach (glibc picks memcpy's variant this
// way). The resolver is loaded code, so it can run only once its unit is
// laid out, fixed up and protected. Until then, references to it go through
// a cell: got_stubs.cpp gives every edge that names a pending IFUNC its
// unit's stub (jmp *cell) or, for GOT-relative edges, the cell itself; here
// each resolver is called, and its answer written into every such cell of
// the batch and kept as the symbol's address (what lookup returns and what
// later resolves bind to directly). A function's address taken in data is
// then its unit's stub, as a static link gives its PLT entry. Resolvers run
// with no arguments, before any initializer, as the dynamic loader runs them.
#include "link/cache.hpp"
#include "link/session.hpp"
#include "support/format.hpp"

namespace rtlink {

const Unit *Session::pending_ifunc(const Unit &u, uint32_t k, uint32_t &def) {
  auto [d, j] = u.definition(k);
  if (d->targets[j].kind != Target::Own || !d->lu.symbols[j].is_ifunc || d->ready)
    return nullptr;
  def = j;
  return d;
}

Error Session::resolve_ifuncs(const std::vector<Unit *> &batch, LinkObserver *observer) {
  // Each IFUNC defined in the batch, once: its resolver's answer.
  std::vector<std::pair<std::pair<const Unit *, uint32_t>, uint64_t>> resolved;
  for (Unit *u : batch)
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j) {
      const Symbol &s = u->lu.symbols[j];
      if (!s.is_ifunc || u->targets[j].kind != Target::Own)
        continue;
      auto r = executor->call(u->addr[j], u->conv(), {});
      if (!r)
        return make_error(u->lu.name, ": the resolver of indirect function ", s.name,
                          " failed: ", r.error().message());
      if (trace)
        trace("resolved indirect function " + std::string(s.name) + " to " + hex(uint64_t(*r)));
      resolved.push_back({{u, j}, uint64_t(*r)});
    }
  if (resolved.empty())
    return Error::success();
  if (observer)
    observer->tied_to_process("an indirect function (STT_GNU_IFUNC), resolved in this process");
  auto answer = [&](const Unit *d, uint32_t j) -> const uint64_t * {
    for (const auto &[key, value] : resolved)
      if (key.first == d && key.second == j)
        return &value;
    return nullptr;
  };
  const uint64_t page = executor->page_size();
  for (Unit *u : batch) {
    for (size_t c = 0; c < u->got_symbols.size(); ++c) {
      uint32_t def = 0;
      const Unit *d = pending_ifunc(*u, u->got_symbols[c], def);
      const uint64_t *v = d ? answer(d, def) : nullptr;
      if (!v)
        continue;
      // The cell lies in the read-only segment, protected already.
      const uint64_t at = u->got_base + c * 8, first = at & ~(page - 1);
      const uint64_t span = ((at + 8 + page - 1) & ~(page - 1)) - first;
      if (Error e = executor->protect(first, span, Protection::ReadWrite))
        return e;
      Error w = executor->write(at, {reinterpret_cast<const uint8_t *>(v), 8});
      Error p = executor->protect(first, span, Protection::Read);
      if (w)
        return w;
      if (p)
        return p;
    }
  }
  // The symbols' addresses: what lookup returns and later resolves bind to.
  for (Unit *u : batch)
    for (uint32_t j = 0; j < u->addr.size(); ++j) {
      uint32_t def = 0;
      const Unit *d = pending_ifunc(*u, j, def);
      if (const uint64_t *v = d ? answer(d, def) : nullptr)
        u->addr[j] = *v;
    }
  return Error::success();
}

} // namespace rtlink
