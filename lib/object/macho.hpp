// object/macho.hpp — the Mach-O front end: a relocatable object → LinkUnit.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace rtlink {

// A 64-bit Mach-O object for x86-64 or arm64, or a universal ("fat")
// file's x86-64 slice (its arm64 slice without one). `bytes` lies inside
// `file`. The unit's symbol names are the C
// names: one leading '_' is dropped from each (docs/architecture.md, "Mach-O
// names").
Expected<LinkUnit> parse_macho_object(std::string name, std::shared_ptr<const FileData> file,
                                      std::span<const uint8_t> bytes);

// Is this a 64-bit Mach-O file or a universal one, by its magic? (An archive
// index lists a Mach-O member's names with their '_', which the unit drops.)
bool is_macho(std::span<const uint8_t> bytes);

// A thin Mach-O header whose load commands cannot fit where it says they
// are: what is wrong. LLVM's reader reserves room for every command the
// header counts before reading one, so a forged count costs gigabytes;
// this is asked first (by the front end, and by symdump).
Error check_macho_commands(std::span<const uint8_t> bytes);

// A Mach-O name as the unit keeps it: without one leading '_'.
std::string_view macho_c_name(std::string_view name);

// Calls `fn` with the name of each global a 64-bit Mach-O object defines
// (sections, absolute, common), as the file has it (with its '_'): what an
// archive's index would list. Anything
// else gives none; an object whose symbol table does not read gives what is
// wrong (without the file's name: the caller knows it).
Error for_each_macho_global(std::span<const uint8_t> bytes,
                            const std::function<void(std::string_view)> &fn);

} // namespace rtlink
