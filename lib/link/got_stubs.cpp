// link/got_stubs.cpp — the pass that decides GOT cells and jump stubs.
//
// It runs after binding and before layout, over the edges of the batch:
//  - every GOT-relative edge (GOTPCREL and friends) gets an 8-byte cell
//    holding its target's address, one per target symbol; so does every
//    __imp_X the unit references when nothing defines __imp_X (COFF);
//  - every Branch32 edge whose target lies outside the reserved range (a
//    host or library function) is pointed at a stub, `jmp *cell(%rip)`,
//    inside the range.
// Edges are not rewritten: fixup.cpp reads the per-symbol cell and stub
// indices decided here.
#include "link/session.hpp"

namespace rtlink {

void Session::plan_got_and_stubs(const std::vector<Unit *> &batch) {
  for (Unit *u : batch) {
    const size_t n = u->lu.symbols.size();
    u->got_cell.assign(n, -1);
    u->stub.assign(n, -1);
    auto cell = [&](uint32_t j) {
      if (u->got_cell[j] < 0) {
        u->got_cell[j] = int32_t(u->got_symbols.size());
        u->got_symbols.push_back(j);
      }
    };
    // Where a symbol's address will come from, following one name binding.
    auto outside = [&](uint32_t j) {
      const Target *t = &u->targets[j];
      for (int hops = 0; t->kind == Target::Other && hops < 8; ++hops)
        t = &t->unit->targets[t->index];
      return t->kind == Target::Absolute && !space.contains(t->value);
    };
    // __imp_X cells this unit makes are GOT cells of X; a call to X where
    // only __imp_X exists gets a stub through that cell.
    for (uint32_t j = 0; j < u->targets.size(); ++j) {
      const Target &t = u->targets[j];
      if (t.kind == Target::CellOf) {
        cell(t.index);
      } else if (t.kind == Target::StubVia) {
        u->stub[j] = int32_t(u->stub_symbols.size());
        u->stub_symbols.push_back(j);
      }
    }
    for (const Section &sec : u->lu.sections) {
      if (sec.role == SectionRole::Skip || sec.discarded)
        continue;
      for (const Edge &e : sec.edges) {
        if (needs_got_cell(e.kind)) {
          cell(e.target);
        } else if (e.kind == EdgeKind::Branch32 && u->stub[e.target] < 0 && outside(e.target)) {
          cell(e.target);
          u->stub[e.target] = int32_t(u->stub_symbols.size());
          u->stub_symbols.push_back(e.target);
        }
      }
    }
    stats.got_cells += u->got_symbols.size();
    stats.stubs += u->stub_symbols.size();
  }
}

} // namespace rtlink
