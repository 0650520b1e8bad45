// object/coff.cpp — PE/COFF x86-64 objects (regular and bigobj) → LinkUnit.
//
// LLVM's COFFObjectFile reads the headers, section table, string table and
// symbols. Section data and relocation tables are bounds-checked here before
// they are read, and every symbol index a relocation or an aux record names
// is checked against the table.
//
// What COFF adds to the link unit:
//  - implicit addends, read from the section bytes at each relocation;
//  - symbol indices that count aux records (aux slots stay in the table as
//    unusable entries, so relocation indices need no remapping);
//  - COMDAT selections (lib/link/session.cpp applies them) with associative
//    sections folded into their leader's group;
//  - weak externals (an alias for when nothing defines the name);
//  - .drectve: /alternatename, /defaultlib, -export and -aligncomm.
#include "object/coff.hpp"
#include "support/words.hpp"
#include "object/coff_x86_64.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/COFF.h>
#include <llvm/BinaryFormat/Magic.h>
#include <llvm/Object/COFF.h>

#include <bit>
#include <cstring>
#include <algorithm>
#include <unordered_map>

namespace rtlink {

using namespace llvm::COFF;
using llvm::object::COFFObjectFile;
using llvm::object::COFFSymbolRef;

namespace {

// Whether the header's symbol table lies within the file. LLVM drops a table
// that does not fit, yet reports the header's count; and it measures the
// table in 32 bits, so a count whose size wraps passes its check and was read
// far past the file (SIGBUS; found by fuzz_link_file).
bool symbol_table_fits(const llvm::object::COFFObjectFile &obj, uint64_t file_size) {
  const uint64_t n = obj.getRawNumberOfSymbols();
  if (!n)
    return true;
  return obj.getSymbolTable() &&
         uint64_t(obj.getPointerToSymbolTable()) + n * obj.getSymbolTableEntrySize() <= file_size;
}

std::string_view sv(llvm::StringRef s) { return {s.data(), s.size()}; }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool iequals_prefix(std::string_view s, std::string_view p) {
  if (s.size() < p.size())
    return false;
  for (size_t i = 0; i < p.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != p[i])
      return false;
  return true;
}

// Roles of the initializer sections of both CRTs. MSVC's .CRT$X?? lists run
// in the order of their names: .CRT$XI* (C) before .CRT$XC* (C++) at load,
// .CRT$XP* before .CRT$XT* at exit. MinGW's .ctors/.dtors are as on ELF.
void classify(Section &s) {
  std::string_view n = s.name;
  auto numbered = [&](std::string_view prefix) -> int32_t {
    if (n.size() <= prefix.size() + 1 || n[prefix.size()] != '.')
      return 65536;
    int32_t v = 0;
    for (char c : n.substr(prefix.size() + 1)) {
      if (c < '0' || c > '9')
        return 65536;
      v = v * 10 + (c - '0');
    }
    return 65535 - v;
  };
  s.role = SectionRole::Normal;
  if (n == ".ctors" || starts_with(n, ".ctors.")) {
    s.role = SectionRole::Ctors;
    s.priority = numbered(".ctors");
  } else if (n == ".dtors" || starts_with(n, ".dtors.")) {
    s.role = SectionRole::Dtors;
    s.priority = numbered(".dtors");
  } else if (starts_with(n, ".CRT$XI") || starts_with(n, ".CRT$XC")) {
    s.role = SectionRole::InitArray;
    s.priority = n[6] == 'I' ? 0 : 1;
    s.ordered_by_name = true;
  } else if (starts_with(n, ".CRT$XP") || starts_with(n, ".CRT$XT")) {
    // Finalizers run in reverse of (priority, key): reverse the name order.
    s.role = SectionRole::FiniArray;
    s.priority = n[6] == 'P' ? 1 : 0;
    s.ordered_by_name = true;
    s.reverse_key = true;
  }
}

} // namespace

std::vector<std::string> drectve_options(std::string_view text) { return split_words(text, "\""); }

Expected<LinkUnit> parse_coff_object(std::string name, std::shared_ptr<const FileData> file,
                                     std::span<const uint8_t> bytes) {
  auto fail = [&](const auto &...parts) { return make_error(name, ": ", parts...); };
  auto llvm_fail = [&](std::string_view what, llvm::Error e) {
    return fail(what, ": ", llvm::toString(std::move(e)));
  };

  llvm::MemoryBufferRef ref(
      llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()), name);
  auto created = COFFObjectFile::create(ref);
  if (!created)
    return llvm_fail("bad COFF object", created.takeError());
  const COFFObjectFile &obj = **created;
  if (obj.getPE32Header() || obj.getPE32PlusHeader())
    return fail("a PE image, not an object (load it as a DLL)");
  if (obj.getMachine() != IMAGE_FILE_MACHINE_AMD64)
    return fail("COFF machine ", hex(obj.getMachine()), " is not supported (x86-64 only)");

  LinkUnit u;
  u.name = name;
  u.file = std::move(file);
  u.format = Format::COFF;
  u.relocation_name = coff_x86_64::relocation_name;

  // Sections: index i is COFF section number i + 1.
  const uint32_t nsec = obj.getNumberOfSections();
  u.sections.resize(nsec);
  std::vector<const llvm::object::coff_section *> raw(nsec);
  for (uint32_t i = 0; i < nsec; ++i) {
    auto sec = obj.getSection(int32_t(i + 1));
    if (!sec)
      return llvm_fail("section #" + std::to_string(i + 1), sec.takeError());
    raw[i] = *sec;
    auto nm = obj.getSectionName(*sec);
    if (!nm)
      return llvm_fail("section #" + std::to_string(i + 1), nm.takeError());
    Section &s = u.sections[i];
    s.name = sv(*nm);
    const uint32_t ch = (*sec)->Characteristics;
    const bool zero_fill = ch & IMAGE_SCN_CNT_UNINITIALIZED_DATA;
    if (!zero_fill && (*sec)->SizeOfRawData) {
      uint64_t off = (*sec)->PointerToRawData, size = (*sec)->SizeOfRawData;
      if (off > bytes.size() || size > bytes.size() - off)
        return fail("section ", s.name, ": data at offset ", hex(off), " size ", hex(size),
                    " runs past the end of the file (", hex(bytes.size()), ")");
    }
    if (s.name == ".drectve") {
      if (!zero_fill && (*sec)->SizeOfRawData) {
        std::string_view text(reinterpret_cast<const char *>(bytes.data()) +
                                  (*sec)->PointerToRawData,
                              (*sec)->SizeOfRawData);
        for (std::string &opt : drectve_options(text)) {
          std::string_view o = u.keep(std::move(opt));
          if (o.size() < 2 || (o[0] != '-' && o[0] != '/'))
            continue;
          std::string_view body = o.substr(1);
          auto arg = [&](std::string_view key) { return body.substr(key.size()); };
          if (iequals_prefix(body, "alternatename:")) {
            std::string_view a = arg("alternatename:");
            size_t eq = a.find('=');
            if (eq == std::string_view::npos)
              return fail(".drectve: ", o, ": expected /alternatename:FROM=TO");
            u.alternate_names.emplace_back(a.substr(0, eq), a.substr(eq + 1));
          } else if (iequals_prefix(body, "defaultlib:")) {
            u.default_libs.push_back(arg("defaultlib:"));
          } else if (iequals_prefix(body, "export:")) {
            u.exports.push_back(arg("export:"));
          } else if (iequals_prefix(body, "aligncomm:")) {
            u.aligncomm.push_back(arg("aligncomm:"));
          }
        }
      }
      continue;  // LNK_INFO: never loaded
    }
    if (ch & (IMAGE_SCN_LNK_REMOVE | IMAGE_SCN_LNK_INFO | IMAGE_SCN_MEM_DISCARDABLE))
      continue;
    if (starts_with(s.name, ".tls"))
      return make_error("thread-local storage in loaded objects is not supported: section ",
                        s.name, " in ", u.name);
    s.align = (*sec)->getAlignment();
    s.size = (*sec)->SizeOfRawData;
    if (!zero_fill && s.size)
      s.bytes = bytes.data() + (*sec)->PointerToRawData;
    if (ch & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE))
      s.perm = Perm::ReadExecute;
    else if (ch & IMAGE_SCN_MEM_WRITE)
      s.perm = Perm::ReadWrite;
    else
      s.perm = Perm::Read;
    classify(s);
  }

  // Symbols, indexed as in the file: aux records keep their slots.
  const uint32_t nsym = obj.getNumberOfSymbols();
  if (!symbol_table_fits(obj, bytes.size()))
    return fail("symbol table of ", nsym, " entries runs past the end of the file (",
                hex(bytes.size()), ")");
  u.symbols.resize(nsym);
  std::vector<uint8_t> aux_slot(nsym, 0);
  struct ComdatInfo {
    uint32_t section = 0;
    uint8_t selection = 0;
    int32_t associated = 0;
    uint32_t length = 0, checksum = 0;
    uint32_t section_symbol = 0;
  };
  // COMDAT sections' definitions, in section order (a section defined twice:
  // the last definition), and where each section's is. Vectors, not maps:
  // an object may have tens of thousands.
  std::vector<ComdatInfo> comdat;
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> comdat_at(nsec, kNone);  // section → index in comdat
  for (uint32_t i = 0; i < nsym;) {
    auto sym_or = obj.getSymbol(i);
    if (!sym_or)
      return llvm_fail("symbol #" + std::to_string(i), sym_or.takeError());
    COFFSymbolRef sym = *sym_or;
    uint32_t aux = sym.getNumberOfAuxSymbols();
    if (aux >= nsym - i)
      return fail("symbol #", i, ": its ", aux, " aux records run past the symbol table");
    for (uint32_t k = 1; k <= aux; ++k)
      aux_slot[i + k] = 1;
    auto nm = obj.getSymbolName(sym);
    if (!nm)
      return llvm_fail("symbol #" + std::to_string(i), nm.takeError());
    Symbol &s = u.symbols[i];
    s.name = sv(*nm);
    s.value = sym.getValue();
    s.is_function = sym.getComplexType() == IMAGE_SYM_DTYPE_FUNCTION;
    const uint8_t sc = sym.getStorageClass();
    const int32_t secnum = sym.getSectionNumber();
    s.binding = sc == IMAGE_SYM_CLASS_EXTERNAL ? Binding::Global : Binding::Local;

    if (sc == IMAGE_SYM_CLASS_WEAK_EXTERNAL) {
      const auto *w = sym.getWeakExternal();
      if (!w)
        return fail("weak external ", s.name, ": no aux record");
      if (w->TagIndex >= nsym)
        return fail("weak external ", s.name, ": default symbol #", uint32_t(w->TagIndex),
                    " out of range");
      s.binding = Binding::Weak;
      s.section = kUndefined;
      s.alias = w->TagIndex;
      s.search_archives = w->Characteristics != IMAGE_WEAK_EXTERN_SEARCH_NOLIBRARY;
    } else if (secnum == IMAGE_SYM_UNDEFINED) {
      if (sc == IMAGE_SYM_CLASS_EXTERNAL && s.value > 0) {
        s.section = kCommon;
        s.size = s.value;
        s.value = std::min<uint64_t>(32, std::bit_ceil(s.size));  // alignment
      } else {
        s.section = kUndefined;
      }
    } else if (secnum == IMAGE_SYM_ABSOLUTE) {
      s.section = kAbsolute;
    } else if (secnum == IMAGE_SYM_DEBUG) {
      s.section = kUndefined;
      s.binding = Binding::Local;
      s.name = {};
    } else if (secnum < 0 || uint32_t(secnum) > nsec) {
      return fail("symbol ", s.name, ": section number ", secnum, " out of range (", nsec,
                  " sections)");
    } else {
      s.section = uint32_t(secnum - 1);
      // An object's sections start at 0: a value is an offset into its
      // section, up to one past the end (an end symbol).
      if (s.value > raw[s.section]->SizeOfRawData)
        return fail("symbol ", quote(s.name), ": value ", hex(s.value),
                    " lies outside its section ", u.sections[s.section].name, " (size ",
                    hex(raw[s.section]->SizeOfRawData), ")");
      if (const auto *def = sym.getSectionDefinition()) {
        s.is_section = true;
        if (raw[s.section]->Characteristics & IMAGE_SCN_LNK_COMDAT) {
          ComdatInfo info{s.section, def->Selection, def->getNumber(sym.isBigObj()),
                          def->Length, def->CheckSum, i};
          if (comdat_at[s.section] == kNone) {
            comdat_at[s.section] = uint32_t(comdat.size());
            comdat.push_back(info);
          } else {
            comdat[comdat_at[s.section]] = info;
          }
        }
      }
    }
    i += 1 + aux;
  }
  // In section order, as the groups are made.
  if (!std::is_sorted(comdat.begin(), comdat.end(),
                      [](const ComdatInfo &a, const ComdatInfo &b) { return a.section < b.section; })) {
    std::sort(comdat.begin(), comdat.end(),
              [](const ComdatInfo &a, const ComdatInfo &b) { return a.section < b.section; });
    for (uint32_t k = 0; k < comdat.size(); ++k)
      comdat_at[comdat[k].section] = k;
  }
  for (std::string_view a : u.aligncomm) {
    size_t comma = a.find(',');
    if (comma == std::string_view::npos)
      return fail(".drectve: -aligncomm:", a, ": expected NAME,LOG2");
    std::string_view sym = a.substr(0, comma);
    unsigned log2 = 0;
    for (char c : a.substr(comma + 1))
      log2 = log2 * 10 + unsigned(c - '0');
    if (log2 > 30)
      return fail(".drectve: -aligncomm:", a, ": alignment too large");
    for (Symbol &s : u.symbols)
      if (s.section == kCommon && s.name == sym)
        s.value = std::max<uint64_t>(s.value, uint64_t(1) << log2);
  }

  // COMDAT groups: a leader section keyed by its COMDAT symbol (the first
  // symbol after the section's own that lies in it), and the associative
  // sections that go wherever their leader goes.
  constexpr size_t kNoGroup = SIZE_MAX - 1, kAlwaysKept = SIZE_MAX;
  std::vector<size_t> group_of(nsec, kNoGroup);  // section → group
  auto leader_of = [&](uint32_t sec, const ComdatInfo &info) {
    for (uint32_t j = info.section_symbol + 1; j < nsym; ++j)
      if (!aux_slot[j] && u.symbols[j].section == sec && !u.symbols[j].is_section)
        return u.symbols[j].name;
    return std::string_view();
  };
  // GCC's unwind data for a COMDAT function .text$NAME lies in .pdata$NAME
  // and .xdata$NAME, tied to it by name alone: in stripped archives (mingw's
  // libstdc++) .pdata$NAME has no symbol and .xdata$NAME's COMDAT no leader.
  // As GNU ld and lld do, they join .text$NAME's group: kept or dropped with
  // that copy of the function.
  std::unordered_map<std::string_view, uint32_t> text_comdat;  // NAME → .text$NAME, a leader
  for (const ComdatInfo &info : comdat)
    if (info.selection != IMAGE_COMDAT_SELECT_ASSOCIATIVE &&
        starts_with(u.sections[info.section].name, ".text$"))
      text_comdat.emplace(u.sections[info.section].name.substr(6), info.section);
  auto unwind_of = [&](uint32_t sec) -> std::optional<uint32_t> {
    std::string_view n = u.sections[sec].name;
    if (text_comdat.empty() || !(starts_with(n, ".pdata$") || starts_with(n, ".xdata$")))
      return std::nullopt;
    if (comdat_at[sec] != kNone)
      if (const ComdatInfo &info = comdat[comdat_at[sec]];
          info.selection == IMAGE_COMDAT_SELECT_ASSOCIATIVE || !leader_of(sec, info).empty())
        return std::nullopt;
    auto t = text_comdat.find(n.substr(7));
    if (t == text_comdat.end())
      return std::nullopt;
    return t->second;
  };
  std::vector<std::pair<uint32_t, uint32_t>> unwind_sections;  // (section, its .text$NAME)
  std::vector<bool> is_unwind(nsec, false);
  for (uint32_t i = 0; i < nsec; ++i)
    if (auto t = unwind_of(i)) {
      unwind_sections.emplace_back(i, *t);
      is_unwind[i] = true;
    }
  for (const ComdatInfo &info : comdat) {
    const uint32_t sec = info.section;
    if (info.selection == IMAGE_COMDAT_SELECT_ASSOCIATIVE)
      continue;
    if (is_unwind[sec])
      continue;
    if (info.selection == IMAGE_COMDAT_SELECT_NEWEST)
      return fail("section ", u.sections[sec].name,
                  ": COMDAT selection NEWEST is not supported (the PE/COFF specification "
                  "leaves it undefined for objects)");
    if (info.selection < IMAGE_COMDAT_SELECT_NODUPLICATES ||
        info.selection > IMAGE_COMDAT_SELECT_LARGEST)
      return fail("section ", u.sections[sec].name, ": unknown COMDAT selection ",
                  unsigned(info.selection));
    std::string_view leader = leader_of(sec, info);
    // GNU as gives a function's .xdata$NAME (and other .linkonce pieces) a
    // COMDAT selection but no symbol: binutils keys those by the section's
    // name, and so does rtlink (a name no symbol has: it starts with '.').
    if (leader.empty())
      leader = u.sections[sec].name;
    Group g;
    g.signature = leader;
    g.sections.push_back(sec);
    g.size = info.length ? info.length : u.sections[sec].size;  // raw data may be padded
    g.checksum = info.checksum;
    switch (info.selection) {
    case IMAGE_COMDAT_SELECT_NODUPLICATES: g.selection = ComdatSelection::NoDuplicates; break;
    case IMAGE_COMDAT_SELECT_ANY: g.selection = ComdatSelection::Any; break;
    case IMAGE_COMDAT_SELECT_SAME_SIZE: g.selection = ComdatSelection::SameSize; break;
    case IMAGE_COMDAT_SELECT_EXACT_MATCH: g.selection = ComdatSelection::ExactMatch; break;
    default: g.selection = ComdatSelection::Largest; break;
    }
    group_of[sec] = u.groups.size();
    u.groups.push_back(std::move(g));
  }
  for (auto [sec, text] : unwind_sections) {
    size_t g = group_of[text];  // .text$NAME is a leader: it has a group
    u.groups[g].sections.push_back(sec);
    group_of[sec] = g;
  }
  // Associative sections join their leader's group (chains resolve in turn).
  for (bool progress = true; progress;) {
    progress = false;
    for (const ComdatInfo &info : comdat) {
      const uint32_t sec = info.section;
      if (info.selection != IMAGE_COMDAT_SELECT_ASSOCIATIVE || group_of[sec] != kNoGroup)
        continue;
      if (info.associated < 1 || uint32_t(info.associated) > nsec ||
          uint32_t(info.associated - 1) == sec)
        return fail("associative COMDAT section ", u.sections[sec].name,
                    ": associated section ", info.associated, " out of range");
      uint32_t target = uint32_t(info.associated - 1);
      if (size_t g = group_of[target]; g != kNoGroup) {
        if (g != kAlwaysKept)
          u.groups[g].sections.push_back(sec);
        group_of[sec] = g;
        progress = true;
      } else if (comdat_at[target] == kNone) {
        group_of[sec] = kAlwaysKept;  // follows a section that is always kept
        progress = true;
      }
    }
  }
  for (const ComdatInfo &info : comdat)
    if (group_of[info.section] == kNoGroup)
      return fail("associative COMDAT section ", u.sections[info.section].name,
                  " is associated in a cycle");

  // Relocations, with their implicit addends, into one array: room for as
  // many as the headers say (an overflowed count, 0xffff, read as such),
  // no more than the file could hold.
  uint64_t relocations = 0;
  for (uint32_t i = 0; i < nsec; ++i)
    if (u.sections[i].role != SectionRole::Skip)
      relocations += raw[i]->NumberOfRelocations;
  u.edges.reserve(std::min<uint64_t>(relocations, bytes.size() / 10));
  for (uint32_t i = 0; i < nsec; ++i) {
    Section &s = u.sections[i];
    const auto *sec = raw[i];
    uint64_t count = sec->NumberOfRelocations;
    if (!count || s.role == SectionRole::Skip)
      continue;
    uint64_t table = sec->PointerToRelocations;
    auto read_reloc = [&](uint64_t k, uint32_t &va, uint32_t &sym, uint16_t &type) {
      const uint8_t *r = bytes.data() + table + k * 10;
      std::memcpy(&va, r, 4);
      std::memcpy(&sym, r + 4, 4);
      std::memcpy(&type, r + 8, 2);
    };
    if (table > bytes.size() || bytes.size() - table < 10)
      return fail("section ", s.name, ": relocation table at ", hex(table),
                  " lies past the end of the file");
    uint64_t first = 0;
    if ((sec->Characteristics & IMAGE_SCN_LNK_NRELOC_OVFL) && count == 0xffff) {
      uint32_t va, sym;
      uint16_t type;
      read_reloc(0, va, sym, type);
      count = va;  // the real count, this entry included
      first = 1;
    }
    if (count > (bytes.size() - table) / 10)
      return fail("section ", s.name, ": ", count, " relocations at ", hex(table),
                  " run past the end of the file");
    if (!s.bytes)
      return fail("section ", s.name, ": relocations in a zero-fill section");
    for (uint64_t k = first; k < count; ++k) {
      uint32_t va, sym;
      uint16_t type;
      read_reloc(k, va, sym, type);
      auto where = [&] { return u.site(i, va); };
      coff_x86_64::Mapping m = coff_x86_64::map_relocation(type);
      if (m.cls == coff_x86_64::RelocClass::None)
        continue;
      if (sym >= nsym || aux_slot[sym])
        return make_error(where(), ": relocation refers to symbol #", sym,
                          sym >= nsym ? ", past the symbol table" : ", an aux record");
      if (m.cls == coff_x86_64::RelocClass::Unknown)
        return make_error(where(), ": unknown relocation type ", type, " (",
                          coff_x86_64::relocation_name(type), ") against ", u.symbol_name(sym));
      if (va > s.size || s.size - va < edge_width(m.kind) || s.size - va < m.width)
        return make_error(where(), ": relocation ", coff_x86_64::relocation_name(type),
                          " runs past the end of section ", s.name, " (size ", hex(s.size), ")");
      int64_t implicit = 0;
      switch (m.width) {
      case 8: std::memcpy(&implicit, s.bytes + va, 8); break;
      case 4: {
        int32_t v;
        std::memcpy(&v, s.bytes + va, 4);
        implicit = v;
        break;
      }
      case 2: implicit = 0; break;  // SECTION: nothing to add to an index
      case 1: implicit = s.bytes[va] & 0x7f; break;
      }
      EdgeKind kind = m.kind;
      if (type == IMAGE_REL_AMD64_REL32 && s.perm == Perm::ReadExecute &&
          coff_x86_64::is_branch_site(s.bytes, va))
        kind = EdgeKind::Branch32;
      u.add_edge(i, Edge{va, implicit + m.adjust, sym, type, kind});
    }
  }
  return u;
}

Error for_each_coff_global(std::span<const uint8_t> bytes,
                           const std::function<void(std::string_view)> &fn) {
  llvm::StringRef data(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  const llvm::file_magic magic = llvm::identify_magic(data);
  if (magic == llvm::file_magic::coff_import_library) {
    // The header (20 bytes), then NAME\0 and the DLL's name.
    if (bytes.size() < sizeof(llvm::object::coff_import_header) + 1)
      return make_error("short import member of ", bytes.size(), " bytes: its header is cut short");
    llvm::object::coff_import_header h;
    std::memcpy(&h, bytes.data(), sizeof h);
    std::string_view rest(reinterpret_cast<const char *>(bytes.data()) + sizeof h,
                          bytes.size() - sizeof h);
    std::string_view name = rest.substr(0, rest.find('\0'));
    if (name.empty() || name.size() == rest.size())
      return make_error("short import member: ",
                        name.empty() ? "its symbol name is empty" : "its symbol name has no end");
    fn("__imp_" + std::string(name));
    if (h.getType() == llvm::COFF::IMPORT_CODE)
      fn(name);
    return Error::success();
  }
  if (magic != llvm::file_magic::coff_object)
    return Error::success();
  auto obj = llvm::object::COFFObjectFile::create(llvm::MemoryBufferRef(data, ""));
  if (!obj)
    return make_error("bad COFF object: ", llvm::toString(obj.takeError()));
  if (!symbol_table_fits(**obj, bytes.size()))
    return make_error("symbol table of ", (*obj)->getRawNumberOfSymbols(),
                      " entries runs past the end of the file (", hex(bytes.size()), ")");
  const uint32_t n = (*obj)->getNumberOfSymbols();
  for (uint32_t i = 0; i < n;) {
    auto sym = (*obj)->getSymbol(i);
    if (!sym)
      return make_error("symbol #", i, ": ", llvm::toString(sym.takeError()));
    const uint32_t aux = sym->getNumberOfAuxSymbols();
    // (A weak external's record is read from the first: one past the table
    // would be past the file when the table ends it, SIGBUS; found by
    // fuzz_link_file.)
    if (uint64_t(i) + 1 + aux > n)
      return make_error("symbol #", i, ": its ", aux, " auxiliary records run past the ", n,
                        "-entry symbol table");
    const uint8_t sc = sym->getStorageClass();
    const int32_t sec = sym->getSectionNumber();
    const bool defines =
        (sc == llvm::COFF::IMAGE_SYM_CLASS_EXTERNAL &&
         (sec > 0 || sec == llvm::COFF::IMAGE_SYM_ABSOLUTE || (sec == 0 && sym->getValue() > 0))) ||
        (sc == llvm::COFF::IMAGE_SYM_CLASS_WEAK_EXTERNAL && sym->getWeakExternal() &&
         sym->getWeakExternal()->Characteristics ==
             llvm::COFF::IMAGE_WEAK_EXTERN_SEARCH_ALIAS);  // as llvm-ar's index has them
    if (defines) {
      auto name = (*obj)->getSymbolName(*sym);
      if (!name)
        return make_error("symbol #", i, ": ", llvm::toString(name.takeError()));
      fn(std::string_view(name->data(), name->size()));
    }
    i += 1 + aux;
  }
  return Error::success();
}

} // namespace rtlink
