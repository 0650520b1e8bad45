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

// ImportType and ImportNameType
constexpr uint16_t kImportCode = 0, kImportData = 1, kImportConst = 2;
constexpr uint32_t kDirectoryEntry = 20;  // an import directory entry
constexpr uint32_t kDataRW = kScnData | kScnRead | kScnWrite;

struct Names {
  std::string dll;         // the module's file name
  std::string descriptor;  // __IMPORT_DESCRIPTOR_STEM
  std::string null_thunk;  // \x7fSTEM_NULL_THUNK_DATA
};
constexpr std::string_view kNullDescriptor = "__NULL_IMPORT_DESCRIPTOR";

// The names LLVM's objects make are all in their string tables, short or not.
constexpr bool kInStrings = true;

std::string import_descriptor(const ImportTarget &t, const Names &n) {
  CoffObject o(t.machine);
  int idata2 = o.section(".idata$2", kDataRW | kAlign4, zeros(kDirectoryEntry));
  int idata6 = o.section(".idata$6", kDataRW | kAlign2, n.dll + '\0');
  o.symbol_of_class(n.descriptor, idata2, kClassExternal, kInStrings);
  o.symbol_of_class(".idata$2", idata2, kClassSection);
  uint32_t name = o.symbol_of_class(".idata$6", idata6, kClassStatic);
  uint32_t ilt = o.symbol_of_class(".idata$4", 0, kClassSection);
  uint32_t iat = o.symbol_of_class(".idata$5", 0, kClassSection);
  o.symbol_of_class(std::string(kNullDescriptor), 0, kClassExternal, kInStrings);
  o.symbol_of_class(n.null_thunk, 0, kClassExternal, kInStrings);
  // The directory entry's Name, ImportLookupTable and ImportAddressTable RVAs.
  o.relocate(idata2, 12, name, t.addr32nb);
  o.relocate(idata2, 0, ilt, t.addr32nb);
  o.relocate(idata2, 16, iat, t.addr32nb);
  return o.bytes();
}

std::string null_import_descriptor(const ImportTarget &t) {
  CoffObject o(t.machine);
  int idata3 = o.section(".idata$3", kDataRW | kAlign4, zeros(kDirectoryEntry));
  o.symbol_of_class(std::string(kNullDescriptor), idata3, kClassExternal, kInStrings);
  return o.bytes();
}

std::string null_thunk(const ImportTarget &t, const Names &n) {
  const uint32_t flags = kDataRW | (t.pointer == 8 ? kAlign8 : kAlign4);
  CoffObject o(t.machine);
  int iat = o.section(".idata$5", flags, zeros(t.pointer));
  o.section(".idata$4", flags, zeros(t.pointer));
  o.symbol_of_class(n.null_thunk, iat, kClassExternal, kInStrings);
  return o.bytes();
}

// The import member: its header, the symbol's name, the DLL's, and the name
// to import when that is given apart (EXPORTAS).
void short_import(std::string &o, const ImportTarget &t, const Names &n, std::string_view sym,
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
std::string weak_alias(const ImportTarget &t, std::string_view prefix, std::string_view target,
                       std::string_view alias) {
  CoffObject o(t.machine);
  o.unmark_32bit();
  o.section(".drectve", 0x00000a00);  // LNK_INFO | LNK_REMOVE, empty
  o.symbol_of_class("@comp.id", -1, kClassStatic);
  o.symbol_of_class("@feat.00", -1, kClassStatic);
  uint32_t fallback =
      o.symbol_of_class(std::string(prefix) + std::string(target), 0, kClassExternal, kInStrings);
  o.weak_external(std::string(prefix) + std::string(alias), fallback, kInStrings);
  return o.bytes();
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
  // In the enum's order (PE/COFF's import name types, then Alias).
  static constexpr const char *kNames[] = {"ordinal", "name", "noprefix", "undecorate",
                                           "exportas", "alias"};
  return kNames[static_cast<size_t>(t)];
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
  const ImportTarget t = import_target(m.machine);
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
