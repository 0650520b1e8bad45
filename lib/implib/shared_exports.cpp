// implib/shared_exports.cpp — what an ELF shared object exports, for the
// lazy-loading stubs (elf_stubs.hpp): its soname, machine, and dynamic
// symbols with their versions, read through LLVM's ELF reader.
#include "implib/elf_stubs.hpp"
#include "implib/coff_object.hpp"  // label_of
#include "object/elf_versions.hpp"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/Error.h>

#include <algorithm>
#include <map>

namespace rtlink::implib {
namespace {

using namespace llvm::ELF;
using llvm::object::ELF64LEObjectFile;

std::string base_name(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The shared libraries a GNU linker script (libc.so, libm.so) names in its
// GROUP or INPUT, comma-separated; empty when `text` is no such script.
std::string script_libraries(llvm::StringRef text) {
  if (text.contains('\0') || (!text.contains("GROUP") && !text.contains("INPUT")))
    return {};
  std::string named;
  llvm::SmallVector<llvm::StringRef> words;
  text.split(words, ' ', -1, false);
  for (llvm::StringRef w : words) {
    w = w.trim("()\n\t\r");
    if (w.contains(".so") && !w.starts_with("/*") && !w.starts_with("AS_NEEDED"))
      named += (named.empty() ? "" : ", ") + w.str();
  }
  return named;
}

// DT_SONAME, read from the dynamic section's string table (sh_link); empty
// when there is none.
Expected<std::string> soname_of(const std::string &file, const ELF64LEObjectFile &obj) {
  const auto &ef = obj.getELFFile();
  auto sections = ef.sections();
  if (!sections)
    return make_error(file, ": ", llvm::toString(sections.takeError()));
  for (const auto &sec : *sections) {
    if (sec.sh_type != SHT_DYNAMIC)
      continue;
    auto strings = ef.getLinkAsStrtab(sec);
    if (!strings)
      return make_error(file, ": the dynamic section's string table: ",
                        llvm::toString(strings.takeError()));
    // The section's own bytes, bounds-checked (LLVM's dynamicEntries() trusts
    // the program headers, and read past a forged PT_DYNAMIC: fuzz_shared_library).
    auto entries = ef.template getSectionContentsAsArray<llvm::object::ELF64LE::Dyn>(sec);
    if (!entries)
      return make_error(file, ": the dynamic section: ", llvm::toString(entries.takeError()));
    for (const auto &d : *entries) {
      if (d.d_tag != DT_SONAME)
        continue;
      uint64_t at = d.getVal();
      if (at >= strings->size())
        return make_error(file, ": DT_SONAME points past the dynamic string table (offset ", at,
                          ", size ", strings->size(), ")");
      return std::string(strings->substr(at).data());
    }
  }
  return std::string();
}

} // namespace

const char *shared_kind_name(SharedExportKind k) {
  switch (k) {
  case SharedExportKind::Data:
    return "data";
  case SharedExportKind::Tls:
    return "tls";
  case SharedExportKind::Function:
    break;
  }
  return "function";
}

const char *elf_machine_name(uint16_t machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86-64";
  case EM_AARCH64:
    return "aarch64";
  case EM_386:
    return "i386";
  case EM_ARM:
    return "arm";
  case EM_RISCV:
    return "riscv";
  case EM_PPC64:
    return "ppc64";
  case EM_S390:
    return "s390";
  }
  static thread_local char name[16];
  std::snprintf(name, sizeof name, "EM_%u", machine);
  return name;
}

Expected<SharedLibrary> read_shared_exports(const std::string &file,
                                            std::span<const uint8_t> bytes) {
  const llvm::StringRef data(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  if (data.size() < 20 || !data.starts_with("\x7f" "ELF")) {
    if (std::string named = script_libraries(data); !named.empty())
      return make_error(file, ": a linker script, not a library: give --elf a shared library it "
                              "names (", named, ")");
    return make_error(file, ": not an ELF file (an ELF shared object, such as libfoo.so.1, is "
                            "what --elf reads)");
  }
  if (data[4] != ELFCLASS64 || data[5] != ELFDATA2LSB)
    return make_error(file, ": a ", data[4] == ELFCLASS32 ? "32-bit" : "64-bit", " ",
                      data[5] == ELFDATA2MSB ? "big-endian" : "little-endian",
                      " ELF file: stubs are written for 64-bit little-endian libraries "
                      "(x86-64, aarch64)");
  auto obj = ELF64LEObjectFile::create(llvm::MemoryBufferRef(data, file));
  if (!obj)
    return make_error(file, ": ", llvm::toString(obj.takeError()));
  const auto &header = obj->getELFFile().getHeader();
  if (header.e_type != ET_DYN)
    return make_error(file, ": not a shared object but ",
                      header.e_type == ET_REL    ? "a relocatable object"
                      : header.e_type == ET_EXEC ? "an executable"
                      : header.e_type == ET_CORE ? "a core file"
                                                 : "an ELF file of another type",
                      " (--elf reads a shared library: what -lNAME would link against)");
  SharedLibrary lib;
  lib.machine = header.e_machine;
  auto soname = soname_of(file, *obj);
  if (!soname)
    return soname.take_error();
  lib.file = file;
  lib.soname = soname->empty() ? base_name(file) : *soname;
  lib.load_name = lib.soname;

  auto symbols = obj->getDynamicSymbolIterators();
  if (symbols.begin() == symbols.end())
    return make_error(file, ": no dynamic symbol table: the library exports nothing");
  if (Error e = check_elf_versions(*obj))
    return make_error(file, ": ", e.message());
  auto versions = obj->readDynsymVersions();
  if (!versions)
    return make_error(file, ": symbol versions: ", llvm::toString(versions.takeError()));
  // One entry per name: its default version wins; a name exported only at
  // hidden versions (foo@OLD) is listed, not stubbed (dlsym finds no default).
  std::map<std::string, SharedExport> by_name;
  size_t i = 0;
  for (const llvm::object::ELFSymbolRef &sym : symbols) {
    const size_t index = i++;
    auto raw = obj->getSymbol(sym.getRawDataRefImpl());
    if (!raw)
      return make_error(file, ": dynamic symbol ", index + 1, ": ",
                        llvm::toString(raw.takeError()));
    const auto &s = **raw;
    const uint8_t binding = s.getBinding(), type = s.getType(), visibility = s.getVisibility();
    if (s.st_shndx == SHN_UNDEF || (binding != STB_GLOBAL && binding != STB_WEAK) ||
        (visibility != STV_DEFAULT && visibility != STV_PROTECTED))
      continue;
    auto name = sym.getName();
    if (!name)
      return make_error(file, ": dynamic symbol ", index + 1, ": ",
                        llvm::toString(name.takeError()));
    // The library's own initialisation, never called by a program.
    if (name->empty() || *name == "_init" || *name == "_fini")
      continue;
    SharedExport e;
    e.name = name->str();
    bool hidden_version = false;
    if (index < versions->size() && !(*versions)[index].Name.empty()) {
      e.version = (*versions)[index].Name;
      hidden_version = !(*versions)[index].IsVerDef;
    }
    // GNU ld's marker of a version node: an absolute symbol named as its
    // version (ZLIB_1.2.0@@ZLIB_1.2.0), nothing a program refers to.
    if (s.st_shndx == SHN_ABS && e.name == e.version)
      continue;
    e.kind = type == STT_FUNC || type == STT_GNU_IFUNC ? SharedExportKind::Function
             : type == STT_TLS                         ? SharedExportKind::Tls
                                                       : SharedExportKind::Data;
    e.stubbed = e.kind == SharedExportKind::Function && !hidden_version;
    auto [at, fresh] = by_name.try_emplace(e.name, e);
    if (!fresh && e.stubbed && !at->second.stubbed)
      at->second = e;
  }
  for (auto &[name, e] : by_name)
    lib.exports.push_back(std::move(e));
  return lib;
}

std::string stub_label(const std::string &soname) {
  std::string out = label_of(soname);
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out.insert(out.begin(), '_');
  return out;
}

} // namespace rtlink::implib
