// link/symbols.cpp — adding and removing units: the global symbol table
// (strongest definition wins, the others shadowed until it goes) and COMDAT
// groups (one copy kept, as each group's selection allows).
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "support/demangle.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <cstring>

namespace rtlink {

namespace {

const char *selection_name(ComdatSelection s) {
  switch (s) {
  case ComdatSelection::Any: return "ANY";
  case ComdatSelection::NoDuplicates: return "NODUPLICATES";
  case ComdatSelection::SameSize: return "SAME_SIZE";
  case ComdatSelection::ExactMatch: return "EXACT_MATCH";
  case ComdatSelection::Largest: return "LARGEST";
  case ComdatSelection::Newest: return "NEWEST";
  }
  return "?";
}

bool same_contents(const LinkUnit &a, const Group &ga, const LinkUnit &b, const Group &gb) {
  const Section &sa = a.sections[ga.sections[0]], &sb = b.sections[gb.sections[0]];
  if (sa.size != sb.size || ga.checksum != gb.checksum || bool(sa.bytes) != bool(sb.bytes))
    return false;
  return !sa.bytes || std::memcmp(sa.bytes, sb.bytes, sa.size) == 0;
}

} // namespace

// Names a unit offers to others: its global definitions, and the weak
// externals whose alias serves when nothing stronger defines the name.
bool Session::offers(const Symbol &s) {
  return s.global() && !s.name.empty() && (s.defined() || s.alias != kNoAlias);
}

uint8_t Session::strength(const Symbol &s) {
  if (s.section == kCommon)
    return 2;
  return s.binding == Binding::Weak ? 1 : 3;
}

void Session::link_global(Unit *u, uint32_t j, const NameKey &name) {
  const uint8_t st = strength(u->lu.symbols[j]);
  auto [it, inserted] = globals.try_emplace(name, GlobalEntry{{u, j}, st, {}});
  if (inserted)
    return;
  GlobalEntry &e = it->second;
  if (st > e.strength) {
    e.shadowed.push_back(e.def);
    e.def = {u, j};
    e.strength = st;
  } else {
    e.shadowed.push_back({u, j});
  }
}

// Takes (u, j) out of its name's entry; the best definition it shadowed, if
// any, takes its place.
void Session::unlink_global(Unit *u, uint32_t j) {
  auto it = globals.find(u->lu.symbols[j].name);
  if (it == globals.end())
    return;
  GlobalEntry &e = it->second;
  std::erase_if(e.shadowed, [&](const GlobalDef &d) { return d.unit == u && d.sym == j; });
  if (e.def.unit == u && e.def.sym == j) {
    if (e.shadowed.empty()) {
      globals.erase(it);  // the name is gone
      return;
    }
    auto best = e.shadowed.begin();
    for (auto d = e.shadowed.begin(); d != e.shadowed.end(); ++d)
      if (strength(d->unit->lu.symbols[d->sym]) > strength(best->unit->lu.symbols[best->sym]))
        best = d;
    e.def = *best;
    e.strength = strength(best->unit->lu.symbols[best->sym]);
    e.shadowed.erase(best);
  }
  // The key may point into this unit's strings: the same name (and hash)
  // in strings that stay.
  it->first.name = e.def.unit->lu.symbols[e.def.sym].name;
}

Expected<Unit *> Session::add_unit(LinkUnit lu, std::string path, int32_t archive,
                                   uint32_t member) {
  PhaseTimer timer{stats.load, options.measure_memory && archive < 0};
  // COMDAT groups: the first copy is kept and later ones dropped, as each
  // group's selection allows. LARGEST lets a larger later copy take over
  // from one that is not resolved yet.
  // Hash lookups throughout: an object may have tens of thousands of groups.
  NameMap<uint32_t> owned;  // signature → group here
  std::vector<std::pair<Unit *, size_t>> taken_over;  // (owner, its group)
  bool dropped = false;
  for (size_t gi = 0; gi < lu.groups.size(); ++gi) {
    const Group &g = lu.groups[gi];
    Unit *owner = nullptr;
    const LinkUnit *olu = nullptr;
    size_t og_index = SIZE_MAX;
    if (auto it = comdats.find(g.signature); it != comdats.end()) {
      owner = it->second.unit;
      olu = &owner->lu;
      og_index = it->second.group;
    } else if (auto in = owned.find(g.signature); in != owned.end()) {
      olu = &lu;
      og_index = in->second;
    }
    if (!olu) {
      owned.try_emplace(g.signature, uint32_t(gi));
      continue;
    }
    const Group &og = olu->groups[og_index];
    auto conflict = [&](const std::string &why) {
      return make_error("COMDAT ", g.signature, ": ", why, "\n>>> in ", olu->name, "\n>>> in ",
                        lu.name);
    };
    if (g.selection != og.selection)
      return conflict(std::string("selections differ (") + selection_name(og.selection) +
                      " and " + selection_name(g.selection) + ")");
    bool keep_new = false;
    switch (g.selection) {
    case ComdatSelection::Any: break;
    case ComdatSelection::NoDuplicates:
      return conflict("defined twice, and its selection is NODUPLICATES");
    case ComdatSelection::SameSize:
      if (g.size != og.size)
        return conflict("sizes differ (" + std::to_string(og.size) + " and " +
                        std::to_string(g.size) + " bytes), and its selection is SAME_SIZE");
      break;
    case ComdatSelection::ExactMatch:
      if (!same_contents(*olu, og, lu, g))
        return conflict("contents differ, and its selection is EXACT_MATCH");
      break;
    case ComdatSelection::Largest:
      if (g.size <= og.size)
        break;
      if (!owner || owner->ready)
        return conflict("a larger copy (" + std::to_string(g.size) + " bytes) arrived after a " +
                        std::to_string(og.size) + "-byte one was " +
                        (owner ? "resolved" : "kept") +
                        "; with LARGEST, load the larger copy first");
      keep_new = true;
      break;
    case ComdatSelection::Newest:
      return conflict("selection NEWEST is not supported");
    }
    if (keep_new) {
      taken_over.emplace_back(owner, og_index);
      owned[g.signature] = uint32_t(gi);
      continue;
    }
    for (uint32_t sec : g.sections)
      lu.sections[sec].discarded = true;
    dropped = true;
  }
  if (dropped) {
    // Globals defined in a dropped copy now refer to the kept one.
    for (Symbol &s : lu.symbols)
      if (s.global() && s.section < lu.sections.size() && lu.sections[s.section].discarded) {
        s.section = kUndefined;
        s.value = 0;
      }
  }
  // The unwinder reads .eh_frame only when something throws: check it now.
  for (uint32_t i = 0; i < lu.sections.size(); ++i)
    if (lu.sections[i].role == SectionRole::EHFrame && !lu.sections[i].discarded)
      if (Error e = dropped ? prune_eh_frame(lu, i) : check_eh_frame(lu, i))
        return e;

  // A second strong definition is an error naming both; one inside a COMDAT
  // copy this unit takes over is not.
  auto taken_over_def = [&](const GlobalDef &d) {
    for (auto [o, gi] : taken_over) {
      const auto &secs = o->lu.groups[gi].sections;
      if (d.unit == o && std::find(secs.begin(), secs.end(), o->lu.symbols[d.sym].section) !=
                             secs.end())
        return true;
    }
    return false;
  };
  // The names this unit offers, each hashed once for the check and the commit.
  std::vector<std::pair<uint32_t, NameKey>> offered;
  for (uint32_t j = 0; j < lu.symbols.size(); ++j)
    if (offers(lu.symbols[j]))
      offered.emplace_back(j, lu.symbols[j].name);
  std::string dups;
  int ndups = 0;
  for (const auto &[j, key] : offered) {
    const Symbol &s = lu.symbols[j];
    if (!s.defined() || strength(s) != 3)
      continue;
    auto it = globals.find(key);
    if (it == globals.end() || it->second.strength != 3 || taken_over_def(it->second.def))
      continue;
    if (++ndups <= 10)
      append_line(dups, std::string("duplicate symbol: ") + display_name(s.name) +
                            "\n>>> defined in " + describe_def(it->second.def) +
                            "\n>>> defined in " + lu.name);
  }
  if (ndups > 10)
    dups += "\n(" + std::to_string(ndups - 10) + " more duplicate symbols)";
  if (ndups)
    return Error(dups);

  // Commit. First the copies this unit takes over are dropped from their owners.
  for (auto [o, gi] : taken_over) {
    const Group &og = o->lu.groups[gi];
    Takeover log{o, uint32_t(gi), og.signature, og.sections, {}};
    for (uint32_t sec : og.sections)
      o->lu.sections[sec].discarded = true;
    for (uint32_t j = 0; j < o->lu.symbols.size(); ++j) {
      Symbol &sym = o->lu.symbols[j];
      if (sym.section < o->lu.sections.size() && o->lu.sections[sym.section].discarded &&
          sym.global()) {
        log.symbols.emplace_back(j, sym);
        unlink_global(o, j);
        sym.section = kUndefined;
        sym.value = 0;
      }
    }
    comdats.erase(og.signature);
    takeovers.push_back(std::move(log));
  }
  auto unit = std::make_unique<Unit>();
  Unit *u = unit.get();
  u->id = next_unit_id_++;
  u->path = std::move(path);
  u->archive = archive;
  u->member = member;
  u->lu = std::move(lu);
  for (const auto &[j, key] : offered)
    link_global(u, j, key);  // (the names point into the file, which moved with the unit)
  for (auto [sig, gi] : owned)
    comdats.try_emplace(sig, ComdatOwner{u, gi});
  u->base_symbols = u->lu.symbols.size();
  units.push_back(std::move(unit));
  ++stats.units_loaded;
  return u;
}

// Gives owners back the COMDAT copies taken over since `keep` entries (the
// units that took them are removed by the caller, which frees the names).
void Session::undo_takeovers(size_t keep) {
  while (takeovers.size() > keep) {
    Takeover &t = takeovers.back();
    for (uint32_t sec : t.sections)
      t.owner->lu.sections[sec].discarded = false;
    for (auto &[j, sym] : t.symbols) {
      t.owner->lu.symbols[j] = sym;
      link_global(t.owner, j);
    }
    comdats[t.signature] = ComdatOwner{t.owner, t.group};
    takeovers.pop_back();
  }
}

void Session::remove_unit(Unit *u) {
  std::erase_if(takeovers, [&](const Takeover &t) { return t.owner == u; });
  for (uint32_t j = 0; j < u->lu.symbols.size(); ++j)
    if (offers(u->lu.symbols[j]))
      unlink_global(u, j);
  for (const Group &g : u->lu.groups)  // those it owns, by their signatures
    if (auto it = comdats.find(g.signature); it != comdats.end() && it->second.unit == u)
      comdats.erase(it);
  if (u->archive >= 0 && archives[size_t(u->archive)])
    archives[size_t(u->archive)]->pulled[u->member] = nullptr;
  std::erase_if(units, [&](const std::unique_ptr<Unit> &p) { return p.get() == u; });
}

} // namespace rtlink
