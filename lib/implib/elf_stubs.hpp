// implib/elf_stubs.hpp — lazy-loading stubs for an ELF shared library
// (implib-gen --elf): an archive that defines each function the library
// exports as a stub which loads the library with dlopen at the first call
// into it, finds the function with dlsym, and from then on jumps straight
// to it. What Implib.so makes from generated assembly, written here as
// objects directly.
//
// The archive (for library "libfoo.so.1", LABEL "libfoo_so_1"):
//   __rtlink_stub_enter.o    the same for every library, built with rtlink
//   __rtlink_stub_resolve.o  (elf_stub_enter-ARCH.S, elf_stub_resolve.c):
//                            hidden and weak, shared by every stub archive
//                            linked into a program
//   LABEL_stubs.o            the library: its soname, the functions' names, a
//                            slot per function, and LABEL_stub_failure, the
//                            callback the program may set (elf_stub_resolve.c)
//   LABEL_sNNNNN.o           per function: the stub, NAME
// Data and thread-local exports cannot wait for a call: they get no stub,
// and the caller is told which they are.
#pragma once

#include <rtlink/error.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink::implib {

enum class SharedExportKind { Function, Data, Tls };

struct SharedExport {
  std::string name;
  std::string version;  // "GLIBC_2.2.5"; empty when the library has no versions
  SharedExportKind kind = SharedExportKind::Function;
  bool stubbed = false;  // a function by its default version (or unversioned)
};

struct SharedLibrary {
  std::string file;      // where it was read
  std::string soname;    // DT_SONAME, else the file's own name
  std::string load_name; // what dlopen is given: the soname unless told otherwise
  uint16_t machine = 0; // EM_X86_64, EM_AARCH64
  std::vector<SharedExport> exports;  // by name
};

// The dynamic symbols a 64-bit little-endian ELF shared object defines and
// exports (default or protected visibility, global or weak), with their
// versions; a name exported at several versions is stubbed at its default.
// Anything else (a relocatable object, an executable without a dynamic
// symbol table, another class or byte order) is an error naming `file`.
Expected<SharedLibrary> read_shared_exports(const std::string &file,
                                            std::span<const uint8_t> bytes);

const char *shared_kind_name(SharedExportKind k);  // "function", "data", "tls"
const char *elf_machine_name(uint16_t machine);    // "x86-64", "aarch64", "EM_nn"

// "libfoo.so.1" -> "libfoo_so_1": the prefix of the archive's member and
// symbol names (LABEL_stub_failure).
std::string stub_label(const std::string &soname);

// Writes the stub archive for `lib` over `path` (as io/output.hpp says).
// Machines without stubs are an error naming the library.
Error write_elf_stubs(const SharedLibrary &lib, const std::string &path);

// Per architecture (elf_stubs_ARCH.cpp): the stub of function `index`,
// written into `text` (at offset 0) of `o` with its relocations against the
// library's symbol `library` (slot i at library + kStubSlots + 8 * i) and
// against __rtlink_stub_enter (`enter`).
class ElfObject;
constexpr uint32_t kStubSlots = 48;  // offsetof(struct stub_library, slots)
struct StubArch {
  uint16_t machine;
  void (*write_stub)(ElfObject &o, int text, uint32_t library, uint32_t enter, uint32_t index);
  uint64_t abs64;         // the relocation type of a 64-bit address in data
  std::string_view enter;    // elf_stub_enter-ARCH.S, assembled
  std::string_view resolve;  // elf_stub_resolve.c, compiled for the machine
};
StubArch x86_64_stub_arch();
StubArch aarch64_stub_arch();

// The runtime's objects, as lib/meson.build embeds them (embed_objects.py).
namespace embedded {
std::string_view elf_stub_enter_x86_64();
std::string_view elf_stub_resolve_x86_64();
std::string_view elf_stub_enter_aarch64();
std::string_view elf_stub_resolve_aarch64();
} // namespace embedded

} // namespace rtlink::implib
