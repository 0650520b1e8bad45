// link/gnu_imports.cpp — MinGW's import libraries (GNU dlltool's long format).
//
// Such a library is an archive of small COFF objects. Each function member
// holds
//   .text      NAME: jmp *__imp_NAME(%rip)
//   .idata$5   __imp_NAME: the IAT cell, holding the RVA of .idata$6 (or an
//              ordinal with the top bit set)
//   .idata$6   the hint and the name to import
//   .idata$7   a reference to the library's head symbol (_head_...)
// The head member's .idata$2 (the import directory entry) refers, at offset
// 12, to a symbol in the tail member whose .idata$7 holds the DLL's name.
// Ordinary resolution pulls the head and the tail in (each member refers to
// the next). This pass then rebinds each member's cell: instead of an RVA it
// receives the DLL export's address, through an import symbol "dll!name", as
// a short import member's cell does. Every import is bound to the DLL its
// library names, never to whatever happens to define the name.
#include "link/session.hpp"
#include "object/coff.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/COFF.h>

#include <cstring>

namespace rtlink {

namespace {

uint32_t section_named(const LinkUnit &lu, std::string_view name) {
  for (uint32_t i = 0; i < lu.sections.size(); ++i)
    if (lu.sections[i].name == name && lu.sections[i].role != SectionRole::Skip)
      return i;
  return kUndefined;
}

// A NUL-terminated string at `offset` of a section, within its bounds.
std::optional<std::string_view> c_string(const Section &s, uint64_t offset) {
  if (!s.bytes || offset >= s.size)
    return std::nullopt;
  std::string_view all(reinterpret_cast<const char *>(s.bytes) + offset, s.size - offset);
  size_t end = all.find('\0');
  if (end == std::string_view::npos || end == 0)
    return std::nullopt;
  return all.substr(0, end);
}

} // namespace

Error Session::bind_gnu_imports(const std::vector<Unit *> &batch) {
  for (Unit *u : batch) {
    LinkUnit &lu = u->lu;
    if (lu.format != Format::COFF)
      continue;
    const uint32_t c5 = section_named(lu, ".idata$5"), c7 = section_named(lu, ".idata$7");
    if (c5 == kUndefined || c7 == kUndefined || lu.sections[c7].edges.size() != 1)
      continue;  // not a function member (the head and tail have no such pair)
    Section &cell = lu.sections[c5];
    if (cell.size != 8 || !cell.bytes)
      continue;
    if (cell.edges.size() == 1 && lu.symbols[cell.edges[0].target].is_import)
      continue;  // bound already
    auto fail = [&](const auto &...parts) {
      return make_error(lu.name, ": import member: ", parts...);
    };

    // What to import: a name from .idata$6 (after its 2-byte hint), or an ordinal.
    std::optional<std::string_view> name;
    std::optional<uint16_t> ordinal;
    if (cell.edges.empty()) {
      uint64_t v;
      std::memcpy(&v, cell.bytes, 8);
      if (!(v >> 63))
        return fail(".idata$5 holds neither a name reference nor an ordinal");
      ordinal = uint16_t(v & 0xffff);
    } else {
      const Edge &e = cell.edges[0];
      uint32_t sec = lu.symbols[e.target].section;
      if (cell.edges.size() != 1 || sec >= lu.sections.size() ||
          lu.sections[sec].name != ".idata$6")
        return fail(".idata$5 does not refer to an .idata$6 hint/name entry");
      name = c_string(lu.sections[sec], lu.symbols[e.target].value + uint64_t(e.addend) + 2);
      if (!name)
        return fail(".idata$6 holds no name to import");
    }

    // Which DLL: head → tail → the tail's .idata$7 string.
    std::string_view head = lu.symbols[lu.sections[c7].edges[0].target].name;
    auto h = globals.find(head);
    if (h == globals.end())
      return fail("its library's head symbol ", head,
                  " is not loaded (is the import library complete?)");
    const LinkUnit &hlu = h->second.def.unit->lu;
    uint32_t d2 = section_named(hlu, ".idata$2");
    const Edge *dll_ref = nullptr;
    if (d2 != kUndefined)
      for (const Edge &e : hlu.sections[d2].edges)
        if (e.offset == 12)  // the import directory entry's Name field
          dll_ref = &e;
    if (!dll_ref)
      return fail("head member ", hlu.name, " has no import directory naming a DLL");
    std::string_view iname = hlu.symbols[dll_ref->target].name;
    auto t = globals.find(iname);
    if (t == globals.end())
      return fail("the DLL name symbol ", iname, " (the library's tail member) is not loaded");
    const LinkUnit &tlu = t->second.def.unit->lu;
    const Symbol &ts = tlu.symbols[t->second.def.sym];
    std::optional<std::string_view> dll;
    if (ts.section < tlu.sections.size())
      dll = c_string(tlu.sections[ts.section], ts.value);
    if (!dll)
      return fail("tail member ", tlu.name, " holds no DLL name at ", iname);

    // Rebind the cell.
    Symbol imp;
    imp.name = lu.keep(name ? import_key(*dll, *name) : import_key(*dll, *ordinal));
    imp.is_import = true;
    imp.binding = Binding::Global;
    lu.symbols.push_back(imp);
    u->base_symbols = lu.symbols.size();
    const uint8_t zero[8] = {};
    cell.bytes = lu.own(zero);
    cell.perm = Perm::RelRO;
    cell.edges = {Edge{0, 0, uint32_t(lu.symbols.size() - 1),
                       llvm::COFF::IMAGE_REL_AMD64_ADDR64, EdgeKind::Abs64}};
  }
  return Error::success();
}

} // namespace rtlink
