// link/session.cpp — the session itself: a unit's link state, the
// session's end, and putting it back after a lost executor or a failed verb.
// The rest of the session lives by concern: symbols.cpp (the global symbol
// table, COMDAT groups), load.cpp (the load verbs, archives, libraries),
// unload.cpp, externals.cpp (what the process and libraries define).
//
// Every verb checks first and changes the tables last, or undoes what it did
// (rollback to a checkpoint), so a failed call leaves the session as it was.
#include "link/cache.hpp"
#include "link/session.hpp"

namespace rtlink {

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
    lazy.erase_if([&](const auto &kv) { return kv.second.archive >= cp.archives; });
    archives.pop_back();
  }
  lazy_indexed = std::min(lazy_indexed, archives.size());
}

} // namespace rtlink
