// object/elf.hpp — the ELF front end: a relocatable object → LinkUnit.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <span>

namespace rtlink {

// `bytes` lies inside `file` (the whole file, or an archive member).
Expected<LinkUnit> parse_elf_object(std::string name, std::shared_ptr<const FileData> file,
                                    std::span<const uint8_t> bytes);

} // namespace rtlink
