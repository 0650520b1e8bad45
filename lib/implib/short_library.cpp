// implib/short_library.cpp — short import libraries, byte for byte as
// llvm-dlltool and llvm-lib (LLVM Object's writeImportLibrary) write them,
// in the layout lib.exe writes:
//   DLL           the import descriptor: .idata$2 (the directory entry,
//                 relocated to this DLL's name, ILT and IAT) and .idata$6 (the
//                 name); defines __IMPORT_DESCRIPTOR_STEM
//   DLL           the null import descriptor (.idata$3) that ends the directory
//   DLL           the null thunk: the zero ILT and IAT entries that end this
//                 DLL's lists; defines "\x7fSTEM_NULL_THUNK_DATA"
//   DLL, per export, in the order given: a 20-byte-header import member
//                 (PE/COFF "Import Library Format")
//   DLL, per ==NAME export, in the order given: weak aliases of the import
//                 of NAME where another export's member imports it, else an
//                 import member that imports NAME (plan_short_imports)
// where DLL is the module's file name and STEM that name without its
// extension. The members are written here, and their archive by
// coff_archive.cpp, which is told each member's symbols: LLVM's writer read
// every member back to find them, three quarters of the time taken.
#include "implib/coff_archive.hpp"
#include "implib/coff_object.hpp"
#include "io/output.hpp"

#include <llvm/Support/raw_ostream.h>

#include <unordered_map>

namespace rtlink::implib {
namespace {

enum : uint8_t { kClassExternal = 2, kClassStatic = 3, kClassSection = 104, kClassWeak = 105 };
// ImportType and ImportNameType
constexpr uint16_t kImportCode = 0, kImportData = 1, kImportConst = 2;
constexpr uint16_t kNameOrdinal = 0, kName = 1, kNameNoPrefix = 2, kNameUndecorate = 3,
                   kNameExportAs = 4;
constexpr uint32_t kFileHeader = 20, kSectionHeader = 40, kReloc = 10;
constexpr uint32_t kDirectoryEntry = 20;  // an import directory entry
constexpr uint32_t kDataRW = kScnData | kScnRead | kScnWrite;

struct Target {
  uint16_t machine;
  bool is64;
  uint16_t addr32nb;  // the RVA relocation
};

Target target_of(Machine m) {
  switch (m) {
  case Machine::I386:
    return {coff_machine_number(m), false, kI386Dir32NB};
  case Machine::ARM64:
    return {coff_machine_number(m), true, kArm64Addr32NB};
  case Machine::X86_64:
    break;
  }
  return {coff_machine_number(m), true, kAmd64Addr32NB};
}

void file_header(std::string &out, const Target &t, uint16_t sections, uint32_t symtab,
                 uint32_t symbols, bool mark_32bit = true) {
  put16(out, t.machine);
  put16(out, sections);
  put32(out, 0);  // no time stamp
  put32(out, symtab);
  put32(out, symbols);
  put16(out, 0);  // no optional header
  put16(out, mark_32bit && !t.is64 ? 0x0100 : 0);  // IMAGE_FILE_32BIT_MACHINE
}

void section_header(std::string &out, std::string_view name, uint32_t size, uint32_t at,
                    uint32_t relocs_at, uint16_t relocs, uint32_t flags) {
  out += name;
  out.append(8 - name.size(), '\0');
  put32(out, 0);  // VirtualSize
  put32(out, 0);  // VirtualAddress
  put32(out, size);
  put32(out, at);
  put32(out, relocs_at);
  put32(out, 0);  // no line numbers
  put16(out, relocs);
  put16(out, 0);
  put32(out, flags);
}

// A symbol record; `name` of at most 8 bytes, else `string_at` is its offset
// in the string table.
void symbol(std::string &out, std::string_view name, uint32_t string_at, uint16_t section,
            uint8_t storage_class, uint8_t aux = 0) {
  if (name.empty()) {
    put32(out, 0);
    put32(out, string_at);
  } else {
    out += name;
    out.append(8 - name.size(), '\0');
  }
  put32(out, 0);  // value
  put16(out, section);
  put16(out, 0);  // type
  out += static_cast<char>(storage_class);
  out += static_cast<char>(aux);
}

// The string table: its size, then each string NUL-terminated.
void string_table(std::string &out, std::initializer_list<std::string_view> strings) {
  uint32_t size = 4;
  for (std::string_view s : strings)
    size += static_cast<uint32_t>(s.size() + 1);
  put32(out, size);
  for (std::string_view s : strings) {
    out += s;
    out += '\0';
  }
}

struct Names {
  std::string dll;         // the module's file name
  std::string descriptor;  // __IMPORT_DESCRIPTOR_STEM
  std::string null_thunk;  // \x7fSTEM_NULL_THUNK_DATA
};
constexpr std::string_view kNullDescriptor = "__NULL_IMPORT_DESCRIPTOR";

std::string import_descriptor(const Target &t, const Names &n) {
  const uint32_t sections = 2, relocs = 3;
  const uint32_t idata2 = kFileHeader + sections * kSectionHeader;
  const uint32_t relocs_at = idata2 + kDirectoryEntry, idata6 = relocs_at + relocs * kReloc;
  const auto name_size = static_cast<uint32_t>(n.dll.size() + 1);
  std::string o;
  file_header(o, t, sections, idata6 + name_size, 7);
  section_header(o, ".idata$2", kDirectoryEntry, idata2, relocs_at, relocs, kDataRW | kAlign4);
  section_header(o, ".idata$6", name_size, idata6, 0, 0, kDataRW | kAlign2);
  o.append(kDirectoryEntry, '\0');
  // Name, ImportLookupTable and ImportAddressTable RVAs, against symbols 2-4.
  for (auto [offset, sym] : {std::pair<uint32_t, uint32_t>{12, 2}, {0, 3}, {16, 4}}) {
    put32(o, offset);
    put32(o, sym);
    put16(o, t.addr32nb);
  }
  o += n.dll;
  o += '\0';
  symbol(o, {}, 4, 1, kClassExternal);
  symbol(o, ".idata$2", 0, 1, kClassSection);
  symbol(o, ".idata$6", 0, 2, kClassStatic);
  symbol(o, ".idata$4", 0, 0, kClassSection);
  symbol(o, ".idata$5", 0, 0, kClassSection);
  const auto null_at = static_cast<uint32_t>(4 + n.descriptor.size() + 1);
  symbol(o, {}, null_at, 0, kClassExternal);
  symbol(o, {}, static_cast<uint32_t>(null_at + kNullDescriptor.size() + 1), 0, kClassExternal);
  string_table(o, {n.descriptor, kNullDescriptor, n.null_thunk});
  return o;
}

std::string null_import_descriptor(const Target &t) {
  const uint32_t idata3 = kFileHeader + kSectionHeader;
  std::string o;
  file_header(o, t, 1, idata3 + kDirectoryEntry, 1);
  section_header(o, ".idata$3", kDirectoryEntry, idata3, 0, 0, kDataRW | kAlign4);
  o.append(kDirectoryEntry, '\0');
  symbol(o, {}, 4, 1, kClassExternal);
  string_table(o, {kNullDescriptor});
  return o;
}

std::string null_thunk(const Target &t, const Names &n) {
  const uint32_t entry = t.is64 ? 8 : 4, lists = kFileHeader + 2 * kSectionHeader;
  const uint32_t flags = kDataRW | (t.is64 ? kAlign8 : kAlign4);
  std::string o;
  file_header(o, t, 2, lists + 2 * entry, 1);
  section_header(o, ".idata$5", entry, lists, 0, 0, flags);
  section_header(o, ".idata$4", entry, lists + entry, 0, 0, flags);
  o.append(2 * entry, '\0');
  symbol(o, {}, 4, 1, kClassExternal);
  string_table(o, {n.null_thunk});
  return o;
}

// The import member: its header, the symbol's name, the DLL's, and the name
// to import when that is given apart (EXPORTAS).
void short_import(std::string &o, const Target &t, const Names &n, std::string_view sym,
                  uint16_t hint, uint16_t type, uint16_t name_type, std::string_view export_as) {
  uint32_t size = static_cast<uint32_t>(sym.size() + 1 + n.dll.size() + 1);
  if (!export_as.empty())
    size += static_cast<uint32_t>(export_as.size() + 1);
  o.clear();
  put16(o, 0);       // IMAGE_FILE_MACHINE_UNKNOWN
  put16(o, 0xffff);  // and this: an import member
  put16(o, 0);       // version
  put16(o, t.machine);
  put32(o, 0);  // no time stamp
  put32(o, size);
  put16(o, hint);
  put16(o, static_cast<uint16_t>(type | name_type << 2));
  o += sym;
  o += '\0';
  o += n.dll;
  o += '\0';
  if (!export_as.empty()) {
    o += export_as;
    o += '\0';
  }
}

// An object whose only definition is `prefix alias`, a weak external that
// falls back to `prefix target` (searched as an alias).
std::string weak_alias(const Target &t, std::string_view prefix, std::string_view target,
                       std::string_view alias) {
  std::string o;
  file_header(o, t, 1, kFileHeader + kSectionHeader, 5, /*mark_32bit=*/false);
  section_header(o, ".drectve", 0, 0, 0, 0, 0x00000a00);  // LNK_INFO | LNK_REMOVE
  symbol(o, "@comp.id", 0, 0xffff, kClassStatic);
  symbol(o, "@feat.00", 0, 0xffff, kClassStatic);
  symbol(o, {}, 4, 0, kClassExternal);
  symbol(o, {}, static_cast<uint32_t>(4 + prefix.size() + target.size() + 1), 0, kClassWeak, 1);
  // The auxiliary record: the symbol it falls back to (2), how it is searched.
  put32(o, 2);
  put32(o, 3);  // IMAGE_WEAK_EXTERN_SEARCH_ALIAS
  o.append(10, '\0');
  std::string t_name(prefix), a_name(prefix);
  t_name += target;
  a_name += alias;
  string_table(o, {t_name, a_name});
  return o;
}

// The name an import member binds to, as its name type makes it of the
// symbol (the name itself for an import by ordinal or EXPORTAS).
std::string_view bound_name(ImportNameType type, std::string_view sym) {
  if (type == ImportNameType::NoPrefix || type == ImportNameType::Undecorate)
    if (!sym.empty() && (sym[0] == '?' || sym[0] == '@' || sym[0] == '_'))
      sym.remove_prefix(1);
  if (type == ImportNameType::Undecorate)
    sym = sym.substr(0, sym.find('@'));
  return sym;
}

} // namespace

const char *import_name_type_name(ImportNameType t) {
  switch (t) {
  case ImportNameType::Ordinal:
    return "ordinal";
  case ImportNameType::Name:
    break;
  case ImportNameType::NoPrefix:
    return "noprefix";
  case ImportNameType::Undecorate:
    return "undecorate";
  case ImportNameType::ExportAs:
    return "exportas";
  case ImportNameType::Alias:
    return "alias";
  }
  return "name";
}

std::vector<ShortImport> plan_short_imports(const Module &m, const LibraryOptions &opt) {
  std::vector<ShortImport> plan(m.exports.size());
  // An export that binds to another name (==NAME) is decided after the
  // others: where NAME is what one of them imports, its symbols are weak
  // aliases of that import's; else its own member imports NAME (EXPORTAS).
  std::vector<size_t> renamed;
  std::unordered_map<std::string_view, std::string_view> imports;  // bound name -> symbol
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export &e = m.exports[i];
    ShortImport &p = plan[i];
    p.symbol = symbol_name(m, e);
    if (!e.import_name.empty() && e.import_name != p.symbol) {
      p.renamed = true;
      renamed.push_back(i);
      continue;
    }
    if (e.noname) {
      p.name_type = ImportNameType::Ordinal;
    } else if (!e.export_as.empty()) {
      p.name_type = ImportNameType::ExportAs;
      p.imported = e.export_as;
    } else {
      std::string_view sym = p.symbol, ext = sym;
      if (opt.kill_at && m.machine == Machine::I386 && !sym.starts_with("?"))
        ext = ext.substr(0, ext.find('@', 1));  // import foo for _foo@4
      if (!m.mingw && ext.starts_with("_") && ext.find('@') != std::string_view::npos)
        p.name_type = ImportNameType::Name;  // lib.exe's dialect: decorated, as it is
      else if (sym != ext)
        p.name_type = ImportNameType::Undecorate;
      else if (m.machine == Machine::I386 && sym.starts_with("_"))
        p.name_type = ImportNameType::NoPrefix;
      else
        p.name_type = ImportNameType::Name;
    }
    if (!e.private_ && !renamed.empty())
      imports[bound_name(p.name_type, p.symbol)] = p.symbol;
  }
  if (renamed.empty())
    return plan;
  // The map was filled only from the first rename on: fill in the rest.
  for (size_t i = renamed.front(); i-- > 0;)  // the last one wins, as above
    if (!m.exports[i].private_)
      imports.emplace(bound_name(plan[i].name_type, plan[i].symbol), plan[i].symbol);
  for (size_t i : renamed) {
    auto it = imports.find(m.exports[i].import_name);
    plan[i].name_type = it == imports.end() ? ImportNameType::ExportAs : ImportNameType::Alias;
    plan[i].imported = it == imports.end() ? m.exports[i].import_name : std::string(it->second);
  }
  return plan;
}

Error write_short_library(const Module &m, const LibraryOptions &opt, const std::string &path) {
  const Target t = target_of(m.machine);
  Names n;
  n.dll = m.dll_name.substr(m.dll_name.rfind('/') + 1);
  std::string stem = n.dll;
  if (size_t dot = stem.rfind('.'); dot != std::string::npos && stem != "." && stem != "..")
    stem.resize(dot);
  n.descriptor = "__IMPORT_DESCRIPTOR_" + stem;
  n.null_thunk = "\x7f" + stem + "_NULL_THUNK_DATA";

  CoffArchive a;
  a.member(n.dll, import_descriptor(t, n));
  a.symbol({}, n.descriptor);
  a.member(n.dll, null_import_descriptor(t));
  a.symbol({}, kNullDescriptor);
  a.member(n.dll, null_thunk(t, n));
  a.symbol({}, n.null_thunk);

  const std::vector<ShortImport> plan = plan_short_imports(m, opt);
  std::string member;
  for (bool renamed : {false, true})
    for (size_t i = 0; i < plan.size(); ++i) {
      const Export &e = m.exports[i];
      const ShortImport &p = plan[i];
      if (e.private_ || p.renamed != renamed)
        continue;
      const uint16_t type = e.kind == ExportKind::Data    ? kImportData
                            : e.kind == ExportKind::Const ? kImportConst
                                                          : kImportCode;
      if (p.name_type == ImportNameType::Alias) {
        if (type == kImportCode) {
          a.member(n.dll, weak_alias(t, {}, p.imported, p.symbol));
          a.symbol({}, p.symbol);
        }
        a.member(n.dll, weak_alias(t, "__imp_", p.imported, p.symbol));
        a.symbol("__imp_", p.symbol);
        continue;
      }
      // For an import by name the hint: the export's index in the DLL's name
      // table when it is known, else its ordinal.
      short_import(member, t, n, p.symbol, import_hint(e), type,
                   static_cast<uint16_t>(p.name_type), p.imported);
      a.member(n.dll, member);
      a.symbol("__imp_", p.symbol);
      if (type != kImportData)
        a.symbol({}, p.symbol);
    }

  Expected<std::string> bytes = a.bytes();
  if (!bytes)
    return make_error(path, ": ", bytes.error().message());
  return io::write_output(path, [&](llvm::raw_ostream &os) -> Error {
    os << *bytes;
    return {};
  });
}

} // namespace rtlink::implib
