// object/elf_x86_64.cpp — the psABI's relocation types, in its own names,
// mapped to generic edge kinds (object/edge_kind.hpp gives each expression).
#include "object/elf_x86_64.hpp"

#include <llvm/Object/ELF.h>

namespace rtlink::elf_x86_64 {

using namespace llvm::ELF;

std::string relocation_name(uint16_t type) {
  llvm::StringRef n = llvm::object::getELFRelocationTypeName(EM_X86_64, type);
  if (n == "Unknown")
    return "relocation type " + std::to_string(type);
  return n.str();
}

} // namespace rtlink::elf_x86_64

namespace rtlink {

namespace {
RelocMapping map_x86_64(uint32_t type) { return elf_x86_64::map_relocation(type); }
const ElfMachine kX86_64{Arch::X86_64, map_x86_64, elf_x86_64::relocation_name};
} // namespace

extern const ElfMachine *const kElfX86_64;
const ElfMachine *const kElfX86_64 = &kX86_64;

} // namespace rtlink
