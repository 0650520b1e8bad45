// link/cache.cpp — the session's side of the link cache: the key, what a
// resolve records while it applies fixups, storing that, and restoring it.
//
// Only a first resolve is cached (nothing resolved before it): its result
// then depends on nothing but what the key names. Restoring reserves each
// block at the offset it had, maps (or copies) its bytes into place, does again
// the fixups that depend on the range's base or on an address outside it
// (found again by name, in one request per library), protects, registers
// unwind tables, puts cached units in place of the loaded ones and runs the
// initializers. Anything that does not fit — an entry cut short or corrupt,
// a name no longer found, a weak name now defined, pages not free — leaves
// the session as it was, with a warning, and the link is done in full.
#include "link/cache.hpp"
#include "io/file.hpp"
#include "io/partial.hpp"
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#ifndef RTLINK_VERSION
#define RTLINK_VERSION "unknown"
#endif

namespace rtlink {

namespace {

// Kinds whose value does not involve S at all.
bool ignores_target(EdgeKind k) {
  switch (k) {
  case EdgeKind::GOTPCRel32:
  case EdgeKind::GOTPCRel64:
  case EdgeKind::GOTOffset64:
  case EdgeKind::GOTBasePCRel32:
  case EdgeKind::GOTBasePCRel64:
  case EdgeKind::SectionIndex16:
  case EdgeKind::Size32:
  case EdgeKind::Size64:
  case EdgeKind::TLSIndexPCRel32:
  case EdgeKind::TLSModulePCRel32:
  case EdgeKind::TLSDescPCRel32:
  case EdgeKind::DTPOff32:
  case EdgeKind::DTPOff64:
  case EdgeKind::DTPMod64:
  case EdgeKind::TPOffPCRel32:
  case EdgeKind::TPOff32:
  case EdgeKind::TPOff64:  // constants, or links with TLS (never stored)
  case EdgeKind::A64GOTPage21:
  case EdgeKind::A64GOTLo12:
  case EdgeKind::A64GOTPCRel19: return true;
  default: return false;
  }
}

// Kinds whose value is S less an address in the range: they do not change
// when S moves with the range, and do when S stays.
bool relative_to_range(EdgeKind k) {
  switch (k) {
  case EdgeKind::PCRel64:
  case EdgeKind::PCRel32:
  case EdgeKind::PCRel16:
  case EdgeKind::PCRel8:
  case EdgeKind::NegDelta64:  // P - S: the same, negated
  case EdgeKind::NegDelta32:
  case EdgeKind::Branch32:
  case EdgeKind::A64Branch26:
  case EdgeKind::A64PCRel19:
  case EdgeKind::A64PCRel14:
  case EdgeKind::A64Adr21:
  case EdgeKind::A64Page21:  // pages: the range starts on one
  case EdgeKind::A64Page21NC:
  case EdgeKind::GOTBaseRel64:
  case EdgeKind::ImageRel32:
  case EdgeKind::SectionRel32:
  case EdgeKind::SectionRel7: return true;
  default: return false;
  }
}

std::string content_hash(const FileData &f) {
  llvm::XXH128_hash_t h = llvm::xxh3_128bits(llvm::ArrayRef<uint8_t>(f.data(), f.size()));
  return hex_digits(h.high64, 16) + hex_digits(h.low64, 16);
}

} // namespace

void Session::warn(const std::string &message) const {
  if (options.warning)
    options.warning(message);
  else
    std::fprintf(stderr, "rtlink: warning: %s\n", message.c_str());
}

// --- the key ------------------------------------------------------------------

std::string Session::cache_key() {
  for (const auto &u : units)
    if (u->ready)
      return {};
  if (!blocks.empty() || units.empty())
    return {};
  for (const auto &u : units)
    if (u->archive >= 0 || !u->lu.file)
      return {};  // a member pulled by an earlier resolve that failed; a -u name
  // Each input's contents, hashed, or the hash made earlier of the same file.
  cache::KnownHashes known = cache::read_known_hashes(options.cache_dir);
  bool learned = false;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  bool unreadable = false;
  auto contents = [&](const std::string &path, const FileData &f) -> std::string {
    const FileIdentity id = f.identity();
    auto it = known.find(path);
    if (id.known() && it != known.end() && it->second.identity == id)
      return it->second.hash;
    // An archive read in parts is read whole to be hashed.
    auto *partial = dynamic_cast<const io::PartialFile *>(&f);
    if (partial && !partial->complete()) {
      const uint64_t before = partial->bytes_read();
      Error e = partial->fetch_all(*reader);
      stats.bytes_read += partial->bytes_read() - before;
      if (e) {
        if (trace)
          trace("not cached: " + e.message());
        unreadable = true;
        return {};
      }
    }
    std::string h = content_hash(f);
    if (id.known() && now - std::max(id.changed_ns, id.modified_ns) > 2'000'000'000) {
      known[path] = {id, h};
      learned = true;
    }
    return h;
  };
  std::string k =
      "rtlink " RTLINK_VERSION ", cache format " + std::to_string(cache::kFormat) + "\n";
  std::string ex = executor->describe();
  k += "executor " + ex.substr(0, ex.find(" (")) + ", " + arch_name(executor->arch()) +
       ", page " + std::to_string(executor->page_size()) + "\n";
  k += "options search_process=" + std::to_string(options.search_process) + " reserve=" +
       std::to_string(options.reserve_size) + "\n";
  std::vector<std::string_view> host;
  for (const auto &[name, addr] : host_symbols)
    host.push_back(name);
  std::sort(host.begin(), host.end());
  for (std::string_view h : host)
    k += "host " + std::string(h) + "\n";
  for (const LoadedLibrary &l : libraries)
    k += "library " + l.path + "\n";
  for (const auto &a : archives)
    if (a)
      k += "archive " + a->reader->path() + " " + std::to_string(a->reader->file()->size()) +
           " " + contents(a->reader->path(), *a->reader->file()) + "\n";
  for (const auto &u : units)
    k += "object " + u->path + " " + u->lu.name + " " + std::to_string(u->lu.file->size()) + " " +
         contents(u->path, *u->lu.file) + "\n";
  if (unreadable)
    return {};
  if (learned) {
    if (known.size() > 10000)
      known.clear();  // a memo, not a record: start again
    if (Error e = cache::write_known_hashes(options.cache_dir, known); e && trace)
      trace("the link cache's input hashes were not written: " + e.message());
  }
  return k;
}

// --- recording ----------------------------------------------------------------

void cache::Recorder::fixup(const rtlink::Unit &u, uint32_t j, EdgeKind kind,
                            const rtlink::Fixup &x) {
  if (ignores_target(kind))
    return;
  const AddressSpace &space = session_.space;
  const uint64_t base = space.base();
  Fixup f;
  f.site = x.P - base;
  f.got = x.GOT - base;
  f.section_base = x.SB ? x.SB - base : 0;
  f.section_index = x.SI;
  f.addend = x.A;
  f.kind = kind;
  if (space.contains(x.S)) {
    if (relative_to_range(kind))
      return;
    f.how = Target::InRange;
    f.target = x.S - base;
    fixups.push_back(f);
    return;
  }
  // Outside the range: what the name was bound to, following names to the
  // unit that bound it.
  const rtlink::Unit *d;
  std::tie(d, j) = u.definition(j);
  const rtlink::Symbol &s = d->lu.symbols[j];
  // No symbol at all (index 0: the value is 0) or an absolute one: a constant.
  const bool constant = s.section == kAbsolute || (s.name.empty() && !s.defined());
  if (!constant && d->targets[j].kind != rtlink::Target::Absolute) {
    tied_to_process("a reference to " + std::string(s.name) + " outside the range");
    return;
  }
  if (constant) {
    if (!relative_to_range(kind))
      return;
    f.how = Target::Constant;
    f.target = x.S;
    fixups.push_back(f);
    return;
  }
  f.how = s.is_import                                  ? Target::Import
          : x.S == 0 && s.binding == Binding::Weak     ? Target::WeakNull
          : session_.host_only(d->lu.format)           ? Target::HostOnly
                                                       : Target::External;
  auto [it, fresh] = name_index.try_emplace(s.name, uint32_t(names.size()));
  if (fresh)
    names.push_back(s.name);
  f.target = it->second;
  fixups.push_back(f);
}

void cache::Recorder::block(const rtlink::Block &b, const uint8_t *image) {
  images.emplace_back(b.mem.base, std::vector<uint8_t>(image, image + b.initialised));
}

// --- storing ------------------------------------------------------------------

void Session::store_in_cache(const std::string &key, cache::Recorder &rec) {
  auto refuse = [&](const std::string &why) {
    if (trace)
      trace("not cached: " + why);
  };
  if (!rec.not_cacheable.empty())
    return refuse(rec.not_cacheable);
  const uint64_t base = space.base();
  cache::Builder e;
  e.key = e.str(key);
  for (std::string_view n : rec.names)
    e.names.push_back(e.str(n));
  e.fixups = std::move(rec.fixups);

  std::unordered_map<const Block *, uint32_t> block_index;
  for (const auto &b : blocks) {
    auto img = std::find_if(rec.images.begin(), rec.images.end(),
                            [&](const auto &i) { return i.first == b->mem.base; });
    if (img == rec.images.end())
      return refuse("a block that was not fixed up");  // every block of a first resolve is
    cache::Block cb;
    cb.offset = b->mem.base - base;
    cb.size = b->mem.size;
    cb.initialised = b->initialised;
    cb.text = {b->text.offset, b->text.size, b->text.prot};
    cb.rodata = {b->rodata.offset, b->rodata.size, b->rodata.prot};
    cb.data = {b->data.offset, b->data.size, b->data.prot};
    block_index.emplace(b.get(), uint32_t(e.blocks.size()));
    e.blocks.push_back(cb);
    e.block_bytes.push_back(img->second);
  }

  // The symbols each unit keeps: what it offers, and one reference to each
  // unit it depends on (unload names it when it refuses); the sections those
  // and its COMDAT groups lie in.
  std::unordered_map<const Unit *, uint32_t> unit_index;
  for (const auto &u : units)
    unit_index.emplace(u.get(), uint32_t(unit_index.size()));
  std::vector<std::vector<uint32_t>> kept(units.size());      // old index → new + 1
  std::vector<std::vector<uint32_t>> sections(units.size());  // old index → new + 1
  for (size_t k = 0; k < units.size(); ++k) {
    kept[k].assign(units[k]->lu.symbols.size(), 0);
    sections[k].assign(units[k]->lu.sections.size(), 0);
  }
  for (const auto &u : units) {
    std::unordered_set<const Unit *> referenced;
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j) {
      const Symbol &s = u->lu.symbols[j];
      const Target &t = u->targets[j];
      if (offers(s) && t.kind != Target::Unbound)
        kept[unit_index.at(u.get())][j] = 1;
      if (t.kind == Target::Other) {
        kept[unit_index.at(t.unit)][t.index] = 1;
        if (t.unit != u.get() && !s.name.empty() && referenced.insert(t.unit).second)
          kept[unit_index.at(u.get())][j] = 1;
      }
    }
  }
  for (size_t k = 0; k < units.size(); ++k) {
    const LinkUnit &lu = units[k]->lu;
    uint32_t next = 0;
    for (uint32_t j = 0; j < kept[k].size(); ++j)
      if (kept[k][j]) {
        kept[k][j] = ++next;
        if (lu.symbols[j].section < lu.sections.size())
          sections[k][lu.symbols[j].section] = 1;
      }
    for (const Group &g : lu.groups)
      for (uint32_t sec : g.sections)
        sections[k][sec] = 1;
    next = 0;
    for (uint32_t &slot : sections[k])
      if (slot)
        slot = ++next;
  }

  auto range = [](size_t first, size_t end) {
    return cache::Range{uint32_t(first), uint32_t(end - first)};
  };
  for (size_t k = 0; k < units.size(); ++k) {
    const Unit &u = *units[k];
    const LinkUnit &lu = u.lu;
    cache::Unit r;
    r.name = e.str(lu.name);
    r.path = e.str(u.path);
    r.format = lu.format;
    r.archive = u.archive;
    r.member = u.member;
    r.block = block_index.at(u.block);
    size_t first = e.sections.size();
    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      if (!sections[k][i])
        continue;
      const Section &s = lu.sections[i];
      cache::Section cs;
      cs.name = e.str(s.name);
      cs.size = s.size;
      cs.align = s.align;
      cs.addr = i < u.section_addr.size() && u.section_addr[i] ? u.section_addr[i] - base + 1 : 0;
      cs.perm = s.perm;
      cs.role = s.role;
      cs.discarded = s.discarded;
      e.sections.push_back(cs);
    }
    r.sections = range(first, e.sections.size());
    auto section = [&](uint32_t i) { return i < lu.sections.size() ? sections[k][i] - 1 : i; };
    first = e.symbols.size();
    for (uint32_t j = 0; j < lu.symbols.size(); ++j) {
      if (!kept[k][j])
        continue;
      const Symbol &s = lu.symbols[j];
      const Target &t = u.targets[j];
      cache::Symbol cs;
      cs.name = e.str(s.name);
      cs.value = s.value;
      cs.size = s.size;
      cs.section = section(s.section);
      cs.binding = s.binding;
      cs.flags = uint8_t((s.is_function ? 1 : 0) | (s.alias != kNoAlias ? 2 : 0));
      switch (t.kind) {
      case Target::Own: cs.bound = cache::Bound::Own; break;
      case Target::Common:
        cs.bound = cache::Bound::Common;
        cs.index = t.index;
        break;
      case Target::Other:
        cs.bound = cache::Bound::Other;
        cs.unit = unit_index.at(t.unit);
        cs.index = kept[cs.unit][t.index] - 1;
        break;
      default: cs.bound = cache::Bound::Absolute; break;
      }
      cs.in_range = space.contains(u.addr[j]);
      cs.addr = cs.in_range ? u.addr[j] - base : u.addr[j];
      if (!cs.in_range && cs.bound != cache::Bound::Absolute)
        return refuse(lu.name + ": " + std::string(s.name) + " lies outside the range");
      e.symbols.push_back(cs);
    }
    r.symbols = range(first, e.symbols.size());
    first = e.groups.size();
    for (const Group &g : lu.groups) {
      cache::Group cg;
      cg.signature = e.str(g.signature);
      cg.size = g.size;
      cg.checksum = g.checksum;
      cg.selection = g.selection;
      cg.sections.first = uint32_t(e.group_sections.size());
      for (uint32_t sec : g.sections)
        e.group_sections.push_back(section(sec));
      cg.sections.count = uint32_t(g.sections.size());
      e.groups.push_back(cg);
    }
    r.groups = range(first, e.groups.size());
    first = e.alternates.size();
    for (auto [from, to] : lu.alternate_names)
      e.alternates.push_back({e.str(from), e.str(to)});
    r.alternate_names = range(first, e.alternates.size());
    first = e.commons.size();
    for (const CommonAlloc &c : u.commons)
      e.commons.push_back({e.str(c.name), c.size, c.align, c.addr - base});
    r.commons = range(first, e.commons.size());
    r.got = u.got_base - base;
    r.stubs = u.stubs_base - base;
    r.dso = u.dso_slot - base;
    r.eh_frame = u.eh_frame ? u.eh_frame - base + 1 : 0;
    r.eh_frame_size = u.eh_frame_size;
    first = e.tables.size();
    for (const Executor::FunctionTable &t : u.function_tables)
      e.tables.push_back({t.table - base, t.count});
    r.function_tables = range(first, e.tables.size());
    first = e.finalizers.size();
    for (uint64_t f : u.finalizers) {
      if (!space.contains(f))
        return refuse("a finalizer of " + lu.name + " lies outside the range");
      e.finalizers.push_back(f - base);
    }
    r.finalizers = range(first, e.finalizers.size());
    first = e.libraries.size();
    for (uint64_t h : u.libraries)
      for (uint32_t i = 0; i < libraries.size(); ++i)
        if (libraries[i].handle == h)
          e.libraries.push_back(i);
    r.libraries = range(first, e.libraries.size());
    e.units.push_back(r);
  }
  std::vector<Unit *> all;
  for (const auto &u : units)
    all.push_back(u.get());
  for (const Unit::InitEntry &i : initializer_order(all)) {
    if (!space.contains(i.fn))
      return refuse("an initializer lies outside the range");
    e.inits.push_back({i.fn - base, i.conv});
  }

  std::vector<uint8_t> bytes = e.encode(executor->page_size());
  const std::string name = cache::entry_name(key);
  if (Error err = cache::write_entry(options.cache_dir, name, bytes)) {
    warn("link cache not written: " + err.message());
    return;
  }
  ++stats.cache_stores;
  if (trace)
    trace("stored the link in the cache: " + options.cache_dir + "/" + name + " (" +
          format_bytes(bytes.size()) + ")");
}

// --- restoring ----------------------------------------------------------------

// The addresses of the names an entry's fixups refer to, in this process:
// an error if one is no longer found, or a weak name that was null is now.
Error Session::find_cached_names(const cache::Entry &e, std::vector<uint64_t> &found) {
  found.assign(e.names.size(), 0);
  std::vector<uint8_t> how(e.names.size(), 0);  // 1 + the Target of a fixup naming it
  for (uint32_t i = 0; i < e.fixups.size(); ++i) {
    cache::Fixup f = e.fixups[i];
    if (f.how != cache::Target::InRange && f.how != cache::Target::Constant)
      how[f.target] = uint8_t(f.how) + 1;
  }
  std::vector<std::string> ask;
  {
    std::lock_guard<std::mutex> g(cache_lock_);
    for (uint32_t i = 0; i < e.names.size(); ++i) {
      std::string n(e.str(e.names[i]));
      auto t = cache::Target(how[i] - 1);
      if (how[i] && (t == cache::Target::External || t == cache::Target::WeakNull) &&
          !cache_.count(n) && !host_symbols.count(n))
        ask.push_back(std::move(n));
    }
  }
  prefetch_names(std::move(ask));
  for (uint32_t i = 0; i < e.names.size(); ++i) {
    if (!how[i])
      continue;
    auto t = cache::Target(how[i] - 1);
    std::string_view name = e.str(e.names[i]);
    std::optional<uint64_t> a;
    if (t == cache::Target::Import) {
      a = lookup_import(name);
    } else if (int f = executor_function(name); f >= 0) {  // registrar, throw (runtime.cpp)
      if (uint64_t x = runtime_function(f))
        a = x;
    } else if (auto x = lookup_external(name, t == cache::Target::HostOnly)) {
      a = x->address;
    }
    if (t == cache::Target::WeakNull) {
      if (a)
        return make_error("the weak reference ", name,
                          " was null when the entry was written and is defined now");
      continue;
    }
    if (!a)
      return make_error(name, " is not found any more");
    found[i] = *a;
  }
  return Error::success();
}

// The units of an entry, in `placed`'s blocks, bound to each other, and not
// yet the session's (adopt_cached_units). Nothing here fails.
std::vector<std::unique_ptr<Unit>> Session::cached_units(
    const cache::Entry &e, std::vector<std::unique_ptr<Block>> &placed) {
  const uint64_t base = space.base();
  std::vector<std::unique_ptr<Unit>> made;
  made.reserve(e.units.size());
  for (uint32_t k = 0; k < e.units.size(); ++k) {
    const cache::Unit r = e.units[k];
    auto unit = std::make_unique<Unit>();
    Unit *u = unit.get();
    u->id = next_unit_id_++;
    u->path = std::string(e.str(r.path));
    u->archive = r.archive;
    u->member = r.member;
    LinkUnit &lu = u->lu;
    lu.name = std::string(e.str(r.name));
    lu.format = r.format;
    // Every unit of the entry was for the executor's instruction set (the key
    // names it, and resolve refuses a unit for another): its calling
    // convention, stub size and unit runtime follow from it.
    lu.arch = executor->arch();
    lu.file = e.file();  // the names point into it
    lu.sections.resize(r.sections.count);
    u->section_addr.resize(r.sections.count);
    for (uint32_t i = 0; i < r.sections.count; ++i) {
      const cache::Section s = e.sections[r.sections.first + i];
      Section &sec = lu.sections[i];
      sec.name = e.str(s.name);
      sec.size = s.size;
      sec.align = s.align;
      sec.perm = s.perm;
      sec.role = s.role;
      sec.discarded = s.discarded;
      u->section_addr[i] = s.addr ? base + s.addr - 1 : 0;
    }
    lu.symbols.resize(r.symbols.count);
    u->addr.resize(r.symbols.count);
    for (uint32_t j = 0; j < r.symbols.count; ++j) {
      const cache::Symbol s = e.symbols[r.symbols.first + j];
      Symbol &sym = lu.symbols[j];
      sym.name = e.str(s.name);
      sym.value = s.value;
      sym.size = s.size;
      sym.section = s.section;
      sym.binding = s.binding;
      sym.is_function = s.flags & 1;
      if (s.flags & 2)
        sym.alias = j;  // a weak external: it stands for itself, its address known
      u->addr[j] = s.in_range ? base + s.addr : s.addr;
    }
    for (uint32_t g = 0; g < r.groups.count; ++g) {
      const cache::Group cg = e.groups[r.groups.first + g];
      Group grp;
      grp.signature = e.str(cg.signature);
      grp.selection = cg.selection;
      grp.size = cg.size;
      grp.checksum = cg.checksum;
      for (uint32_t i = 0; i < cg.sections.count; ++i)
        grp.sections.push_back(e.group_sections[cg.sections.first + i]);
      lu.groups.push_back(std::move(grp));
    }
    for (uint32_t i = 0; i < r.alternate_names.count; ++i) {
      const cache::Alternate a = e.alternates[r.alternate_names.first + i];
      lu.alternate_names.emplace_back(e.str(a.from), e.str(a.to));
    }
    for (uint32_t i = 0; i < r.commons.count; ++i) {
      const cache::Common c = e.commons[r.commons.first + i];
      u->commons.push_back({e.str(c.name), c.size, c.align, base + c.addr});
    }
    u->got_base = base + r.got;
    u->stubs_base = base + r.stubs;
    u->dso_slot = base + r.dso;
    u->eh_frame = r.eh_frame ? base + r.eh_frame - 1 : 0;
    u->eh_frame_size = r.eh_frame_size;
    for (uint32_t t = 0; t < r.function_tables.count; ++t) {
      cache::Table ft = e.tables[r.function_tables.first + t];
      u->function_tables.push_back({base + ft.offset, ft.entries, base});
    }
    for (uint32_t i = 0; i < r.finalizers.count; ++i)
      u->finalizers.push_back(base + e.finalizers[r.finalizers.first + i]);
    for (uint32_t i = 0; i < r.libraries.count; ++i)
      u->libraries.push_back(libraries[e.libraries[r.libraries.first + i]].handle);
    u->block = placed[r.block].get();
    placed[r.block]->units.push_back(u);
    u->base_symbols = lu.symbols.size();
    u->ready = true;
    made.push_back(std::move(unit));
  }
  // Bindings, once every unit exists.
  for (uint32_t k = 0; k < e.units.size(); ++k) {
    const cache::Unit r = e.units[k];
    Unit *u = made[k].get();
    u->targets.resize(r.symbols.count);
    for (uint32_t j = 0; j < r.symbols.count; ++j) {
      const cache::Symbol s = e.symbols[r.symbols.first + j];
      Target &t = u->targets[j];
      switch (s.bound) {
      case cache::Bound::Own: t.kind = Target::Own; break;
      case cache::Bound::Absolute:
        t.kind = Target::Absolute;
        t.value = u->addr[j];
        break;
      case cache::Bound::Common:
        t.kind = Target::Common;
        t.index = s.index;
        break;
      case cache::Bound::Other:
        t.kind = Target::Other;
        t.unit = made[s.unit].get();
        t.index = s.index;
        if (t.unit != u && std::find(u->deps.begin(), u->deps.end(), t.unit) == u->deps.end())
          u->deps.push_back(t.unit);
        break;
      }
    }
  }
  return made;
}

// The units of an entry take the place of the loaded ones, with their
// blocks: their symbols in the global table, their COMDATs, their archive
// members marked pulled. Nothing here fails.
void Session::adopt_cached_units(std::vector<std::unique_ptr<Unit>> made,
                                 std::vector<std::unique_ptr<Block>> &placed) {
  while (!units.empty())
    remove_unit(units.back().get());
  size_t symbols = 0;
  for (const auto &u : made)
    symbols += u->lu.symbols.size();
  globals.reserve(globals.size() + symbols);
  units.reserve(made.size());
  for (auto &unit : made) {
    Unit *u = unit.get();
    units.push_back(std::move(unit));
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j)
      if (offers(u->lu.symbols[j]))
        link_global(u, j);
    for (uint32_t gi = 0; gi < u->lu.groups.size(); ++gi) {
      const Group &g = u->lu.groups[gi];
      if (!u->lu.sections[g.sections[0]].discarded)
        comdats.try_emplace(g.signature, ComdatOwner{u, gi});
    }
    if (u->archive >= 0)
      archives[size_t(u->archive)]->pulled[u->member] = u;
  }
  for (auto &b : placed) {
    stats.bytes_mapped += b->mem.size;
    blocks.push_back(std::move(b));
  }
}

bool Session::restore_from_cache(const std::string &key, Error &init) {
  const std::string path = options.cache_dir + "/" + cache::entry_name(key);
  if (!platform::is_file(path)) {
    ++stats.cache_misses;
    if (trace)
      trace("not in the link cache: " + path);
    return false;
  }
  auto reject = [&](const Error &why) {
    ++stats.cache_misses;
    ++stats.cache_rejected;
    warn("ignoring link cache entry " + path + ": " + why.message());
    return false;
  };
  auto file = [&] {
    PhaseTimer t{stats.read, options.measure_memory};
    return read_file(path, /*prefault=*/false);  // only the metadata is read through this
  }();
  if (!file)
    return reject(file.take_error());
  PhaseTimer timer{stats.fixup, options.measure_memory, &stats.run};
  auto entry = cache::read_entry(*file, key, space.size());
  if (!entry)
    return reject(entry.take_error());
  const cache::Entry &e = *entry;
  for (uint32_t i = 0; i < e.libraries.size(); ++i)
    if (e.libraries[i] >= libraries.size())
      return reject(make_error("a library index past those loaded"));
  for (uint32_t i = 0; i < e.units.size(); ++i) {
    cache::Unit u = e.units[i];
    if (u.archive >= 0 &&
        (size_t(u.archive) >= archives.size() || !archives[size_t(u.archive)] ||
         u.member >= archives[size_t(u.archive)]->pulled.size()))
      return reject(make_error(e.str(u.name), ": an archive member that is not loaded"));
  }

  // 1. The names outside the range, found again: one request per library.
  std::vector<uint64_t> found;
  if (Error err = find_cached_names(e, found))
    return reject(err);

  // 2. The blocks, at their offsets. In-process, their bytes are mapped from
  // the entry (copy-on-write); else, or if that fails, copied.
  const uint64_t base = space.base(), page = executor->page_size();
  std::vector<std::unique_ptr<Block>> placed;
  auto undo = [&](const Error &why) {
    for (auto &b : placed)
      (void)space.free(*executor, b->mem);
    return reject(why);
  };
  std::vector<std::vector<uint8_t>> staging(e.blocks.size());
  std::vector<uint8_t *> images(e.blocks.size());
  for (uint32_t i = 0; i < e.blocks.size(); ++i) {
    const cache::Block cb = e.blocks[i];
    auto mem = space.allocate_at(*executor, cb.offset, cb.size);
    if (!mem)
      return undo(mem.take_error());
    auto b = std::make_unique<Block>();
    b->mem = *mem;
    b->text = {cb.text.offset, cb.text.size, cb.text.prot};
    b->rodata = {cb.rodata.offset, cb.rodata.size, cb.rodata.prot};
    b->data = {cb.data.offset, cb.data.size, cb.data.prot};
    b->initialised = cb.initialised;
    placed.push_back(std::move(b));
    std::span<const uint8_t> bytes = e.bytes(i);
    uint8_t *image = executor->direct_view(mem->base);
    if (!image) {
      staging[i].assign(bytes.begin(), bytes.end());
      images[i] = staging[i].data();
      continue;
    }
    images[i] = image;
    const uint64_t padded = (cb.initialised + page - 1) / page * page;
    if (padded && e.file_offset(i) % page == 0 &&
        !executor->map_file(mem->base, padded, path, e.file_offset(i)))
      continue;
    executor->prefault(mem->base, cb.initialised);
    std::memcpy(image, bytes.data(), bytes.size());
  }
  // Each block's bytes are checked where they now lie (reading them maps them
  // in), before any fixup, and long before anything runs.
  for (uint32_t i = 0; i < e.blocks.size(); ++i)
    if (cache::checksum({images[i], e.blocks[i].initialised}) != e.blocks[i].checksum)
      return undo(make_error("checksum mismatch in block ", i, " (corrupt)"));
  uint32_t bi = 0;  // fixups come block by block, in the order of the blocks
  const ArchBackend &arch = arch_backend(executor->arch());  // the key holds it
  for (uint32_t i = 0; i < e.fixups.size(); ++i) {
    const cache::Fixup f = e.fixups[i];
    auto holds = [&](uint32_t k) {
      cache::Block b = e.blocks[k];
      return f.site >= b.offset && f.site - b.offset < b.initialised;
    };
    if (!holds(bi))
      for (bi = 0; !holds(bi);)
        ++bi;  // read_entry checked that some block holds every site
    Fixup x;
    switch (f.how) {
    case cache::Target::InRange: x.S = base + f.target; break;
    case cache::Target::Constant: x.S = f.target; break;
    default: x.S = found[f.target]; break;
    }
    x.A = f.addend;
    x.P = base + f.site;
    x.GOT = base + f.got;
    x.G = 0;
    x.IB = base;
    x.SB = f.section_base ? base + f.section_base : 0;
    x.SI = f.section_index;
    uint8_t *loc = images[bi] + (f.site - e.blocks[bi].offset);
    if (Overflow o = arch.apply(f.kind, loc, x))
      return undo(make_error("the fixup at +", hex(f.site), " (", edge_kind_name(f.kind),
                             ") no longer fits: ", o.describe()));
  }
  for (size_t i = 0; i < placed.size(); ++i)
    if (Error err = place_block(*placed[i], staging[i]))
      return undo(err);

  // 3. The ending a resolve has too (resolve.cpp): unwind tables registered,
  // the cached units in the loaded ones' places (nothing fails from there),
  // the initializers in the order the entry recorded.
  std::vector<std::unique_ptr<Unit>> made = cached_units(e, placed);
  std::vector<Unit *> batch;
  for (const auto &u : made)
    batch.push_back(u.get());
  if (Error err = register_unwind(batch))
    return undo(err);
  adopt_cached_units(std::move(made), placed);
  ++stats.cache_hits;
  if (trace)
    trace("restored " + std::to_string(batch.size()) + " units from the link cache: " + path);
  std::vector<Unit::InitEntry> order;
  for (uint32_t i = 0; i < e.inits.size(); ++i) {
    cache::Init in = e.inits[i];
    order.push_back({0, {}, false, base + in.fn, in.conv});
  }
  init = start_units(batch, order);
  return true;
}

} // namespace rtlink
