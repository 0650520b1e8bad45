// link/layout.cpp — memory and addresses for the units of a batch.
//
// Units that are unloaded together share a block: one run of pages in the
// reserved range. An object is a block of its own; the members one resolve
// pulls from an archive share one (unload takes an archive's members all at
// once). A block has three segments, each protected once:
//   text   (read-execute): per unit, its code sections, then its jump stubs
//                          and the thunks of rewritten far references
//   rodata (read-only):    per unit, read-only data and .eh_frame + a zero
//                          terminator; then every unit's GOT cells (and
//                          cells of far references) and
//                          __dso_handle slot, side by side (the pages fixups
//                          write stay few); then each unit's .data.rel.ro
//   data   (read-write):   per unit, data, zero fill (.bss), COMMON symbols
// Within a unit, sections whose name is a C identifier stay together, so
// __start_NAME and __stop_NAME bracket all of them.
#include "link/session.hpp"
#include "support/format.hpp"
#include "support/parallel.hpp"

#include <array>
#include <map>

namespace rtlink {

namespace {

uint64_t align_to(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

// ASCII letters, digits and '_', not starting with a digit (what
// __start_NAME can name). Most section names start with '.'.
bool c_identifier(std::string_view s) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (s.empty() || !letter(s[0]))
    return false;
  for (char c : s)
    if (!letter(c) && !(c >= '0' && c <= '9'))
      return false;
  return true;
}

// The pass of layout_block that places a section, by its permissions; an
// unwind table (.eh_frame) has its own, after the read-only data.
enum Pass { kText, kReadOnly, kUnwind, kRelRO, kDataInitialised, kDataZero, kPasses };

int pass_of(const Section &s) {
  if (s.role == SectionRole::EHFrame)
    return kUnwind;
  switch (s.perm) {
  case Perm::ReadExecute: return kText;
  case Perm::Read: return kReadOnly;
  case Perm::RelRO: return kRelRO;
  case Perm::ReadWrite: return s.bytes ? kDataInitialised : kDataZero;
  default: return -1;
  }
}

} // namespace

Error Session::layout(const std::vector<Unit *> &batch) {
  std::vector<std::vector<Unit *>> groups;
  std::map<int32_t, size_t> by_archive;
  for (Unit *u : batch) {
    if (u->archive < 0) {
      groups.push_back({u});
      continue;
    }
    auto [it, fresh] = by_archive.try_emplace(u->archive, groups.size());
    if (fresh)
      groups.emplace_back();
    groups[it->second].push_back(u);
  }
  for (const auto &g : groups)
    if (Error e = layout_block(g))
      return e;
  return Error::success();
}

Error Session::layout_block(const std::vector<Unit *> &group) {
  const uint64_t page = executor->page_size();
  // Block-relative offsets, per unit.
  struct Plan {
    std::vector<uint64_t> off;
    uint64_t stubs = 0, thunks = 0, tls_image = 0, eh = UINT64_MAX, eh_end = 0, got = 0, dso = 0;
    std::vector<uint64_t> commons;
  };
  std::vector<Plan> plans(group.size());
  uint64_t cur = 0, initialised = 0;

  for (size_t k = 0; k < group.size(); ++k)
    plans[k].off.assign(group[k]->lu.sections.size(), UINT64_MAX);
  // Sizes of zero fill and COMMON symbols come from the file unchecked by its
  // length; nothing larger than the reserved range can fit, and checking each
  // against it keeps the offsets below from overflowing.
  const uint64_t limit = space.size();
  std::string too_large;
  // (what and name are joined only for the message: a string made per
  // section cost the GHC job 1% of its time)
  auto fits = [&](const Unit *u, std::string_view what, std::string_view name, uint64_t size) {
    if (size <= limit && cur <= limit)
      return true;
    if (too_large.empty())
      too_large = u->lu.name + ": " + std::string(what) + std::string(name) + " of " + hex(size) +
                  " bytes does not fit in the reserved range (" + format_bytes(limit) + ")";
    return false;
  };
  auto place_one = [&](size_t k, uint32_t i) {
    const Section &s = group[k]->lu.sections[i];
    if (!fits(group[k], "section ", s.name, s.size))
      return;
    cur = align_to(cur, s.align);
    plans[k].off[i] = cur;
    cur += s.size;
    if (s.bytes)
      initialised = std::max(initialised, cur);
  };
  // Each unit's loaded sections by the pass that places them, in their
  // order: one walk of the sections, not one per pass (the GHC job's
  // 172,000 sections, six passes: 5% of its time).
  std::vector<std::array<std::vector<uint32_t>, kPasses>> by_pass(group.size());
  for (size_t k = 0; k < group.size(); ++k) {
    const LinkUnit &lu = group[k]->lu;
    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      const Section &s = lu.sections[i];
      if (s.role == SectionRole::Skip || s.discarded || s.tls)
        continue;
      if (int pass = pass_of(s); pass >= 0)
        by_pass[k][size_t(pass)].push_back(i);
    }
  }
  // A section whose name can be a C identifier is placed with every later
  // one of its name (of any pass), so __start_NAME..__stop_NAME spans them.
  auto place = [&](size_t k, Pass pass) {
    const LinkUnit &lu = group[k]->lu;
    std::vector<uint64_t> &off = plans[k].off;
    for (uint32_t i : by_pass[k][pass]) {
      if (off[i] != UINT64_MAX)
        continue;  // placed with an earlier one of its name
      place_one(k, i);
      if (c_identifier(lu.sections[i].name))
        for (uint32_t j = i + 1; j < lu.sections.size(); ++j) {
          const Section &s = lu.sections[j];
          if (s.role != SectionRole::Skip && !s.discarded && !s.tls && off[j] == UINT64_MAX &&
              s.name == lu.sections[i].name)
            place_one(k, j);
        }
    }
  };

  auto block = std::make_unique<Block>();
  block->text = {0, 0, Protection::ReadExecute};
  for (size_t k = 0; k < group.size(); ++k) {
    place(k, kText);
    cur = align_to(cur, 8);
    plans[k].stubs = cur;
    cur += group[k]->stub_symbols.size() * group[k]->arch().stub_size;
    plans[k].thunks = cur;
    cur += group[k]->thunks_size;
    initialised = std::max(initialised, cur);
  }
  block->text.size = cur;
  cur = align_to(cur, page);

  block->rodata = {cur, 0, Protection::Read};
  for (size_t k = 0; k < group.size(); ++k) {
    Plan &p = plans[k];
    place(k, kReadOnly);
    place(k, kUnwind);
    for (uint32_t i : by_pass[k][kUnwind])
      p.eh = std::min(p.eh, p.off[i]);
    if (p.eh != UINT64_MAX) {
      p.eh_end = cur;
      cur += 4;  // the zero length word that ends .eh_frame for the unwinder
    }
    // The thread-local template: .tdata as it lies in each thread's block.
    const Unit *u = group[k];
    if (u->tls_image_size) {
      cur = align_to(cur, u->tls_align);
      p.tls_image = cur;
      for (uint32_t i = 0; i < u->lu.sections.size(); ++i)
        if (u->lu.sections[i].tls && u->lu.sections[i].bytes && !u->lu.sections[i].discarded &&
            u->lu.sections[i].role != SectionRole::Skip)
          p.off[i] = cur + u->tls_offset[i];
      cur += u->tls_image_size;
      initialised = std::max(initialised, cur);
    }
  }
  // Every unit's GOT cells side by side: the pages fixups write are few.
  cur = align_to(cur, 8);
  for (size_t k = 0; k < group.size(); ++k) {
    plans[k].got = cur;
    cur += (group[k]->got_symbols.size() + group[k]->far_cells.size() + group[k]->tls_words) * 8;
    initialised = std::max(initialised, cur);
    plans[k].dso = cur;
    cur += 8;
  }
  for (size_t k = 0; k < group.size(); ++k)
    place(k, kRelRO);
  block->rodata.size = cur - block->rodata.offset;
  cur = align_to(cur, page);

  block->data = {cur, 0, Protection::ReadWrite};
  for (size_t k = 0; k < group.size(); ++k) {
    place(k, kDataInitialised);
    place(k, kDataZero);
    for (const CommonAlloc &c : group[k]->commons) {
      if (!fits(group[k], "common symbol ", c.name, c.size))
        break;
      cur = align_to(cur, c.align);
      plans[k].commons.push_back(cur);
      cur += c.size;
    }
  }
  if (too_large.empty())
    fits(group[0], "the block", "", cur);
  if (!too_large.empty())
    return Error(too_large);
  block->data.size = cur - block->data.offset;
  block->initialised = initialised;

  uint64_t total = std::max(align_to(cur, page), page);
  auto mem = space.allocate(*executor, total);
  if (!mem)
    return make_error(group[0]->lu.name, ": ", mem.error().message());
  block->mem = *mem;
  stats.bytes_mapped += mem->size;

  const uint64_t base = block->mem.base;
  for (size_t k = 0; k < group.size(); ++k) {
    Unit *u = group[k];
    const Plan &p = plans[k];
    const LinkUnit &lu = u->lu;
    u->block = block.get();
    block->units.push_back(u);
    u->section_addr.assign(lu.sections.size(), 0);
    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      if (p.off[i] == UINT64_MAX)
        continue;
      uint64_t start = base + p.off[i], end = start + lu.sections[i].size;
      u->section_addr[i] = start;
      if (c_identifier(lu.sections[i].name)) {
        auto [it, fresh] = u->named_ranges.try_emplace(lu.sections[i].name, start, end);
        if (!fresh) {
          it->second.first = std::min(it->second.first, start);
          it->second.second = std::max(it->second.second, end);
        }
      }
    }
    u->stubs_base = base + p.stubs;
    u->thunks_base = base + p.thunks;
    u->tls_image = base + p.tls_image;
    u->got_base = base + p.got;
    u->tls_cells_base = u->got_base + (u->got_symbols.size() + u->far_cells.size()) * 8;
    u->dso_slot = base + p.dso;
    if (p.eh != UINT64_MAX) {
      u->eh_frame = base + p.eh;
      u->eh_frame_size = p.eh_end - p.eh + 4;
    }
    for (size_t c = 0; c < u->commons.size(); ++c)
      u->commons[c].addr = base + p.commons[c];
  }
  blocks.push_back(std::move(block));
  return Error::success();
}

// Frees the blocks of these units; every unit of such a block is among them
// (a block's units are unloaded and rolled back together).
void Session::free_blocks(const std::vector<Unit *> &gone) {
  for (Unit *u : gone) {
    Block *b = u->block;
    if (!b)
      continue;
    for (Unit *v : b->units)
      v->block = nullptr;
    stats.bytes_mapped -= std::min(stats.bytes_mapped, b->mem.size);
    (void)space.free(*executor, b->mem);
    std::erase_if(blocks, [&](const std::unique_ptr<Block> &p) { return p.get() == b; });
  }
}

Error Session::compute_addresses(const std::vector<Unit *> &batch) {
  // Each unit's own symbols: on every core for a large batch (a unit's
  // addresses are its own to write). A __start_/__stop_ name's section was
  // loaded when it was bound; one without a placed range is an error here.
  std::vector<const Symbol *> no_range(batch.size(), nullptr);
  auto own = [&](size_t k) {
    Unit *u = batch[k];
    const LinkUnit &lu = u->lu;
    u->addr.assign(lu.symbols.size(), 0);
    for (uint32_t j = 0; j < lu.symbols.size(); ++j) {
      const Target &t = u->targets[j];
      uint64_t &a = u->addr[j];
      switch (t.kind) {
      case Target::Own:
        // A thread-local variable's "address" is its offset in the unit's block.
        a = lu.sections[lu.symbols[j].section].tls ? u->tls_offset[lu.symbols[j].section] + lu.symbols[j].value
                                                   : u->section_addr[lu.symbols[j].section] + lu.symbols[j].value;
        break;
      case Target::Absolute: a = t.value; break;
      case Target::GOTBase: a = u->got_base; break;
      case Target::DSOHandle: a = u->dso_handle(); break;
      case Target::SectionStart:
      case Target::SectionStop: {
        auto r = u->named_ranges.find(lu.symbols[j].name.substr(t.index));
        if (r == u->named_ranges.end()) {
          no_range[k] = &lu.symbols[j];
          return;
        }
        a = t.kind == Target::SectionStart ? r->second.first : r->second.second;
        break;
      }
      case Target::Common: a = u->commons[t.index].addr; break;
      case Target::CellOf: a = u->got_base + uint64_t(u->got_cell[t.index]) * 8; break;
      case Target::StubVia: a = u->stub_address(j); break;
      case Target::UnitRuntime:
        for (auto [k2, off] : u->runtime_code)
          if (k2 == j)
            a = u->thunks_base + off;
        break;
      case Target::Other:
      case Target::Unbound: break;
      }
    }
  };
  constexpr size_t kWorthThreads = 16384;  // symbols
  size_t symbols = 0;
  for (const Unit *u : batch)
    symbols += u->lu.symbols.size();
  if (batch.size() > 1 && symbols >= kWorthThreads)
    parallel_for(batch.size(), own);
  else
    for (size_t k = 0; k < batch.size(); ++k)
      own(k);
  for (size_t k = 0; k < batch.size(); ++k)
    if (no_range[k])
      return make_error(batch[k]->lu.name, ": ", quote(no_range[k]->name),
                        ": no section of that name was placed");
  // Names bound to other units, now that every unit has its addresses. A
  // weak external's alias may itself be bound by name: repeat until settled.
  for (bool changed = true; changed;) {
    changed = false;
    for (Unit *u : batch)
      for (uint32_t j = 0; j < u->targets.size(); ++j)
        if (u->targets[j].kind == Target::Other) {
          uint64_t a = u->targets[j].unit->addr[u->targets[j].index];
          changed |= a != u->addr[j];
          u->addr[j] = a;
        }
  }
  return Error::success();
}

} // namespace rtlink
