// implib/object_exports.cpp — the exports COFF objects ask for: their
// .drectve export directives (-export: as GNU as writes them, /EXPORT: as
// MSVC and clang write them), or every external definition (--export-all);
// and what they reference from elsewhere, for the report of which library
// imports what from which.
#include "implib/objects.hpp"

#include "object/archive.hpp"
#include "object/coff.hpp"

#include <llvm/BinaryFormat/COFF.h>
#include <llvm/Object/COFF.h>
#include <llvm/Support/Error.h>

#include <cctype>
#include <charconv>
#include <unordered_set>

namespace rtlink::implib {
namespace {

using namespace llvm;
using namespace llvm::object;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Names GNU ld's --export-all-symbols leaves out too: the CRT's entry points
// and runtime pieces, and what the import machinery defines.
bool auto_exported(std::string_view n) {
  for (const char *p : {"__imp_", "_head_", "__IMPORT_DESCRIPTOR_", "__NULL_IMPORT_DESCRIPTOR",
                        ".refptr.", "_nm_", "__rtc_", "__RTC_", "\x7f", ".", "__cfi_"})
    if (n.starts_with(p))
      return false;
  for (const char *x : {"DllMain", "DllMainCRTStartup", "DllEntryPoint", "_DllMainCRTStartup",
                        "_pei386_runtime_relocator", "__dyn_tls_init_callback", "_CRT_INIT",
                        "_CRT_MT", "__native_startup_lock", "__native_startup_state", "_fmode",
                        "_impure_ptr", "impure_ptr", "_tls_used", "__xl_a", "__xl_z",
                        "_pei386_runtime_relocator", "__RUNTIME_PSEUDO_RELOC_LIST__",
                        "__RUNTIME_PSEUDO_RELOC_LIST_END__"})
    if (n == x)
      return false;
  return true;
}

// i386 C names carry a leading underscore that the export name does not.
std::string export_name_of(std::string_view sym, Machine m) {
  if (m == Machine::I386 && sym.starts_with("_"))
    return std::string(sym.substr(1));
  return std::string(sym);
}

// -export:NAME[=INTERNAL][,@ORD[,NONAME]][,DATA][,CONSTANT][,PRIVATE]
rtlink::Error parse_directive(std::string_view arg, const std::string &where, Export &e) {
  size_t comma = arg.find(',');
  std::string_view head = arg.substr(0, comma);
  size_t eq = head.find('=');
  e.name = head.substr(0, eq);
  if (eq != std::string_view::npos)
    e.internal = head.substr(eq + 1);
  if (e.name.empty())
    return make_error(where, ": .drectve: export directive '", arg, "' names no symbol");
  while (comma != std::string_view::npos) {
    arg = arg.substr(comma + 1);
    comma = arg.find(',');
    std::string_view a = arg.substr(0, comma);
    if (a.starts_with("@")) {
      uint32_t v = 0;
      auto [p, ec] = std::from_chars(a.data() + 1, a.data() + a.size(), v);
      if (ec != std::errc() || p != a.data() + a.size() || v == 0 || v > 65535)
        return make_error(where, ": .drectve: export ", e.name, ": '", a,
                          "' is not an ordinal from 1 to 65535");
      e.ordinal = v;
    } else if (iequals(a, "data")) {
      e.kind = ExportKind::Data;
    } else if (iequals(a, "constant")) {
      e.kind = ExportKind::Const;
    } else if (iequals(a, "noname")) {
      e.noname = true;
    } else if (iequals(a, "private")) {
      e.private_ = true;
    } else {
      return make_error(where, ": .drectve: export ", e.name, ": unknown attribute '", a,
                        "' (expected @ORDINAL, NONAME, DATA, CONSTANT or PRIVATE)");
    }
  }
  return {};
}

Machine machine_of(uint16_t m, bool &known) {
  known = true;
  switch (m) {
  case COFF::IMAGE_FILE_MACHINE_AMD64:
    return Machine::X86_64;
  case COFF::IMAGE_FILE_MACHINE_I386:
    return Machine::I386;
  case COFF::IMAGE_FILE_MACHINE_ARM64:
    return Machine::ARM64;
  default:
    known = false;
    return Machine::X86_64;
  }
}

class Scanner {
public:
  Scanner(ObjectScan &out, const ObjectScanOptions &opt) : out_(out), opt_(opt) {}

  rtlink::Error object(const std::string &where, std::span<const uint8_t> bytes) {
    MemoryBufferRef buf(StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                        where);
    auto obj = ObjectFile::createCOFFObjectFile(buf);
    if (!obj)
      return make_error(where, ": not a COFF object: ", toString(obj.takeError()));
    const COFFObjectFile &coff = **obj;
    if (coff.getPE32Header() || coff.getPE32PlusHeader())
      return make_error(where, ": a PE image, not an object (give a DLL with --dll)");
    bool known;
    Machine m = machine_of(coff.getMachine(), known);
    if (!known)
      return make_error(where, ": COFF machine ", coff.getMachine(),
                        " is not one implib-gen writes import libraries for");
    if (!machine_set_) {
      out_.module.machine = m;
      machine_set_ = true;
      first_ = where;
    } else if (m != out_.module.machine) {
      return make_error(where, ": a ", machine_name(m), " object, but ", first_, " is ",
                        machine_name(out_.module.machine));
    }

    std::vector<uint32_t> section_flags;
    for (const SectionRef &s : coff.sections()) {
      const coff_section *c = coff.getCOFFSection(s);
      section_flags.push_back(c->Characteristics);
      auto name = coff.getSectionName(c);
      if (!name) {
        consumeError(name.takeError());
        continue;
      }
      if (*name != ".drectve")
        continue;
      ArrayRef<uint8_t> data;
      if (llvm::Error e = coff.getSectionContents(c, data))
        return make_error(where, ": section .drectve: ", toString(std::move(e)));
      std::string_view text(reinterpret_cast<const char *>(data.data()), data.size());
      for (const std::string &o : drectve_options(text)) {
        if (o.size() < 8 || (o[0] != '-' && o[0] != '/') || !iequals(o.substr(1, 7), "export:"))
          continue;
        Export e;
        e.origin = where;
        if (rtlink::Error err = parse_directive(std::string_view(o).substr(8), where, e))
          return err;
        // i386, MSVC's spelling (/EXPORT:, as cl and clang write it): the name
        // is the symbol, _plain or _Std@8; the export is plain or Std@8, which
        // the library writer decorates again for either flavour.
        if (m == Machine::I386 && o[0] == '/' && e.name.starts_with("_"))
          e.name.erase(0, 1);
        directives_.push_back(std::move(e));
      }
    }

    for (const SymbolRef &sref : coff.symbols()) {
      COFFSymbolRef s = coff.getCOFFSymbol(sref);
      if (!s.isExternal() || s.isSectionDefinition())
        continue;
      auto name = coff.getSymbolName(s);
      if (!name) {
        consumeError(name.takeError());
        continue;
      }
      std::string n(*name);
      if (s.isUndefined() && !s.isCommon()) {
        std::string_view target = n;
        if (target.starts_with("__imp_"))
          target.remove_prefix(6);
        undefined_.push_back({std::string(target), where});
        continue;
      }
      defined_.insert(n);
      if (!opt_.export_all || !auto_exported(n) || s.isAbsolute())
        continue;
      Export e;
      e.name = export_name_of(n, m);
      e.origin = where;
      int idx = s.getSectionNumber();
      bool code = idx > 0 && size_t(idx) <= section_flags.size() &&
                  (section_flags[idx - 1] &
                   (COFF::IMAGE_SCN_CNT_CODE | COFF::IMAGE_SCN_MEM_EXECUTE));
      e.kind = code ? ExportKind::Code : ExportKind::Data;
      all_.push_back(std::move(e));
    }
    return {};
  }

  rtlink::Error file(const std::string &path, std::span<const uint8_t> bytes,
             const std::shared_ptr<const FileData> &data) {
    std::string_view head(reinterpret_cast<const char *>(bytes.data()),
                          std::min<size_t>(bytes.size(), 8));
    if (head != "!<arch>\n" && head != "!<thin>\n")
      return object(path, bytes);
    auto ar = ArchiveReader::open(path, data);
    if (!ar)
      return ar.take_error();
    for (size_t i = 0; i < (*ar)->member_count(); ++i) {
      const auto &mem = (*ar)->member(i);
      std::string where = (*ar)->member_display_name(i);
      // Import members and the linker members carry nothing to export.
      if (mem.bytes.size() >= 4 && mem.bytes[0] == 0 && mem.bytes[1] == 0 &&
          mem.bytes[2] == 0xff && mem.bytes[3] == 0xff)
        continue;
      if (rtlink::Error e = object(where, mem.bytes))
        return e;
    }
    return {};
  }

  void finish() {
    Module &m = out_.module;
    // Directives first, in the order met; then, with --export-all, every
    // other definition, sorted by name as GNU ld lists them.
    std::unordered_set<std::string> named;
    for (Export &e : directives_) {
      named.insert(e.name);
      m.exports.push_back(std::move(e));
    }
    std::sort(all_.begin(), all_.end(),
              [](const Export &a, const Export &b) { return a.name < b.name; });
    for (Export &e : all_)
      if (named.insert(e.name).second)
        m.exports.push_back(std::move(e));
    for (auto &[name, where] : undefined_)
      if (!defined_.count(name))
        out_.references.push_back({export_name_of(name, m.machine), std::move(where)});
  }

private:
  ObjectScan &out_;
  const ObjectScanOptions &opt_;
  bool machine_set_ = false;
  std::string first_;
  std::vector<Export> directives_, all_;
  std::unordered_set<std::string> defined_;
  std::vector<std::pair<std::string, std::string>> undefined_;
};

} // namespace

Expected<ObjectScan> read_object_exports(const std::vector<ObjectInput> &inputs,
                                         const ObjectScanOptions &opt) {
  ObjectScan out;
  Scanner scan(out, opt);
  for (const ObjectInput &in : inputs)
    if (rtlink::Error e = scan.file(in.path, in.bytes, in.data))
      return e;
  scan.finish();
  return out;
}

} // namespace rtlink::implib
