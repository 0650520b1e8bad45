// link/session.cpp — loading units and archives, the global symbol table,
// COMDAT groups, unloading and rollback.
//
// Every verb checks first and changes the tables last, or undoes what it did
// (rollback to a checkpoint), so a failed call leaves the session as it was.
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "link/cache.hpp"
#include "io/file.hpp"
#include "io/partial.hpp"
#include "object/detect.hpp"
#include "object/parse.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <unordered_set>
#include <charconv>
#include <filesystem>
#include <cstring>

namespace rtlink {

namespace {

// The same file by two paths (/lib is /usr/lib on Debian).
bool same_file(const std::string &a, const std::string &b) {
  if (a == b)
    return true;
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

// The bytes of an archive member: they live as long as its archive.
struct MemberData final : FileData {
  std::shared_ptr<ArchiveReader> reader;
  std::span<const uint8_t> bytes;
  const uint8_t *data() const override { return bytes.data(); }
  size_t size() const override { return bytes.size(); }
};

} // namespace

void Unit::clear_link_state() {
  lu.symbols.resize(base_symbols);  // what bind added (for __imp_ cells) goes
  targets.clear();
  referenced.clear();
  got_cell.clear();
  stub.clear();
  got_symbols.clear();
  stub_symbols.clear();
  via_stub.clear();
  far_refs.clear();
  runtime_code.clear();
  tls_offset.clear();
  tls_size = tls_image = tls_image_size = tls_module = 0;
  tls_align = 1;
  tls_static = false;
  tls_tp_offset = 0;
  tls_cells.clear();
  tls_words = 0;
  tls_cells_base = 0;
  far_cells.clear();
  thunks_size = thunks_base = 0;
  commons.clear();
  section_addr.clear();
  addr.clear();
  named_ranges.clear();
  block = nullptr;
  got_base = stubs_base = eh_frame = eh_frame_size = dso_slot = 0;
  finalizers.clear();
  init_entries.clear();
  deps.clear();
  libraries.clear();
}

std::pair<const Unit *, uint32_t> Unit::definition(uint32_t j) const {
  const Unit *d = this;
  for (int hops = 0; d->targets[j].kind == Target::Other && hops < 8; ++hops) {
    const Target &t = d->targets[j];
    d = t.unit;
    j = t.index;
  }
  return {d, j};
}

Session::Session(LinkerOptions opts, std::unique_ptr<Executor> ex, AddressSpace sp)
    : options(std::move(opts)), executor(std::move(ex)), space(sp) {}

Session::~Session() {
  // An executor that ended by itself took everything with it: nothing to undo.
  if (executor && executor->take_loss())
    return;
  // Unload everything, newest first, so finalizers see their dependencies.
  std::vector<Unit *> all;
  for (auto it = units.rbegin(); it != units.rend(); ++it)
    all.push_back(it->get());
  // An executor process that ends with us takes tables, libraries and pages
  // with it: only what loaded code asked to run at its end is run there.
  const bool ending = executor->ends_with_linker();
  run_finalizers(all, /*tables=*/!ending);
  if (ending)
    return;
  destroy_tls_modules(all);  // a static block goes back to the C library
  for (auto &lib : libraries)
    (void)executor->unload_library(lib.handle);
  // Releasing the range takes the blocks' pages with it.
  if (space.size())
    (void)executor->release(space.base(), space.size());
}

std::string Session::describe_def(const GlobalDef &d) const { return d.unit->lu.name; }

// Atexit handlers, then finalizers, then unwind tables, newest unit first:
// a unit's atexit handlers before its .fini_array, as the C library ends a
// program (its atexit list, then .fini_array). What runs in order stays
// in order; consecutive units without finalizers have their atexit handlers
// run (and all their tables dropped) in one request each, which is what a
// remote executor pays per round trip.
void Session::run_finalizers(const std::vector<Unit *> &newest_first, bool tables) {
  std::vector<uint64_t> atexit, frames, function_tables;
  for (Unit *u : newest_first) {
    if (!u->ready)
      continue;
    atexit.push_back(u->dso_handle());
    if (!u->finalizers.empty()) {
      (void)executor->run_atexit_batch(atexit);  // those of newer units, then its own
      atexit.clear();
      (void)executor->run_functions(u->finalizers, u->conv());
      u->finalizers.clear();  // once (__cxa_finalize, too, runs each handler once)
    }
    if (!tables)
      continue;
    if (u->eh_frame)
      frames.push_back(u->eh_frame);
    for (const Executor::FunctionTable &t : u->function_tables)
      function_tables.push_back(t.table);
  }
  (void)executor->run_atexit_batch(atexit);
  (void)executor->deregister_eh_frames(frames);
  (void)executor->deregister_function_tables(function_tables);
}

// --- adding and removing units -------------------------------------------

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

void Session::link_global(Unit *u, uint32_t j) {
  const Symbol &s = u->lu.symbols[j];
  uint8_t st = strength(s);
  auto [it, inserted] = globals.try_emplace(s.name, GlobalEntry{{u, j}, st, {}});
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
  // The key may point into this unit's strings: take the entry out and put
  // it back keyed by a name that stays.
  auto node = globals.extract(it);
  GlobalEntry &e = node.mapped();
  std::erase_if(e.shadowed, [&](const GlobalDef &d) { return d.unit == u && d.sym == j; });
  if (e.def.unit == u && e.def.sym == j) {
    if (e.shadowed.empty())
      return;  // the name is gone
    auto best = e.shadowed.begin();
    for (auto d = e.shadowed.begin(); d != e.shadowed.end(); ++d)
      if (strength(d->unit->lu.symbols[d->sym]) > strength(best->unit->lu.symbols[best->sym]))
        best = d;
    e.def = *best;
    e.strength = strength(best->unit->lu.symbols[best->sym]);
    e.shadowed.erase(best);
  }
  node.key() = e.def.unit->lu.symbols[e.def.sym].name;
  globals.insert(std::move(node));
}

Expected<Unit *> Session::add_unit(LinkUnit lu, std::string path, int32_t archive,
                                   uint32_t member) {
  PhaseTimer timer{stats.load, options.measure_memory && archive < 0};
  // COMDAT groups: the first copy is kept and later ones dropped, as each
  // group's selection allows. LARGEST lets a larger later copy take over
  // from one that is not resolved yet.
  // Hash lookups throughout: an object may have tens of thousands of groups.
  std::unordered_map<std::string_view, uint32_t, NameHash> owned;  // signature → group here
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
      owned.emplace(g.signature, uint32_t(gi));
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
  std::string dups;
  int ndups = 0;
  for (const Symbol &s : lu.symbols) {
    if (!s.global() || !s.defined() || strength(s) != 3)
      continue;
    auto it = globals.find(s.name);
    if (it == globals.end() || it->second.strength != 3 || taken_over_def(it->second.def))
      continue;
    if (++ndups <= 10)
      dups += std::string(dups.empty() ? "" : "\n") + "duplicate symbol: " + std::string(s.name) +
              "\n>>> defined in " + describe_def(it->second.def) + "\n>>> defined in " + lu.name;
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
  for (uint32_t j = 0; j < u->lu.symbols.size(); ++j)
    if (offers(u->lu.symbols[j]))
      link_global(u, j);
  for (auto [sig, gi] : owned)
    comdats.emplace(sig, ComdatOwner{u, gi});
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

Expected<Unit *> Session::pull_member(uint32_t a, uint32_t m) {
  LoadedArchive &ar = *archives[a];
  if (ar.partial) {
    std::span<const uint8_t> b = ar.reader->member(m).bytes;
    const uint64_t at = uint64_t(b.data() - ar.partial->data()), before = ar.partial->bytes_read();
    io::PartialFile::Want w{ar.partial.get(), at, b.size()};
    Error e = io::PartialFile::fetch(*reader, {&w, 1});
    stats.bytes_read += ar.partial->bytes_read() - before;
    if (e)
      return make_error(ar.reader->member_display_name(m), ": ", e.message());
  }
  auto data = std::make_shared<MemberData>();
  data->reader = ar.reader;
  data->bytes = ar.reader->member(m).bytes;
  std::span<const uint8_t> bytes = data->bytes;
  Expected<LinkUnit> lu = [&] {
    PhaseTimer t{stats.parse, false};
    return parse_object(ar.reader->member_display_name(m), data, bytes);
  }();
  if (!lu)
    return lu.take_error();
  auto u = add_unit(std::move(*lu), ar.reader->path(), int32_t(a), m);
  if (!u)
    return u.take_error();
  ar.pulled[m] = *u;
  ++stats.members_pulled;
  if (trace)
    trace("pulled " + (*u)->lu.name);
  return u;
}

// --- the load verbs -------------------------------------------------------

Expected<std::shared_ptr<const FileData>> Session::read_input(const std::string &given) {
  PhaseTimer t{stats.read, options.measure_memory};
  if (reader)
    return std::move(io::read_inputs(*reader, {given}, stats.bytes_read, options.max_expand).front());
  return read_file(given, true, options.max_expand);
}

Error Session::send_library_dirs() {
  if (!library_dirs_changed)
    return Error::success();
  std::vector<std::string> dirs;
  for (const auto &[handle, dir] : search_paths)
    dirs.push_back(platform::absolute_path(dir));
  library_dirs_changed = false;
  return executor->set_library_dirs(dirs);
}

bool Session::recover_if_lost() {
  if (!executor->take_loss())
    return false;
  // Archives are the controller's: they stay, with nothing pulled from them
  // (their members lived in the executor). Units and libraries are gone.
  std::vector<std::unique_ptr<LoadedArchive>> kept;
  for (auto &a : archives)
    if (a) {
      std::fill(a->pulled.begin(), a->pulled.end(), nullptr);
      kept.push_back(std::move(a));
    }
  takeovers.clear();
  lazy.clear();
  comdats.clear();
  globals.clear();
  units.clear();
  blocks.clear();
  archives = std::move(kept);
  lazy_indexed = 0;  // indexed again when needed
  libraries.clear();
  purge_lookup_cache();
  library_dirs_changed = !search_paths.empty();  // a fresh executor knows none
  space = AddressSpace();  // reserved again, in a fresh executor, at the next resolve
  runtime_functions_.reset();  // its functions lie elsewhere
  tls_descriptor = 0;
  if (trace)
    trace("the executor ended; every unit and library loaded into it is gone");
  return true;
}

// Puts the session back to what `cp` saw: libraries, units and archives
// added since, newest first.
void Session::rollback(const Checkpoint &cp) {
  while (libraries.size() > cp.libraries) {
    (void)executor->unload_library(libraries.back().handle);
    libraries.pop_back();
  }
  while (units.size() > cp.units)
    remove_unit(units.back().get());
  while (archives.size() > cp.archives) {
    std::erase_if(lazy, [&](const auto &kv) { return kv.second.archive >= cp.archives; });
    archives.pop_back();
  }
  lazy_indexed = std::min(lazy_indexed, archives.size());
}

Error Session::load(const std::string &given) {
  auto file = read_input(given);
  if (!file)
    return file.take_error();
  return load_data(given, *file);
}

Error Session::load(const std::vector<std::string> &paths) {
  // Read them all first (concurrently, through the reader), then load them in
  // the order given.
  std::vector<Expected<std::shared_ptr<const FileData>>> files;
  {
    PhaseTimer t{stats.read, options.measure_memory};
    if (reader) {
      files = io::read_inputs(*reader, paths, stats.bytes_read, options.max_expand);
    } else {
      for (const std::string &p : paths)
        files.push_back(read_file(p, true, options.max_expand));
    }
  }
  for (auto &f : files)
    if (!f)
      return f.take_error();
  Checkpoint cp{units.size(), archives.size(), libraries.size()};
  for (size_t i = 0; i < paths.size(); ++i)
    if (Error e = load_data(paths[i], *files[i])) {
      rollback(cp);
      return e;
    }
  return Error::success();
}

Error Session::load_data(const std::string &given, std::shared_ptr<const FileData> file) {
  switch (identify_input(bytes_of(*file))) {
  case InputKind::Object: return load_object_data(given, file);
  case InputKind::Archive: return load_archive_data(given, file);
  case InputKind::SharedLibrary:
    // The system loader opens the file itself; it cannot read it compressed.
    if (file->decompressed())
      return make_error(given, ": a zstd-compressed shared library cannot be loaded "
                               "(the system loader needs the file itself); decompress it first");
    if (bytes_of(*file).size() >= 2 && bytes_of(*file)[0] == 'M' && bytes_of(*file)[1] == 'Z' &&
        executor->native_convention() != CallConv::Microsoft)
      return make_error(given, ": a Windows DLL, which only a Windows executor can load "
                               "(objload --executor=\"wine64 objload-executor.exe\")");
    // A path that names a file, not a name for the loader to search.
    return load_library(platform::absolute_path(given));
  case InputKind::LinkerScript: {
    auto inputs = ld_script_inputs(given, bytes_of(*file));
    if (!inputs)
      return inputs.take_error();
    Checkpoint cp{units.size(), archives.size(), libraries.size()};
    // The scripts being loaded, outermost first: one that names a script
    // still open names itself, directly or through others, and would be
    // loaded without end.
    scripts_open.push_back({given, platform::absolute_path(given)});
    struct Close {
      std::vector<std::pair<std::string, std::string>> &open;
      ~Close() { open.pop_back(); }
    } close{scripts_open};
    for (const std::string &in : *inputs) {
      std::string target = in;
      if (in.rfind("-l", 0) == 0) {
        auto found = find_system_library(in.substr(2));
        if (!found) {
          Error e = found.take_error();
          rollback(cp);
          return make_error(given, ": ", e.message());
        }
        target = *found;
      }
      for (size_t k = 0; k < scripts_open.size(); ++k)
        if (same_file(scripts_open[k].second, platform::absolute_path(target))) {
          rollback(cp);
          if (k + 1 == scripts_open.size())
            return make_error(given, ": the linker script names itself (", in, ")");
          std::string chain;
          for (size_t j = k; j < scripts_open.size(); ++j)
            chain += scripts_open[j].first + " -> ";
          return make_error(given, ": linker scripts name each other in a cycle: ", chain, target);
        }
      // What is loaded already (libm.so.6 when a second script names it, an
      // object or archive named twice) is skipped: loaded once, as ld does.
      if (loaded_already(target)) {
        if (trace)
          trace("skipped " + target + " (named by " + given + "): already loaded");
        continue;
      }
      if (Error e = load(target)) {
        rollback(cp);  // undo what this script loaded so far
        return make_error(given, ": ", e.message());
      }
    }
    return Error::success();
  }
  case InputKind::Unknown: break;
  }
  return make_error(given, ": not an object, archive, shared library or linker script");
}

Error Session::load_object_file(const std::string &given) {
  auto file = read_input(given);
  if (!file)
    return file.take_error();
  return load_object_data(given, *file);
}

Error Session::load_object_buffer(const std::string &name, std::span<const uint8_t> bytes) {
  auto data = buffer_contents(name, bytes, options.max_expand);
  if (!data)
    return data.take_error();
  return load_object_data(name, *data, name);
}

// `key` is what unload() matches: the absolute path of a file, or the name
// given with an in-memory object.
Error Session::load_object_data(const std::string &given, std::shared_ptr<const FileData> file,
                                std::string key) {
  if (key.empty())
    key = platform::absolute_path(given);
  for (const auto &u : units)
    if (u->archive < 0 && u->path == key)
      return make_error(given, ": already loaded");
  Expected<LinkUnit> lu = [&] {
    PhaseTimer t{stats.parse, options.measure_memory};
    return parse_object(given, file, bytes_of(*file));
  }();
  if (!lu)
    return lu.take_error();
  auto u = add_unit(std::move(*lu), std::move(key), -1, 0);
  if (!u)
    return u.take_error();
  if (trace)
    trace("loaded " + (*u)->lu.name);
  return Error::success();
}

Error Session::load_archive(const std::string &given) {
  auto file = read_input(given);
  if (!file)
    return file.take_error();
  return load_archive_data(given, *file);
}

Error Session::load_archive_data(const std::string &given, std::shared_ptr<const FileData> file) {
  std::string path = platform::absolute_path(given);
  // Named again (-lz -lz, a linker script naming it): every resolve searches
  // every loaded archive, so loading it again would change nothing.
  for (const auto &a : archives)
    if (a && same_file(a->reader->path(), path)) {
      if (trace)
        trace("skipped archive " + given + ": already loaded");
      return Error::success();
    }
  PhaseTimer t{stats.parse, options.measure_memory};
  // Read in parts: its index now, its members as a resolve pulls them.
  auto partial = std::dynamic_pointer_cast<const io::PartialFile>(file);
  if (partial && partial->complete())
    partial.reset();
  if (partial) {
    const uint64_t before = partial->bytes_read();
    Error e = fetch_archive_index(*this->reader, *partial);
    stats.bytes_read += partial->bytes_read() - before;
    if (e)
      return e;
  }
  auto reader = ArchiveReader::open(path, std::move(file));
  if (!reader)
    return reader.take_error();
  auto la = std::make_unique<LoadedArchive>();
  la->reader = std::move(*reader);
  la->partial = std::move(partial);
  la->pulled.assign(la->reader->member_count(), nullptr);
  // The symbol table is checked now; index_archives() indexes it when needed.
  size_t symbols = 0;
  if (Error e = la->reader->for_each_symbol([&](std::string_view, uint32_t) { ++symbols; }))
    return e;
  archives.push_back(std::move(la));
  if (trace)
    trace("loaded archive " + given + " (" + std::to_string(archives.back()->reader->member_count()) +
          " members, " + std::to_string(symbols) + " symbols)");
  return Error::success();
}

void Session::index_archives() {
  for (; lazy_indexed < archives.size(); ++lazy_indexed)
    if (const auto &a = archives[lazy_indexed])
      (void)a->reader->for_each_symbol([&](std::string_view name, uint32_t m) {
        // the first archive to define a name wins
        lazy.try_emplace(name, LazyMember{uint32_t(lazy_indexed), m});
      });
}

Error Session::load_library(const std::string &given) {
  if (Error e = send_library_dirs())
    return e;
  std::string path = given.find('/') == std::string::npos ? given : platform::absolute_path(given);
  // Named again (-lm -lm, or a linker script naming one already loaded): it
  // is loaded once, as ld links it once.
  auto skip = [&] {
    if (trace)
      trace("skipped library " + given + ": already loaded");
    return Error::success();
  };
  for (const auto &l : libraries)
    if (l.path == path)
      return skip();
  auto h = executor->load_library(path);
  if (!h)
    return h.take_error();
  // The same library by another path (a symbolic link): the system's loader
  // gave back the handle it had, with one more reference to it.
  for (const auto &l : libraries)
    if (l.handle == *h) {
      (void)executor->unload_library(*h);
      return skip();
    }
  libraries.push_back({path, *h});
  purge_lookup_cache();
  if (trace)
    trace("loaded library " + given);
  return Error::success();
}

// A unit of undefined references only: the next resolve pulls their members.
Error Session::require(std::string_view name) {
  index_archives();
  auto lz = lazy.find(name);
  if (lz == lazy.end() || !archives[lz->second.archive])
    return make_error("no loaded archive offers ", quote(name));
  if (archives[lz->second.archive]->pulled[lz->second.member] || globals.count(name))
    return Error::success();  // pulled already
  LinkUnit lu;
  lu.name = "<required " + std::string(name) + ">";
  Symbol s;
  s.name = lu.keep(std::string(name));
  s.binding = Binding::Global;
  lu.symbols = {Symbol{}, s};
  auto u = add_unit(std::move(lu), "<required " + std::string(name) + ">", -1, 0);
  return u ? Error::success() : u.take_error();
}

bool Session::loaded_already(const std::string &given) const {
  std::string path = platform::absolute_path(given);
  for (const auto &u : units)
    if (u->archive < 0 && u->path == path)
      return true;
  for (const auto &a : archives)
    if (a && same_file(a->reader->path(), path))
      return true;
  for (const auto &l : libraries)
    if (l.path == path)
      return true;
  return false;
}

// GNU ld's -lNAME: each search directory in order, then the system's, and
// in each libNAME.so, then libNAME.a (only libNAME.a with `static_only`,
// ld's -Bstatic); -l:FILE names the file. For a Windows executor, the names
// ld's PE port tries: libNAME.a, NAME.lib, libNAME.lib, then the import
// libraries libNAME.dll.a and NAME.dll.a, then the DLL itself (libNAME.dll,
// NAME.dll), along the search directories only (this host's system
// directories hold no Windows libraries). ld tries the import libraries
// first; rtlink takes the static archive first while it cannot reach a DLL's
// data without dllimport (auto-import): -lstdc++ then loads libstdc++.a, as
// g++ -static-libstdc++ links it. -l:libNAME.dll.a names the other.
Expected<std::string> Session::find_system_library(std::string_view name, bool static_only) const {
  const bool windows = executor->native_convention() == CallConv::Microsoft;
  std::vector<std::string> dirs;
  for (const auto &[h, d] : search_paths)
    dirs.push_back(d);
  if (!windows)
    for (std::string &d : platform::default_library_dirs())
      dirs.push_back(std::move(d));
  std::vector<std::string> files;
  const std::string n(name);
  if (!name.empty() && name[0] == ':')  // -l:libfoo.a names the file itself
    files.emplace_back(name.substr(1));
  else if (windows && static_only)
    files = {"lib" + n + ".a", n + ".lib", "lib" + n + ".lib"};
  else if (windows)
    files = {"lib" + n + ".a",     n + ".lib",     "lib" + n + ".lib", "lib" + n + ".dll.a",
             n + ".dll.a",         "lib" + n + ".dll", n + ".dll"};
  else if (static_only)
    files = {"lib" + n + ".a"};
  else
    files = {"lib" + n + ".so", "lib" + n + ".a"};
  for (const std::string &d : dirs)
    for (const std::string &f : files) {
      std::string p = d + "/" + f;
      if (platform::is_file(p))
        return p;
    }
  std::string searched;
  for (const std::string &d : dirs)
    searched += (searched.empty() ? "" : ", ") + d;
  if (static_only && !(!name.empty() && name[0] == ':'))
    return make_error("cannot find library -l", name, " (static: ", files[0], "; searched ",
                      searched, ")");
  return make_error("cannot find library -l", name, " (searched ", searched, ")");
}

// --- unload -----------------------------------------------------------------

// Unloads several paths at once: references among them do not hold any of
// them back (the two halves of a cycle go together).
Error Session::unload(const std::vector<std::string> &given) {
  std::vector<Unit *> victims;
  std::vector<int32_t> gone_archives;
  std::vector<size_t> gone_libraries;
  for (const std::string &g : given) {
    std::string path = platform::absolute_path(g);
    bool found = false;
    for (const auto &u : units)
      if ((u->path == path || u->path == g) &&
          std::find(victims.begin(), victims.end(), u.get()) == victims.end()) {
        victims.push_back(u.get());
        found = true;
      }
    for (size_t a = 0; a < archives.size(); ++a)
      if (archives[a] && archives[a]->reader->path() == path) {
        gone_archives.push_back(int32_t(a));
        found = true;
      }
    for (size_t i = 0; i < libraries.size(); ++i)
      if (libraries[i].path == path || libraries[i].path == g) {
        gone_libraries.push_back(i);
        found = true;
      }
    if (!found)
      return make_error(g, ": not loaded");
  }
  auto what = [&] {
    std::string w;
    for (const std::string &g : given)
      w += (w.empty() ? "" : ", ") + g;
    return w;
  };

  // Refused while another unit still references one of them.
  for (const auto &v : units) {
    if (std::find(victims.begin(), victims.end(), v.get()) != victims.end())
      continue;
    for (uint32_t j = 0; j < v->targets.size(); ++j) {
      const Target &t = v->targets[j];
      if (t.kind == Target::Other &&
          std::find(victims.begin(), victims.end(), t.unit) != victims.end())
        return make_error("cannot unload ", what(), ": ", v->lu.name, " still references ",
                          v->lu.symbol_name(j), " defined in ", t.unit->lu.name);
    }
    for (size_t i : gone_libraries)
      if (std::find(v->libraries.begin(), v->libraries.end(), libraries[i].handle) !=
          v->libraries.end())
        return make_error("cannot unload ", what(), ": ", v->lu.name, " still calls into ",
                          libraries[i].path, " (unload that first)");
  }

  // Finalizers of the newest first.
  {
    PhaseTimer t{stats.run, options.measure_memory};
    run_finalizers(std::vector<Unit *>(victims.rbegin(), victims.rend()));
  }
  destroy_tls_modules(victims);
  free_blocks(victims);
  for (Unit *u : victims) {
    if (trace)
      trace("unloaded " + u->lu.name);
    remove_unit(u);
  }
  for (int32_t a : gone_archives) {
    std::erase_if(lazy, [&](const auto &kv) { return kv.second.archive == uint32_t(a); });
    archives[size_t(a)].reset();
  }
  Error failed;
  std::sort(gone_libraries.rbegin(), gone_libraries.rend());
  for (size_t i : gone_libraries) {
    if (Error e = executor->unload_library(libraries[i].handle); e && !failed)
      failed = std::move(e);
    libraries.erase(libraries.begin() + std::ptrdiff_t(i));
  }
  purge_lookup_cache();
  return failed;
}

void Session::purge_lookup_cache() {
  std::lock_guard<std::mutex> g(cache_lock_);
  cache_.clear();
}

// Symbols from outside the range: registered host symbols, then the
// process's global scope (dlsym(RTLD_DEFAULT): what the program's own code
// binds to, so data the executable holds a copy of, such as stdout, is that
// one copy), then loaded libraries in load order.
std::optional<Session::External> Session::lookup_external(std::string_view name,
                                                           bool host_only) {
  std::string key(name);
  if (auto it = host_symbols.find(key); it != host_symbols.end())
    return External{it->second, 0, External::Host};
  if (host_only)
    return std::nullopt;
  {
    std::lock_guard<std::mutex> g(cache_lock_);
    if (auto it = cache_.find(key); it != cache_.end())
      return it->second;
  }
  std::optional<External> found;
  if (options.search_process)
    if (auto a = executor->lookup_process_symbol(name))
      found = External{*a, 0, External::Process};
  for (size_t i = 0; !found && i < libraries.size(); ++i)
    if (auto a = executor->lookup_library_symbol(libraries[i].handle, name))
      found = External{*a, libraries[i].handle, External::Library};
  if (found) {
    std::lock_guard<std::mutex> g(cache_lock_);
    cache_.emplace(std::move(key), *found);
  }
  return found;
}

std::string Session::describe_external(const External &x) const {
  if (x.from == External::Host)
    return "host";
  if (x.from == External::Process)
    return "process";
  for (const LoadedLibrary &l : libraries)
    if (l.handle == x.library)
      return l.path;
  return "a library no longer loaded";
}

void Session::prefetch_externals(const std::vector<Unit *> &batch) {
  std::vector<std::string> names;
  std::unordered_set<std::string_view> seen;
  {
    std::lock_guard<std::mutex> g(cache_lock_);
    for (Unit *u : batch) {
      if (host_only(u->lu.format))
        continue;  // COFF code on a POSIX host reaches registered host symbols only
      for (const Symbol &s : u->lu.symbols)
        if (!s.defined() && !s.is_import && !s.name.empty() && s.global() &&
            !globals.count(s.name) && seen.insert(s.name).second &&
            !cache_.count(std::string(s.name)) && !host_symbols.count(std::string(s.name)))
          names.emplace_back(s.name);
    }
  }
  prefetch_names(std::move(names));
}

// In lookup_external's order: one request for the process, then one per
// library for what is still not found.
void Session::prefetch_names(std::vector<std::string> names) {
  if (names.empty())
    return;
  auto keep = [&](std::vector<std::optional<uint64_t>> found, uint64_t library,
                  External::From from) {
    std::lock_guard<std::mutex> g(cache_lock_);
    std::vector<std::string> rest;
    for (size_t i = 0; i < names.size(); ++i)
      if (i < found.size() && found[i])
        cache_.emplace(names[i], External{*found[i], library, from});
      else
        rest.push_back(std::move(names[i]));
    names = std::move(rest);
  };
  if (options.search_process)
    keep(executor->lookup_process_symbols(names), 0, External::Process);
  for (size_t i = 0; i < libraries.size() && !names.empty(); ++i)
    keep(executor->lookup_library_symbols(libraries[i].handle, names), libraries[i].handle,
         External::Library);
}

std::optional<uint64_t> Session::lookup_import(std::string_view key) {
  if (auto it = host_symbols.find(std::string(key)); it != host_symbols.end())
    return it->second;
  size_t bang = key.find('!');
  if (bang == std::string_view::npos)
    return std::nullopt;
  std::string dll(key.substr(0, bang));
  std::string_view name = key.substr(bang + 1);
  std::optional<uint16_t> ordinal;
  if (!name.empty() && name[0] == '#') {
    uint16_t v = 0;
    std::from_chars(name.data() + 1, name.data() + name.size(), v);
    ordinal = v;
  }
  return executor->lookup_import(dll, name, ordinal);
}

CallConv Session::calling_convention(std::string_view name) const {
  auto it = globals.find(name);
  return it == globals.end() ? executor->native_convention() : it->second.def.unit->conv();
}

Expected<uint64_t> Session::lookup(std::string_view name) {
  if (auto it = globals.find(name); it != globals.end()) {
    const GlobalDef &d = it->second.def;
    if (d.unit->ready)
      return d.unit->addr[d.sym];
    return make_error("symbol ", quote(name), " is defined in ", d.unit->lu.name,
                      ", which is not resolved yet (call resolve first)");
  }
  if (auto a = lookup_external(name))
    return a->address;
  return make_error("symbol ", quote(name), " not found");
}

} // namespace rtlink
