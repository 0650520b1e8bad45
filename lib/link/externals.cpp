// link/externals.cpp — what no loaded unit defines: registered host
// symbols, the process, loaded libraries and DLL imports, looked up through
// the executor (batched, cached) and described for messages.
#include "link/session.hpp"
#include "support/format.hpp"

#include <charconv>
#include <unordered_set>

namespace rtlink {

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
      // (Not a name the linker defines, such as _GLOBAL_OFFSET_TABLE_: bind
      // never looks for it outside, and a miss in the process would open
      // the process libraries for nothing: make_in_process_executor.)
      for (const Symbol &s : u->lu.symbols)
        if (!s.defined() && !s.is_import && !s.name.empty() && s.global() &&
            !linker_defined(s.name, u->lu.format) && !globals.count(s.name) &&
            seen.insert(s.name).second &&
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
