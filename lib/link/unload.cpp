// link/unload.cpp — unloading units and libraries: finalizers and atexit
// handlers first, newest unit first, then tables and pages.
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <algorithm>

namespace rtlink {

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
    lazy.erase_if([&](const auto &kv) { return kv.second.archive == uint32_t(a); });
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

} // namespace rtlink
