// implib/coff_object.hpp — small COFF objects built in memory (the members
// of long-format and delay-import libraries), and the archive that holds
// them.
#pragma once

#include "implib/exports.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rtlink::implib {

// Section characteristics used here.
enum : uint32_t {
  kScnCode = 0x00000020,
  kScnData = 0x00000040,  // initialized data
  kAlign2 = 0x00200000,
  kAlign4 = 0x00300000,
  kAlign8 = 0x00400000,
  kAlign16 = 0x00500000,
  kScnExecute = 0x20000000,
  kScnRead = 0x40000000,
  kScnWrite = 0x80000000,
};

// Relocation types, per machine.
enum : uint16_t {
  kAmd64Addr64 = 0x0001,
  kAmd64Addr32NB = 0x0003,
  kAmd64Rel32 = 0x0004,
  kI386Dir32 = 0x0006,
  kI386Dir32NB = 0x0007,
  kArm64Addr32NB = 0x0002,
  kArm64PageBaseRel21 = 0x0004,
  kArm64PageOffset12L = 0x0007,
};

class CoffObject {
public:
  explicit CoffObject(uint16_t machine) : machine_(machine) {}

  // Sections are numbered from 1, as symbols refer to them.
  int section(std::string name, uint32_t flags, std::string data = {});
  std::string &data(int section) { return sections_[section - 1].data; }
  // A symbol at `value` in `section` (0: undefined; -1: absolute); returns
  // its index.
  uint32_t symbol(std::string name, int section, uint32_t value, bool external);
  // One of any storage class (IMAGE_SYM_CLASS_*). A name of 8 bytes or less
  // is kept in the record unless `in_strings` says the string table (as
  // LLVM's import objects have every name they make).
  uint32_t symbol_of_class(std::string name, int section, uint8_t storage_class,
                           bool in_strings = false);
  // A weak external that stands for symbol `fallback` (searched as an alias)
  // if nothing defines it, with its auxiliary record.
  uint32_t weak_external(std::string name, uint32_t fallback, bool in_strings = false);
  // i386 objects are marked IMAGE_FILE_32BIT_MACHINE; not this one.
  void unmark_32bit() { mark_32bit_ = false; }
  // A static symbol naming a section, for relocations against its start.
  uint32_t section_symbol(int section);
  // A relocation at `offset` in `section` against symbol `sym`; the addend is
  // what the section's bytes hold there.
  void relocate(int section, uint32_t offset, uint32_t sym, uint16_t type);

  std::string bytes() const;

private:
  struct Reloc {
    uint32_t offset, symbol;
    uint16_t type;
  };
  struct Section {
    std::string name;
    uint32_t flags;
    std::string data;
    std::vector<Reloc> relocs;
  };
  struct Symbol {
    std::string name;
    int section;
    uint32_t value;
    uint8_t storage_class;
    bool in_strings = false;
    uint32_t weak_fallback = UINT32_MAX;  // a weak external's: one auxiliary record
  };
  uint16_t machine_;
  bool mark_32bit_ = true;
  std::vector<Section> sections_;
  std::vector<Symbol> symbols_;
  uint32_t records_ = 0;  // symbol table records, auxiliary ones included
};

// Storage classes used here.
enum : uint8_t { kClassExternal = 2, kClassStatic = 3, kClassSection = 104, kClassWeak = 105 };

uint16_t coff_machine_number(Machine m);

// What a machine's import pieces are made of: its COFF machine number, the
// size of an ILT or IAT entry, and its image-relative (RVA) relocation.
struct ImportTarget {
  uint16_t machine;
  unsigned pointer;  // 8 or 4
  uint16_t addr32nb;
};
ImportTarget import_target(Machine m);

// `v` appended little-endian.
void put16(std::string &out, uint16_t v);
void put32(std::string &out, uint32_t v);

// `width` little-endian bytes of `v`; `n` zero bytes.
std::string le_bytes(uint64_t v, unsigned width);
inline std::string zeros(size_t n) { return std::string(n, '\0'); }

// The last member of a long-format or delay-import library: the zero
// entries that end this DLL's ILT and IAT, and its name in .idata$7 under
// the symbol `iname`.
std::string tail_object(Machine m, const std::string &dll_name, const std::string &iname);

// The member's name and its bytes; written as a GNU archive (what GNU ld
// reads) with a symbol table, deterministically, over `path` at once.
struct ArchiveMemberBytes {
  std::string name;
  std::string bytes;
};
Error write_gnu_archive(const std::string &path, const std::vector<ArchiveMemberBytes> &members);

// For member and symbol names: the DLL's name with every character that is
// not a letter or digit made '_' ("base.dll" -> "base_dll").
std::string label_of(const std::string &dll_name);

// The .idata$6 entry of an import by name: its hint, the name it binds to,
// NUL, padded to 2 bytes.
std::string hint_name_entry(const Module &m, const Export &e, const LibraryOptions &opt);
// "LABEL_s00012.o": the member of the export numbered `n`.
std::string stub_member_name(const std::string &label, unsigned n);

// The name an import binds to in the DLL (hint/name table), and its hint.
std::string import_binding_name(const Module &m, const Export &e, const LibraryOptions &opt);
uint16_t import_hint(const Export &e);

} // namespace rtlink::implib
