// link/resolve.cpp — resolve(): a script of passes over the batch of units
// loaded since the last resolve.
//
// References that go round a cycle between units need nothing special: every
// unit of the batch is bound by name first, laid out next, and only then are
// addresses computed and fixups applied, so rts.o may call base.o which calls
// back into rts.o whatever order they were loaded in.
#include "link/cache.hpp"
#include "io/partial.hpp"
#include "link/phase_timer.hpp"
#include "link/session.hpp"
#include "platform/platform.hpp"
#include "support/format.hpp"
#include "support/parallel.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace rtlink {

namespace {


bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The C library's functions that take variadic arguments. Apple's arm64 ABI
// passes those on the stack; the AAPCS64 the executor's C library follows
// passes them in registers, where it then reads them: an arm64 Mach-O
// unit's call to one of these hands it garbage (docs/objload.md). (The v
// forms do not help: Darwin's va_list is a pointer, AAPCS64's a struct.)
bool c_variadic(std::string_view name) {
  static constexpr std::string_view names[] = {
      "printf",  "fprintf", "dprintf", "sprintf", "snprintf", "asprintf", "scanf",  "fscanf",
      "sscanf",  "syslog",  "open",    "openat",  "fcntl",    "ioctl",    "execl",  "execlp",
      "execle",  "prctl",   "err",     "errx",    "warn",     "warnx",    "mremap", "semctl"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

} // namespace

// Does this symbol ask for an archive member to define it? Undefined
// globals not defined yet; COFF weak externals that search libraries, unless
// something stronger than their own alias already defines the name. ELF weak
// references never pull members, as with GNU ld.
bool Session::wants_archive_member(const Unit &u, const Symbol &s) const {
  if (s.defined() || s.name.empty() || s.is_import || linker_defined(s.name, u.lu.format))
    return false;
  // Not libc_nonshared.a's (that -lc names): each ELF unit gets its own
  // (runtime.cpp); COFF units too where the executor registers them.
  if (s.name[0] == 'a' || s.name[0] == 'p' || s.name[0] == '_')
    if (int f = unit_runtime_function(s.name, u.lu.format);
        f >= 0 && !globals.count(s.name) && unit_runtime_applies(f))
      return false;
  auto it = globals.find(s.name);
  if (s.binding == Binding::Global)
    return it == globals.end();
  if (s.binding == Binding::Weak && s.alias != kNoAlias && s.search_archives)
    return it == globals.end() || it->second.strength <= 1;
  return false;
}

// An archive member for the name; for __imp_X, one that defines X (rtlink
// then makes the cell); for a COFF X, one that has only __imp_X (a data
// import: bind then says how X must be declared, or stubs a call through it).
std::optional<LazyMember> Session::member_for(const Unit &u, const Symbol &s) const {
  auto lz = lazy.find(s.name);
  if (lz == lazy.end() && starts_with(s.name, "__imp_"))
    lz = lazy.find(s.name.substr(6));
  if (lz == lazy.end() && u.lu.format == Format::COFF)
    lz = lazy.find("__imp_" + std::string(s.name));
  if (lz == lazy.end())
    return std::nullopt;
  return lz->second;
}

std::vector<LazyMember> Session::members_wanted(std::span<Unit *const> round,
                                                std::vector<std::vector<uint32_t>> *wanting) const {
  std::vector<LazyMember> out;
  std::unordered_set<uint64_t> seen;
  if (wanting)
    wanting->assign(round.size(), {});
  for (size_t k = 0; k < round.size(); ++k) {
    const Unit *u = round[k];
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j) {
      const Symbol &s = u->lu.symbols[j];
      if (!wants_archive_member(*u, s))
        continue;
      if (wanting)
        (*wanting)[k].push_back(j);
      std::optional<LazyMember> lz = member_for(*u, s);
      if (lz && archives[lz->archive] && !archives[lz->archive]->pulled[lz->member] &&
          seen.insert(uint64_t(lz->archive) << 32 | lz->member).second)
        out.push_back(*lz);
    }
  }
  return out;
}

Error Session::read_members_for(std::span<const LazyMember> wanted) {
  if (!reader || std::none_of(archives.begin(), archives.end(), [](const auto &a) {
        return a && a->partial && !a->partial->complete();
      }))
    return Error::success();
  std::vector<io::PartialFile::Want> wants;
  std::vector<const io::PartialFile *> files;
  for (LazyMember lz : wanted) {
    const LoadedArchive &a = *archives[lz.archive];
    if (!a.partial)
      continue;
    std::span<const uint8_t> b = a.reader->member(lz.member).bytes;
    wants.push_back({a.partial.get(), uint64_t(b.data() - a.partial->data()), b.size()});
    if (std::find(files.begin(), files.end(), a.partial.get()) == files.end())
      files.push_back(a.partial.get());
  }
  uint64_t before = 0;
  for (const io::PartialFile *f : files)
    before += f->bytes_read();
  Error e = io::PartialFile::fetch(*reader, wants);
  for (const io::PartialFile *f : files)
    stats.bytes_read += f->bytes_read();
  stats.bytes_read -= before;
  return e;
}

Error Session::resolve() {
  std::vector<Unit *> batch;
  for (const auto &u : units)
    if (!u->ready)
      batch.push_back(u.get());
  if (batch.empty())
    return Error::success();
  // The executor's part: the search paths (imports bind there: DLLs along
  // them) and the range, reserved at the first resolve (a remote executor;
  // after a loss). Asked for as late as possible: a remote executor starts
  // while archive members are pulled and parsed.
  auto executor_ready = [&]() -> Error {
    if (Error e = send_library_dirs())
      return e;
    // Code for another instruction set cannot run there (the controller
    // links any arch it has a backend for: arch/arch.hpp).
    const Arch runs = executor->arch();
    std::string wrong;
    for (Unit *u : batch)
      if (u->references_only)
        u->lu.arch = runs;
      else if (u->lu.arch != runs)
        append_line(wrong, u->lu.name + ": " + arch_name(u->lu.arch) +
                               " code cannot run in the executor (" + executor->describe() +
                               "), which runs " + arch_name(runs) +
                               " code; an objload-executor built for " + arch_name(u->lu.arch) +
                               " runs it (--executor=...)");
      else if (u->lu.format != Format::COFF &&
               executor->native_convention() == CallConv::Microsoft)
        // Its calls out (to the C library, to the process) follow System V's
        // convention, which no function of a Windows process does.
        append_line(wrong, u->lu.name + ": " +
                               (u->lu.format == Format::ELF ? "ELF" : "Mach-O") +
                               " code cannot run in the executor (" + executor->describe() +
                               "), a Windows process; a Linux executor runs it (--executor=...)");
    if (!wrong.empty())
      return Error(wrong);
    if (!space.size()) {
      auto reserved = AddressSpace::reserve(*executor, options.reserve_size);
      if (!reserved)
        return reserved.take_error();
      space = *reserved;
    }
    return Error::success();
  };
  // The link cache: a first resolve is served from it, or recorded for it.
  std::string cache_key_text;
  std::unique_ptr<cache::Recorder> recorder;
  if (!options.cache_dir.empty()) {
    if (Error e = executor_ready())
      return e;
    {
      PhaseTimer t{stats.resolve, options.measure_memory};
      cache_key_text = cache_key();
    }
    if (!cache_key_text.empty()) {
      Error init;
      if (restore_from_cache(cache_key_text, init)) {
        // Served whole: no archive was indexed. Their symbol tables' lists
        // go; index_archives reads them again if a later resolve pulls.
        for (const auto &a : archives)
          if (a)
            a->give_back_index();
        return init;
      }
      recorder = std::make_unique<cache::Recorder>(*this);
    }
  }
  index_archives();
  const size_t units_before = units.size();
  const size_t takeovers_before = takeovers.size();

  // Undo everything this call did: pulled members go (and give back any
  // COMDAT copy they took over), the rest forget.
  auto rollback = [&](Error e) {
    destroy_tls_modules(batch);
    free_blocks(batch);
    for (Unit *u : batch)
      u->clear_link_state();
    while (units.size() > units_before)
      remove_unit(units.back().get());
    undo_takeovers(takeovers_before);
    takeovers.clear();  // what loads took over before this call stays taken
    return e;
  };

  {
    // 1. Pull archive members until no undefined name is left that an
    //    archive's symbol table offers (a fixpoint over the worklist).
    PhaseTimer t{stats.resolve, options.measure_memory, &stats.parse, &stats.load};
    // Members parsed ahead, by (archive, member): what pull_member adds.
    std::unordered_map<uint64_t, ParsedMember> parsed;
    // The round's symbols that wanted a member when the round began, per
    // unit (from round_start): the pull visits only those (bench/scale's
    // second round, its 800 units' references, all defined by then, was a
    // second probe of the globals' table for each).
    std::vector<std::vector<uint32_t>> wanting;
    size_t round_start = 0;
    for (size_t i = 0, round_end = 0; i < batch.size(); ++i) {
      // Each round (the units the previous one added): the members they
      // would pull are read together, for archives read in parts, then
      // parsed on every core (parsing changes nothing). The pull below
      // still adds them one by one, in its own order and with its own
      // errors (a member's parse error only when it is pulled), as it would
      // parse them; one an earlier member made unwanted is never used.
      if (i == round_end) {
        round_start = i;
        round_end = batch.size();
        const auto round = std::span<Unit *const>(batch).subspan(i);
        std::vector<LazyMember> wanted = members_wanted(round, &wanting);
        if (Error e = read_members_for(wanted))
          return rollback(std::move(e));
        std::vector<ParsedMember> results(wanted.size());
        uint64_t bytes = 0;
        for (LazyMember lz : wanted)
          bytes += archives[lz.archive]->reader->member(lz.member).bytes.size();
        {
          PhaseTimer pt{stats.parse, false};
          auto parse = [&](size_t k) {
            try {
              results[k].unit.emplace(parse_member(wanted[k].archive, wanted[k].member));
            } catch (...) {
              results[k].thrown = std::current_exception();
            }
          };
          // Less than this is parsed sooner than a thread starts and its
          // allocator's arena fills (the sqlite job's rounds, 1.3 MiB at
          // most: 1.02x). From 2 MiB, not 4: the GHC job's third round,
          // 68 members of 3.4 MiB, on both cores made it 0.91-0.93x.
          constexpr uint64_t kWorthThreads = 2 << 20;
          if (bytes >= kWorthThreads)
            parallel_for(wanted.size(), parse);
          else
            for (size_t k = 0; k < wanted.size(); ++k)
              parse(k);
        }
        // What parsing read and nothing reads again, given back at once.
        std::vector<const LinkUnit *> read;
        for (const ParsedMember &p : results)
          if (p.unit && *p.unit)
            read.push_back(&**p.unit);
        give_back_unread(read, false);
        parsed.clear();
        for (size_t k = 0; k < wanted.size(); ++k)
          parsed.emplace(uint64_t(wanted[k].archive) << 32 | wanted[k].member,
                         std::move(results[k]));
      }
      Unit *u = batch[i];
      for (uint32_t j : wanting[i - round_start]) {
        const Symbol &s = u->lu.symbols[j];
        if (!wants_archive_member(*u, s))
          continue;
        std::optional<LazyMember> lz = member_for(*u, s);
        if (!lz) {
          if (is_runtime_symbol(s.name) && !globals.count(s.name)) {
            auto rt = add_runtime_unit();
            if (!rt)
              return rollback(rt.take_error());
            batch.push_back(*rt);
          }
          continue;
        }
        if (archives[lz->archive]->pulled[lz->member])
          continue;
        std::string name(s.name);  // pulling may take over COMDATs of this unit
        auto ahead = parsed.find(uint64_t(lz->archive) << 32 | lz->member);
        auto pulled = pull_member(lz->archive, lz->member,
                                  ahead == parsed.end() ? nullptr : &ahead->second);
        if (!pulled)
          return rollback(make_error(pulled.error().message(), "\n>>> pulled in for ", name,
                                     ", referenced by ", u->lu.name));
        batch.push_back(*pulled);
      }
    }
    if (Error e = executor_ready())
      return rollback(std::move(e));
    // 1b. MinGW's import members: their cells are bound to the DLL's export.
    if (Error e = bind_gnu_imports(batch))
      return rollback(std::move(e));
    // 2. Bind every reference by name.
    if (Error e = bind(batch))
      return rollback(std::move(e));
  }
  {
    // 3. GOT cells and stubs, 4. memory and addresses.
    PhaseTimer t{stats.layout, options.measure_memory};
    if (Error e = plan_got_and_stubs(batch))
      return rollback(std::move(e));
    if (Error e = layout(batch))
      return rollback(std::move(e));
    if (Error e = compute_addresses(batch))
      return rollback(std::move(e));
    if (Error e = create_tls_modules(batch, recorder.get()))
      return rollback(std::move(e));
  }
  {
    // 5. Fixups, then protections and unwind tables.
    PhaseTimer t{stats.fixup, options.measure_memory};
    if (Error e = apply_fixups(batch, recorder.get()))
      return rollback(std::move(e));
    // IFUNC resolvers, now that the code they are part of can run.
    if (Error e = resolve_ifuncs(batch, recorder.get()))
      return rollback(std::move(e));
    for (Unit *u : batch) {
      u->function_tables.clear();
      if (u->lu.format == Format::COFF)
        for (uint32_t i = 0; i < u->lu.sections.size(); ++i) {
          const Section &s = u->lu.sections[i];
          if (u->section_addr[i] && s.size >= 12 && !s.discarded &&
              starts_with(s.name, ".pdata"))  // .pdata, .pdata$X, GCC's .pdata.startup
            u->function_tables.push_back({u->section_addr[i], uint32_t(s.size / 12), space.base()});
        }
    }
    if (Error e = register_unwind(batch))
      return rollback(std::move(e));
  }
  // 6. The batch is the session's; initializers in priority order across it.
  for (Unit *u : batch)
    u->ready = true;
  takeovers.clear();  // nothing to undo any more
  if (recorder)
    store_in_cache(cache_key_text, *recorder);
  if (trace)
    for (Unit *u : batch)
      trace("resolved " + u->lu.name + " into " + hex(u->block->mem.base) + ".." +
            hex(u->block->mem.base + u->block->mem.size));
  return start_units(batch, initializer_order(batch));
}

// How a link ends, whether a resolve made it or the link cache restored it
// (cache.cpp), once the units' blocks are placed (place_block): their
// unwind tables registered here; the units made the session's (the caller,
// where nothing fails any more); then start_units.
Error Session::register_unwind(const std::vector<Unit *> &batch) {
  std::vector<uint64_t> frames;  // registered together: one request to a remote executor
  std::vector<Executor::FunctionTable> tables;
  for (const Unit *u : batch) {
    if (u->eh_frame)
      frames.push_back(u->eh_frame);
    tables.insert(tables.end(), u->function_tables.begin(), u->function_tables.end());
  }
  if (Error e = executor->register_eh_frames(frames))
    return e;
  if (Error e = executor->register_function_tables(tables)) {
    (void)executor->deregister_eh_frames(frames);
    return e;
  }
  return Error::success();
}

Error Session::start_units(const std::vector<Unit *> &batch,
                           const std::vector<Unit::InitEntry> &order) {
  for (Unit *u : batch)
    u->init_entries.clear();
  PhaseTimer t{stats.run, options.measure_memory};
  return run_in_order(order);
}

Error Session::bind(const std::vector<Unit *> &batch) {
  std::vector<std::pair<Unit *, uint32_t>> missing;
  std::string errors;
  // /alternatename:FROM=TO of every loaded unit.
  std::unordered_map<std::string_view, std::string_view> alternates;
  for (const auto &unit : units)
    for (auto [from, to] : unit->lu.alternate_names)
      alternates.emplace(from, to);
  prefetch_externals(batch);

  for (Unit *u : batch) {
    LinkUnit &lu = u->lu;
    // __imp_ cells this unit makes, calls through them, auto-imports
    // (coff_imports.cpp).
    ImportBindings imports = bind_import_names(*u, errors);
    const auto &cells = imports.cells, &via = imports.via, &auto_imports = imports.auto_imports;
    // atexit & co. nothing loaded defines: the unit's own code calling the
    // C library's function (runtime.cpp), bound like any other name.
    std::vector<std::pair<uint32_t, uint32_t>> runtime;  // (atexit, __cxa_atexit)
    for (uint32_t j = 0; j < u->base_symbols; ++j) {
      const Symbol &s = lu.symbols[j];
      if (s.defined() || s.name.empty())
        continue;
      int f = unit_runtime_function(s.name, lu.format);  // (a few names: before the probe)
      if (f < 0 || globals.count(s.name) || !unit_runtime_applies(f))
        continue;
      Symbol callee;
      callee.name = unit_runtime_callee(f);
      callee.binding = Binding::Global;
      runtime.emplace_back(j, uint32_t(lu.symbols.size()));
      lu.symbols.push_back(callee);
    }
    const size_t n = lu.symbols.size();
    u->targets.assign(n, Target{});
    u->deps.clear();
    u->libraries.clear();
    u->referenced.assign(n, 0);
    for (const Section &sec : lu.sections)
      if (sec.role != SectionRole::Skip && !sec.discarded)
        for (const Edge &e : lu.edges_of(sec))
          u->referenced[e.target] = 1;
    for (auto [imp, x] : cells)
      u->referenced[x] = u->referenced[imp];
    for (auto [x, imp] : via)
      u->referenced[imp] = 1;
    for (auto [x, imp] : auto_imports)
      u->referenced[imp] = u->referenced[x];
    for (auto [f, callee] : runtime)
      u->referenced[callee] = u->referenced[f];

    for (uint32_t j = 0; j < n; ++j) {
      const Symbol &s = lu.symbols[j];
      Target &t = u->targets[j];
      auto by_name = [&]() -> bool {  // a global that another definition may win
        auto it = globals.find(s.name);
        if (it == globals.end())
          return false;
        const GlobalDef &d = it->second.def;
        if (d.unit == u && d.sym == j)
          return false;
        t.kind = Target::Other;
        t.unit = d.unit;
        t.index = d.sym;
        return true;
      };
      if (s.section < lu.sections.size()) {
        const Section &sec = lu.sections[s.section];
        if (sec.discarded || sec.role == SectionRole::Skip) {
          if (u->referenced[j] && errors.size() < 4000)
            append_line(errors,
                        lu.name + ": symbol " + lu.symbol_name(j) + " is in section " +
                            std::string(sec.name) +
                            (sec.discarded ? ", a COMDAT copy dropped in favour of an earlier one"
                                           : ", which is not loaded"));
          continue;
        }
        // A strong definition is always its name's entry (duplicates are refused
        // at load); a weak one may have lost to another unit's.
        if (s.binding == Binding::Weak && by_name())
          continue;
        t.kind = Target::Own;
      } else if (s.section == kAbsolute) {
        if (s.binding == Binding::Weak && by_name())
          continue;
        t.kind = Target::Absolute;
        t.value = s.value;
      } else if (s.section == kCommon) {
        if (by_name()) {
          // Bound to a common resolved earlier: it must be large enough.
          const Symbol &def = t.unit->lu.symbols[t.index];
          if (def.section == kCommon && t.unit->ready) {
            const CommonAlloc &c = t.unit->commons[t.unit->targets[t.index].index];
            if (c.size < s.size || c.align < s.value)
              append_line(errors, lu.name + ": common symbol " + std::string(s.name) + " (size " +
                                      std::to_string(s.size) +
                                      ") is larger than the one already allocated by " +
                                      t.unit->lu.name + " (size " + std::to_string(c.size) + ")");
          }
          continue;
        }
        // This unit holds the allocation: the largest size and alignment of
        // every common definition of the name.
        CommonAlloc c{s.name, s.size, s.value};
        for (const GlobalDef &d : globals.at(s.name).shadowed) {
          const Symbol &o = d.unit->lu.symbols[d.sym];
          if (o.section != kCommon)
            continue;
          c.size = std::max(c.size, o.size);
          c.align = std::max(c.align, o.value);
        }
        t.kind = Target::Common;
        t.index = uint32_t(u->commons.size());
        u->commons.push_back(c);
      } else {  // undefined
        // A weak external is bound even when this unit does not use it:
        // other units may reach its alias through the name.
        if ((!u->referenced[j] && s.alias == kNoAlias) || s.name.empty())
          continue;
        auto cell = std::find_if(cells.begin(), cells.end(),
                                 [&](const auto &c) { return c.first == j; });
        auto stub = std::find_if(via.begin(), via.end(),
                                 [&](const auto &c) { return c.first == j; });
        auto rt = std::find_if(runtime.begin(), runtime.end(),
                               [&](const auto &c) { return c.first == j; });
        auto ai = std::find_if(auto_imports.begin(), auto_imports.end(),
                               [&](const auto &c) { return c.first == j; });
        if (ai != auto_imports.end()) {
          t.kind = Target::Other;  // the import symbol, bound below
          t.unit = u;
          t.index = ai->second;
        } else if (cell != cells.end()) {
          t.kind = Target::CellOf;
          t.index = cell->second;
        } else if (stub != via.end()) {
          t.kind = Target::StubVia;
          t.index = stub->second;
        } else if (rt != runtime.end()) {
          t.kind = Target::UnitRuntime;
          t.index = rt->second;
          t.value = uint64_t(unit_runtime_function(s.name, lu.format));
        } else if (s.is_import) {
          if (auto a = lookup_import(s.name)) {
            t.kind = Target::Absolute;
            t.value = *a;
          } else {
            missing.emplace_back(u, j);
          }
        } else if (bool none = false; bind_linker_name(*u, s, t, none)) {
          if (none)
            missing.emplace_back(u, j);
        } else if (by_name()) {
        } else if (s.alias != kNoAlias) {
          t.kind = Target::Other;  // nothing stronger: the weak external's alias
          t.unit = u;
          t.index = s.alias;
        } else if (auto a = lookup_external(s.name, host_only(lu.format))) {
          t.kind = Target::Absolute;
          t.value = a->address;
          if (lu.format == Format::MachO && lu.arch == Arch::AArch64 && c_variadic(s.name))
            warn(lu.name + ": arm64 Mach-O code calls " + std::string(s.name) +
                 ", whose variadic arguments Apple's arm64 ABI passes on the stack, where this "
                 "C library (AAPCS64) does not read them: they arrive wrong (call functions "
                 "without variadic arguments, such as puts, fputs or write)");
          if (a->library && std::find(u->libraries.begin(), u->libraries.end(), a->library) ==
                                u->libraries.end())
            u->libraries.push_back(a->library);
        } else if (auto alt = alternates.find(s.name);
                   alt != alternates.end() && globals.count(alt->second)) {
          const GlobalDef &d = globals.at(alt->second).def;
          t.kind = Target::Other;
          t.unit = d.unit;
          t.index = d.sym;
        } else if (s.binding == Binding::Weak) {
          t.kind = Target::Absolute;  // an undefined weak reference is null
          t.value = 0;
        } else {
          missing.emplace_back(u, j);
        }
      }
    }
    // Units this one now depends on (unload refuses to pull them away).
    for (const Target &t : u->targets)
      if (t.kind == Target::Other && t.unit != u &&
          std::find(u->deps.begin(), u->deps.end(), t.unit) == u->deps.end())
        u->deps.push_back(t.unit);
  }
  if (!errors.empty())
    return Error(errors);
  if (!missing.empty())
    return undefined_report(missing);
  if (trace)
    for (Unit *u : batch) {
      std::string line;
      size_t shown = 0, total = 0;
      for (uint32_t j = 0; j < u->targets.size(); ++j) {
        const Target &t = u->targets[j];
        const Symbol &s = u->lu.symbols[j];
        if (s.defined() || s.name.empty() || t.kind == Target::Unbound)
          continue;
        ++total;
        if (shown >= 12)
          continue;
        ++shown;
        line += "\n  " + std::string(s.name) + " -> ";
        switch (t.kind) {
        case Target::Other: line += t.unit->lu.name; break;
        case Target::Absolute:
          if (s.is_import)
            line += "dll export " + hex(t.value);
          else if (!t.value)
            line += "null (weak)";
          else if (auto x = lookup_external(s.name, host_only(u->lu.format));
                   x && x->address == t.value)
            line += describe_external(*x) + " " + hex(t.value);  // host, process, a library
          else
            line += "linker-defined " + hex(t.value);  // __ImageBase
          break;
        case Target::CellOf: line += "a cell made here for " + std::string(s.name.substr(6)); break;
        case Target::StubVia: line += "a stub through __imp_" + std::string(s.name); break;
        case Target::UnitRuntime:
          line += "rtlink's, with this unit's __dso_handle (" +
                  std::string(unit_runtime_callee(int(t.value))) + ")";
          break;
        default: line += "linker-defined"; break;
        }
      }
      if (total > shown)
        line += "\n  (" + std::to_string(total - shown) + " more)";
      if (total)
        trace("bound " + u->lu.name + ":" + line);
    }
  return Error::success();
}

} // namespace rtlink
