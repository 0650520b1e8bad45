// symdump/relocations.cpp — see relocations.hpp.
#include "relocations.hpp"

#include <llvm/Object/COFF.h>
#include <llvm/Object/ELFObjectFile.h>

namespace symdump {

using namespace llvm;
using namespace llvm::object;

namespace {

template <class ELFT> std::string unreadable_relocations(const ELFObjectFile<ELFT> &obj) {
  const auto &ef = obj.getELFFile();
  auto sections = ef.sections();
  if (!sections) {
    std::string why = toString(sections.takeError());
    return why;
  }
  for (const auto &sec : *sections) {
    if ((sec.sh_type == ELF::SHT_RELA || sec.sh_type == ELF::SHT_REL) &&
        sec.sh_link >= sections->size())  // (fatal in section_rel_end)
      return "relocations: a relocation section links to section " +
             std::to_string(sec.sh_link) + " of " + std::to_string(sections->size());
    Error e = Error::success();
    if (sec.sh_type == ELF::SHT_RELA)
      e = ef.template getSectionContentsAsArray<typename ELFT::Rela>(sec).takeError();
    else if (sec.sh_type == ELF::SHT_REL)
      e = ef.template getSectionContentsAsArray<typename ELFT::Rel>(sec).takeError();
    if (e)
      return "relocations: " + toString(std::move(e));
  }
  return {};
}

} // namespace

std::string unreadable_relocations(const ObjectFile &obj) {
  if (const auto *coff = dyn_cast<COFFObjectFile>(&obj)) {
    // (COFFObjectFile::section_rel_begin: "Sections with relocations
    // should have an address of 0", fatal.)
    if (coff->getDOSHeader())
      return {};  // an image: its relocations are not read here
    for (const SectionRef sec : coff->sections()) {
      const coff_section *s = coff->getCOFFSection(sec);
      if (s->NumberOfRelocations && s->VirtualAddress)
        return "relocations: section " + std::to_string(sec.getIndex() + 1) +
               " of a COFF object has relocations and an address (" +
               std::to_string(s->VirtualAddress) + ")";
    }
    return {};
  }
  if (const auto *o = dyn_cast<ELF64LEObjectFile>(&obj))
    return unreadable_relocations(*o);
  if (const auto *o = dyn_cast<ELF64BEObjectFile>(&obj))
    return unreadable_relocations(*o);
  if (const auto *o = dyn_cast<ELF32LEObjectFile>(&obj))
    return unreadable_relocations(*o);
  if (const auto *o = dyn_cast<ELF32BEObjectFile>(&obj))
    return unreadable_relocations(*o);
  return {};
}

} // namespace symdump
