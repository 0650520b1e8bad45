// symdump/symbols.cpp — symbols and their nm letters, per format.
//
// The letters follow llvm-nm's rules, so that the default output is the
// same: undefined U (w/v when weak), weak W/V, common C, absolute A, and by
// the section otherwise (text t, data d, read-only r, zero fill b, ...),
// upper case for globals. LLVM's Object library reads the files; the rules
// are written here.
#include "symbols.hpp"
#include "lines.hpp"
#include "relocations.hpp"

#include "object/elf_versions.hpp"
#include "object/macho.hpp"

#include <llvm/BinaryFormat/COFF.h>
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/BinaryFormat/Magic.h>
#include <llvm/Object/COFF.h>
#include <llvm/Object/COFFImportFile.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/IRObjectFile.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Object/MachO.h>
#include <llvm/Object/SymbolicFile.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

namespace symdump {

using namespace llvm;
using namespace llvm::object;

namespace {

std::string str(StringRef s) { return s.str(); }
// For the names LLVM keeps in static tables (ELF symbol types).
std::string_view str_view(StringRef s) { return {s.data(), s.size()}; }

// True when the call worked; a failure is consumed (the entry is skipped).
bool ok(Error e) {
  if (!e)
    return true;
  consumeError(std::move(e));
  return false;
}

// An ELF symbol's section, as its letter reads it.
struct ElfLetterSection {
  bool readable = true;  // false: the symbol's section does not read
  bool exists = false;   // a section of the file (not undefined, absolute, ...)
  uint32_t type = 0;
  uint64_t flags = 0;
  function_ref<std::optional<StringRef>()> name;  // nullopt: it does not read
};

// nm's letter for an ELF symbol, by llvm-nm's rules: from its SymbolRef
// flags, its ELF type and binding, and its section, which is asked for only
// when the letter depends on it. letter() and elf_rel_symbols read symbols
// their own ways and both come here.
char elf_symbol_letter(uint32_t flags, uint8_t type, uint8_t binding,
                       function_ref<ElfLetterSection()> section) {
  if (flags & SymbolRef::SF_Undefined)
    return !(flags & SymbolRef::SF_Weak) ? 'U' : type == ELF::STT_OBJECT ? 'v' : 'w';
  if (type == ELF::STT_GNU_IFUNC)
    return 'i';
  if (flags & SymbolRef::SF_Weak)
    return type == ELF::STT_OBJECT ? 'V' : 'W';
  if (flags & SymbolRef::SF_Common)
    return 'C';
  char c = '?';
  if (flags & SymbolRef::SF_Absolute) {
    c = 'a';
  } else {
    const ElfLetterSection sec = section();
    if (binding == ELF::STB_GNU_UNIQUE)  // never upper-cased
      return sec.readable ? 'u' : '?';
    if (!sec.readable || (binding != ELF::STB_GLOBAL && binding != ELF::STB_LOCAL) ||
        !sec.exists)
      c = '?';
    else if (sec.flags & ELF::SHF_EXECINSTR)
      c = 't';
    else if (sec.type == ELF::SHT_NOBITS)
      c = 'b';
    else if (sec.flags & ELF::SHF_ALLOC)
      c = sec.flags & ELF::SHF_WRITE ? 'd' : 'r';
    else if (std::optional<StringRef> name = sec.name(); !name)
      c = '?';
    else if (name->starts_with(".debug"))
      c = 'N';
    else
      c = !(sec.flags & ELF::SHF_WRITE) ? 'n' : '?';
  }
  return (flags & SymbolRef::SF_Global) ? char(std::toupper(c)) : c;
}

// letter() for an ELF symbol read through LLVM's ELFObjectFile.
char elf_letter(const ELFObjectFileBase &obj, const ELFSymbolRef &sym, uint32_t flags) {
  std::optional<SectionRef> in;  // read once asked
  auto name = [&]() -> std::optional<StringRef> {
    auto n = in->getName();
    if (n)
      return *n;
    consumeError(n.takeError());
    return std::nullopt;
  };
  return elf_symbol_letter(flags, sym.getELFType(), sym.getBinding(), [&] {
    ElfLetterSection out;
    auto sec = sym.getSection();
    if (!sec) {
      consumeError(sec.takeError());
      out.readable = false;
      return out;
    }
    if (*sec == obj.section_end())
      return out;
    in = **sec;
    ELFSectionRef s(**sec);
    out.exists = true;
    out.type = s.getType();
    out.flags = s.getFlags();
    out.name = name;
    return out;
  });
}

// Said once per listing of a symbol left out (see elf_section_symbol_of_no_section).
void leave_out_section_symbol_of_no_section(Listing &out) {
  if (out.warning.empty())
    out.warning = "a section symbol (STT_SECTION) of no section, left out";
}

char coff_letter(const COFFObjectFile &obj, const SymbolRef &sym) {
  COFFSymbolRef c = obj.getCOFFSymbol(sym);
  auto name = sym.getName();
  if (!name) {
    consumeError(name.takeError());
    return '?';
  }
  if (name->starts_with(".debug") || name->starts_with(".sxdata"))
    return 'N';
  uint32_t ch = 0;
  if (!COFF::isReservedSectionNumber(c.getSectionNumber())) {
    auto sec = sym.getSection();
    if (!sec) {
      consumeError(sec.takeError());
      return '?';
    }
    const coff_section *s = obj.getCOFFSection(**sec);
    ch = s->Characteristics;
    if (auto n = obj.getSectionName(s); n && n->starts_with(".idata"))
      return 'i';
    else if (!n)
      consumeError(n.takeError());
  }
  if (c.getSectionNumber() == COFF::IMAGE_SYM_DEBUG)
    return 'n';
  if (ch & COFF::IMAGE_SCN_CNT_CODE)
    return 't';
  if (ch & COFF::IMAGE_SCN_CNT_INITIALIZED_DATA)
    return ch & COFF::IMAGE_SCN_MEM_WRITE ? 'd' : 'r';
  if (ch & COFF::IMAGE_SCN_CNT_UNINITIALIZED_DATA)
    return 'b';
  if (ch & COFF::IMAGE_SCN_LNK_INFO)
    return 'i';
  if (c.isSectionDefinition())
    return 's';
  return '?';
}

char macho_letter(const MachOObjectFile &obj, const BasicSymbolRef &sym) {
  DataRefImpl d = sym.getRawDataRefImpl();
  uint8_t type = obj.is64Bit() ? obj.getSymbol64TableEntry(d).n_type : obj.getSymbolTableEntry(d).n_type;
  if (type & MachO::N_STAB)
    return '-';
  switch (type & MachO::N_TYPE) {
  case MachO::N_ABS: return 's';
  case MachO::N_INDR: return 'i';
  case MachO::N_SECT: {
    auto sec = obj.getSymbolSection(d);
    if (!sec) {
      consumeError(sec.takeError());
      return 's';
    }
    if (*sec == obj.section_end())
      return 's';
    DataRefImpl r = (*sec)->getRawDataRefImpl();
    StringRef sect;
    if (auto n = obj.getSectionName(r))
      sect = *n;
    else
      consumeError(n.takeError());
    StringRef seg = obj.getSectionFinalSegmentName(r);
    if (seg == "__TEXT" && sect == "__text")
      return 't';
    if (seg == "__DATA" && sect == "__data")
      return 'd';
    if (seg == "__DATA" && sect == "__bss")
      return 'b';
    return 's';
  }
  }
  return '?';
}

// A stab's type by name, as llvm-nm prints it (at most five letters).
const char *stab_name(uint8_t type) {
  switch (type) {
  case MachO::N_GSYM: return "GSYM";
  case MachO::N_FNAME: return "FNAME";
  case MachO::N_FUN: return "FUN";
  case MachO::N_STSYM: return "STSYM";
  case MachO::N_LCSYM: return "LCSYM";
  case MachO::N_BNSYM: return "BNSYM";
  case MachO::N_PC: return "PC";
  case MachO::N_AST: return "AST";
  case MachO::N_OPT: return "OPT";
  case MachO::N_RSYM: return "RSYM";
  case MachO::N_SLINE: return "SLINE";
  case MachO::N_ENSYM: return "ENSYM";
  case MachO::N_SSYM: return "SSYM";
  case MachO::N_SO: return "SO";
  case MachO::N_OSO: return "OSO";
  case MachO::N_LSYM: return "LSYM";
  case MachO::N_BINCL: return "BINCL";
  case MachO::N_SOL: return "SOL";
  case MachO::N_PARAMS: return "PARAM";
  case MachO::N_VERSION: return "VERS";
  case MachO::N_OLEVEL: return "OLEV";
  case MachO::N_PSYM: return "PSYM";
  case MachO::N_EINCL: return "EINCL";
  case MachO::N_ENTRY: return "ENTRY";
  case MachO::N_LBRAC: return "LBRAC";
  case MachO::N_EXCL: return "EXCL";
  case MachO::N_RBRAC: return "RBRAC";
  case MachO::N_BCOMM: return "BCOMM";
  case MachO::N_ECOMM: return "ECOMM";
  case MachO::N_ECOML: return "ECOML";
  case MachO::N_LENG: return "LENG";
  }
  return nullptr;
}

// What llvm-nm prints after a stab's '-': its section and description in
// hex, then its type's name (or number).
std::string macho_stab(const MachOObjectFile &obj, DataRefImpl d) {
  uint8_t type, sect;
  uint16_t desc;
  if (obj.is64Bit()) {
    MachO::nlist_64 e = obj.getSymbol64TableEntry(d);
    type = e.n_type, sect = e.n_sect, desc = e.n_desc;
  } else {
    MachO::nlist e = obj.getSymbolTableEntry(d);
    type = e.n_type, sect = e.n_sect, desc = e.n_desc;
  }
  char buf[32];
  if (const char *name = stab_name(type))
    std::snprintf(buf, sizeof buf, " %02x %04x %5.5s", sect, desc, name);
  else
    std::snprintf(buf, sizeof buf, " %02x %04x    %02x", sect, desc, type);
  return buf;
}

// The letter for one symbol, as llvm-nm chooses it.
char letter(const SymbolicFile &obj, const BasicSymbolRef &sym, uint32_t flags) {
  if (const auto *elf = dyn_cast<ELFObjectFileBase>(&obj))
    return elf_letter(*elf, ELFSymbolRef(sym), flags);
  if (flags & SymbolRef::SF_Undefined)
    return isa<MachOObjectFile>(obj) || !(flags & SymbolRef::SF_Weak) ? 'U' : 'w';
  if (!isa<MachOObjectFile>(obj) && (flags & SymbolRef::SF_Weak))
    return 'W';
  if (flags & SymbolRef::SF_Common)
    return 'C';
  char c = '?';
  if (flags & SymbolRef::SF_Absolute)
    c = 'a';
  else if (const auto *coff = dyn_cast<COFFObjectFile>(&obj))
    c = coff_letter(*coff, SymbolRef(sym));
  else if (const auto *imp = dyn_cast<COFFImportFile>(&obj))
    c = imp->getCOFFImportHeader()->getType() == COFF::IMPORT_CODE   ? 't'
        : imp->getCOFFImportHeader()->getType() == COFF::IMPORT_DATA ? 'd'
                                                                      : 'r';
  else if (const auto *macho = dyn_cast<MachOObjectFile>(&obj))
    c = macho_letter(*macho, sym);
  else if (const auto *ir = dyn_cast<IRObjectFile>(&obj))
    c = (flags & SymbolRef::SF_Executable) ? 't'
        : Triple(ir->getTargetTriple()).isOSDarwin() && (flags & SymbolRef::SF_Const) ? 's'
                                                                                      : 'd';
  return (flags & SymbolRef::SF_Global) ? char(std::toupper(c)) : c;
}

void set_binding(Sym &s, uint32_t flags) {
  s.defined = !(flags & SymbolRef::SF_Undefined);
  s.global = flags & SymbolRef::SF_Global;
  s.weak = flags & SymbolRef::SF_Weak;
  s.absolute = flags & SymbolRef::SF_Absolute;
  s.common = flags & SymbolRef::SF_Common;
  s.binding = s.weak ? "weak" : s.global ? "global" : "local";
}

// The name of the section that holds a symbol; empty for none.
std::string section_name(const ObjectFile &obj, const SymbolRef &sym) {
  auto sec = sym.getSection();
  if (!sec) {
    consumeError(sec.takeError());
    return {};
  }
  if (*sec == obj.section_end())
    return {};
  auto n = (*sec)->getName();
  if (!n) {
    consumeError(n.takeError());
    return {};
  }
  return str(*n);
}

const char *import_name_type(unsigned t) {
  switch (t) {
  case COFF::IMPORT_ORDINAL: return "ordinal";
  case COFF::IMPORT_NAME: return "name";
  case COFF::IMPORT_NAME_NOPREFIX: return "noprefix";
  case COFF::IMPORT_NAME_UNDECORATE: return "undecorate";
  case COFF::IMPORT_NAME_EXPORTAS: return "exportas";
  }
  return "?";
}

// PE tables are read through LLVM's ExportDirectoryEntryRef and
// ImportDirectoryEntryRef, which find the first byte of each table (or name)
// and trust the counts, terminators and NULs after it. So each table is
// first checked to lie in the file: the bytes an RVA reaches in the file, as
// COFFObjectFile::getRvaPtr maps it (the first section whose VirtualAddress
// and VirtualSize span it), to the end of that section's data in the file.
ArrayRef<uint8_t> bytes_at(const COFFObjectFile &obj, uint32_t rva) {
  const ArrayRef<uint8_t> file = arrayRefFromStringRef(obj.getData());
  for (const SectionRef &sec : obj.sections()) {
    const coff_section *c = obj.getCOFFSection(sec);
    if (rva < c->VirtualAddress || rva - c->VirtualAddress >= c->VirtualSize)
      continue;
    const uint64_t offset = rva - c->VirtualAddress;
    const uint64_t raw = c->PointerToRawData;
    if (offset >= c->SizeOfRawData || raw > file.size())
      return {};
    const uint64_t end = std::min<uint64_t>(raw + c->SizeOfRawData, file.size());
    return raw + offset < end ? file.slice(raw + offset, end - raw - offset) : ArrayRef<uint8_t>();
  }
  return {};
}

std::string rva_text(uint32_t rva) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", rva);
  return buf;
}

// A NUL-terminated string at `rva` (after `skip` bytes) within the file.
bool string_at(const COFFObjectFile &obj, uint32_t rva, size_t skip = 0) {
  ArrayRef<uint8_t> b = bytes_at(obj, rva);
  return b.size() > skip && std::memchr(b.data() + skip, 0, b.size() - skip);
}

// What is wrong with the export directory, if anything.
std::string export_table_problem(const COFFObjectFile &obj) {
  const data_directory *dd = obj.getDataDirectory(COFF::EXPORT_TABLE);
  if (!dd || !dd->RelativeVirtualAddress)
    return {};
  if (bytes_at(obj, dd->RelativeVirtualAddress).size() < sizeof(export_directory_table_entry))
    return "export table: its directory at RVA " + rva_text(dd->RelativeVirtualAddress) +
           " is not within the file";
  const export_directory_table_entry *t = obj.getExportTable();
  if (!t)
    return {};
  auto table = [&](uint32_t rva, uint64_t count, uint64_t width, const char *what) -> std::string {
    if (count && bytes_at(obj, rva).size() / width < count)
      return "export table: its " + std::string(what) + " (" + std::to_string(count) +
             " entries at RVA " + rva_text(rva) + ") is not within the file";
    return {};
  };
  const uint32_t functions = t->AddressTableEntries, names = t->NumberOfNamePointers;
  for (std::string bad : {table(t->ExportAddressTableRVA, functions, 4, "address table"),
                          table(t->NamePointerRVA, names, 4, "name pointer table"),
                          table(t->OrdinalTableRVA, names, 2, "ordinal table")})
    if (!bad.empty())
      return bad;
  const uint8_t *name_rvas = bytes_at(obj, t->NamePointerRVA).data();
  for (uint32_t i = 0; i < names; ++i) {
    const uint32_t rva = support::endian::read32le(name_rvas + 4 * uint64_t(i));
    if (!string_at(obj, rva))
      return "export table: export name " + std::to_string(i) + " at RVA " + rva_text(rva) +
             " is not within the file";
  }
  // A forwarder: an address inside the export directory, naming "DLL.name".
  const uint8_t *addresses = bytes_at(obj, t->ExportAddressTableRVA).data();
  for (uint32_t i = 0; i < functions; ++i) {
    const uint32_t rva = support::endian::read32le(addresses + 4 * uint64_t(i));
    if (rva >= dd->RelativeVirtualAddress && rva - dd->RelativeVirtualAddress < dd->Size &&
        !string_at(obj, rva))
      return "export table: the forwarder of ordinal " + std::to_string(t->OrdinalBase + uint64_t(i)) +
             " at RVA " + rva_text(rva) + " is not within the file";
  }
  return {};
}

// What is wrong with the import directory, if anything: each entry up to
// the null one, its DLL name, its address table up to its zero entry, and
// each hint and name that table points at.
std::string import_table_problem(const COFFObjectFile &obj) {
  const data_directory *dd = obj.getDataDirectory(COFF::IMPORT_TABLE);
  if (!dd || !dd->RelativeVirtualAddress)
    return {};
  ArrayRef<uint8_t> dir = bytes_at(obj, dd->RelativeVirtualAddress);
  const size_t entry = sizeof(coff_import_directory_table_entry), width = obj.is64() ? 8 : 4;
  for (size_t at = 0;; at += entry) {
    if (dir.size() - std::min(at, dir.size()) < entry)
      return "import table: its directory at RVA " + rva_text(dd->RelativeVirtualAddress) +
             " has no null entry within the file";
    const auto *e = reinterpret_cast<const coff_import_directory_table_entry *>(dir.data() + at);
    if (e->isNull())
      return {};
    const std::string which = "import table: directory entry " + std::to_string(at / entry);
    if (!string_at(obj, e->NameRVA))
      return which + ": its DLL name at RVA " + rva_text(e->NameRVA) + " is not within the file";
    ArrayRef<uint8_t> iat = bytes_at(obj, e->ImportAddressTableRVA);
    for (size_t k = 0;; k += width) {
      if (iat.size() - std::min(k, iat.size()) < width)
        return which + ": its address table at RVA " + rva_text(e->ImportAddressTableRVA) +
               " has no zero entry within the file";
      const uint64_t v = width == 8 ? support::endian::read64le(iat.data() + k)
                                    : support::endian::read32le(iat.data() + k);
      if (v == 0)
        break;
      const bool by_ordinal = v >> (width * 8 - 1);
      if (!by_ordinal && !string_at(obj, uint32_t(v & 0x7fffffff), 2))
        return which + ": the hint and name of import " + std::to_string(k / width) + " at RVA " +
               rva_text(uint32_t(v & 0x7fffffff)) + " are not within the file";
    }
  }
}

// A PE image's export table: what a DLL offers.
void pe_exports(const COFFObjectFile &obj, const std::string &dll, Listing &out) {
  for (const ExportDirectoryEntryRef &e : obj.export_directories()) {
    Sym s;
    uint32_t ordinal = 0, rva = 0;
    StringRef name, forwarder;
    bool is_forwarder = false;
    if (!ok(e.getOrdinal(ordinal)) || !ok(e.getExportRVA(rva)) || !ok(e.getSymbolName(name)) ||
        !ok(e.isForwarder(is_forwarder)))
      continue;
    if (is_forwarder && ok(e.getForwardTo(forwarder)))
      s.detail().forwarder = str(forwarder);
    s.name = name.empty() ? "#" + std::to_string(ordinal) : str(name);
    s.detail().ordinal = ordinal;
    s.address = rva;
    s.detail().dll = dll;
    s.global = true;
    s.binding = "global";
    s.detail().name_type = name.empty() ? "ordinal" : "name";
    // Code or data: by the section the export lives in.
    s.type = 'T';
    for (const SectionRef &sec : obj.sections()) {
      const coff_section *c = obj.getCOFFSection(sec);
      if (rva >= c->VirtualAddress && rva < c->VirtualAddress + std::max(c->VirtualSize, c->SizeOfRawData)) {
        auto n = obj.getSectionName(c);
        s.section = n ? str(*n) : "";
        if (!n)
          consumeError(n.takeError());
        s.type = (c->Characteristics & COFF::IMAGE_SCN_CNT_CODE) ? 'T'
                 : (c->Characteristics & COFF::IMAGE_SCN_MEM_WRITE) ? 'D'
                                                                    : 'R';
      }
    }
    if (is_forwarder)
      s.type = 'I';
    out.syms.push_back(std::move(s));
  }
}

// A PE image's import table.
void pe_imports(const COFFObjectFile &obj, Listing &out) {
  for (const ImportDirectoryEntryRef &dir : obj.import_directories()) {
    StringRef dll;
    if (!ok(dir.getName(dll)))
      continue;
    for (const ImportedSymbolRef &i : dir.imported_symbols()) {
      Sym s;
      bool by_ordinal = false;
      uint16_t number = 0;  // the ordinal, or for an import by name its hint
      if (!ok(i.isOrdinal(by_ordinal)) || !ok(i.getOrdinal(number)))
        continue;
      if (by_ordinal) {
        s.name = "#" + std::to_string(number);
        s.detail().ordinal = number;
        s.detail().name_type = "ordinal";
      } else {
        StringRef name;
        if (!ok(i.getSymbolName(name)))
          continue;
        s.name = str(name);
        s.detail().hint = number;
        s.detail().name_type = "name";
      }
      s.detail().dll = str(dll);
      s.defined = false;
      s.type = 'U';
      s.global = true;
      s.binding = "global";
      out.syms.push_back(std::move(s));
    }
  }
}

void elf_needed(const ELFObjectFileBase &obj, Listing &out);
void gnu_import_parts(const COFFObjectFile &obj, Listing &out);
void macho_exports_imports(const MachOObjectFile &obj, const Options &opt, Listing &out);

// An ELF section symbol whose section index is 0, or special (SHN_ABS and
// the like) while its own name is empty or does not read: LLVM names such a symbol by its
// section, and reads the name of section_end(), past the section headers
// (past the file when they end it: both found by fuzz_symdump under
// AddressSanitizer). The symbol is read through ELFFile, which reports what
// does not read (ELFSymbolRef::getELFType would end the process).
template <class ELFT>
bool section_symbol_of_no_section(const ELFObjectFile<ELFT> &o, const BasicSymbolRef &sym) {
  const DataRefImpl d = sym.getRawDataRefImpl();
  auto raw = o.getSymbol(d);
  if (!raw) {
    consumeError(raw.takeError());
    return false;  // getFlags says what is wrong
  }
  const uint16_t x = (*raw)->st_shndx;
  if ((*raw)->getType() != ELF::STT_SECTION || (x != ELF::SHN_UNDEF && x < ELF::SHN_LORESERVE) ||
      x == ELF::SHN_XINDEX)
    return false;
  if (x == ELF::SHN_UNDEF)
    return true;
  const ELFFile<ELFT> &ef = o.getELFFile();
  auto symtab = ef.getSection(d.d.a);
  if (!symtab) {
    consumeError(symtab.takeError());
    return false;
  }
  auto strtab = ef.getStringTableForSymtab(**symtab);
  if (!strtab) {
    consumeError(strtab.takeError());
    return false;
  }
  // A name that does not read is taken for none, as LLVM takes it.
  auto name = (*raw)->getName(*strtab);
  if (!name) {
    consumeError(name.takeError());
    return true;
  }
  return name->empty();
}

bool elf_section_symbol_of_no_section(const SymbolicFile &obj, const BasicSymbolRef &sym) {
  if (const auto *o = dyn_cast<ELF64LEObjectFile>(&obj))
    return section_symbol_of_no_section(*o, sym);
  if (const auto *o = dyn_cast<ELF64BEObjectFile>(&obj))
    return section_symbol_of_no_section(*o, sym);
  if (const auto *o = dyn_cast<ELF32LEObjectFile>(&obj))
    return section_symbol_of_no_section(*o, sym);
  if (const auto *o = dyn_cast<ELF32BEObjectFile>(&obj))
    return section_symbol_of_no_section(*o, sym);
  return false;
}

// The symbols of an x86-64 relocatable ELF object, read from its table at
// once. LLVM's ELFObjectFile finds and checks the table again for every
// accessor (getSymbolFlags, getSymbolAddress, getSymbolName, getSection: a
// fifth of symdump's time over LLVM's archives); this applies the same rules
// (llvm/Object/ELFObjectFile.h, ObjectFile::getSymbolValue) to each raw
// symbol. It takes only a table it can read whole (no extended section
// indices, every name and section index in range) and otherwise adds nothing
// and says false: the general loop then lists the file, errors and all.
bool elf_rel_symbols(const ELF64LEObjectFile &o, const Options &opt, Listing &out) {
  using Shdr = ELF64LE::Shdr;
  const ELFFile<ELF64LE> &ef = o.getELFFile();
  if (ef.getHeader().e_type != ELF::ET_REL || ef.getHeader().e_machine != ELF::EM_X86_64)
    return false;
  auto secs = ef.sections();
  if (!secs)
    return ok(secs.takeError());
  const Shdr *symtab = nullptr;
  for (const Shdr &sh : *secs) {
    if (sh.sh_type == ELF::SHT_SYMTAB_SHNDX || (sh.sh_type == ELF::SHT_SYMTAB && symtab))
      return false;
    if (sh.sh_type == ELF::SHT_SYMTAB)
      symtab = &sh;
  }
  if (!symtab)
    return false;
  auto syms = ef.symbols(symtab);
  auto strtab = ef.getStringTableForSymtab(*symtab, *secs);
  auto shstrtab = ef.getSectionStringTable(*secs);
  if (!syms || !strtab || !shstrtab) {
    consumeError(syms.takeError());
    consumeError(strtab.takeError());
    consumeError(shstrtab.takeError());
    return false;
  }
  const size_t nsecs = secs->size();
  for (const Shdr &sh : *secs)
    if (sh.sh_name >= shstrtab->size())
      return false;
  auto section_of = [&](uint16_t shndx) -> const Shdr * {
    return shndx == ELF::SHN_UNDEF || shndx >= ELF::SHN_LORESERVE ? nullptr : &(*secs)[shndx];
  };
  // As ELFFile::getSectionName: a name at offset 0 is empty, whatever the table holds there.
  auto name_of = [&](const Shdr &sh) {
    return sh.sh_name == 0 ? StringRef() : StringRef(shstrtab->data() + sh.sh_name);
  };
  for (const ELF64LE::Sym &es : *syms) {
    const uint16_t x = es.st_shndx;
    if (es.st_name >= strtab->size() || x == ELF::SHN_XINDEX ||
        (x != ELF::SHN_UNDEF && x < ELF::SHN_LORESERVE && x >= nsecs))
      return false;
  }

  // As symbol_begin(): from 1, past the null symbol, unless it is the only one.
  for (size_t i = syms->size() > 1 ? 1 : 0; i < syms->size(); ++i) {
    const ELF64LE::Sym &es = (*syms)[i];
    const bool null_symbol = i == 0;
    const uint8_t type = es.getType(), binding = es.getBinding();
    const uint16_t shndx = es.st_shndx;
    // A section symbol without a name is named by its section: none, or special.
    if (type == ELF::STT_SECTION &&
        (shndx == ELF::SHN_UNDEF ||
         (shndx >= ELF::SHN_LORESERVE && (*strtab)[es.st_name] == '\0'))) {
      leave_out_section_symbol_of_no_section(out);
      continue;
    }
    uint32_t flags = SymbolRef::SF_None;
    if (binding != ELF::STB_LOCAL)
      flags |= SymbolRef::SF_Global;
    if (binding == ELF::STB_WEAK)
      flags |= SymbolRef::SF_Weak;
    if (shndx == ELF::SHN_ABS)
      flags |= SymbolRef::SF_Absolute;
    if (type == ELF::STT_FILE || type == ELF::STT_SECTION || null_symbol)
      flags |= SymbolRef::SF_FormatSpecific;
    if (shndx == ELF::SHN_UNDEF)
      flags |= SymbolRef::SF_Undefined;
    if (type == ELF::STT_COMMON || shndx == ELF::SHN_COMMON)
      flags |= SymbolRef::SF_Common;
    if ((flags & SymbolRef::SF_FormatSpecific) && !opt.debug_syms)
      continue;
    const Shdr *sec = section_of(shndx);
    Sym s;
    s.size = es.st_size;
    for (const auto &e : ElfSymbolTypes)
      if (e.Value == type) {
        s.elf_type = str_view(e.AltName);
        break;
      }
    // getSymbolAddress: the value (0 undefined, the size for a common), plus
    // the section's address in a relocatable object.
    s.address = (flags & SymbolRef::SF_Undefined) ? 0
                : (flags & SymbolRef::SF_Common)  ? uint64_t(es.st_size)
                                                  : uint64_t(es.st_value);
    if (shndx != ELF::SHN_COMMON && shndx != ELF::SHN_UNDEF && shndx != ELF::SHN_ABS && sec)
      s.address += sec->sh_addr;
    auto sec_name = [&]() -> std::optional<StringRef> { return name_of(*sec); };
    s.type = elf_symbol_letter(flags, type, binding, [&] {
      ElfLetterSection in;
      if (sec) {
        in.exists = true;
        in.type = sec->sh_type;
        in.flags = sec->sh_flags;
        in.name = sec_name;
      }
      return in;
    });
    StringRef name(strtab->data() + es.st_name);
    if (name.empty() && type == ELF::STT_SECTION)
      name = name_of(*sec);
    s.name = name.str();
    set_binding(s, flags);
    if (opt.sections && sec)
      s.section = name_of(*sec).str();
    out.syms.push_back(std::move(s));
  }
  return true;
}

} // namespace

std::string read_object(const std::string &file, const char *bytes, size_t size,
                        const Options &opt, Listing &out) {
  MemoryBufferRef ref(StringRef(bytes, size), out.in_archive ? out.member : file);
  file_magic magic = identify_magic(ref.getBuffer());
  // Bitcode is read through LLVM IR, which needs a context of its own.
  std::unique_ptr<LLVMContext> context;
  if (magic == file_magic::bitcode)
    context = std::make_unique<LLVMContext>();
  if (magic == file_magic::macho_object || magic == file_magic::macho_executable ||
      magic == file_magic::macho_dynamically_linked_shared_lib || magic == file_magic::macho_bundle ||
      magic == file_magic::macho_core || magic == file_magic::macho_preload_executable ||
      magic == file_magic::macho_dynamic_linker || magic == file_magic::macho_kext_bundle ||
      magic == file_magic::macho_dsym_companion || magic == file_magic::macho_file_set ||
      magic == file_magic::macho_dynamically_linked_shared_lib_stub)
    if (rtlink::Error e = rtlink::check_macho_commands({reinterpret_cast<const uint8_t *>(bytes), size}))
      return e.message();
  auto made = SymbolicFile::createSymbolicFile(ref, magic, context.get());
  if (!made) {
    std::string msg = toString(made.takeError());
    return msg;
  }
  SymbolicFile &obj = **made;
  // IRObjectFile takes bitcode that holds no module (one cut short after its
  // magic) and then reads its first module's triple through a null pointer
  // (llvm-nm crashes so): no module is an error here.
  if (const auto *ir = dyn_cast<IRObjectFile>(&obj); ir && ir->modules().empty())
    return "truncated bitcode: no module in its " + std::to_string(size) + " bytes";

  out.wide = true;
  if (isa<COFFObjectFile>(obj) || isa<COFFImportFile>(obj))
    out.wide = false;
  else if (const auto *m = dyn_cast<MachOObjectFile>(&obj))
    out.wide = m->is64Bit();
  else if (const auto *e = dyn_cast<ELFObjectFileBase>(&obj))
    out.wide = e->getBytesInAddress() == 8;
  else if (const auto *ir = dyn_cast<IRObjectFile>(&obj)) {
    out.wide = Triple(ir->getTargetTriple()).isArch64Bit();
    out.ir = true;
  }
  out.kind = isa<ELFObjectFileBase>(obj)  ? "elf"
             : isa<COFFImportFile>(obj)  ? "coff-import"
             : isa<MachOObjectFile>(obj) ? "macho"
             : isa<COFFObjectFile>(obj)  ? "coff"
             : isa<IRObjectFile>(obj)    ? "bitcode"
                                         : "other";
  const auto *coff = dyn_cast<COFFObjectFile>(&obj);
  const bool pe = coff && (coff->getPE32Header() || coff->getPE32PlusHeader());
  if (pe)
    out.kind = "pe";
  // An image lists its exports (or imports) when asked, or when it has no
  // symbol table: llvm-nm would say "no symbols" of a DLL.
  if (pe && (opt.exports || opt.imports || obj.symbols().empty())) {
    // A DLL's symbols are its exports (and, asked for, its imports).
    std::string dll = file.substr(file.rfind('/') + 1);
    if (!opt.imports || opt.exports) {
      if (std::string bad = export_table_problem(*coff); !bad.empty())
        return bad;
      pe_exports(*coff, dll, out);
    }
    if (opt.imports) {
      if (std::string bad = import_table_problem(*coff); !bad.empty())
        return bad;
      pe_imports(*coff, out);
    }
    out.had_symbols = !out.syms.empty();
    return {};
  }

  if (const auto *m = dyn_cast<MachOObjectFile>(&obj); m && (opt.exports || opt.imports)) {
    macho_exports_imports(*m, opt, out);
    out.had_symbols = !out.syms.empty();
    return {};
  }

  // -l: each symbol's place in the source, for objects (not bitcode).
  std::optional<LineFinder> lines;
  if (const auto *o = dyn_cast<ObjectFile>(&obj); o && opt.line_numbers)
    lines.emplace(*o);
  // LLVM's symbolizer names every symbol of the object, a section symbol of
  // no section too (see elf_section_symbol_of_no_section): then no lines.
  // The scan stops where the listing below does, at a symbol that does not
  // read (going on read a forged table of 2^36 entries one error at a time:
  // found by fuzz_symdump), in the same order: a section symbol of no section
  // is told before its flags are read (they name it by its section).
  bool symbolizable = true;
  if (lines)
    for (const BasicSymbolRef &sym : obj.symbols()) {
      if (elf_section_symbol_of_no_section(obj, sym)) {
        symbolizable = false;
        break;
      }
      if (auto flags = sym.getFlags(); !flags) {
        consumeError(flags.takeError());
        break;
      }
    }
  auto find_line = [&](const SymbolRef &sym, Sym &s) {
    std::string error = symbolizable ? "" : "a section symbol (STT_SECTION) of no section";
    SourceLine at = symbolizable ? lines->find(sym, s.type, error) : SourceLine{};
    s.detail().source_file = std::move(at.file);
    s.detail().source_line = at.line;
    if (!error.empty() && out.warning.empty())
      out.warning = "line numbers: " + error;
  };

  auto range = obj.symbols();
  if (opt.dynamic) {
    const auto *e = dyn_cast<ELFObjectFileBase>(&obj);
    if (!e)
      return "--dynamic applies to ELF files only";
    auto dyn = e->getDynamicSymbolIterators();
    out.had_symbols = dyn.begin() != dyn.end();
    // Each dynamic symbol's version (.gnu.version), one entry per symbol in
    // the order of the table; none without versions.
    std::vector<VersionEntry> versions;
    if (rtlink::Error bad = rtlink::check_elf_versions(*e))
      return bad.message();
    if (auto v = e->readDynsymVersions())
      versions = std::move(*v);
    else
      out.warning = "unable to read symbol versions: " + toString(v.takeError());
    size_t index = 0;
    for (const ELFSymbolRef &sym : dyn) {
      const size_t i = index++;
      if (elf_section_symbol_of_no_section(obj, sym))
        continue;
      // A symbol that does not read ends the listing with the error, as
      // llvm-nm's does (going on read a forged table of 2^60 entries one
      // error at a time: found by fuzz_symdump).
      auto flags = sym.getFlags();
      if (!flags)
        return toString(flags.takeError());
      if ((*flags & SymbolRef::SF_FormatSpecific) && !opt.debug_syms)
        continue;
      Sym s;
      auto n = sym.getName();
      s.name = n ? str(*n) : "";
      if (!n)
        consumeError(n.takeError());
      if (i < versions.size() && !versions[i].Name.empty()) {
        s.detail().version = versions[i].Name;
        s.detail().version_default = versions[i].IsVerDef;
        s.name += (s.detail().version_default ? "@@" : "@") + s.detail().version;
      }
      s.size = sym.getSize();
      auto a = sym.getAddress();
      s.address = a ? *a : 0;
      if (!a)
        consumeError(a.takeError());
      s.type = letter(obj, sym, *flags);
      s.elf_type = str_view(sym.getELFTypeName());
      set_binding(s, *flags);
      if (opt.sections)
        s.section = section_name(*e, sym);
      if (lines)
        find_line(sym, s);
      out.syms.push_back(std::move(s));
    }
    return {};
  }
  out.had_symbols = range.begin() != range.end();
  if (isa<ELFObjectFileBase>(&obj)) {
    // Room for every symbol at once (a Sym is a dozen strings, moved each
    // time the vector grew), counted no further than the file could hold.
    size_t count = 0;
    for (auto it = range.begin(); it != range.end() && count < size / 16; ++it)
      ++count;
    out.syms.reserve(count);
  }

  const auto *imp = dyn_cast<COFFImportFile>(&obj);
  const auto *elf_rel = dyn_cast<ELF64LEObjectFile>(&obj);
  const bool listed = elf_rel && !lines && elf_rel_symbols(*elf_rel, opt, out);
  for (const BasicSymbolRef &sym : listed ? decltype(range)(range.end(), range.end()) : range) {
    if (elf_section_symbol_of_no_section(obj, sym)) {
      leave_out_section_symbol_of_no_section(out);
      continue;
    }
    auto flags = sym.getFlags();
    if (!flags)
      return toString(flags.takeError());
    if ((*flags & SymbolRef::SF_FormatSpecific) && !opt.debug_syms)
      continue;
    Sym s;
    if (isa<ELFObjectFileBase>(&obj)) {
      s.size = ELFSymbolRef(sym).getSize();
      s.elf_type = str_view(ELFSymbolRef(sym).getELFTypeName());
    }
    if (isa<ObjectFile>(obj)) {
      auto a = SymbolRef(sym).getAddress();
      if (!a) {
        consumeError(a.takeError());
        break;  // as llvm-nm does
      }
      s.address = *a;
    }
    s.type = letter(obj, sym, *flags);
    if (s.type == '-')
      if (const auto *m = dyn_cast<MachOObjectFile>(&obj))
        s.detail().stab = macho_stab(*m, sym.getRawDataRefImpl());
    std::string name;
    raw_string_ostream os(name);
    if (Error e = sym.printName(os))
      return toString(std::move(e));
    os.flush();
    s.name = std::move(name);
    set_binding(s, *flags);
    if (const auto *o = dyn_cast<ObjectFile>(&obj); o && opt.sections)
      s.section = section_name(*o, SymbolRef(sym));
    if (imp) {
      const coff_import_header *h = imp->getCOFFImportHeader();
      // The DLL's name follows the symbol name in the member's data.
      StringRef data = imp->getMemoryBufferRef().getBuffer().drop_front(sizeof(coff_import_header));
      StringRef symbol = data.split('\0').first;
      s.detail().dll = str(data.split('\0').second.split('\0').first);
      s.detail().name_type = import_name_type(h->getNameType());
      (h->getNameType() == COFF::IMPORT_ORDINAL ? s.detail().ordinal : s.detail().hint) = h->OrdinalHint;
      s.detail().import_type = h->getType() == COFF::IMPORT_CODE   ? "code"
                      : h->getType() == COFF::IMPORT_DATA ? "data"
                                                          : "const";
      (void)symbol;
    }
    if (lines)
      find_line(SymbolRef(sym), s);
    out.syms.push_back(std::move(s));
  }
  if (opt.imports) {
    if (const auto *e = dyn_cast<ELFObjectFileBase>(&obj))
      elf_needed(*e, out);
  }
  if (coff && !pe) {
    if (std::string bad = unreadable_relocations(*coff); !bad.empty()) {
      if (out.warning.empty())
        out.warning = bad;
    } else {
      gnu_import_parts(*coff, out);
    }
  }
  return {};
}

namespace {

// ELF: the libraries a shared object needs (DT_NEEDED), as imports.
void elf_needed(const ELFObjectFileBase &obj, Listing &out) {
  const auto *e64 = dyn_cast<ELF64LEObjectFile>(&obj);
  if (!e64)
    return;
  const auto &ef = e64->getELFFile();
  auto dyn = ef.dynamicEntries();
  if (!dyn) {
    consumeError(dyn.takeError());
    return;
  }
  uint64_t strtab_addr = 0, strsz = 0;
  for (const auto &d : *dyn) {
    if (d.getTag() == ELF::DT_STRTAB)
      strtab_addr = d.getVal();
    if (d.getTag() == ELF::DT_STRSZ)
      strsz = d.getVal();
  }
  auto strtab = ef.toMappedAddr(strtab_addr);
  if (!strtab) {
    consumeError(strtab.takeError());
    return;
  }
  StringRef table(reinterpret_cast<const char *>(*strtab),
                  std::min<uint64_t>(strsz, ef.getBufSize() - (*strtab - ef.base())));
  // The versions each library is needed at (.gnu.version_r).
  std::map<std::string, std::vector<std::string>> versions;
  if (auto secs = ef.sections())
    for (const auto &sh : *secs) {
      if (sh.sh_type != ELF::SHT_GNU_verneed)
        continue;
      auto needs = ef.getVersionDependencies(sh);
      if (!needs) {
        consumeError(needs.takeError());
        continue;
      }
      // The names come with what follows them in the string table: cut at NUL.
      for (const VerNeed &n : *needs)
        for (const VernAux &a : n.AuxV)
          versions[n.File.substr(0, n.File.find('\0'))].push_back(a.Name.substr(0, a.Name.find('\0')));
    }
  else
    consumeError(secs.takeError());
  for (const auto &d : *dyn)
    if (d.getTag() == ELF::DT_NEEDED && d.getVal() < table.size()) {
      Sym s;
      s.name = str(table.drop_front(d.getVal()).split('\0').first);
      s.detail().dll = s.name;
      s.detail().versions = versions[s.name];
      s.type = 'U';
      s.defined = false;
      s.global = true;
      s.binding = "needed";
      out.syms.push_back(std::move(s));
    }
}

} // namespace

namespace {

// The parts of a MinGW long-format import library a member may be (see
// Listing::import_head): an import member's reference to the head symbol,
// the head member's reference to the DLL name symbol, the tail's names.
void gnu_import_parts(const COFFObjectFile &obj, Listing &out) {
  auto name_of = [&](const SectionRef &sec) -> StringRef {
    auto n = sec.getName();
    if (!n) {
      consumeError(n.takeError());
      return {};
    }
    return *n;
  };
  auto symbol_name = [&](const RelocationRef &r) -> std::string {
    symbol_iterator target = r.getSymbol();
    if (target == obj.symbol_end())
      return {};
    auto n = target->getName();
    if (!n) {
      consumeError(n.takeError());
      return {};
    }
    return str(*n);
  };
  bool cell = false;
  std::string head;
  for (const SectionRef &sec : obj.sections()) {
    StringRef name = name_of(sec);
    if (name == ".idata$5")
      cell = true;
    if (name == ".idata$7" && !sec.relocations().empty() &&
        std::next(sec.relocations().begin()) == sec.relocations().end())
      head = symbol_name(*sec.relocations().begin());
    if (name == ".idata$2")
      for (const RelocationRef &r : sec.relocations())
        if (r.getOffset() == 12)  // the import directory entry's Name field
          out.head_iname = symbol_name(r);
  }
  if (cell)
    out.import_head = head;
  // The symbols the head and the tail define there.
  for (const SymbolRef &sym : obj.symbols()) {
    auto flags = sym.getFlags();
    auto sec = sym.getSection();
    auto n = sym.getName();
    if (!flags || !sec || !n || !(*flags & SymbolRef::SF_Global) ||
        (*flags & SymbolRef::SF_Undefined) || *sec == obj.section_end()) {
      if (!flags)
        consumeError(flags.takeError());
      if (!sec)
        consumeError(sec.takeError());
      if (!n)
        consumeError(n.takeError());
      continue;
    }
    StringRef where = name_of(**sec);
    if (where == ".idata$2" && !out.head_iname.empty())
      out.head_symbol = str(*n);
    if (where == ".idata$7") {
      auto contents = (*sec)->getContents();
      if (!contents) {
        consumeError(contents.takeError());
        continue;
      }
      const uint64_t at = obj.getCOFFSymbol(sym).getValue();
      if (at >= contents->size())
        continue;
      StringRef dll = contents->drop_front(at);
      size_t end = dll.find('\0');
      if (end != StringRef::npos && end > 0)
        out.dll_names.emplace_back(str(*n), str(dll.take_front(end)));
    }
  }
}

} // namespace

namespace {

// Mach-O: a dylib's exports (the export trie), and the dylibs it loads.
void macho_exports_imports(const MachOObjectFile &obj, const Options &opt, Listing &out) {
  if (opt.exports || !opt.imports) {
    Error err = Error::success();
    for (const ExportEntry &e : obj.exports(err)) {
      Sym s;
      s.name = str(e.name());
      s.address = e.address();
      s.global = true;
      s.binding = "global";
      uint64_t kind = e.flags() & MachO::EXPORT_SYMBOL_FLAGS_KIND_MASK;
      s.type = (e.flags() & MachO::EXPORT_SYMBOL_FLAGS_REEXPORT)     ? 'I'
               : kind == MachO::EXPORT_SYMBOL_FLAGS_KIND_ABSOLUTE    ? 'A'
               : kind == MachO::EXPORT_SYMBOL_FLAGS_KIND_THREAD_LOCAL ? 'S'
                                                                      : 'T';
      if (e.flags() & MachO::EXPORT_SYMBOL_FLAGS_REEXPORT)
        s.detail().forwarder = str(e.otherName().empty() ? e.name() : e.otherName());
      out.syms.push_back(std::move(s));
    }
    if (err)
      consumeError(std::move(err));
  }
  if (opt.imports) {
    for (const auto &lc : obj.load_commands()) {
      if (lc.C.cmd != MachO::LC_LOAD_DYLIB && lc.C.cmd != MachO::LC_LOAD_WEAK_DYLIB &&
          lc.C.cmd != MachO::LC_REEXPORT_DYLIB && lc.C.cmd != MachO::LC_LAZY_LOAD_DYLIB)
        continue;
      MachO::dylib_command d = obj.getDylibIDLoadCommand(lc);
      if (d.dylib.name >= lc.C.cmdsize)
        continue;
      Sym s;
      s.name = str(StringRef(lc.Ptr + d.dylib.name, lc.C.cmdsize - d.dylib.name).split('\0').first);
      s.detail().dll = s.name;
      s.type = 'U';
      s.defined = false;
      s.global = true;
      s.binding = lc.C.cmd == MachO::LC_LOAD_WEAK_DYLIB ? "weak" : "needed";
      out.syms.push_back(std::move(s));
    }
  }
}

} // namespace

} // namespace symdump
