// implib/elf_object.cpp — see elf_object.hpp. The layout: the ELF header,
// each section's bytes, the RELA sections, .symtab, .strtab, .shstrtab, then
// the section headers; every field written little-endian, nothing that
// depends on when or where the object is made.
#include "implib/elf_object.hpp"
#include "implib/coff_object.hpp"  // le_bytes

#include <llvm/BinaryFormat/ELF.h>

namespace rtlink::implib {
namespace {

using namespace llvm::ELF;

void pad_to(std::string &out, uint64_t align) {
  if (align > 1)
    out.append((align - out.size() % align) % align, '\0');
}

uint32_t add_string(std::string &table, const std::string &s) {
  if (s.empty())
    return 0;
  uint32_t at = static_cast<uint32_t>(table.size());
  table += s;
  table += '\0';
  return at;
}

struct Header {
  uint32_t name, type;
  uint64_t flags, offset, size;
  uint32_t link, info;
  uint64_t align, entsize;
};

std::string section_header(const Header &h) {
  return le_bytes(h.name, 4) + le_bytes(h.type, 4) + le_bytes(h.flags, 8) + le_bytes(0, 8) +
         le_bytes(h.offset, 8) + le_bytes(h.size, 8) + le_bytes(h.link, 4) + le_bytes(h.info, 4) +
         le_bytes(h.align, 8) + le_bytes(h.entsize, 8);
}

} // namespace

int ElfObject::section(std::string name, uint32_t type, uint64_t flags, uint64_t align,
                       std::string data, uint64_t size) {
  sections_.push_back({std::move(name), type, flags, align, size, std::move(data), {}});
  return static_cast<int>(sections_.size());
}

uint32_t ElfObject::symbol(std::string name, int section, uint64_t value, uint64_t size,
                           uint8_t binding, uint8_t type, uint8_t visibility) {
  symbols_.push_back({std::move(name), section, value, size, binding, type, visibility});
  return static_cast<uint32_t>(symbols_.size() - 1);
}

void ElfObject::relocate(int section, uint64_t offset, uint32_t sym, uint32_t type,
                         int64_t addend) {
  sections_[section - 1].relas.push_back({offset, sym, type, addend});
}

std::string ElfObject::bytes() const {
  // Locals first, as the symbol table's sh_info requires.
  std::vector<uint32_t> index(symbols_.size());
  uint32_t next = 1, first_global = 0;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1)
      first_global = next;
    for (size_t i = 0; i < symbols_.size(); ++i)
      if ((symbols_[i].binding == STB_LOCAL) == (pass == 0))
        index[i] = next++;
  }
  std::string strtab(1, '\0'), shstrtab(1, '\0');
  std::string symtab(24, '\0');
  std::vector<std::string> ordered(next);
  for (size_t i = 0; i < symbols_.size(); ++i) {
    const Symbol &s = symbols_[i];
    std::string e = le_bytes(add_string(strtab, s.name), 4);
    e += static_cast<char>(s.binding << 4 | s.type);
    e += static_cast<char>(s.visibility);
    e += le_bytes(s.section, 2);
    e += le_bytes(s.value, 8) + le_bytes(s.size, 8);
    ordered[index[i]] = std::move(e);
  }
  for (uint32_t i = 1; i < next; ++i)
    symtab += ordered[i];

  std::string out(64, '\0');  // the ELF header, filled in last
  std::vector<Header> headers(1, Header{});
  for (const Section &s : sections_) {
    pad_to(out, s.align);
    headers.push_back({add_string(shstrtab, s.name), s.type, s.flags, out.size(),
                       s.type == SHT_NOBITS ? s.size : s.data.size(), 0, 0, s.align, 0});
    if (s.type != SHT_NOBITS)
      out += s.data;
  }
  const uint32_t symtab_index = static_cast<uint32_t>(headers.size() + [&] {
    size_t n = 0;
    for (const Section &s : sections_)
      n += !s.relas.empty();
    return n;
  }());
  for (size_t i = 0; i < sections_.size(); ++i) {
    const Section &s = sections_[i];
    if (s.relas.empty())
      continue;
    pad_to(out, 8);
    Header h{add_string(shstrtab, ".rela" + s.name), SHT_RELA, SHF_INFO_LINK, out.size(),
             24 * s.relas.size(), symtab_index, static_cast<uint32_t>(i + 1), 8, 24};
    for (const Rela &r : s.relas)
      out += le_bytes(r.offset, 8) + le_bytes(uint64_t(index[r.symbol]) << 32 | r.type, 8) +
             le_bytes(static_cast<uint64_t>(r.addend), 8);
    headers.push_back(h);
  }
  pad_to(out, 8);
  headers.push_back({add_string(shstrtab, ".symtab"), SHT_SYMTAB, 0, out.size(), symtab.size(),
                     symtab_index + 1, first_global, 8, 24});
  out += symtab;
  headers.push_back({add_string(shstrtab, ".strtab"), SHT_STRTAB, 0, out.size(), strtab.size(), 0,
                     0, 1, 0});
  out += strtab;
  const uint32_t shstrtab_name = add_string(shstrtab, ".shstrtab");
  headers.push_back({shstrtab_name, SHT_STRTAB, 0, out.size(), shstrtab.size(), 0, 0, 1, 0});
  out += shstrtab;
  pad_to(out, 8);
  const uint64_t shoff = out.size();
  for (const Header &h : headers)
    out += section_header(h);

  std::string eh;
  eh += "\x7f" "ELF";
  eh += static_cast<char>(ELFCLASS64);
  eh += static_cast<char>(ELFDATA2LSB);
  eh += static_cast<char>(EV_CURRENT);
  eh += static_cast<char>(ELFOSABI_NONE);
  eh.append(8, '\0');
  eh += le_bytes(ET_REL, 2) + le_bytes(machine_, 2) + le_bytes(EV_CURRENT, 4);
  eh += le_bytes(0, 8) + le_bytes(0, 8) + le_bytes(shoff, 8);  // entry, phoff, shoff
  eh += le_bytes(0, 4) + le_bytes(64, 2) + le_bytes(0, 2) + le_bytes(0, 2);  // flags, ehsize, ph
  eh += le_bytes(64, 2) + le_bytes(headers.size(), 2) + le_bytes(headers.size() - 1, 2);
  out.replace(0, 64, eh);
  return out;
}

} // namespace rtlink::implib
