// object/elf_reloc.hpp — what an ELF machine's relocation map gives the
// front end (elf.cpp): one per architecture (elf_x86_64, elf_aarch64).
#pragma once

#include "object/edge_kind.hpp"
#include <rtlink/executor.hpp>

#include <cstdint>
#include <string>

namespace rtlink {

// Unsupported: a type the ABI defines that rtlink does not apply yet (the
// message says so, rather than "unknown").
enum class RelocClass { Edge, None, Unknown, Unsupported };

struct RelocMapping {
  RelocClass cls;
  EdgeKind kind;
};

struct ElfMachine {
  Arch arch;
  RelocMapping (*map_relocation)(uint32_t type);
  std::string (*relocation_name)(uint16_t type);
};

// The machine of e_machine `machine`; null for one rtlink does not link.
const ElfMachine *elf_machine(uint16_t machine);

} // namespace rtlink
