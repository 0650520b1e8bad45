// object/elf_versions.hpp — an ELF file's symbol version tables checked
// before LLVM reads them. LLVM's reader (readDynsymVersions) takes a
// .gnu.version_r or .gnu.version_d section's entry count (sh_info) and each
// entry's count of names as given, and keeps every entry it walks, re-reading
// one whose next-offset is 0: a forged count costs gigabytes (found by
// fuzz_shared_library). Asked first by implib-gen --elf and symdump -D.
#pragma once

#include <rtlink/error.hpp>

namespace llvm::object {
class ELFObjectFileBase;
}

namespace rtlink {

// Success, or what is wrong (naming the section; the caller names the file):
// more entries, or names, than the section's bytes can hold.
Error check_elf_versions(const llvm::object::ELFObjectFileBase &obj);

} // namespace rtlink
