// object/elf.hpp — the ELF front end: a relocatable object → LinkUnit.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <functional>
#include <span>
#include <string_view>

namespace rtlink {

// `bytes` lies inside `file` (the whole file, or an archive member).
Expected<LinkUnit> parse_elf_object(std::string name, std::shared_ptr<const FileData> file,
                                    std::span<const uint8_t> bytes);

// Calls `fn` with the name of each defined global or weak symbol in an ELF64
// file's symbol table (SHT_SYMTAB), or with `dynamic` its dynamic symbol table
// (SHT_DYNSYM). This serves indexes and hints, never the link itself. A file
// that is not ELF64 little-endian yields nothing; one whose tables do not read
// gives what is wrong (without the file's name: the caller knows it).
Error for_each_defined_global(std::span<const uint8_t> bytes, bool dynamic,
                              const std::function<void(std::string_view)> &fn);

} // namespace rtlink
