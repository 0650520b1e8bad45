// object/link_unit.hpp — the format-neutral link unit.
//
// Every front end (elf.cpp now; coff and macho later) turns one object into a
// LinkUnit: sections (bytes or zero fill, alignment, permissions, role),
// symbols (name, section + offset or undefined, binding) and edges (offset in
// their section, generic kind, target symbol, addend). Section and symbol
// indices keep the native numbering, so edges need no remapping; sections the
// link does not load (debug info, notes) are present with role Skip.
// Names and bytes point into the file, which the unit keeps alive.
#pragma once

#include "object/edge_kind.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

// The bytes behind a unit: a mapped file, or a copy. Shared by an archive's members.
struct FileData {
  virtual ~FileData() = default;
  virtual const uint8_t *data() const = 0;
  virtual size_t size() const = 0;
};

enum class Perm : uint8_t { Read, ReadWrite, ReadExecute, RelRO /* written by fixups, then read-only */ };

enum class SectionRole : uint8_t {
  Skip,        // not loaded (non-alloc, notes, groups, relocation sections)
  Normal,
  InitArray,   // .init_array[.N]: run forward after resolution
  FiniArray,   // .fini_array[.N]: run backward at unload
  PreinitArray,
  Ctors,       // .ctors[.N]: legacy, run backward
  Dtors,       // .dtors[.N]: legacy, run forward
  EHFrame,     // .eh_frame: registered with the unwinder
};

struct Edge {
  uint64_t offset;   // within the section
  int64_t addend;
  uint32_t target;   // symbol index
  uint16_t native;   // the native relocation type, for messages
  EdgeKind kind;
};

struct Section {
  std::string_view name;
  const uint8_t *bytes = nullptr;  // null: zero fill
  uint64_t size = 0;
  uint64_t align = 1;
  Perm perm = Perm::Read;
  SectionRole role = SectionRole::Skip;
  int32_t priority = 65536;  // init/fini priority; 65536 = none (runs last)
  bool discarded = false;    // dropped COMDAT copy
  std::vector<Edge> edges;
};

enum class Binding : uint8_t { Local, Global, Weak };

constexpr uint32_t kUndefined = 0xffffffff;
constexpr uint32_t kAbsolute = 0xfffffffe;
constexpr uint32_t kCommon = 0xfffffffd;

struct Symbol {
  std::string_view name;
  uint64_t value = 0;  // offset in section; absolute value; COMMON: alignment
  uint64_t size = 0;
  uint32_t section = kUndefined;
  Binding binding = Binding::Local;
  bool is_section = false;  // a section symbol (no name of its own)
  bool is_function = false;

  bool defined() const { return section != kUndefined; }
  bool global() const { return binding != Binding::Local; }
};

// A COMDAT group: the first copy loaded wins, the others are dropped.
struct Group {
  std::string_view signature;
  std::vector<uint32_t> sections;
};

struct LinkUnit {
  std::string name;  // "a.o" or "libfoo.a(bar.o)", for messages
  std::shared_ptr<const FileData> file;
  std::vector<std::unique_ptr<uint8_t[]>> owned;  // rewritten section bytes
  std::vector<Section> sections;
  std::vector<Symbol> symbols;
  std::vector<Group> groups;
  // Names the native relocation type in messages.
  std::string (*relocation_name)(uint16_t native) = nullptr;

  std::string site(uint32_t section, uint64_t offset) const;  // "a.o:(.text+0x12)"
  std::string symbol_name(uint32_t index) const;              // name, or "section .text"
};

} // namespace rtlink
