// link/got_stubs.cpp — the pass that decides GOT cells and jump stubs.
//
// It runs after binding and before layout, over the edges of the batch:
//  - every GOT-relative edge (GOTPCREL and friends) gets an 8-byte cell
//    holding its target's address, one per target symbol; so does every
//    __imp_X the unit references when nothing defines __imp_X (COFF);
//  - every Branch32 edge whose target lies outside the reserved range (a
//    host or library function) is pointed at a stub, `jmp *cell(%rip)`,
//    inside the range.
//  - every edge whose field cannot reach its target outside the range from
//    anywhere in it (ArchBackend::far_reference: x86-64's PCRel32 / Abs32 /
//    Abs32S, aarch64's ADRP, ADR and literal loads and their :lo12:
//    partners; code built without -fPIC or as PIE reaching the process's
//    data or functions) gets its instruction rewritten as the arch's planner
//    says (arch/x86_64_far.hpp, arch/aarch64_far.hpp): through a cell
//    holding the address (kept after the GOT cells), a thunk (kept after
//    the stubs), or a stub.
// Edges are not rewritten: fixup.cpp reads the per-symbol cell and stub
// indices and the far references decided here.
#include "link/session.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <set>

namespace rtlink {

// Plans the rewrite of each far reference of `u` (see arch/far.hpp);
// what cannot be rewritten goes into `errors`, naming the site.
template <class MakeStub>
void Session::plan_far(Unit &u, const std::vector<FarEdge> &far,
                       MakeStub &&stub, std::string &errors) const {
  const LinkUnit &lu = u.lu;
  // Where instructions start: the section's symbols, nearest first.
  std::vector<std::vector<uint64_t>> starts(lu.sections.size());
  for (const auto &[i, e, address] : far)
    if (starts[i].empty()) {
      starts[i].push_back(0);
      for (const Symbol &s : lu.symbols)
        if (s.section == i && s.value < lu.sections[i].size)
          starts[i].push_back(s.value);
      std::sort(starts[i].rbegin(), starts[i].rend());
      starts[i].erase(std::unique(starts[i].begin(), starts[i].end()), starts[i].end());
    }
  auto fail = [&](uint32_t i, const Edge &e, const std::string &why) {
    if (errors.size() < 8000)
      append_line(errors, lu.site(i, e.offset) + ": relocation " + lu.relocation_name(e.native) +
                              " against " + quote(lu.symbol_name(e.target)) +
                              " cannot reach it outside the loaded range: " + why);
  };
  struct Check {
    uint32_t section;
    const Edge *edge;
    uint64_t address;
    std::string refusal;
  };
  std::vector<Check> checks;
  auto add_cell = [&](Unit::FarRef &ref) {
    std::pair key{ref.target, ref.plan.cell_addend};
    auto it = std::find(u.far_cells.begin(), u.far_cells.end(), key);
    ref.cell = int32_t(it - u.far_cells.begin());
    if (it == u.far_cells.end())
      u.far_cells.push_back(key);
  };
  // A type table of C++ exception handling (.gcc_except_table) with 32-bit
  // absolute entries (non-PIC code) and one of them out of reach: the whole
  // table becomes indirect and pc-relative (DW_EH_PE_indirect | pcrel |
  // sdata4: the same 4 bytes an entry), each entry pointing at a cell holding
  // the typeinfo's address. The personality routine reads either; null
  // entries (catch (...)) stay null.
  std::set<std::pair<uint32_t, uint64_t>> in_tables;
  auto rewrite_type_table = [&](uint32_t i, const Edge &e) {
    const Section &sec = lu.sections[i];
    if (!sec.name.starts_with(".gcc_except_table") ||
        (e.kind != EdgeKind::Abs32 && e.kind != EdgeKind::Abs32S))
      return false;
    std::optional<TypeTable> t = type_table_at(lu, i, e.offset);
    if (!t || (t->encoding != 0x03 && t->encoding != 0x0b) || (t->base - e.offset) % 4)
      return false;
    for (const Edge &o : lu.edges_of(sec)) {
      if (o.offset < t->header_end || o.offset >= t->base || (t->base - o.offset) % 4 ||
          (o.kind != EdgeKind::Abs32 && o.kind != EdgeKind::Abs32S) ||
          !in_tables.insert({i, o.offset}).second)
        continue;
      FarPlan p;
      p.kind = FarPlan::LoadFromCell;
      p.start = uint32_t(o.offset);
      p.length = 4;
      p.opcode_at = uint32_t(t->encoding_at);
      p.opcode = 0x9b;  // DW_EH_PE_indirect | DW_EH_PE_pcrel | DW_EH_PE_sdata4
      p.field_kind = EdgeKind::PCRel32;
      p.uses_cell = true;
      p.cell_addend = o.addend;
      Unit::FarRef ref{i, o.offset, o.target, o.addend, -1, 0, std::move(p)};
      add_cell(ref);
      u.far_refs.push_back(std::move(ref));
    }
    return true;
  };
  for (const auto &[i, e, address] : far) {
    if (in_tables.count({i, e->offset}) || rewrite_type_table(i, *e))
      continue;
    if (e->kind == EdgeKind::ImageRel32) {
      // An RVA (.xdata's personality routine: __CxxFrameHandler3 or
      // __C_specific_handler of a DLL bound without an import library)
      // holds only what lies within 4 GiB above the image base: a stub
      // there stands for a function.
      checks.push_back({i, e, address, "an image-relative (RVA) reference reaches only 4 GiB above the image base"});
      stub(e->target);
      continue;
    }
    const Section &sec = lu.sections[i];
    std::span<const uint64_t> from = starts[i];
    from = from.subspan(size_t(std::lower_bound(from.begin(), from.end(), e->offset,
                                                std::greater<uint64_t>()) - from.begin()));
    auto plan = u.arch().plan_far({sec.bytes, sec.bytes ? sec.size : 0},
                                  sec.perm == Perm::ReadExecute, from, e->offset, e->kind,
                                  e->addend);
    if (!plan) {
      fail(i, *e, plan.error().message());
      continue;
    }
    // Another reference inside the same instruction would be left behind.
    if (plan->kind == FarPlan::Thunk)
      for (const Edge &o : lu.edges_of(sec))
        if (&o != e && o.offset >= plan->start && o.offset < plan->start + plan->length) {
          fail(i, *e, "its instruction holds another relocation");
          break;
        }
    if (plan->only_if_code) {
      // Asked of the executor below, all at once.
      checks.push_back({i, e, address, std::move(plan->refusal)});
      stub(e->target);
      continue;
    }
    Unit::FarRef ref{i, e->offset, e->target, e->addend, -1, 0, std::move(*plan)};
    if (ref.plan.kind == FarPlan::Stub)
      stub(e->target);
    if (ref.plan.uses_cell)
      add_cell(ref);
    if (ref.plan.kind == FarPlan::Thunk) {
      ref.thunk = u.thunks_size;
      u.thunks_size += (ref.plan.code.size() + 7) & ~uint64_t(7);
    }
    u.far_refs.push_back(std::move(ref));
  }
  if (!checks.empty()) {
    std::vector<uint64_t> addrs;
    for (const Check &c : checks)
      addrs.push_back(c.address);
    std::vector<std::optional<bool>> code = executor->is_code(addrs);
    for (size_t k = 0; k < checks.size(); ++k) {
      const Check &c = checks[k];
      if (k < code.size() && code[k] && *code[k]) {
        FarPlan p;
        p.kind = FarPlan::Stub;
        u.far_refs.push_back({c.section, c.edge->offset, c.edge->target, c.edge->addend, -1, 0, p});
        continue;
      }
      const Symbol &s = lu.symbols[c.edge->target];
      fail(c.section, *c.edge,
           c.refusal + ", and " + std::string(s.name) + " (at " + hex(c.address) + ") " +
               (k < code.size() && code[k] ? "is data, not a function a stub could stand for"
                                           : "may be data: the executor cannot tell"));
    }
  }
  std::sort(u.far_refs.begin(), u.far_refs.end(), [](const Unit::FarRef &a, const Unit::FarRef &b) {
    return std::pair{a.section, a.offset} < std::pair{b.section, b.offset};
  });
}

const Unit::FarRef *Unit::far_ref(uint32_t section, uint64_t offset) const {
  auto it = std::lower_bound(far_refs.begin(), far_refs.end(), std::pair{section, offset},
                             [](const FarRef &f, const std::pair<uint32_t, uint64_t> &k) {
                               return std::pair{f.section, f.offset} < k;
                             });
  return it != far_refs.end() && it->section == section && it->offset == offset ? &*it : nullptr;
}

Error Session::plan_got_and_stubs(const std::vector<Unit *> &batch) {
  std::string errors;
  // An IFUNC is pending only in a unit not ready yet, one of the batch: with
  // none defined there, no edge needs pending_ifunc's walk to its definition
  // (the GHC job's 297,000 edges: 2% of its time).
  bool ifuncs = false;
  for (const Unit *u : batch)
    for (uint32_t j = 0; j < u->lu.symbols.size() && !ifuncs; ++j)
      ifuncs = u->lu.symbols[j].is_ifunc && u->targets[j].kind == Target::Own;
  for (Unit *u : batch) {
    const size_t n = u->lu.symbols.size();
    u->got_cell.assign(n, -1);
    u->stub.assign(n, -1);
    u->via_stub.assign(n, 0);
    if (Error e = plan_tls(*u))
      append_line(errors, e.message());
    auto cell = [&](uint32_t j) {
      if (u->got_cell[j] < 0) {
        u->got_cell[j] = int32_t(u->got_symbols.size());
        u->got_symbols.push_back(j);
      }
    };
    // Where a symbol's address will come from, following name bindings.
    auto absolute = [&](uint32_t j) -> const Target * {
      auto [d, k] = u->definition(j);
      const Target *t = &d->targets[k];
      return t->kind == Target::Absolute ? t : nullptr;
    };
    auto outside = [&](uint32_t j) {
      const Target *t = absolute(j);
      return t && !space.contains(t->value);
    };
    auto stub = [&](uint32_t j) {
      if (u->stub[j] >= 0)
        return;
      cell(j);
      u->stub[j] = int32_t(u->stub_symbols.size());
      u->stub_symbols.push_back(j);
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
      } else if (t.kind == Target::UnitRuntime) {
        cell(t.index);
        u->runtime_code.emplace_back(j, u->thunks_size);
        u->thunks_size += kUnitRuntimeSize;
      }
    }
    // Where a branch reaches less far than the range is wide, every branch
    // to another unit may need a veneer: a stub for each such target, used
    // only where fixup.cpp finds the branch too short.
    const ArchBackend &arch = u->arch();
    const bool short_branches = arch.branch_reach < space.size();
    std::vector<FarEdge> far;
    for (uint32_t i = 0; i < u->lu.sections.size(); ++i) {
      const Section &sec = u->lu.sections[i];
      if (sec.role == SectionRole::Skip || sec.discarded)
        continue;
      for (const Edge &e : u->lu.edges_of(sec)) {
        uint32_t def;
        if (u->via_stub[e.target] || (ifuncs && pending_ifunc(*u, e.target, def))) {
          // An IFUNC: every reference through the cell its resolver fills.
          u->via_stub[e.target] = 1;
          if (needs_got_cell(e.kind))
            cell(e.target);
          else
            stub(e.target);
        } else if (needs_got_cell(e.kind)) {
          cell(e.target);
        } else if (e.kind == arch.branch) {
          if (outside(e.target) || (short_branches && u->definition(e.target).first != u))
            stub(e.target);
        } else if (arch.far_reference) {
          const Target *t = absolute(e.target);
          if (t && !space.contains(t->value) &&
              arch.far_reference(e.kind, t->value + uint64_t(e.addend), space.base(), space.size()))
            far.push_back({i, &e, t->value});
        }
      }
    }
    if (!far.empty())
      plan_far(*u, far, stub, errors);
    stats.got_cells += u->got_symbols.size() + u->far_cells.size();
    stats.stubs += u->stub_symbols.size();
    for (const Unit::FarRef &f : u->far_refs)
      stats.thunks += f.plan.kind != FarPlan::Stub;
  }
  if (!errors.empty())
    return Error(errors);
  return Error::success();
}

} // namespace rtlink
