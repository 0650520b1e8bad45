// symdump/relocations.hpp — an object's relocation tables checked before
// LLVM's iterators walk them: they end the process (report_fatal_error) on
// what they cannot read, where the rest of LLVM's readers return an error.
#pragma once

#include <string>

namespace llvm::object {
class ObjectFile;
}

namespace symdump {

// Empty, or what is wrong (the caller names the file): an ELF relocation
// section that does not read or links to no section (ELFObjectFile::getRela,
// section_rel_end), a COFF object's section with relocations and an address
// (COFFObjectFile::section_rel_begin). All found by fuzz_symdump.
std::string unreadable_relocations(const llvm::object::ObjectFile &obj);

} // namespace symdump
