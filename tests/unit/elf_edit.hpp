// Just enough ELF64 reading for tests to corrupt a fixture on purpose.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

struct ElfSection {
  uint64_t offset, size, entsize;
  uint64_t header;  // where its section header is (sh_flags at +8)
};

inline ElfSection elf_section(const std::vector<uint8_t> &b, const std::string &name) {
  auto rd = [&](size_t off, size_t n) {
    uint64_t v = 0;
    std::memcpy(&v, b.data() + off, n);
    return v;
  };
  uint64_t shoff = rd(0x28, 8), shentsize = rd(0x3a, 2), shnum = rd(0x3c, 2), shstrndx = rd(0x3e, 2);
  uint64_t strtab = rd(shoff + shstrndx * shentsize + 0x18, 8);
  for (uint64_t i = 0; i < shnum; ++i) {
    uint64_t sh = shoff + i * shentsize;
    const char *n = reinterpret_cast<const char *>(b.data() + strtab + rd(sh, 4));
    if (name == n)
      return {rd(sh + 0x18, 8), rd(sh + 0x20, 8), rd(sh + 0x38, 8), sh};
  }
  return {0, 0, 0, 0};
}

// Where the symbol table entry of `name` is (st_value at +8), or 0.
inline uint64_t elf_symbol(const std::vector<uint8_t> &b, const std::string &name) {
  ElfSection symtab = elf_section(b, ".symtab"), strtab = elf_section(b, ".strtab");
  for (uint64_t at = symtab.offset; at + 24 <= symtab.offset + symtab.size; at += 24) {
    uint32_t n;
    std::memcpy(&n, b.data() + at, 4);
    if (name == reinterpret_cast<const char *>(b.data() + strtab.offset + n))
      return at;
  }
  return 0;
}
