// link/fixup.cpp — section bytes, stubs, GOT cells and edges, block by block.
//
// With the in-process executor the bytes go straight into the committed
// pages (Executor::direct_view); otherwise into a staging buffer sent with
// Executor::write. Pages are read-write while written and then read-execute
// or read-only: never writable and executable at once.
#include "link/session.hpp"
#include "support/format.hpp"
#include "support/parallel.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace rtlink {

namespace {

std::string range_error(const Session &s, const Unit &u, uint32_t section, const Edge &e,
                        const Fixup &f, const Overflow &o) {
  const LinkUnit &lu = u.lu;
  std::string msg = lu.site(section, e.offset) + ": relocation " + lu.relocation_name(e.native) +
                    " against " + quote(lu.symbol_name(e.target)) + " (at " + hex(f.S) +
                    ") is out of range: " + o.describe();
  if (!s.space.contains(f.S))
    msg += "; the target lies outside the loaded range, and code that refers to it this way "
           "must be compiled with -fPIC";
  else if (!s.space.below_2g() && (e.kind == EdgeKind::Abs32 || e.kind == EdgeKind::Abs32S))
    msg += "; the reserved range could not be placed below 2 GiB, which code built without "
           "-fPIC needs";
  return msg;
}

// The section that holds a symbol, following name bindings to the unit that
// defines it: its address and its index + 1 (0 for none).
void target_section(const Unit &u, uint32_t j, uint64_t &base, uint16_t &index) {
  auto [d, k] = u.definition(j);
  uint32_t sec = d->lu.symbols[k].section;
  if (sec < d->lu.sections.size()) {
    base = d->section_addr[sec];
    index = uint16_t(sec + 1);
  }
}

// The size of a symbol, following name bindings to its definition: known
// for what loaded objects define (COMMON included), not for the process's.
std::optional<uint64_t> target_size(const Unit &u, uint32_t k) {
  auto [d, j] = u.definition(k);
  const Symbol &s = d->lu.symbols[j];
  if (d->targets[j].kind == Target::Common)
    return d->commons[d->targets[j].index].size;
  if (s.defined())
    return s.size;
  return std::nullopt;
}

// A cell (GOT, far data, a thunk's 64-bit immediate) at `at` holding S + A:
// what an observer is told of it, as an Abs64 fixup.
Fixup cell_fixup(uint64_t S, int64_t A, uint64_t at, const Unit &u) {
  Fixup f;
  f.S = S;
  f.A = A;
  f.P = at;
  f.GOT = u.got_base;
  f.G = 0;
  return f;
}

} // namespace

// A rewritten instruction (arch/far.hpp): its thunk, with the address
// filled in, then the cell and the jump back and, in the instruction's
// place, the jump to the thunk (the arch's write_far).
Error Session::write_thunk(const Unit &u, const Unit::FarRef &far, uint8_t *thunk, uint8_t *insn,
                           uint64_t sec_addr, uint64_t cell, LinkObserver *observer) {
  const FarPlan &p = far.plan;
  const uint64_t at = u.thunks_base + far.thunk;
  std::memcpy(thunk, p.code.data(), p.code.size());
  if (p.imm64 >= 0) {
    uint64_t v = u.addr[far.target] + uint64_t(far.addend);
    std::memcpy(thunk + p.imm64, &v, 8);
    if (observer)
      observer->fixup(u, far.target, EdgeKind::Abs64, cell_fixup(u.addr[far.target], far.addend, at + uint64_t(p.imm64), u));
  }
  if (Overflow o = u.arch().write_far(p, thunk, at, insn, sec_addr + p.start, cell))
    return make_error(u.lu.site(far.section, far.offset), ": the thunk at ", hex(at),
                      " that replaces the instruction is out of its reach: ", o.describe());
  return Error::success();
}

// What an edge's fixup expression reads (object/edge_kind.hpp), but for
// rewritten instructions (their cells and thunks, in apply_fixups).
Error Session::edge_values(const Unit &u, uint32_t i, const Edge &e, Fixup &f) const {
  const LinkUnit &lu = u.lu;
  f.S = u.addr[e.target];
  f.A = e.addend;
  f.P = u.section_addr[i] + e.offset;
  // Through the stub: a call that leaves the range (always, so the link
  // cache can place the code anywhere), and, where branches are short, one
  // to another unit further than a branch reaches (the stub is its veneer).
  if (u.stub[e.target] >= 0) {
    const ArchBackend &arch = u.arch();
    const uint64_t d = f.S + uint64_t(f.A) - f.P;
    if (u.via_stub[e.target] ||
        (e.kind == arch.branch && (!space.contains(f.S) || d + arch.branch_reach >= 2 * arch.branch_reach)))
      f.S = u.stub_address(e.target);
  }
  f.GOT = u.got_base;
  f.G = u.got_cell[e.target] >= 0 ? u.got_base + uint64_t(u.got_cell[e.target]) * 8 : 0;
  f.IB = space.base();
  if (e.kind == EdgeKind::SectionRel32 || e.kind == EdgeKind::SectionRel7 ||
      e.kind == EdgeKind::SectionIndex16)
    target_section(u, e.target, f.SB, f.SI);
  switch (e.kind) {
  case EdgeKind::TLSIndexPCRel32:
  case EdgeKind::TLSModulePCRel32:
  case EdgeKind::TLSDescPCRel32:
  case EdgeKind::TPOffPCRel32:
  case EdgeKind::A64TLSDescPage21:
  case EdgeKind::A64TLSDescLd64Lo12:
  case EdgeKind::A64TLSDescAddLo12:
  case EdgeKind::A64TLSIEPage21:
  case EdgeKind::A64TLSIELd64Lo12: f.S = u.tls_cell(e.kind, e.target); break;
  case EdgeKind::DTPMod64: f.S = u.definition(e.target).first->tls_module; break;
  case EdgeKind::TPOff32:
  case EdgeKind::TPOff64:
  case EdgeKind::A64TPOffHi12:
  case EdgeKind::A64TPOffLo12:
  case EdgeKind::A64TPOffLo12NC: f.S = tp_offset(u, e.target); break;
  default: break;
  }
  if (e.kind == EdgeKind::Size32 || e.kind == EdgeKind::Size64) {
    std::optional<uint64_t> z = target_size(u, e.target);
    if (!z)
      return make_error(lu.site(i, e.offset), ": relocation ", lu.relocation_name(e.native),
                        " against ", quote(lu.symbol_name(e.target)),
                        ": its size is not known (it is not defined by a loaded object)");
    f.Z = *z;
  }
  return Error::success();
}

Error Session::apply_edge(const Unit &u, uint32_t i, const Edge &e, const Fixup &f,
                          EdgeKind kind, uint8_t *site) const {
  if (Overflow o = u.arch().apply(kind, site, f))
    return Error(range_error(*this, u, i, e, f, o));
  return Error::success();
}

// One unit's part of its block: its GOT and far cells, its stubs and unit
// runtime code, its TLS cells, and its sections' edges. Touches nothing
// but `image` where u's pieces lie, and u: units of a block are fixed up
// side by side where no observer watches (apply_fixups).
Error Session::fix_unit(Unit &u, uint8_t *image, uint64_t base, LinkObserver *observer,
                        uint64_t &edges) {
  const LinkUnit &lu = u.lu;
  for (size_t c = 0; c < u.got_symbols.size(); ++c) {
    uint64_t v = u.addr[u.got_symbols[c]];
    std::memcpy(image + (u.got_base - base) + c * 8, &v, 8);
    if (observer)
      observer->fixup(u, u.got_symbols[c], EdgeKind::Abs64,
                      cell_fixup(v, 0, u.got_base + c * 8, u));
  }
  for (auto [j, off] : u.runtime_code) {
    const Target &t = u.targets[j];
    uint64_t at = u.thunks_base + off;
    std::vector<uint8_t> code = u.arch().unit_runtime_code(
        int(t.value), at, u.dso_handle(), space.base(),
        u.got_base + uint64_t(u.got_cell[t.index]) * 8);
    std::memcpy(image + (at - base), code.data(), code.size());
  }
  write_tls_cells(u, image, base);
  const uint64_t far_cells = u.got_base + u.got_symbols.size() * 8;
  for (size_t c = 0; c < u.far_cells.size(); ++c) {
    auto [j, addend] = u.far_cells[c];
    uint64_t v = u.addr[j] + uint64_t(addend), at = far_cells + c * 8;
    std::memcpy(image + (at - base), &v, 8);
    if (observer)
      observer->fixup(u, j, EdgeKind::Abs64, cell_fixup(u.addr[j], addend, at, u));
  }
  for (size_t k = 0; k < u.stub_symbols.size(); ++k) {
    uint32_t j = u.stub_symbols[k];
    uint64_t at = u.stubs_base + k * u.arch().stub_size;
    // Through the unit's own GOT cell, or through an __imp_ cell elsewhere.
    uint64_t cell = u.targets[j].kind == Target::StubVia
                        ? u.addr[u.targets[j].index]
                        : u.got_base + uint64_t(u.got_cell[j]) * 8;
    u.arch().write_stub(image + (at - base), at, cell);
  }
  for (uint32_t i = 0; i < lu.sections.size(); ++i) {
    const Section &s = lu.sections[i];
    if (s.role == SectionRole::Skip || s.discarded)
      continue;
    const uint64_t sec_addr = u.section_addr[i];
    uint8_t *sec_bytes = image + (sec_addr - base);
    for (const Edge &e : lu.edges_of(s)) {
      Fixup f;
      EdgeKind kind = e.kind;
      if (Error err = edge_values(u, i, e, f))
        return err;
      if (const Unit::FarRef *far = u.far_refs.empty() ? nullptr : u.far_ref(i, e.offset)) {
        const uint64_t cell = far_cells + uint64_t(far->cell) * 8;
        switch (far->plan.kind) {
        case FarPlan::Stub:
          f.S = u.stub_address(e.target);
          break;
        case FarPlan::LoadFromCell:
          std::memcpy(sec_bytes + far->plan.opcode_at, &far->plan.opcode,
                      far->plan.opcode_size);
          f.S = cell;
          f.A = far->plan.cell_field_addend;
          kind = far->plan.field_kind.value_or(kind);
          break;
        case FarPlan::Thunk:
          if (Error err = write_thunk(u, *far, image + (u.thunks_base + far->thunk - base),
                                      sec_bytes + far->plan.start, sec_addr, cell, observer))
            return err;
          continue;
        }
      }
      if (Error err = apply_edge(u, i, e, f, kind, sec_bytes + e.offset))
        return err;
      if (observer)
        observer->fixup(u, e.target, kind, f);
    }
    edges += s.edge_count;
  }
  collect_init_fini(u, image, base);
  return Error::success();
}

Error Session::apply_fixups(const std::vector<Unit *> &batch, LinkObserver *observer) {
  std::vector<Block *> todo;
  for (Unit *u : batch)
    if (std::find(todo.begin(), todo.end(), u->block) == todo.end())
      todo.push_back(u->block);
  // Every block at once where the executor's pages are this process's; one
  // at a time where each is staged and sent (only one staging buffer held).
  if (todo.empty() || executor->direct_view(todo.front()->mem.base))
    return make_blocks(todo, observer);
  for (Block *b : todo)
    if (Error e = make_blocks({&b, 1}, observer))
      return e;
  return Error::success();
}

Error Session::make_blocks(std::span<Block *const> todo, LinkObserver *observer) {
  // Each block's image: its pages (with the in-process executor), or a
  // staging buffer sent with Executor::write. calloc: a large buffer is
  // fresh zero pages, not zeroed once more here.
  struct Image {
    Block *block;
    uint8_t *bytes;
    std::unique_ptr<uint8_t, decltype(&std::free)> staging{nullptr, &std::free};
  };
  std::vector<Image> images;
  images.reserve(todo.size());
  for (Block *b : todo) {
    Image &im = images.emplace_back(Image{b, executor->direct_view(b->mem.base)});
    if (!im.bytes) {
      im.staging.reset(static_cast<uint8_t *>(std::calloc(b->initialised ? b->initialised : 1, 1)));
      if (!im.staging)
        return make_error("out of memory for a block of ", b->initialised, " bytes");
      im.bytes = im.staging.get();
    }
  }

  // A large batch is made on every core, every block at once (the GHC job's
  // 250 units lie in 8 blocks): first each block's pages are populated
  // (platform::prefault spreads a large block's over the cores), then every
  // section's bytes copied, unit by unit; then the fixups, unit by unit,
  // beside the input pages that copying left unread going back. Every page
  // is populated before any is written: one written first would be a 4 KiB
  // page, and its 2 MiB page never a huge one. Where an observer (the link
  // cache's recorder) is told of each fixup in order, the fixups are made in
  // order.
  constexpr uint64_t kBytesWorthThreads = 4 << 20, kEdgesWorthThreads = 16384;
  uint64_t bytes_total = 0, edge_total = 0;
  std::vector<std::pair<Unit *, const Image *>> units;
  for (const Image &im : images) {
    bytes_total += im.block->initialised;
    if (!im.staging)
      executor->prefault(im.block->mem.base, im.block->initialised);
    for (Unit *u : im.block->units) {
      units.emplace_back(u, &im);
      edge_total += u->lu.edges.size();
    }
  }
  auto copy = [&](size_t k) {
    auto [u, im] = units[k];
    const uint64_t base = im->block->mem.base;
    for (uint32_t i = 0; i < u->lu.sections.size(); ++i) {
      const Section &s = u->lu.sections[i];
      if (u->section_addr[i] && s.bytes && s.size)
        std::memcpy(im->bytes + (u->section_addr[i] - base), s.bytes, s.size);
    }
  };
  if (bytes_total >= kBytesWorthThreads) {
    parallel_for(units.size(), copy);
  } else {
    for (size_t k = 0; k < units.size(); ++k)
      copy(k);
  }

  // Every section's bytes are in place: what was read of the inputs for them
  // can go (the fixups touch only the blocks). Each unit's first error is
  // kept; the first unit's with one is the error, as in order.
  std::vector<const LinkUnit *> copied;
  for (auto [u, im] : units)
    copied.push_back(&u->lu);
  std::vector<Error> failed(units.size());
  std::vector<uint64_t> edges(units.size(), 0);
  auto fix = [&](size_t k) {
    auto [u, im] = units[k];
    try {
      failed[k] = fix_unit(*u, im->bytes, im->block->mem.base, observer, edges[k]);
    } catch (const std::bad_alloc &) {
      failed[k] = make_error(u->lu.name, ": out of memory applying its relocations");
    }
  };
  const bool side_by_side = !observer && units.size() > 1 && edge_total >= kEdgesWorthThreads;
  if (side_by_side) {
    parallel_for(units.size() + 1, [&](size_t k) {
      if (k == 0)
        give_back_unread(copied, true);  // system calls: beside the fixups
      else
        fix(k - 1);
    });
  } else {
    give_back_unread(copied, true);
  }
  size_t k = 0;
  for (const Image &im : images) {
    for (size_t n = 0; n < im.block->units.size(); ++n, ++k) {
      if (!side_by_side)
        fix(k);
      if (failed[k])
        return std::move(failed[k]);
      stats.edges_applied += edges[k];
    }
    if (observer)
      observer->block(*im.block, im.bytes);
    std::span<const uint8_t> staging;
    if (im.staging)
      staging = {im.bytes, im.block->initialised};
    if (Error e = place_block(*im.block, staging))
      return e;
  }
  return Error::success();
}

Error Session::place_block(const Block &b, std::span<const uint8_t> bytes) {
  const uint64_t page = executor->page_size();
  std::vector<Executor::ProtectRange> ranges;
  for (const Segment *seg : {&b.text, &b.rodata, &b.data})
    if (seg->size)
      ranges.push_back({b.mem.base + seg->offset, (seg->size + page - 1) & ~(page - 1), seg->prot});
  return executor->place(b.mem.base, bytes, ranges);
}

} // namespace rtlink
