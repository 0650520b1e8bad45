// object/elf_x86_64.hpp — ELF x86-64 relocation types → generic edge kinds.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace rtlink::elf_x86_64 {

enum class RelocClass { Edge, None, ThreadLocal, Unknown };

struct Mapping {
  RelocClass cls;
  EdgeKind kind;
};

Mapping map_relocation(uint32_t type);
std::string relocation_name(uint16_t type);

} // namespace rtlink::elf_x86_64
