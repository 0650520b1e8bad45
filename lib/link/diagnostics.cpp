// link/diagnostics.cpp — the undefined-symbol report.
//
// Every undefined symbol of a resolve is reported at once, each with the
// sites that reference it (the first few, then a count), and a suggestion
// where one can be found:
//   - the same name with or without a leading underscore;
//   - a C++ function of that name that was not declared extern "C" (or a
//     C++ reference to a C function);
//   - a library along the search path that defines it (a missing -l);
//   - a defined name one or two edits away (a typo).
// This runs only when a resolve fails; nothing here is on the fast path.
#include "io/file.hpp"
#include "link/session.hpp"
#include "object/archive.hpp"
#include "object/detect.hpp"
#include "object/elf.hpp"
#include "platform/platform.hpp"
#include "support/demangle.hpp"
#include "support/format.hpp"

#include <llvm/Demangle/Demangle.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <map>

namespace rtlink {

namespace {

size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t best = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      best = std::min(best, cur[j]);
    }
    if (best > limit)
      return limit + 1;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "foo" for "ns::foo(int)" and "foo(int)".
std::string base_name(const std::string &demangled) {
  std::string s = demangled.substr(0, demangled.find('('));
  size_t colon = s.rfind("::");
  return colon == std::string::npos ? s : s.substr(colon + 2);
}

} // namespace

Error Session::undefined_report(const std::vector<std::pair<Unit *, uint32_t>> &missing) const {
  // Group the references by name, in the order first seen.
  std::vector<std::string_view> order;
  // The first three sites, described; how many there are.
  std::map<std::string_view, std::vector<std::string>> sites;
  std::map<std::string_view, size_t> site_count;
  std::map<std::string_view, std::string> via;  // X → "__imp_X", for cells rtlink made
  for (auto [u, j] : missing) {
    std::string_view name = u->lu.symbols[j].name;
    auto &list = sites[name];
    if (site_count.emplace(name, 0).second)
      order.push_back(name);
    // A name added for an __imp_ cell has no edges of its own: its sites
    // are those of the __imp_ symbol.
    std::vector<uint32_t> targets{j};
    if (j >= u->base_symbols)
      for (uint32_t k = 0; k < u->base_symbols; ++k)
        if (u->lu.symbols[k].name.size() == name.size() + 6 &&
            u->lu.symbols[k].name.substr(6) == name &&
            u->lu.symbols[k].name.substr(0, 6) == "__imp_") {
          targets.push_back(k);
          via[name] = std::string(u->lu.symbols[k].name);
        }
    // An import rtlink added for data used without dllimport (auto-import,
    // resolve.cpp): its sites are those of the name bound to it.
    if (j >= u->base_symbols && u->lu.symbols[j].is_import)
      for (uint32_t k = 0; k < u->base_symbols && k < u->targets.size(); ++k)
        if (u->targets[k].kind == Target::Other && u->targets[k].unit == u &&
            u->targets[k].index == j) {
          targets.push_back(k);
          via[name] = std::string(u->lu.symbols[k].name);
        }
    for (uint32_t i = 0; i < u->lu.sections.size(); ++i) {
      const Section &s = u->lu.sections[i];
      if (s.role == SectionRole::Skip || s.discarded)
        continue;
      for (const Edge &e : u->lu.edges_of(s))
        if (std::find(targets.begin(), targets.end(), e.target) != targets.end() &&
            site_count[name]++ < 3)
          list.push_back(u->lu.site(i, e.offset));
    }
  }

  // Everything a name could have been meant to be.
  std::map<std::string_view, std::string> known;  // name → where defined
  for (const auto &[n, e] : globals)
    known.emplace(n, e.def.unit->lu.name);
  for (const auto &[n, lz] : lazy)
    if (archives[lz.archive])
      known.emplace(n, archives[lz.archive]->reader->member_display_name(lz.member));
  for (const auto &[n, a] : host_symbols)
    known.emplace(n, "the host (registered)");

  // For COFF code, libraries along the (ELF) search path are no answer.
  std::map<std::string_view, bool> from_coff;
  for (auto [u, j] : missing)
    if (u->lu.format == Format::COFF)
      from_coff[u->lu.symbols[j].name] = true;
  std::map<std::string_view, bool> imports;
  for (auto [u, j] : missing)
    if (u->lu.symbols[j].is_import)
      imports[u->lu.symbols[j].name] = true;

  // Libraries along the search path that define a missing name, each read
  // once for all of them. What is suggested is what -lNAME would load
  // (find_system_library: in each directory libNAME.so before libNAME.a),
  // with the files a linker script names: so `-lc` is suggested for what
  // libc.so brings in (libc.so.6, libc_nonshared.a), never for what only
  // the static C library libc.a defines, which cannot join a process that
  // runs the shared one.
  std::vector<std::string> dirs;
  for (const auto &[h, d] : search_paths)
    dirs.push_back(d);
  for (std::string &d : platform::default_library_dirs(executor->arch()))
    dirs.push_back(std::move(d));
  std::set<std::string_view> wanted;
  for (std::string_view name : order)
    if (!from_coff.count(name) && !imports.count(name))
      wanted.insert(name);
  std::map<std::string_view, std::string> library_hint;  // name → "it is defined in ..."
  if (!wanted.empty()) {
    std::vector<std::string> lib_names;  // NAME of libNAME.so / libNAME.a, once each
    std::set<std::string> seen;
    for (const std::string &d : dirs) {
      std::vector<std::string> names;
      std::error_code ec;
      for (const auto &ent : std::filesystem::directory_iterator(d, ec)) {
        std::string n = ent.path().filename().string();
        bool so = n.size() > 6 && n.substr(n.size() - 3) == ".so";
        bool ar = n.size() > 5 && n.substr(n.size() - 2) == ".a";
        if (n.substr(0, 3) == "lib" && (so || ar))
          names.push_back(n.substr(3, n.size() - 3 - (so ? 3 : 2)));
      }
      std::sort(names.begin(), names.end());
      for (std::string &n : names)
        if (seen.insert(n).second)
          lib_names.push_back(std::move(n));
    }
    // Calls `found` with each wanted name `path` defines, itself or through
    // the files its linker script names.
    std::function<void(const std::string &, int, const std::function<void(std::string_view, const std::string &)> &)>
        defines;
    defines = [&](const std::string &path, int depth, const auto &found) {
      if (path.size() >= 7 && path.substr(path.size() - 7) == "/libc.a")
        return;  // the static C library: never the answer
      auto f = read_file(path, true, options.max_expand);
      if (!f)
        return;
      auto offer = [&](std::string_view n) {
        if (auto w = wanted.find(n); w != wanted.end() && !library_hint.count(*w))
          found(*w, path);
      };
      switch (identify_input(bytes_of(**f))) {
      case InputKind::Archive:
        if (auto r = ArchiveReader::open(path, *f))
          (void)(*r)->for_each_symbol([&](std::string_view n, uint32_t) { offer(n); });
        break;
      case InputKind::SharedLibrary:
        (void)for_each_defined_global(bytes_of(**f), true, offer);
        break;
      case InputKind::LinkerScript:
        if (depth > 0)
          return;
        if (auto inputs = ld_script_inputs(path, bytes_of(**f)))
          for (const std::string &in : *inputs) {
            std::string target = in;
            if (in.rfind("-l", 0) == 0) {
              auto p = find_system_library(in.substr(2));
              if (!p)
                continue;
              target = *p;
            }
            defines(target, depth + 1, found);
          }
        break;
      default: break;
      }
    };
    for (const std::string &lib : lib_names) {
      if (library_hint.size() == wanted.size())
        break;
      auto path = find_system_library(lib);
      if (!path || std::any_of(libraries.begin(), libraries.end(),
                               [&](const LoadedLibrary &l) { return l.path == *path; }))
        continue;
      defines(*path, 0, [&](std::string_view name, const std::string &file) {
        library_hint[name] = "it is defined in " + file +
                             (file == *path ? "" : " (named by " + *path + ")") + ": add -l" + lib;
      });
    }
  }

  auto suggest = [&](std::string_view name, bool coff) -> std::string {
    std::string n(name);
    if (n == "__stack_chk_guard")  // Mach-O's ___stack_chk_guard, without its '_'
      return "the stack protector's canary, which glibc keeps per thread and does not export "
             "(clang's Darwin targets read it as a global): compile with -fno-stack-protector, "
             "or load an object that defines __stack_chk_guard";
    if (n.size() > 1 && n[0] == '_')
      if (auto it = known.find(n.substr(1)); it != known.end())
        return "did you mean " + quote(it->first) + " (defined in " + it->second + ")?";
    if (auto it = known.find("_" + n); it != known.end())
      return "did you mean " + quote(it->first) + " (defined in " + it->second + ")?";
    if (n.rfind("_Z", 0) == 0) {
      std::string d = llvm::demangle(n);
      if (d != n)
        if (auto it = known.find(base_name(d)); it != known.end())
          return "this is the C++ name of " + d + "; " + it->second + " defines the C name " +
                 quote(it->first) + ": declare it extern \"C\" where it is used";
    } else {
      for (const auto &[k, where] : known)
        if (k.substr(0, 2) == "_Z") {
          std::string d = llvm::demangle(std::string(k));
          if (d != k && base_name(d) == n && d.find("::") == std::string::npos)
            return "a C++ function " + d + " is defined in " + where +
                   ": declare it extern \"C\" to call it by this name";
        }
    }
    if (auto h = library_hint.find(name); !coff && h != library_hint.end())
      return h->second;
    size_t limit = n.size() < 6 ? 1 : 2;
    for (const auto &[k, where] : known)
      if (k.size() + limit >= n.size() && k.size() <= n.size() + limit && k != name &&
          edit_distance(k, n, limit) <= limit)
        return "did you mean " + quote(k) + " (defined in " + where + ")?";
    return {};
  };


  std::string msg;
  for (std::string_view name : order) {
    const auto &list = sites[name];
    if (imports.count(name)) {
      // "dll!name": an import nothing provides.
      size_t bang = name.find('!');
      append_line(msg, std::string("cannot bind import ") + std::string(name.substr(bang + 1)) +
                           " from " + std::string(name.substr(0, bang)));
      for (size_t i = 0; i < list.size() && i < 3; ++i)
        msg += via.count(name) ? "\n>>> referenced as " + via.at(name) +
                                     " (data used without __declspec(dllimport): auto-imported) by " +
                                     list[i]
                               : "\n>>> its cell is " + list[i];
      if (host_only(Format::COFF))
        msg += "\n>>> register it with define_symbol(\"" + std::string(name) +
               "\", ...) (an ms_abi function), or run the code in an executor that loads "
               "DLLs (this one is " + executor->describe() + ")";
      else  // a Windows executor: LoadLibrary did not find the DLL, or the name
        msg += "\n>>> " + std::string(name.substr(0, bang)) +
               " could not be loaded (the executor's LoadLibrary searches the -L directories, "
               "its own directory and the system's) or does not export " +
               std::string(name.substr(bang + 1));
      continue;
    }
    append_line(msg, std::string("undefined symbol: ") + display_name(name));
    if (auto v = via.find(name); v != via.end())
      msg += " (referenced as " + v->second + ")";
    for (size_t i = 0; i < list.size() && i < 3; ++i)
      msg += "\n>>> referenced by " + list[i];
    if (site_count[name] > 3)
      msg += "\n>>> referenced " + std::to_string(site_count[name] - 3) + " more times";
    const bool coff = from_coff.count(name) > 0;
    std::string hint;
    if (coff && host_only(Format::COFF) && executor->lookup_process_symbol(name))
      hint = "the process defines it, but COFF code calls with the Microsoft x64 convention: "
             "offer an ms_abi function with define_symbol";
    else
      hint = suggest(name, coff);
    if (!hint.empty())
      msg += "\n>>> " + hint;
  }
  // Where names were looked for, once (not for imports, which name their DLL).
  if (!wanted.empty()) {
    auto count = [](size_t n, const char *what) {
      return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
    };
    size_t nar = 0;
    for (const auto &a : archives)
      nar += a != nullptr;
    std::vector<std::string> where{count(units.size(), "loaded object")};
    if (nar)
      where.push_back("the symbol indexes of " + count(nar, "archive"));
    if (!libraries.empty()) {
      std::string libs;
      for (size_t i = 0; i < libraries.size() && i < 4; ++i)
        libs += (i ? ", " : "") + std::filesystem::path(libraries[i].path).filename().string();
      if (libraries.size() > 4)
        libs += ", ...";
      where.push_back(count(libraries.size(), "loaded library") + " (" + libs + ")");
    }
    if (!host_symbols.empty())
      where.push_back(count(host_symbols.size(), "name") + " the host registered");
    if (options.search_process)
      where.push_back("the process (" + executor->describe() +
                      ": its program and the libraries it has loaded)");
    std::string list;
    for (size_t i = 0; i < where.size(); ++i)
      list += (i == 0 ? "" : i + 1 == where.size() ? " and " : ", ") + where[i];
    msg += "\nnote: looked in " + list;
    std::string libdirs;
    for (const std::string &d : dirs)
      if (std::error_code ec; std::filesystem::is_directory(d, ec))
        libdirs += (libdirs.empty() ? "" : ", ") + d;
    if (!libdirs.empty())
      msg += "; for libraries to suggest (-lNAME), in " + libdirs;
  }
  return Error(msg);
}

} // namespace rtlink
