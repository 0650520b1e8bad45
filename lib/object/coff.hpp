// object/coff.hpp — the PE/COFF front ends: objects and import members.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

// A COFF object (regular or bigobj) for x86-64.
Expected<LinkUnit> parse_coff_object(std::string name, std::shared_ptr<const FileData> file,
                                     std::span<const uint8_t> bytes);

// A short import member (as lib.exe and llvm-dlltool write them): a unit
// that defines __imp_NAME, an 8-byte cell bound to the DLL's export, and for
// code imports NAME, a stub that jumps through the cell.
Expected<LinkUnit> parse_coff_import(std::string name, std::shared_ptr<const FileData> file,
                                     std::span<const uint8_t> bytes);

// The names a COFF object or short import member defines for others
// (external definitions, COMMON, weak externals; an import's __imp_NAME and,
// for code, NAME): what an archive's symbol index would list. Anything else
// gives none; a member of either kind that does not read gives what is wrong
// (without the member's name: the caller knows it).
Error for_each_coff_global(std::span<const uint8_t> bytes,
                           const std::function<void(std::string_view)> &fn);

// A .drectve section's options: separated by blanks; quotes, which are
// dropped, may hold blanks ("-export:\"a b\",data" gives -export:a b,data).
std::vector<std::string> drectve_options(std::string_view text);

// "kernel32.dll!GetTickCount64" / "kernel32.dll!#42": how an import is named
// among host symbols (the DLL part in lower case).
std::string import_key(std::string_view dll, std::string_view name);
std::string import_key(std::string_view dll, uint16_t ordinal);

} // namespace rtlink
