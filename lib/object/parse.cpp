#include "object/parse.hpp"
#include "object/coff.hpp"
#include "object/elf.hpp"
#include "object/macho.hpp"

#include <llvm/ADT/StringRef.h>
#include <llvm/BinaryFormat/Magic.h>

namespace rtlink {

Expected<LinkUnit> parse_object(std::string name, std::shared_ptr<const FileData> file,
                                std::span<const uint8_t> bytes) {
  llvm::StringRef s(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  switch (llvm::identify_magic(s)) {
  case llvm::file_magic::elf_relocatable:
    return parse_elf_object(std::move(name), std::move(file), bytes);
  case llvm::file_magic::coff_object:
    return parse_coff_object(std::move(name), std::move(file), bytes);
  case llvm::file_magic::coff_import_library:
    return parse_coff_import(std::move(name), std::move(file), bytes);
  case llvm::file_magic::macho_object:
  case llvm::file_magic::macho_universal_binary:
    return parse_macho_object(std::move(name), std::move(file), bytes);
  case llvm::file_magic::elf:
  case llvm::file_magic::elf_executable:
  case llvm::file_magic::elf_shared_object:
  case llvm::file_magic::elf_core:
    return make_error(name, ": not a relocatable object");
  default:
    // Too short to tell, or ELF-looking: the ELF front end says what is wrong.
    if (bytes.size() >= 4 && s.starts_with("\x7f"
                                           "ELF"))
      return parse_elf_object(std::move(name), std::move(file), bytes);
    if (is_macho(bytes))  // too short for LLVM to tell: the Mach-O front end says so
      return parse_macho_object(std::move(name), std::move(file), bytes);
    if (bytes.size() < 4)
      return make_error(name, ": truncated (", bytes.size(), " bytes)");
    return make_error(name, ": not a relocatable object (ELF, COFF or Mach-O)");
  }
}

} // namespace rtlink
