// object/link_unit.hpp — the format-neutral link unit.
//
// Every front end (elf.cpp, coff.cpp, macho.cpp) turns one object into a
// LinkUnit: sections (bytes or zero fill, alignment, permissions, role),
// symbols (name, section + offset or undefined, binding) and edges (offset in
// their section, generic kind, target symbol, addend). Section and symbol
// indices keep the native numbering, so edges need no remapping; sections the
// link does not load (debug info, notes) are present with role Skip.
// Names and bytes point into the file, which the unit keeps alive.
#pragma once

#include "object/edge_kind.hpp"
#include "support/file_identity.hpp"
#include <rtlink/executor.hpp>

#include <cstdint>
#include <forward_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

// The bytes behind a unit: a mapped file, or a copy. Shared by an archive's members.
struct FileData {
  virtual ~FileData() = default;
  virtual const uint8_t *data() const = 0;
  virtual size_t size() const = 0;
  // Decoded from a compressed file: the file itself is not these bytes.
  virtual bool decompressed() const { return false; }
  // A mapped file's device, inode, size and times (unknown otherwise): the
  // link cache trusts a hash it made of these bytes while they stay the same.
  virtual FileIdentity identity() const { return {}; }
  // A read-only mapping of a file: pages of it no longer read can be given
  // back (platform::done_reading), to be read from the file again if they
  // are touched. Bytes held in memory are not.
  virtual bool mapped() const { return false; }
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
  // Its edges: edge_count of the unit's `edges` from first_edge (LinkUnit::edges_of).
  uint32_t first_edge = 0, edge_count = 0;
  uint32_t align = 1;        // a power of two, at most 1 GiB
  int32_t priority = 65536;  // init/fini priority; 65536 = none (runs last)
  Perm perm = Perm::Read;
  SectionRole role = SectionRole::Skip;
  // Within a priority, init/fini lists run in the order of their section
  // names where `ordered_by_name` is set (MSVC's .CRT$XCU-style names),
  // descending where `reverse_key` is set too.
  bool ordered_by_name = false;
  bool reverse_key = false;
  bool discarded = false;    // dropped COMDAT copy
  // SHF_TLS (.tdata, .tbss): part of the unit's thread-local block; .tdata's
  // bytes are the template each thread's block starts from.
  bool tls = false;
};
// One per section header, loaded or not: GHC's base archive has 126,000 (its
// fields are ordered so that it packs into 56 bytes, its edges held by the
// unit; see docs/architecture.md, Speed).
static_assert(sizeof(void *) != 8 || sizeof(Section) == 56);

enum class Binding : uint8_t { Local, Global, Weak };

// The object format: x86-64 COFF code follows the Microsoft x64 calling
// convention (ArchBackend::convention); Mach-O code, System V's. A Mach-O
// unit's global names are its C names (macho.cpp strips the leading '_').
enum class Format : uint8_t { ELF, COFF, MachO };

constexpr uint32_t kUndefined = 0xffffffff;
constexpr uint32_t kAbsolute = 0xfffffffe;
constexpr uint32_t kCommon = 0xfffffffd;
constexpr uint32_t kNoAlias = 0xffffffff;

struct Symbol {
  std::string_view name;
  uint64_t value = 0;  // offset in section; absolute value; COMMON: alignment
  uint64_t size = 0;
  uint32_t section = kUndefined;
  // A COFF weak external: undefined, and if nothing defines the name it
  // stands for `alias` (a symbol of this unit). Archives are searched for it
  // unless the object said SEARCH_NOLIBRARY (`search_archives`).
  uint32_t alias = kNoAlias;
  Binding binding = Binding::Local;
  bool is_section = false;  // a section symbol (no name of its own)
  bool is_function = false;
  // STT_GNU_IFUNC: `value` is the resolver, which returns the address every
  // reference binds to (link/ifunc.cpp).
  bool is_ifunc = false;
  // An import from a DLL: the name is "dll!name" or "dll!#ordinal", the DLL
  // part in lower case. Bound through registered host symbols or the executor.
  bool is_import = false;
  bool search_archives = false;

  bool defined() const { return section != kUndefined; }
  bool global() const { return binding != Binding::Local; }
};
static_assert(sizeof(void *) != 8 || sizeof(Symbol) == 48);

// How a later copy of a COMDAT group is treated (COFF's selections; ELF
// groups are Any).
enum class ComdatSelection : uint8_t { Any, NoDuplicates, SameSize, ExactMatch, Largest, Newest };

// A COMDAT group: one copy is kept, the others are dropped with their
// associated sections.
struct Group {
  std::string_view signature;
  std::vector<uint32_t> sections;  // the leader first, then associated ones
  ComdatSelection selection = ComdatSelection::Any;
  uint64_t size = 0;       // of the leader section
  uint32_t checksum = 0;   // COFF's, of the leader's contents
};

struct LinkUnit {
  std::string name;  // "a.o" or "libfoo.a(bar.o)", for messages
  Format format = Format::ELF;
  Arch arch = Arch::X86_64;  // the instruction set (arch/arch.hpp)
  std::shared_ptr<const FileData> file;
  std::vector<std::unique_ptr<uint8_t[]>> owned;  // rewritten section bytes
  std::vector<Section> sections;
  // Every section's edges, each section's together and in its order (a
  // section whose edges grow after another's moves them to the end: the old
  // place is dead). One array per unit, not one per section: the GHC job's
  // sections were 82,000 allocations.
  std::vector<Edge> edges;
  // Some edge reaches thread-local storage (tls_edge): set by add_edge and
  // set_edges, and by whoever gives an edge such a kind in place.
  bool tls_edges = false;
  std::vector<Symbol> symbols;
  std::vector<Group> groups;
  // From COFF's .drectve: /alternatename:FROM=TO (FROM, if undefined, stands
  // for TO), /DEFAULTLIB and -export: as given.
  std::vector<std::pair<std::string_view, std::string_view>> alternate_names;
  std::vector<std::string_view> default_libs, exports, aligncomm;
  std::forward_list<std::string> strings;  // names made here (see keep), stable
  // Where in `file` the names of its sections and symbols lie (ELF: the two
  // string tables). Set by a parser that knows nothing else points into the
  // file: the rest of the bytes are then given back once read
  // (unread_input). Empty: everything is kept.
  std::vector<std::span<const uint8_t>> name_tables;
  // Names the native relocation type in messages.
  std::string (*relocation_name)(uint16_t native) = nullptr;

  std::span<const Edge> edges_of(const Section &s) const {
    return {edges.data() + s.first_edge, s.edge_count};
  }
  std::span<Edge> edges_of(const Section &s) { return {edges.data() + s.first_edge, s.edge_count}; }
  std::span<const Edge> edges_of(uint32_t section) const { return edges_of(sections[section]); }
  std::span<Edge> edges_of(uint32_t section) { return edges_of(sections[section]); }
  // One more edge of a section, after those it has.
  void add_edge(uint32_t section, const Edge &e) {
    Section &s = sections[section];
    if (s.edge_count && s.first_edge + s.edge_count != edges.size())
      move_edges_to_end(s);
    else if (!s.edge_count)
      s.first_edge = uint32_t(edges.size());
    edges.push_back(e);
    ++s.edge_count;
    tls_edges = tls_edges || tls_edge(e.kind);
  }
  // A section's edges, all replaced.
  void set_edges(uint32_t section, std::span<const Edge> es);

  // A name made after parsing, kept as long as the unit.
  std::string_view keep(std::string name) { return strings.emplace_front(std::move(name)); }
  // Bytes the unit keeps, for sections made or rewritten after parsing.
  const uint8_t *own(std::span<const uint8_t> bytes);
  // A section made here (import cells and stubs, the linker's own code).
  uint32_t add_section(std::string_view name, std::span<const uint8_t> bytes, uint64_t align,
                       Perm perm);

  // The pages of a mapped `file` no longer read, added to `out` for
  // platform::done_reading: all but those of the name tables and, until
  // `copied` (the sections' bytes are in place), of the sections. What stays
  // resident is the names, not the inputs.
  void unread_input(bool copied, uint64_t page, std::vector<std::span<const uint8_t>> &out) const;

  std::string site(uint32_t section, uint64_t offset) const;  // "a.o:(function f: .text+0x12)"
  std::string symbol_name(uint32_t index) const;  // name (C++: demangled (mangled)), or "section .text"

private:
  void move_edges_to_end(Section &s);
};

} // namespace rtlink
