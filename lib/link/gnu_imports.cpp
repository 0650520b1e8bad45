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
//
// A delay-import library (dlltool -y, implib-gen --delay) has the same
// pieces in another arrangement: each function member's .idata$5 cell first
// points at its own stub's second half, which calls __tailMerge_LABEL and
// then mingw's __delayLoadHelper2; .idata$4 refers to the .idata$6 name;
// the head member's __DELAY_IMPORT_DESCRIPTOR_LABEL names the DLL at offset
// 4. The helper finds a cell's name by its index in one contiguous array of
// cells, the array GNU ld makes of all the members' .idata$5 — which a
// runtime linker placing each member on its own does not have. So rtlink
// binds delay-import cells as it binds the others, when it resolves: the
// DLL is loaded then, not at the first call (documented in docs/objload.md).
#include "link/session.hpp"
#include "object/coff.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/COFF.h>

#include <cstring>

namespace rtlink {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

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

// An import lookup entry (.idata$5 of an ordinary member, .idata$4 of a
// delay-import one): a reference to an .idata$6 hint/name entry (the name
// after its 2-byte hint), or an ordinal with the top bit set.
Expected<std::pair<std::optional<std::string_view>, std::optional<uint16_t>>>
what_to_import(const LinkUnit &lu, const Section &entry) {
  if (entry.size != 8 || !entry.bytes)
    return make_error(entry.name, " is not an 8-byte lookup entry");
  const std::span<const Edge> edges = lu.edges_of(entry);
  if (edges.empty()) {
    uint64_t v;
    std::memcpy(&v, entry.bytes, 8);
    if (!(v >> 63))
      return make_error(entry.name, " holds neither a name reference nor an ordinal");
    return std::pair{std::optional<std::string_view>{}, std::optional<uint16_t>(v & 0xffff)};
  }
  const Edge &e = edges[0];
  uint32_t sec = lu.symbols[e.target].section;
  if (edges.size() != 1 || sec >= lu.sections.size() ||
      lu.sections[sec].name != ".idata$6")
    return make_error(entry.name, " does not refer to an .idata$6 hint/name entry");
  auto name = c_string(lu.sections[sec], lu.symbols[e.target].value + uint64_t(e.addend) + 2);
  if (!name)
    return make_error(".idata$6 holds no name to import");
  return std::pair{name, std::optional<uint16_t>{}};
}

std::string key_of(std::string_view dll, std::optional<std::string_view> name,
                   std::optional<uint16_t> ordinal) {
  return name ? import_key(dll, *name) : import_key(dll, *ordinal);
}

} // namespace

// The member defining a library's head symbol (_head_..., __tailMerge_...).
Expected<const LinkUnit *> Session::head_member(std::string_view head) const {
  auto h = globals.find(head);
  if (h == globals.end())
    return make_error("its library's head symbol ", head,
                      " is not loaded (is the import library complete?)");
  return &h->second.def.unit->lu;
}

// The DLL's name: the string at the symbol the import directory entry (or
// the delay import descriptor) names, in the library's tail member.
Expected<std::string_view> Session::dll_name_at(std::string_view iname) const {
  auto t = globals.find(iname);
  if (t == globals.end())
    return make_error("the DLL name symbol ", iname, " (the library's tail member) is not loaded");
  const LinkUnit &tlu = t->second.def.unit->lu;
  const Symbol &ts = tlu.symbols[t->second.def.sym];
  std::optional<std::string_view> dll;
  if (ts.section < tlu.sections.size())
    dll = c_string(tlu.sections[ts.section], ts.value);
  if (!dll)
    return make_error("tail member ", tlu.name, " holds no DLL name at ", iname);
  return *dll;
}

// The cell now holds the import's address: an Abs64 edge to "dll!name".
void Session::rebind_cell(Unit &u, uint32_t c5, const std::string &key) {
  LinkUnit &lu = u.lu;
  Section &cell = lu.sections[c5];
  Symbol imp;
  imp.name = lu.keep(key);
  imp.is_import = true;
  imp.binding = Binding::Global;
  lu.symbols.push_back(imp);
  u.base_symbols = lu.symbols.size();
  const uint8_t zero[8] = {};
  cell.bytes = lu.own(zero);
  cell.perm = Perm::RelRO;
  const Edge e{0, 0, uint32_t(lu.symbols.size() - 1), llvm::COFF::IMAGE_REL_AMD64_ADDR64,
               EdgeKind::Abs64};
  lu.set_edges(c5, {&e, 1});
}

// A delay-import member's cell: what to import (from .idata$4, as an
// ordinary member's .idata$5) and which DLL (through its __tailMerge_
// reference to the head member's descriptor). nullopt: not such a member.
Expected<std::optional<std::string>> Session::delay_import_of(const Unit &u) const {
  const LinkUnit &lu = u.lu;
  const uint32_t text = section_named(lu, ".text"), c4 = section_named(lu, ".idata$4"),
                 c5 = section_named(lu, ".idata$5");
  if (text == kUndefined || c4 == kUndefined || c5 == kUndefined)
    return std::optional<std::string>{};
  const Section &cell = lu.sections[c5];
  if (cell.size != 8 || cell.edge_count != 1 ||
      lu.symbols[lu.edges_of(cell)[0].target].section != text)
    return std::optional<std::string>{};  // not a cell pointing into its own stub
  std::string_view merge;
  for (const Edge &e : lu.edges_of(text))
    if (starts_with(lu.symbols[e.target].name, "__tailMerge_"))
      merge = lu.symbols[e.target].name;
  if (merge.empty())
    return std::optional<std::string>{};
  auto fail = [&](const auto &...parts) {
    return make_error(lu.name, ": delay-import member: ", parts...);
  };
  auto what = what_to_import(lu, lu.sections[c4]);
  if (!what)
    return fail(what.error().message());
  auto [name, ordinal] = *what;

  auto head = head_member(merge);
  if (!head)
    return fail(head.error().message());
  const LinkUnit &hlu = **head;
  const Edge *dll_ref = nullptr;
  for (const Symbol &s : hlu.symbols)
    if (s.section < hlu.sections.size() && starts_with(s.name, "__DELAY_IMPORT_DESCRIPTOR_"))
      for (const Edge &e : hlu.edges_of(s.section))
        if (e.offset == s.value + 4)  // the descriptor's DllNameRVA
          dll_ref = &e;
  if (!dll_ref)
    return fail("head member ", hlu.name, " has no delay import descriptor naming a DLL");
  auto dll = dll_name_at(hlu.symbols[dll_ref->target].name);
  if (!dll)
    return fail(dll.error().message());
  return std::optional<std::string>(key_of(*dll, name, ordinal));
}

Error Session::bind_gnu_imports(const std::vector<Unit *> &batch) {
  for (Unit *u : batch) {
    LinkUnit &lu = u->lu;
    if (lu.format != Format::COFF)
      continue;
    const uint32_t c5 = section_named(lu, ".idata$5"), c7 = section_named(lu, ".idata$7");
    if (c5 == kUndefined)
      continue;
    Section &cell = lu.sections[c5];
    if (cell.size != 8 || !cell.bytes)
      continue;
    if (cell.edge_count == 1 && lu.symbols[lu.edges_of(cell)[0].target].is_import)
      continue;  // bound already
    if (c7 == kUndefined || lu.sections[c7].edge_count != 1) {
      // Not an ordinary function member (the head and tail have no such
      // pair): a delay-import member, or none.
      auto key = delay_import_of(*u);
      if (!key)
        return key.take_error();
      if (*key)
        rebind_cell(*u, c5, **key);
      continue;
    }
    auto fail = [&](const auto &...parts) {
      return make_error(lu.name, ": import member: ", parts...);
    };
    // What to import: a name from .idata$6 (after its 2-byte hint), or an ordinal.
    auto what = what_to_import(lu, cell);
    if (!what)
      return fail(what.error().message());
    auto [name, ordinal] = *what;

    // Which DLL: head → tail → the tail's .idata$7 string.
    auto head = head_member(lu.symbols[lu.edges_of(c7)[0].target].name);
    if (!head)
      return fail(head.error().message());
    const LinkUnit &hlu = **head;
    uint32_t d2 = section_named(hlu, ".idata$2");
    const Edge *dll_ref = nullptr;
    if (d2 != kUndefined)
      for (const Edge &e : hlu.edges_of(d2))
        if (e.offset == 12)  // the import directory entry's Name field
          dll_ref = &e;
    if (!dll_ref)
      return fail("head member ", hlu.name, " has no import directory naming a DLL");
    auto dll = dll_name_at(hlu.symbols[dll_ref->target].name);
    if (!dll)
      return fail(dll.error().message());
    rebind_cell(*u, c5, key_of(*dll, name, ordinal));
  }
  return Error::success();
}

} // namespace rtlink
