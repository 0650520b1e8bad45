// link/load.cpp — the load verbs: objects, archives (their members pulled
// at resolve), linker scripts, shared libraries, -l names and where they
// are searched.
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "io/file.hpp"
#include "io/partial.hpp"
#include "object/detect.hpp"
#include "object/elf_reloc.hpp"
#include "object/parse.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

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
  bool mapped() const override { return reader->file()->mapped(); }
};

} // namespace

Expected<LinkUnit> Session::parse_member(uint32_t a, uint32_t m) const {
  const LoadedArchive &ar = *archives[a];
  auto data = std::make_shared<MemberData>();
  data->reader = ar.reader;
  data->bytes = ar.reader->member(m).bytes;
  std::span<const uint8_t> bytes = data->bytes;
  // Mapped archives are not read ahead whole (platform::map_file): the
  // member's pages at once, as it is parsed and then copied.
  platform::will_read(bytes.data(), bytes.size());
  return parse_object(ar.reader->member_display_name(m), data, bytes);
}

void Session::give_back_unread(std::span<const LinkUnit *const> units, bool copied) {
  std::vector<std::span<const uint8_t>> unread;
  const uint64_t page = platform::page_size();
  for (const LinkUnit *lu : units)
    lu->unread_input(copied, page, unread);
  // Less is not worth it: each call flushes the TLB (the sqlite job, whose
  // rounds give back a few hundred KiB each: 1.06x the time).
  constexpr uint64_t kWorthGivingBack = 1 << 20;
  uint64_t bytes = 0;
  for (std::span<const uint8_t> r : unread)
    bytes += r.size();
  if (bytes >= kWorthGivingBack)
    platform::done_reading(unread);
}

Expected<Unit *> Session::pull_member(uint32_t a, uint32_t m, ParsedMember *parsed) {
  LoadedArchive &ar = *archives[a];
  if (parsed && parsed->thrown)
    std::rethrow_exception(parsed->thrown);  // where parsing it here would have thrown
  if (ar.partial && !parsed) {
    std::span<const uint8_t> b = ar.reader->member(m).bytes;
    const uint64_t at = uint64_t(b.data() - ar.partial->data()), before = ar.partial->bytes_read();
    io::PartialFile::Want w{ar.partial.get(), at, b.size()};
    Error e = io::PartialFile::fetch(*reader, {&w, 1});
    stats.bytes_read += ar.partial->bytes_read() - before;
    if (e)
      return make_error(ar.reader->member_display_name(m), ": ", e.message());
  }
  Expected<LinkUnit> lu = [&] {
    if (parsed)
      return std::move(*parsed->unit);
    PhaseTimer t{stats.parse, false};
    return parse_member(a, m);
  }();
  if (!lu)
    return lu.take_error();
  if (!parsed) {
    const LinkUnit *unit = &*lu;
    give_back_unread({&unit, 1}, false);
  }
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
  {
    const LinkUnit *parsed = &*lu;
    give_back_unread({&parsed, 1}, false);
  }
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
  // The symbol table is read and checked now; index_archives() indexes it when needed.
  auto index = la->reader->symbols();
  if (!index)
    return index.take_error();
  la->index = std::move(*index);
  archives.push_back(std::move(la));
  if (trace)
    trace("loaded archive " + given + " (" + std::to_string(archives.back()->reader->member_count()) +
          " members, " + std::to_string(archives.back()->index.size()) + " symbols)");
  return Error::success();
}

void Session::index_archives() {
  size_t added = 0;
  for (size_t i = lazy_indexed; i < archives.size(); ++i)
    if (const auto &a = archives[i]) {
      // Given back once indexed (below): read again when `lazy` is made
      // afresh (rollback, a lost executor). It read at load, from these
      // same bytes, so it reads again.
      if (a->index.empty())
        if (auto again = a->reader->symbols())
          a->index = std::move(*again);
      added += a->index.size();
    }
  lazy.reserve(lazy.size() + added);  // grown once, not doubled again and again
  // The globals' table too, for the members the pull may add: their
  // definitions are mostly what the archives' indexes name (the GHC job:
  // 41,000 globals, 56,000 names indexed). Growing by doubling copied the
  // entries each time into fresh pages.
  globals.reserve(globals.size() + added);
  for (; lazy_indexed < archives.size(); ++lazy_indexed)
    if (const auto &a = archives[lazy_indexed]) {
      for (const auto &[name, m] : a->index)  // the first archive to define a name wins
        lazy.try_emplace(name, LazyMember{uint32_t(lazy_indexed), m});
      a->give_back_index();  // `lazy` holds it now
    }
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
  if (!u)
    return u.take_error();
  (*u)->references_only = true;
  return Error::success();
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

namespace {

// An ELF file built for another instruction set than `arch` (GNU ld skips
// such a file when searching for -lNAME: "skipping incompatible"). Other
// files (archives, linker scripts, what cannot be read) are not judged here.
bool another_machine(const std::string &path, Arch arch) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[20] = {};
  if (!in.read(reinterpret_cast<char *>(h), sizeof h) || h[0] != 0x7f || h[1] != 'E' ||
      h[2] != 'L' || h[3] != 'F' || h[5] != 1 /* little-endian */)
    return false;
  const ElfMachine *m = elf_machine(uint16_t(h[18] | h[19] << 8));
  return !m || m->arch != arch;
}

} // namespace

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
    for (std::string &d : platform::default_library_dirs(executor->arch()))
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
      if (platform::is_file(p) && !another_machine(p, executor->arch()))
        return p;
    }
  std::string searched;
  for (const std::string &d : dirs)
    searched += (searched.empty() ? "" : ", ") + d;
  if (dirs.empty())
    searched = "nowhere: no search directories (-L adds one)";
  if (static_only && !(!name.empty() && name[0] == ':'))
    return make_error("cannot find library -l", name, " (static: ", files[0], "; searched ",
                      searched, ")");
  return make_error("cannot find library -l", name, " (searched ", searched, ")");
}

} // namespace rtlink
