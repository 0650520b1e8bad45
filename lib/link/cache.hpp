// link/cache.hpp — the link cache: what a first resolve produced, kept on
// disk, and used again by a later identical one (LinkerOptions::cache_dir).
//
// An entry holds the laid-out bytes of every block after its fixups, the
// fixups that must be done again in another process (those whose value
// depends on where the range lies, or on an address found outside it), and
// what the session needs to stand in for the units it linked: their placed
// sections, global symbols, COMDAT groups, initializers and finalizers.
// Everything inside the range is stored as an offset from its base; blocks
// go back at the same offsets, so only absolute references move.
//
//   file := header (64 bytes) | metadata | zero padding | each block's
//           initialised bytes, from a page boundary, padded to one
//   header := "RTLCACHE", u32 format, u32 0, u64 × 2 the key's hash,
//             u64 the metadata's size, u64 0, u64 xxh3 of the metadata,
//             u64 the page size
//   (each block's record holds the xxh3 of its bytes, checked where they
//   are placed: reading them there is what maps them in)
//   metadata := a directory (offset, count) of the tables below, then the
//               tables: fixed-size little-endian records, strings as
//               (offset, length) in the string table
//
// Nothing in it is compressed, and nothing is unpacked: an in-process
// executor maps the blocks' bytes straight from the file (copy-on-write:
// only the pages that fixups touch are copied, and code pages are shared
// with every process that maps the same entry), and the metadata's records
// are read where they lie. Decompressing and unpacking cost more than the
// whole warm run may take (docs/architecture.md has the numbers).
//
// The key (the full text, kept in the metadata and compared) names every
// input by path, size and a hash of its contents; the entry's file name is
// the hash of the key. Nothing read from an entry is trusted: the checksum
// comes first, then every record's offsets, indices and strings.
//
// cache_entry.cpp writes and checks entries; cache.cpp is the session's
// side: the key, the recorder (a LinkObserver), storing, restoring.
#pragma once

#include "link/observer.hpp"
#include "object/link_unit.hpp"
#include "support/file_identity.hpp"
#include <rtlink/error.hpp>
#include <rtlink/executor.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rtlink {
class Session;
}

namespace rtlink::cache {

static_assert(std::endian::native == std::endian::little,
              "cache records are little-endian and read in place");

constexpr uint32_t kFormat = 1;

// A string: where it lies in the string table.
struct Str {
  uint32_t offset = 0, size = 0;
};

// What a recorded fixup's target is, so it can be found again.
enum class Target : uint8_t {
  InRange,   // an offset from the range's base
  Constant,  // an absolute value that stays (SHN_ABS)
  External,  // by name: registered host symbols, loaded libraries, the process
  HostOnly,  // by name, registered host symbols only (COFF code on a POSIX host)
  Import,    // a DLL import "dll!name"
  WeakNull,  // an undefined weak reference that was null: it must still be absent
};

// How a kept symbol was bound (the session's Target kinds that survive).
enum class Bound : uint8_t { Own, Absolute, Common, Other };

#pragma pack(push, 1)
struct Fixup {
  uint64_t site = 0;          // range offsets: the site, the unit's GOT base,
  uint64_t got = 0;           // and the target's section (SectionRel kinds)
  uint64_t section_base = 0;
  int64_t addend = 0;
  uint64_t target = 0;        // InRange: offset; Constant: value; else an index into names
  uint16_t section_index = 0;
  EdgeKind kind = EdgeKind::Abs64;
  Target how = Target::InRange;
};
struct Segment {
  uint64_t offset = 0, size = 0;
  Protection prot = Protection::Read;
};
struct Block {
  uint64_t offset = 0, size = 0, initialised = 0;  // from the range's base; pages
  Segment text, rodata, data;
  uint64_t file_offset = 0;  // of its bytes, from the first block's
  uint64_t checksum = 0;     // xxh3 of its initialised bytes
};
struct Range {
  uint32_t first = 0, count = 0;  // into one of the tables
};
struct Unit {
  Str name, path;
  Format format = Format::ELF;
  int32_t archive = -1;
  uint32_t member = 0, block = 0;
  Range sections, symbols, groups, alternate_names, commons, function_tables, finalizers,
      libraries;
  uint64_t got = 0, stubs = 0, dso = 0;
  uint64_t eh_frame = 0, eh_frame_size = 0;  // eh_frame: offset + 1; 0: none
};
struct Section {  // of a unit: those its kept symbols and groups lie in
  Str name;
  uint64_t size = 0, align = 1;
  uint64_t addr = 0;  // offset + 1; 0: not placed
  Perm perm = Perm::Read;
  SectionRole role = SectionRole::Skip;
  uint8_t discarded = 0;
};
struct Symbol {  // global and weak definitions; one reference per unit depended on
  Str name;
  uint64_t value = 0, size = 0;
  uint64_t addr = 0;             // an offset from the range's base if in_range
  uint32_t section = kUndefined; // the unit's kept section, or kAbsolute, kCommon, kUndefined
  uint32_t unit = 0, index = 0;  // Other: the unit and its kept symbol; Common: the allocation
  Binding binding = Binding::Global;
  uint8_t flags = 0;             // 1 a function, 2 a COFF weak external the unit offers
  Bound bound = Bound::Own;
  uint8_t in_range = 0;
};
struct Group {
  Str signature;
  uint64_t size = 0;
  uint32_t checksum = 0;
  ComdatSelection selection = ComdatSelection::Any;
  Range sections;  // into group_sections
};
struct Alternate {
  Str from, to;
};
struct Common {
  Str name;
  uint64_t size = 0, align = 1, addr = 0;  // addr: an offset
};
struct Table {  // a COFF unit's .pdata
  uint64_t offset = 0;
  uint32_t entries = 0;
};
struct Init {
  uint64_t fn = 0;  // an offset
  CallConv conv = CallConv::SysV;
};
#pragma pack(pop)

// A table of records read in place (the bytes may be unaligned).
template <class T> class Records {
public:
  Records() = default;
  Records(const uint8_t *p, uint32_t n) : p_(p), n_(n) {}
  uint32_t size() const { return n_; }
  T operator[](uint32_t i) const {
    T v;
    std::memcpy(&v, p_ + size_t(i) * sizeof(T), sizeof(T));
    return v;
  }

private:
  const uint8_t *p_ = nullptr;
  uint32_t n_ = 0;
};

// The tables of an entry, in the order of the metadata's directory.
enum class Tab : uint8_t {
  Strings, Names, Fixups, Blocks, Units, Sections, Symbols, Groups, GroupSections,
  Alternates, Commons, Tables, Finalizers, Libraries, Inits, Count
};

// Building an entry (storing): each table's records, and the strings.
struct Builder {
  std::string strings;
  std::unordered_map<std::string_view, Str> interned;
  Str key;
  std::vector<Str> names;
  std::vector<Fixup> fixups;
  std::vector<Block> blocks;
  std::vector<std::span<const uint8_t>> block_bytes;  // the initialised bytes of each
  std::vector<Unit> units;
  std::vector<Section> sections;
  std::vector<Symbol> symbols;
  std::vector<Group> groups;
  std::vector<uint32_t> group_sections;
  std::vector<Alternate> alternates;
  std::vector<Common> commons;
  std::vector<Table> tables;
  std::vector<uint64_t> finalizers;
  std::vector<uint32_t> libraries;
  std::vector<Init> inits;

  Str str(std::string_view s);
  // The whole file; blocks' bytes start on `page` boundaries.
  std::vector<uint8_t> encode(uint64_t page) const;
};

// An entry read back, checked: every record's strings, indices and offsets
// (against the blocks, within `range` bytes) are sound.
class Entry {
public:
  std::string_view str(Str s) const { return {strings_ + s.offset, s.size}; }
  Records<Str> names;
  Records<Fixup> fixups;
  Records<Block> blocks;
  Records<Unit> units;
  Records<Section> sections;
  Records<Symbol> symbols;
  Records<Group> groups;
  Records<uint32_t> group_sections;
  Records<Alternate> alternates;
  Records<Common> commons;
  Records<Table> tables;
  Records<uint64_t> finalizers;
  Records<uint32_t> libraries;
  Records<Init> inits;
  // The bytes of block i (its initialised part), and where they lie in the file.
  std::span<const uint8_t> bytes(uint32_t block) const;
  uint64_t file_offset(uint32_t block) const;
  const std::shared_ptr<const FileData> &file() const { return file_; }

private:
  friend Expected<Entry> read_entry(std::shared_ptr<const FileData>, std::string_view, uint64_t);
  const char *strings_ = nullptr;
  uint64_t first_block_ = 0;
  std::shared_ptr<const FileData> file_;
};

// Checks the header, the metadata's checksum and the key, then every record
// (not the blocks' bytes: checksum() is for them, wherever they are placed).
Expected<Entry> read_entry(std::shared_ptr<const FileData> file, std::string_view key,
                           uint64_t range);

uint64_t checksum(std::span<const uint8_t> bytes);

// The file an entry is kept in: `key`'s hash, in hex, and ".rtlc".
std::string entry_name(std::string_view key);

// Writes `bytes` as DIR/NAME (DIR created if missing) through a temporary
// file renamed over it: a reader sees the old file or the new, never part.
Error write_entry(const std::string &dir, const std::string &name, std::span<const uint8_t> bytes);

// The hashes of inputs' contents made earlier, by path, each with the
// identity its file had then (DIR/inputs, written as entries are). A file
// whose identity is unchanged is not read again to make the key — git's
// index does the same — and only files unchanged for two seconds when they
// were hashed are remembered, so a write in the same clock tick cannot hide.
struct KnownHash {
  FileIdentity identity;
  std::string hash;
};
using KnownHashes = std::unordered_map<std::string, KnownHash>;
KnownHashes read_known_hashes(const std::string &dir);
Error write_known_hashes(const std::string &dir, const KnownHashes &known);

// The cache's watcher of a first resolve (cache.cpp): the fixups whose value
// would differ in another process — an absolute reference into the range
// (it moves with the base), or any reference to something outside it (by
// name) — and each block's bytes after fixups, which store() then writes.
class Recorder final : public LinkObserver {
public:
  explicit Recorder(const Session &session) : session_(session) {}
  void fixup(const rtlink::Unit &u, uint32_t j, EdgeKind kind, const rtlink::Fixup &f) override;
  void block(const rtlink::Block &b, const uint8_t *image) override;
  void tied_to_process(std::string why) override {
    if (not_cacheable.empty())
      not_cacheable = std::move(why);
  }

  std::vector<Fixup> fixups;
  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, uint32_t> name_index;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> images;  // block base, bytes
  std::string not_cacheable;  // why the result cannot be stored, if it cannot

private:
  const Session &session_;
};

} // namespace rtlink::cache
