// object/elf_versions.cpp — see elf_versions.hpp.
#include "object/elf_versions.hpp"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/Endian.h>

namespace rtlink {
namespace {

using namespace llvm::ELF;

template <class ELFT> Error check(const llvm::object::ELFFile<ELFT> &ef) {
  auto sections = ef.sections();
  if (!sections) {  // LLVM's reader says what is wrong when it gets there
    llvm::consumeError(sections.takeError());
    return {};
  }
  constexpr auto order = ELFT::Endianness;
  for (const auto &sec : *sections) {
    const bool need = sec.sh_type == SHT_GNU_verneed;
    if (!need && sec.sh_type != SHT_GNU_verdef)
      continue;
    auto bytes = ef.getSectionContents(sec);
    if (!bytes) {
      llvm::consumeError(bytes.takeError());
      continue;
    }
    auto name = ef.getSectionName(sec);
    const std::string what = name ? name->str() : need ? ".gnu.version_r" : ".gnu.version_d";
    if (!name)
      llvm::consumeError(name.takeError());
    // Elf_Verneed: 16 bytes, vn_cnt at 2, vn_next at 12, each Elf_Vernaux 16
    // bytes; Elf_Verdef: 20 bytes, vd_cnt at 6, vd_next at 16, each
    // Elf_Verdaux 8 bytes (alike in 32- and 64-bit files).
    const uint64_t entry = need ? 16 : 20, aux = need ? 16 : 8;
    const uint64_t cnt_at = need ? 2 : 6, next_at = need ? 12 : 16;
    const uint64_t size = bytes->size();
    if (sec.sh_info > size / entry)
      return make_error("version section ", what, " counts ", sec.sh_info, " entries in ", size,
                        " bytes");
    uint64_t offset = 0, names = 0;
    for (uint64_t i = 0; i < sec.sh_info; ++i) {
      if (offset > size - entry)
        return make_error("version section ", what, ": entry ", i + 1, " of ", sec.sh_info,
                          " lies past its end (offset ", offset, ", size ", size, ")");
      const uint8_t *p = bytes->data() + offset;
      names += llvm::support::endian::read16<order>(p + cnt_at);
      if (names > size / aux)
        return make_error("version section ", what, ": its entries count more names (", names,
                          ") than its ", size, " bytes hold");
      offset += llvm::support::endian::read32<order>(p + next_at);
    }
  }
  return {};
}

} // namespace

Error check_elf_versions(const llvm::object::ELFObjectFileBase &obj) {
  using namespace llvm::object;
  if (const auto *o = llvm::dyn_cast<ELF64LEObjectFile>(&obj))
    return check(o->getELFFile());
  if (const auto *o = llvm::dyn_cast<ELF64BEObjectFile>(&obj))
    return check(o->getELFFile());
  if (const auto *o = llvm::dyn_cast<ELF32LEObjectFile>(&obj))
    return check(o->getELFFile());
  if (const auto *o = llvm::dyn_cast<ELF32BEObjectFile>(&obj))
    return check(o->getELFFile());
  return {};
}

} // namespace rtlink
