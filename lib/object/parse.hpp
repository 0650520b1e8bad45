// object/parse.hpp — a relocatable input of any format, told by its content.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <span>

namespace rtlink {

// An ELF, COFF or Mach-O object (a universal file's x86-64 slice), or a
// COFF short import member.
Expected<LinkUnit> parse_object(std::string name, std::shared_ptr<const FileData> file,
                                std::span<const uint8_t> bytes);

} // namespace rtlink
