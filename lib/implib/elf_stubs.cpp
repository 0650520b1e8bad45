// implib/elf_stubs.cpp — the lazy-loading stub archive (see elf_stubs.hpp):
// the library's object, one object per function, and the shared entry and
// resolver.
#include "implib/elf_stubs.hpp"
#include "implib/coff_object.hpp"  // le_bytes, write_gnu_archive, stub_member_name
#include "implib/elf_object.hpp"

#include <llvm/BinaryFormat/ELF.h>

namespace rtlink::implib {
namespace {

using namespace llvm::ELF;

constexpr uint64_t kRodataFlags = SHF_ALLOC, kDataFlags = SHF_ALLOC | SHF_WRITE,
                   kTextFlags = SHF_ALLOC | SHF_EXECINSTR;

// Every object says it needs no executable stack, as a compiler's do.
void add_stack_note(ElfObject &o) { o.section(".note.GNU-stack", SHT_PROGBITS, 0, 1); }

// The hidden symbol the stubs reach the library by: the struct the runtime
// reads (elf_stub_resolve.c), whose first field is LABEL_stub_failure.
std::string library_symbol(const std::string &label) { return "__rtlink_stubs_" + label; }

// LABEL_stubs.o: .rodata holds the name dlopen is given, the names and their offsets;
// .data the struct stub_library with its slots, all zero until resolved.
std::string library_object(const StubArch &arch, const SharedLibrary &lib,
                           const std::string &label, const std::vector<const SharedExport *> &fns) {
  std::string rodata = lib.load_name + '\0';
  const uint64_t names_at = rodata.size();
  std::string offsets;
  for (const SharedExport *e : fns) {
    offsets += le_bytes(rodata.size() - names_at, 4);
    rodata += e->name + '\0';
  }
  rodata.append((4 - rodata.size() % 4) % 4, '\0');
  const uint64_t offsets_at = rodata.size();
  rodata += offsets;

  ElfObject o(arch.machine);
  int ro = o.section(".rodata", SHT_PROGBITS, kRodataFlags, 8, rodata);
  std::string data = le_bytes(0, 8) + le_bytes(0, 8);  // on_failure, handle
  data += le_bytes(0, 8) + le_bytes(0, 8) + le_bytes(0, 8);  // load name, names, offsets
  data += le_bytes(fns.size(), 8);
  data.append(8 * fns.size(), '\0');  // the slots
  const uint64_t size = data.size();
  int rw = o.section(".data", SHT_PROGBITS, kDataFlags, 8, std::move(data));
  uint32_t rodata_sym = o.symbol("", ro, 0, 0, STB_LOCAL, STT_SECTION);
  o.relocate(rw, 16, rodata_sym, arch.abs64, 0);
  o.relocate(rw, 24, rodata_sym, arch.abs64, int64_t(names_at));
  o.relocate(rw, 32, rodata_sym, arch.abs64, int64_t(offsets_at));
  o.symbol(library_symbol(label), rw, 0, size, STB_GLOBAL, STT_OBJECT, STV_HIDDEN);
  o.symbol(label + "_stub_failure", rw, 0, 8, STB_GLOBAL, STT_OBJECT);
  add_stack_note(o);
  return o.bytes();
}

std::string stub_object(const StubArch &arch, const std::string &label, const SharedExport &e,
                        uint32_t index) {
  ElfObject o(arch.machine);
  int text = o.section(".text", SHT_PROGBITS, kTextFlags, 16);
  uint32_t library = o.symbol(library_symbol(label), 0, 0, 0, STB_GLOBAL, STT_NOTYPE, STV_HIDDEN);
  uint32_t enter = o.symbol("__rtlink_stub_enter", 0, 0, 0, STB_GLOBAL, STT_NOTYPE, STV_HIDDEN);
  arch.write_stub(o, text, library, enter, index);
  o.symbol(e.name, text, 0, o.data(text).size(), STB_GLOBAL, STT_FUNC);
  add_stack_note(o);
  return o.bytes();
}

} // namespace

Error write_elf_stubs(const SharedLibrary &lib, const std::string &path) {
  StubArch arch;
  if (lib.machine == EM_X86_64)
    arch = x86_64_stub_arch();
  else if (lib.machine == EM_AARCH64)
    arch = aarch64_stub_arch();
  else
    return make_error(lib.file, ": a library for ", elf_machine_name(lib.machine),
                      ": stubs are written for x86-64 and aarch64 libraries");
  std::vector<const SharedExport *> fns;
  for (const SharedExport &e : lib.exports)
    if (e.stubbed)
      fns.push_back(&e);
  if (fns.empty())
    return make_error(lib.file, ": exports no function a stub could stand for");
  if (fns.size() > UINT32_MAX)
    return make_error(lib.file, ": too many functions (", fns.size(), ")");

  const std::string label = stub_label(lib.soname);
  std::vector<ArchiveMemberBytes> members;
  members.push_back({"__rtlink_stub_enter.o", std::string(arch.enter)});
  members.push_back({"__rtlink_stub_resolve.o", std::string(arch.resolve)});
  members.push_back({label + "_stubs.o", library_object(arch, lib, label, fns)});
  for (uint32_t i = 0; i < fns.size(); ++i)
    members.push_back({stub_member_name(label, i), stub_object(arch, label, *fns[i], i)});
  return write_gnu_archive(path, members);
}

} // namespace rtlink::implib
