// link/inspect.cpp — what is loaded, defined and still needed, for tools
// (objload's lookup, syms and undefined commands) and hosts.
#include "link/session.hpp"
#include "support/format.hpp"

#include <algorithm>

namespace rtlink {

namespace {

bool linker_provides(std::string_view n) {
  return n == "_GLOBAL_OFFSET_TABLE_" || n == "__dso_handle" || n == "__ImageBase" ||
         n == "__image_base__" || n.substr(0, 8) == "__start_" || n.substr(0, 7) == "__stop_";
}

} // namespace

Expected<SymbolInfo> Session::describe(std::string_view name) {
  auto addr = lookup(name);
  if (!addr)
    return addr.take_error();
  SymbolInfo info{std::string(name), *addr, {}, executor->native_convention()};
  if (auto it = globals.find(name); it != globals.end()) {
    info.defined_by = it->second.def.unit->lu.name;
    info.conv = it->second.def.unit->conv();
    return info;
  }
  if (auto ext = lookup_external(name))
    info.defined_by = describe_external(*ext);
  return info;
}

// An address as "name+0xoff in unit": the nearest defined symbol at or below
// it in the loaded section that holds it; the bare address elsewhere.
std::string Session::describe_address(uint64_t a) const {
  for (const auto &u : units) {
    if (!u->ready)
      continue;
    const LinkUnit &lu = u->lu;
    for (uint32_t i = 0; i < lu.sections.size(); ++i) {
      const uint64_t start = u->section_addr[i];
      if (!start || a < start || a - start >= lu.sections[i].size)
        continue;
      std::string_view best;
      uint64_t best_at = start;
      for (uint32_t j = 0; j < lu.symbols.size(); ++j) {
        const Symbol &s = lu.symbols[j];
        if (s.section != i || s.name.empty() || s.is_section || u->addr[j] > a ||
            u->addr[j] < best_at || (!best.empty() && u->addr[j] == best_at))
          continue;
        best = s.name;
        best_at = u->addr[j];
      }
      std::string name = best.empty() ? std::string(lu.sections[i].name) : std::string(best);
      return name + "+" + hex(a - best_at) + " in " + lu.name;
    }
  }
  return hex(a);
}

std::vector<SymbolInfo> Session::symbol_list() const {
  std::vector<SymbolInfo> out;
  for (const auto &u : units) {
    if (!u->ready)
      continue;
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j) {
      const Symbol &s = u->lu.symbols[j];
      if (!offers(s))
        continue;
      auto it = globals.find(s.name);
      if (it == globals.end() || it->second.def.unit != u.get() || it->second.def.sym != j)
        continue;  // shadowed by a stronger definition
      out.push_back({std::string(s.name), u->addr[j], u->lu.name, u->conv()});
    }
  }
  return out;
}

std::vector<std::string> Session::pending_list() {
  index_archives();
  std::vector<std::string> out;
  for (const auto &u : units) {
    if (u->ready)
      continue;
    for (const Symbol &s : u->lu.symbols)
      if (offers(s))
        out.emplace_back(s.name);
  }
  for (const auto &[name, lz] : lazy) {
    const auto &a = archives[lz.archive];
    if (a && !a->pulled[lz.member] && !globals.count(name))
      out.emplace_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<UndefinedInfo> Session::undefined_list() {
  index_archives();
  std::vector<UndefinedInfo> out;
  auto find = [&](std::string_view n) {
    return std::find_if(out.begin(), out.end(), [&](const UndefinedInfo &i) { return i.name == n; });
  };
  for (const auto &u : units) {
    if (u->ready)
      continue;
    std::vector<uint8_t> used(u->lu.symbols.size(), 0);
    for (const Section &s : u->lu.sections)
      if (s.role != SectionRole::Skip && !s.discarded)
        for (const Edge &e : u->lu.edges_of(s))
          used[e.target] = 1;
    for (uint32_t j = 0; j < u->lu.symbols.size(); ++j) {
      const Symbol &s = u->lu.symbols[j];
      if (!used[j] || s.defined() || s.name.empty() || s.alias != kNoAlias ||
          linker_provides(s.name) || globals.count(s.name))
        continue;
      auto it = find(s.name);
      if (it == out.end()) {
        UndefinedInfo info{std::string(s.name), {}, {}};
        if (auto lz = lazy.find(s.name); lz != lazy.end() && archives[lz->second.archive])
          info.available_from =
              archives[lz->second.archive]->reader->member_display_name(lz->second.member);
        else if (s.is_import)
          info.available_from = lookup_import(s.name) ? "host" : "";
        else if (auto ext = lookup_external(s.name, host_only(u->lu.format)))
          info.available_from = describe_external(*ext);
        out.push_back(std::move(info));
        it = out.end() - 1;
      }
      if (std::find(it->referenced_by.begin(), it->referenced_by.end(), u->lu.name) ==
          it->referenced_by.end())
        it->referenced_by.push_back(u->lu.name);
    }
  }
  return out;
}

// Sizes of what the linker holds, from the containers' capacities: what
// each holds, not the allocator's overhead.
MemoryUse Session::memory_use() const {
  MemoryUse m;
  auto bytes = [](const auto &v) { return uint64_t(v.capacity()) * sizeof(v[0]); };
  for (const auto &b : blocks) {
    m.code += b->text.size;
    m.rodata += b->rodata.size;
    m.data += b->data.size;
  }
  std::vector<const FileData *> files;
  auto input = [&](const FileData *f) {
    if (f && std::find(files.begin(), files.end(), f) == files.end()) {
      files.push_back(f);
      m.inputs += f->size();
    }
  };
  for (const auto &u : units) {
    const LinkUnit &lu = u->lu;
    m.units += sizeof(Unit) + bytes(lu.sections) + bytes(lu.symbols) + bytes(lu.groups) +
               bytes(u->targets) + bytes(u->referenced) + bytes(u->got_cell) + bytes(u->stub) +
               bytes(u->got_symbols) + bytes(u->stub_symbols) + bytes(u->via_stub) +
               bytes(u->section_addr) + bytes(u->addr) + bytes(u->far_refs) + bytes(u->commons) +
               bytes(lu.edges);
    if (u->archive < 0)
      input(lu.file.get());
  }
  for (const auto &a : archives)
    if (a)
      input(a->reader->file().get());
  m.tables = globals.memory() + lazy.memory() + comdats.memory();
  for (const auto &[name, e] : globals)
    m.tables += bytes(e.shadowed);
  for (const auto &a : archives)  // symbol tables read, not indexed yet
    if (a)
      m.tables += bytes(a->index);
  return m;
}

} // namespace rtlink
