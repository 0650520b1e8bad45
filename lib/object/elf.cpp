// object/elf.cpp — ELF64 little-endian relocatable objects (x86-64) → LinkUnit.
//
// LLVM's ELFFile reads the headers, sections, symbols and RELA tables; every
// index and offset it hands back is checked here against what it indexes, so
// a bogus file gets an error naming the file and the thing out of bounds.
// Only SHF_ALLOC sections are loaded; relocations of anything else (debug
// info) are never read.
#include "object/elf.hpp"
#include "object/elf_reloc.hpp"
#include "support/format.hpp"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELF.h>

#include <charconv>
#include <cstring>

namespace rtlink {

using namespace llvm::ELF;
using ELFT = llvm::object::ELF64LE;

namespace {

constexpr uint64_t kMaxAlignment = uint64_t(1) << 30;

std::string_view sv(llvm::StringRef s) { return {s.data(), s.size()}; }
std::span<const uint8_t> span_of(llvm::StringRef s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ".init_array.00100" → 100; -1 when there is no numeric suffix.
int32_t suffix_number(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || !starts_with(name, prefix) || name[prefix.size()] != '.')
    return -1;
  std::string_view digits = name.substr(prefix.size() + 1);
  int32_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size())
    return -1;
  return value;
}

// Role and init/fini priority, as GNU ld orders them: .init_array.N by N,
// .ctors.N as priority 65535-N, unnumbered ones last.
void classify(Section &s, uint32_t type, bool x86_64) {
  std::string_view n = s.name;
  auto set = [&](SectionRole role, std::string_view prefix, bool inverted) {
    s.role = role;
    int32_t num = suffix_number(n, prefix);
    if (num >= 0)
      s.priority = inverted ? 65535 - num : num;
  };
  if (type == SHT_INIT_ARRAY || n == ".init_array" || starts_with(n, ".init_array."))
    set(SectionRole::InitArray, ".init_array", false);
  else if (type == SHT_FINI_ARRAY || n == ".fini_array" || starts_with(n, ".fini_array."))
    set(SectionRole::FiniArray, ".fini_array", false);
  else if (type == SHT_PREINIT_ARRAY)
    s.role = SectionRole::PreinitArray;
  else if (n == ".ctors" || starts_with(n, ".ctors."))
    set(SectionRole::Ctors, ".ctors", true);
  else if (n == ".dtors" || starts_with(n, ".dtors."))
    set(SectionRole::Dtors, ".dtors", true);
  else if (n == ".eh_frame" || (x86_64 && type == SHT_X86_64_UNWIND))
    s.role = SectionRole::EHFrame;
  else
    s.role = SectionRole::Normal;
}

} // namespace

extern const ElfMachine *const kElfX86_64;
extern const ElfMachine *const kElfAArch64;

const ElfMachine *elf_machine(uint16_t machine) {
  switch (machine) {
  case EM_X86_64: return kElfX86_64;
  case EM_AARCH64: return kElfAArch64;
  default: return nullptr;
  }
}

Expected<LinkUnit> parse_elf_object(std::string name, std::shared_ptr<const FileData> file,
                                    std::span<const uint8_t> bytes) {
  auto fail = [&](const auto &...parts) { return make_error(name, ": ", parts...); };
  auto llvm_fail = [&](std::string_view what, llvm::Error e) {
    return fail(what, ": ", llvm::toString(std::move(e)));
  };

  if (bytes.size() < sizeof(ELFT::Ehdr))
    return fail("truncated ELF header (", bytes.size(), " bytes, need ", sizeof(ELFT::Ehdr), ")");
  if (bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB)
    return fail("not a 64-bit little-endian ELF object");
  auto created = llvm::object::ELFFile<ELFT>::create(
      llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
  if (!created)
    return llvm_fail("bad ELF header", created.takeError());
  const llvm::object::ELFFile<ELFT> &ef = *created;
  const auto &hdr = ef.getHeader();
  if (hdr.e_type != ET_REL)
    return fail("not a relocatable object (ELF type ", hdr.e_type, ")");
  const ElfMachine *machine = elf_machine(hdr.e_machine);
  if (!machine)
    return fail("ELF machine ", hdr.e_machine, " is not supported (x86-64 and aarch64 are)");

  auto secs_or = ef.sections();
  if (!secs_or)
    return llvm_fail("bad section header table", secs_or.takeError());
  auto secs = *secs_or;

  LinkUnit u;
  u.name = name;
  u.file = std::move(file);
  u.arch = machine->arch;
  u.relocation_name = machine->relocation_name;
  u.sections.resize(secs.size());

  const ELFT::Shdr *symtab = nullptr;
  uint32_t symtab_index = 0;
  std::span<const uint8_t> strtab_used;

  auto shstrtab = ef.getSectionStringTable(secs);
  if (!shstrtab)
    return llvm_fail("section name table", shstrtab.takeError());
  for (size_t i = 0; i < secs.size(); ++i) {
    const ELFT::Shdr &sh = secs[i];
    auto nm = ef.getSectionName(sh, *shstrtab);
    if (!nm)
      return llvm_fail("section #" + std::to_string(i), nm.takeError());
    Section &s = u.sections[i];
    s.name = sv(*nm);
    if (sh.sh_type == SHT_SYMTAB) {
      symtab = &sh;
      symtab_index = uint32_t(i);
    }
    if (!(sh.sh_flags & SHF_ALLOC) || (sh.sh_flags & SHF_EXCLUDE))
      continue;
    switch (sh.sh_type) {
    case SHT_PROGBITS:
    case SHT_NOBITS:
    case SHT_INIT_ARRAY:
    case SHT_FINI_ARRAY:
    case SHT_PREINIT_ARRAY: break;
    case SHT_X86_64_UNWIND:
      if (machine->arch == Arch::X86_64)
        break;  // (0x70000001 is another type on other machines)
      continue;
    default: continue;  // notes, properties: nothing to load
    }
    // Compressed sections are for debug data only: the ELF spec forbids SHF_ALLOC
    // with SHF_COMPRESSED, and copying the compressed bytes would run garbage.
    if (sh.sh_flags & SHF_COMPRESSED)
      return fail("section ", s.name, ": a loaded section (SHF_ALLOC) is marked SHF_COMPRESSED");
    if (sh.sh_flags & SHF_TLS)
      s.tls = true;
    uint64_t align = sh.sh_addralign ? uint64_t(sh.sh_addralign) : 1;
    if (align & (align - 1))
      return fail("section ", s.name, ": alignment ", align, " is not a power of two");
    if (align > kMaxAlignment)
      return fail("section ", s.name, ": alignment ", hex(align), " is larger than 1 GiB");
    s.align = uint32_t(align);
    s.size = sh.sh_size;
    if (sh.sh_type != SHT_NOBITS) {
      if (sh.sh_offset > bytes.size() || sh.sh_size > bytes.size() - sh.sh_offset)
        return fail("section ", s.name, ": data at offset ", hex(sh.sh_offset), " size ",
                    hex(sh.sh_size), " runs past the end of the file (", hex(bytes.size()), ")");
      s.bytes = bytes.data() + sh.sh_offset;
    }
    if (sh.sh_flags & SHF_EXECINSTR)
      s.perm = Perm::ReadExecute;
    else if (sh.sh_flags & SHF_WRITE)
      s.perm = starts_with(s.name, ".data.rel.ro") ? Perm::RelRO : Perm::ReadWrite;
    else
      s.perm = Perm::Read;
    classify(s, sh.sh_type, machine->arch == Arch::X86_64);
  }

  // Symbols. Indices stay ELF's, so relocations need no remapping.
  if (symtab) {
    auto syms = ef.symbols(symtab);
    if (!syms)
      return llvm_fail("symbol table", syms.takeError());
    auto strtab = ef.getStringTableForSymtab(*symtab, secs);
    if (!strtab)
      return llvm_fail("symbol table", strtab.takeError());
    strtab_used = span_of(*strtab);
    llvm::ArrayRef<ELFT::Word> shndx;
    for (const ELFT::Shdr &sh : secs)
      if (sh.sh_type == SHT_SYMTAB_SHNDX && sh.sh_link == symtab_index) {
        auto t = ef.getSectionContentsAsArray<ELFT::Word>(sh);
        if (!t)
          return llvm_fail("extended section index table", t.takeError());
        shndx = *t;
      }
    u.symbols.resize(syms->size());
    uint32_t j = 0;
    for (const ELFT::Sym &es : *syms) {
      Symbol &s = u.symbols[j];
      auto nm = es.getName(*strtab);
      if (!nm)
        return llvm_fail("symbol #" + std::to_string(j), nm.takeError());
      s.name = sv(*nm);
      s.value = es.st_value;
      s.size = es.st_size;
      s.is_section = es.getType() == STT_SECTION;
      s.is_function = es.getType() == STT_FUNC;
      switch (es.getBinding()) {
      case STB_LOCAL: s.binding = Binding::Local; break;
      case STB_WEAK: s.binding = Binding::Weak; break;
      default: s.binding = Binding::Global; break;  // GLOBAL, GNU_UNIQUE
      }
      if (es.getType() == STT_GNU_IFUNC && es.st_shndx != SHN_UNDEF)
        s.is_function = s.is_ifunc = true;
      uint32_t idx = es.st_shndx;
      if (idx == SHN_XINDEX) {
        if (j >= shndx.size())
          return fail("symbol ", s.name, ": extended section index missing");
        idx = shndx[j];
      }
      if (idx == SHN_UNDEF)
        s.section = kUndefined;
      else if (idx == SHN_ABS)
        s.section = kAbsolute;
      else if (idx == SHN_COMMON) {
        s.section = kCommon;
        if (s.value == 0 || (s.value & (s.value - 1)) || s.value > kMaxAlignment)
          return fail("common symbol ", s.name, ": alignment ", s.value,
                      " is not a power of two up to 1 GiB");
      } else if (idx >= u.sections.size())
        return fail("symbol ", s.name.empty() ? "#" + std::to_string(j) : std::string(s.name),
                    ": section index ", idx, " out of range (", u.sections.size(), " sections)");
      else if (s.value > secs[idx].sh_size)  // (one past the end is an end symbol)
        return fail("symbol ", s.name.empty() ? "#" + std::to_string(j) : quote(s.name),
                    ": value ", hex(s.value), " lies outside its section ", u.sections[idx].name,
                    " (size ", hex(secs[idx].sh_size), ")");
      else
        s.section = idx;
      ++j;
    }
  }

  // COMDAT groups.
  for (size_t i = 0; i < secs.size(); ++i) {
    const ELFT::Shdr &sh = secs[i];
    if (sh.sh_type != SHT_GROUP)
      continue;
    auto words = ef.getSectionContentsAsArray<ELFT::Word>(sh);
    if (!words)
      return llvm_fail("section group " + std::string(u.sections[i].name), words.takeError());
    if (words->empty() || !((*words)[0] & GRP_COMDAT))
      continue;
    if (sh.sh_link != symtab_index || sh.sh_info >= u.symbols.size())
      return fail("section group ", u.sections[i].name, ": signature symbol ", sh.sh_info,
                  " out of range");
    Group g;
    const Symbol &sig = u.symbols[sh.sh_info];
    g.signature = sig.is_section && sig.section < u.sections.size() ? u.sections[sig.section].name
                                                                     : sig.name;
    for (size_t k = 1; k < words->size(); ++k) {
      uint32_t m = (*words)[k];
      if (m >= u.sections.size())
        return fail("section group ", g.signature, ": member section ", m, " out of range");
      g.sections.push_back(m);
    }
    u.groups.push_back(std::move(g));
  }

  // Relocations of loaded sections, into one array: room for them all at
  // once (as many as the tables say, no more than the file could hold).
  uint64_t relocations = 0;
  for (const typename ELFT::Shdr &sh : secs)
    if (sh.sh_type == SHT_RELA && sh.sh_info < u.sections.size() &&
        u.sections[sh.sh_info].role != SectionRole::Skip)
      relocations += sh.sh_size / sizeof(typename ELFT::Rela);
  u.edges.reserve(std::min<uint64_t>(relocations, bytes.size() / sizeof(typename ELFT::Rela)));
  for (size_t i = 0; i < secs.size(); ++i) {
    const ELFT::Shdr &sh = secs[i];
    if (sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL)
      continue;
    if (sh.sh_info >= u.sections.size())
      return fail("relocation section ", u.sections[i].name, ": target section ", sh.sh_info,
                  " out of range");
    Section &target = u.sections[sh.sh_info];
    if (target.role == SectionRole::Skip)
      continue;
    if (sh.sh_type == SHT_REL)
      return fail("relocation section ", u.sections[i].name,
                  ": SHT_REL is not used on ", arch_name(u.arch), " (expected SHT_RELA)");
    if (sh.sh_link != symtab_index)
      return fail("relocation section ", u.sections[i].name, ": does not use the symbol table");
    auto relas = ef.relas(sh);
    if (!relas)
      return llvm_fail("relocation section " + std::string(u.sections[i].name), relas.takeError());
    // A zero-fill section has no bytes in the file to patch (nor any the
    // layout copies): a fixup there would write where nothing was placed.
    if (!relas->empty() && secs[sh.sh_info].sh_type == SHT_NOBITS)
      return fail("relocation section ", u.sections[i].name, " applies to ", target.name,
                  ", which has no contents (SHT_NOBITS)");
    for (const ELFT::Rela &r : *relas) {
      uint32_t type = r.getType(false);
      uint32_t sym = r.getSymbol(false);
      RelocMapping m = machine->map_relocation(type);
      auto where = [&] { return u.site(uint32_t(sh.sh_info), r.r_offset); };
      if (m.cls == RelocClass::None)
        continue;
      if (sym >= u.symbols.size())
        return make_error(where(), ": relocation refers to symbol #", sym, ", past the symbol table (",
                          u.symbols.size(), " symbols)");
      if (m.cls == RelocClass::Unsupported)
        return make_error(where(), ": relocation ", machine->relocation_name(uint16_t(type)),
                          " against ", u.symbol_name(sym), " is not supported on ",
                          arch_name(u.arch), " yet");
      if (m.cls == RelocClass::Unknown)
        return make_error(where(), ": unknown relocation type ", type, " (",
                          machine->relocation_name(uint16_t(type)), ") against ",
                          u.symbol_name(sym));
      unsigned width = edge_width(m.kind);
      if (r.r_offset > target.size || target.size - r.r_offset < width)
        return make_error(where(), ": relocation ", machine->relocation_name(uint16_t(type)),
                          " runs past the end of section ", target.name, " (size ",
                          hex(target.size), ")");
      u.add_edge(sh.sh_info, Edge{r.r_offset, r.r_addend, sym, uint16_t(type), m.kind});
    }
  }
  // Nothing but the names points into the file (Section::bytes aside).
  u.name_tables.push_back(span_of(*shstrtab));
  if (!strtab_used.empty())
    u.name_tables.push_back(strtab_used);
  return u;
}

Error for_each_defined_global(std::span<const uint8_t> bytes, bool dynamic,
                              const std::function<void(std::string_view)> &fn) {
  auto llvm_error = [](std::string_view what, llvm::Error e) {
    return make_error(what, ": ", llvm::toString(std::move(e)));
  };
  if (bytes.size() < 4 || std::memcmp(bytes.data(), ElfMagic, 4) != 0 ||
      (bytes.size() > EI_DATA && (bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB)))
    return Error::success();  // not ELF64 little-endian: nothing here
  auto ef = llvm::object::ELFFile<ELFT>::create(
      llvm::StringRef(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
  if (!ef)
    return llvm_error("bad ELF header", ef.takeError());
  auto secs = ef->sections();
  if (!secs)
    return llvm_error("bad section header table", secs.takeError());
  for (const ELFT::Shdr &sh : *secs) {
    if (sh.sh_type != (dynamic ? SHT_DYNSYM : SHT_SYMTAB))
      continue;
    auto syms = ef->symbols(&sh);
    if (!syms)
      return llvm_error("symbol table", syms.takeError());
    auto strtab = ef->getStringTableForSymtab(sh, *secs);
    if (!strtab)
      return llvm_error("symbol table", strtab.takeError());
    uint32_t j = 0;
    for (const ELFT::Sym &es : *syms) {
      ++j;
      if (es.getBinding() == STB_LOCAL || es.st_shndx == SHN_UNDEF)
        continue;
      auto n = es.getName(*strtab);
      if (!n)
        return llvm_error("symbol #" + std::to_string(j - 1), n.takeError());
      fn(sv(*n));
    }
  }
  return Error::success();
}

} // namespace rtlink
