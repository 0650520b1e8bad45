// link/initializers.cpp — what runs at load and at unload, in GNU ld's order.
//
// At load: .preinit_array, then .init_array and .ctors by priority
// (.init_array.N has priority N, .ctors.N has 65535-N; unnumbered ones run
// last), across the whole batch, in load order within a priority. .ctors
// lists run backward (their legacy order). At unload: first the
// __cxa_atexit registrations made with the unit's __dso_handle, then
// .fini_array and .dtors the same way, reversed (the order in which the C
// library ends a program: its atexit list, then .fini_array).
// COFF: MSVC's .CRT$XI* then .CRT$XC* run at load in the order of their
// names, .CRT$XP* then .CRT$XT* at unload; MinGW's .ctors/.dtors as above.
#include "link/session.hpp"

#include <algorithm>
#include <cstring>

namespace rtlink {

namespace {

bool run_order(const Unit::InitEntry &a, const Unit::InitEntry &b) {
  if (a.priority != b.priority)
    return a.priority < b.priority;
  if (a.key != b.key)
    return a.key_descending ? a.key > b.key : a.key < b.key;
  return false;
}

} // namespace

void collect_init_fini(Unit &u, const uint8_t *image, uint64_t image_base) {
  const LinkUnit &lu = u.lu;
  u.init_entries.clear();
  std::vector<Unit::InitEntry> fini;
  for (uint32_t i = 0; i < lu.sections.size(); ++i) {
    const Section &s = lu.sections[i];
    if (s.discarded || !u.section_addr[i])
      continue;
    bool init = s.role == SectionRole::InitArray || s.role == SectionRole::Ctors ||
                s.role == SectionRole::PreinitArray;
    bool finis = s.role == SectionRole::FiniArray || s.role == SectionRole::Dtors;
    if (!init && !finis)
      continue;
    std::vector<uint64_t> fns(s.size / 8);
    if (!fns.empty() && s.bytes)
      std::memcpy(fns.data(), image + (u.section_addr[i] - image_base), fns.size() * 8);
    if (s.role == SectionRole::Ctors || s.role == SectionRole::Dtors)
      std::reverse(fns.begin(), fns.end());
    int32_t prio = s.role == SectionRole::PreinitArray ? -1 : s.priority;
    for (uint64_t f : fns) {
      if (f == 0 || f == ~uint64_t(0))  // list markers of old crtbegin/crtend
        continue;
      const std::string_view key = s.ordered_by_name ? s.name : std::string_view();
      (init ? u.init_entries : fini).push_back({prio, key, s.reverse_key, f, u.conv()});
    }
  }
  std::stable_sort(fini.begin(), fini.end(), run_order);
  u.finalizers.clear();
  for (auto it = fini.rbegin(); it != fini.rend(); ++it)
    u.finalizers.push_back(it->fn);
}

std::vector<Unit::InitEntry> Session::initializer_order(const std::vector<Unit *> &batch) const {
  std::vector<Unit::InitEntry> all;
  for (Unit *u : batch)
    all.insert(all.end(), u->init_entries.begin(), u->init_entries.end());
  std::stable_sort(all.begin(), all.end(), run_order);
  return all;
}

// Runs of the same calling convention, one request each, in order.
Error Session::run_in_order(const std::vector<Unit::InitEntry> &all) {
  for (size_t i = 0; i < all.size();) {
    std::vector<uint64_t> fns;
    CallConv conv = all[i].conv;
    for (; i < all.size() && all[i].conv == conv; ++i)
      fns.push_back(all[i].fn);
    if (Error e = executor->run_functions(fns, conv))
      return e;
  }
  return Error::success();
}

} // namespace rtlink
