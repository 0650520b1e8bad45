// implib/elf_object.hpp — a 64-bit little-endian ELF relocatable object
// built in memory: the few sections, symbols and RELA relocations a
// lazy-loading stub needs (implib/elf_stubs.cpp), as coff_object.hpp is for
// COFF import members.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtlink::implib {

class ElfObject {
public:
  explicit ElfObject(uint16_t machine) : machine_(machine) {}

  // Sections are numbered from 1, as symbols refer to them. `type` and
  // `flags` are ELF's (SHT_*, SHF_*); a NOBITS section's size is `size`.
  int section(std::string name, uint32_t type, uint64_t flags, uint64_t align,
              std::string data = {}, uint64_t size = 0);
  std::string &data(int section) { return sections_[section - 1].data; }

  // A symbol at `value` in `section` (0: undefined); STB_*, STT_*, STV_*.
  // Returns its handle for relocations (locals are put first when written).
  uint32_t symbol(std::string name, int section, uint64_t value, uint64_t size, uint8_t binding,
                  uint8_t type, uint8_t visibility = 0);
  // A relocation at `offset` in `section` against symbol `sym`.
  void relocate(int section, uint64_t offset, uint32_t sym, uint32_t type, int64_t addend);

  std::string bytes() const;

private:
  struct Rela {
    uint64_t offset;
    uint32_t symbol, type;
    int64_t addend;
  };
  struct Section {
    std::string name;
    uint32_t type;
    uint64_t flags, align, size;  // size: of a NOBITS section
    std::string data;
    std::vector<Rela> relas;
  };
  struct Symbol {
    std::string name;
    int section;
    uint64_t value, size;
    uint8_t binding, type, visibility;
  };
  uint16_t machine_;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
};

} // namespace rtlink::implib
