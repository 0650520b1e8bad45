// link/coff_imports.cpp — what bind does for DLL imports before binding
// names: an __imp_X cell nothing defines is made by the unit itself
// (holding X's address); X called where only __imp_X exists goes through a
// stub reading that cell (Target::StubVia); X used as data where __imp_X is
// a DLL import's cell becomes the import itself (auto-import, as MinGW's ld
// does with pseudo-relocations). COFF code makes these references; ELF code
// does not.
#include "link/session.hpp"
#include "support/format.hpp"

namespace rtlink {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Symbol `sym` of lu, an __imp_ cell: the import ("dll!name") it holds,
// if it is a DLL import's (a short import member's, or a long-format one's
// rebound by gnu_imports.cpp).
std::optional<std::string_view> import_behind(const LinkUnit &lu, uint32_t sym) {
  const Symbol &s = lu.symbols[sym];
  if (s.section >= lu.sections.size())
    return std::nullopt;
  for (const Edge &e : lu.edges_of(s.section))
    if (e.offset == s.value && e.kind == EdgeKind::Abs64 && lu.symbols[e.target].is_import)
      return lu.symbols[e.target].name;
  return std::nullopt;
}

} // namespace

Session::ImportBindings Session::bind_import_names(Unit &u, std::string &errors) {
  ImportBindings out;
  LinkUnit &lu = u.lu;
  // __imp_X that nothing defines: this unit makes the cell, holding X's
  // address; X is bound like any other reference.
  auto &cells = out.cells;  // (__imp_X, X)
  for (uint32_t j = 0; j < u.base_symbols; ++j) {
    const Symbol &s = lu.symbols[j];
    if (s.defined() || s.is_import || s.alias != kNoAlias || s.name.size() <= 6 ||
        !starts_with(s.name, "__imp_") || globals.count(s.name))
      continue;
    Symbol x;
    x.name = s.name.substr(6);
    x.binding = Binding::Global;
    cells.emplace_back(j, uint32_t(lu.symbols.size()));
    lu.symbols.push_back(x);
  }
  // X, called, where only __imp_X exists (an import library's data
  // import, or a cell a runtime library defines): a stub through that cell.
  // X used otherwise (data without __declspec(dllimport): gcc's .refptr.X
  // cells, a pc-relative load) where that cell is a DLL import's: X is the
  // import itself, the DLL's own address (auto-import: what MinGW's ld
  // does with pseudo-relocations, done at once); pc-relative references
  // then reach it as ELF code reaches a far symbol (got_stubs.cpp). Where
  // the cell is not an import's, an error naming the site.
  auto &via = out.via;  // (X, __imp_X)
  auto &auto_imports = out.auto_imports;  // (X, "dll!X")
  if (lu.format == Format::COFF)
    for (uint32_t j = 0; j < u.base_symbols; ++j) {
      const Symbol &s = lu.symbols[j];
      if (s.defined() || s.is_import || s.alias != kNoAlias || s.name.empty() ||
          starts_with(s.name, "__imp_") || globals.count(s.name))
        continue;
      auto cell = globals.find("__imp_" + std::string(s.name));
      if (cell == globals.end())
        continue;
      const Edge *plain = nullptr;
      uint32_t plain_section = 0;
      for (uint32_t i = 0; i < lu.sections.size() && !plain; ++i) {
        const Section &sec = lu.sections[i];
        if (sec.role == SectionRole::Skip || sec.discarded)
          continue;
        for (const Edge &e : lu.edges_of(sec))
          if (e.target == j && e.kind != EdgeKind::Branch32) {
            plain = &e;
            plain_section = i;
            break;
          }
      }
      Symbol imp;
      imp.binding = Binding::Global;
      if (!plain) {
        imp.name = lu.keep("__imp_" + std::string(s.name));
        via.emplace_back(j, uint32_t(lu.symbols.size()));
      } else if (auto key = import_behind(cell->second.def.unit->lu, cell->second.def.sym)) {
        imp.name = lu.keep(std::string(*key));  // the member's own may be unloaded
        imp.is_import = true;
        auto_imports.emplace_back(j, uint32_t(lu.symbols.size()));
      } else {
        append_line(errors, lu.site(plain_section, plain->offset) + ": a plain reference to " +
                                std::string(s.name) + ", which only __imp_" +
                                std::string(s.name) + " provides (defined by " +
                                cell->second.def.unit->lu.name +
                                ", not a DLL import): declare it __declspec(dllimport)");
        continue;
      }
      lu.symbols.push_back(imp);
    }
  return out;
}

} // namespace rtlink
