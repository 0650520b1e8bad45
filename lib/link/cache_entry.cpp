// link/cache_entry.cpp — a link cache entry written and read back. The
// format is in cache.hpp; nothing read here is trusted.
#include "link/cache.hpp"
#include "io/output.hpp"
#include "support/bytes.hpp"
#include "support/format.hpp"

#include <llvm/ADT/SmallVector.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include <algorithm>
#include <cstring>

namespace rtlink::cache {

namespace {

constexpr char kMagic[8] = {'R', 'T', 'L', 'C', 'A', 'C', 'H', 'E'};
constexpr size_t kHeader = 64;
constexpr size_t kTables = size_t(Tab::Count);
constexpr size_t kDirectory = kTables * 16 + sizeof(Str);  // then the key

// The size of one record of each table, in the order of Tab.
constexpr size_t kRecord[kTables] = {
    1,           sizeof(Str),     sizeof(Fixup),  sizeof(Block),    sizeof(Unit),
    sizeof(Section), sizeof(Symbol), sizeof(Group), sizeof(uint32_t), sizeof(Alternate),
    sizeof(Common), sizeof(Table), sizeof(uint64_t), sizeof(uint32_t), sizeof(Init)};

llvm::XXH128_hash_t key_hash(std::string_view key) {
  return llvm::xxh3_128bits(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(key.data()), key.size()));
}

void put64(uint8_t *p, uint64_t v) { std::memcpy(p, &v, 8); }
uint64_t get64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

template <class T> void append(std::vector<uint8_t> &out, const std::vector<T> &v) {
  rtlink::append(out, v.data(), v.size() * sizeof(T));
}

// Checks every record of an entry against the others and against its blocks.
class Checker {
public:
  Checker(const Entry &e, uint64_t range, uint64_t page, uint64_t strings)
      : e_(e), range_(range), page_(page), strings_(strings) {
    for (uint32_t i = 0; i < e.blocks.size(); ++i)
      sorted_.push_back(e.blocks[i]);
    std::sort(sorted_.begin(), sorted_.end(),
              [](const Block &a, const Block &b) { return a.offset < b.offset; });
  }

  Error check() {
    for (uint32_t i = 0; i < e_.names.size(); ++i)
      if (!str(e_.names[i]))
        return bad("a name");
    for (uint32_t i = 0; i < e_.blocks.size(); ++i)
      if (Error err = block(e_.blocks[i], i))
        return err;
    for (uint32_t i = 0; i < e_.fixups.size(); ++i) {
      Fixup f = e_.fixups[i];
      const bool stored_kind = f.kind <= EdgeKind::SectionRel7 ||
                               (f.kind >= EdgeKind::A64Branch26 && f.kind <= EdgeKind::A64MovG3);
      if (f.how > Target::WeakNull || !stored_kind ||
          !inside(f.site, edge_width(f.kind), true) ||
          (f.how == Target::InRange && f.target > range_) ||
          (f.how != Target::InRange && f.how != Target::Constant && f.target >= e_.names.size()))
        return bad("the fixup at +" + hex(f.site));
    }
    for (uint32_t i = 0; i < e_.units.size(); ++i)
      if (Error err = unit(e_.units[i]))
        return err;
    for (uint32_t i = 0; i < e_.inits.size(); ++i) {
      Init in = e_.inits[i];
      if (in.conv > CallConv::AAPCS64 || !inside(in.fn, 1, false))
        return bad("an initializer");
    }
    return Error::success();
  }

private:
  static Error bad(const std::string &what) { return make_error(what, " is out of bounds"); }
  bool str(Str s) const { return s.offset <= strings_ && s.size <= strings_ - s.offset; }
  bool within(Range r, uint32_t size) const { return r.first <= size && r.count <= size - r.first; }
  // [off, off + n) lies in one block (in its initialised bytes if `written`).
  bool inside(uint64_t off, uint64_t n, bool written) const {
    auto it = std::upper_bound(sorted_.begin(), sorted_.end(), off,
                               [](uint64_t o, const Block &b) { return o < b.offset; });
    if (it == sorted_.begin())
      return false;
    const Block &b = *--it;
    uint64_t end = written ? b.initialised : b.size;
    return off - b.offset <= end && n <= end - (off - b.offset);
  }

  Error block(const Block &b, uint32_t i) {
    const uint64_t padded = (b.initialised + page_ - 1) / page_ * page_;
    if (b.offset % page_ || b.size % page_ || !b.size || b.offset > range_ ||
        b.size > range_ - b.offset || padded > b.size || b.file_offset % page_)
      return bad("block " + std::to_string(i));
    for (const Segment &s : {b.text, b.rodata, b.data})
      if (s.prot > Protection::ReadExecute || s.offset > b.size || s.size > b.size - s.offset)
        return bad("a segment of block " + std::to_string(i));
    if (e_.bytes(i).size() != b.initialised)
      return make_error("block ", i, " runs past the end of the file");
    return Error::success();
  }

  Error unit(const Unit &u) {
    std::string name = str(u.name) ? std::string(e_.str(u.name)) : "a unit";
    auto out = [&](const char *what) { return bad(name + ": its " + std::string(what)); };
    if (!str(u.name) || !str(u.path) || u.format > Format::MachO || u.block >= e_.blocks.size() ||
        !within(u.sections, e_.sections.size()) || !within(u.symbols, e_.symbols.size()) ||
        !within(u.groups, e_.groups.size()) ||
        !within(u.alternate_names, e_.alternates.size()) ||
        !within(u.commons, e_.commons.size()) || !within(u.function_tables, e_.tables.size()) ||
        !within(u.finalizers, e_.finalizers.size()) || !within(u.libraries, e_.libraries.size()))
      return out("record");
    // Read, not written here: they lie in a block, zero fill or not.
    if (!inside(u.dso, 8, false) || !inside(u.got, 0, false) || !inside(u.stubs, 0, false))
      return out("__dso_handle, GOT or stubs");
    if (u.eh_frame && !inside(u.eh_frame - 1, u.eh_frame_size, false))
      return out(".eh_frame");
    for (uint32_t k = 0; k < u.sections.count; ++k) {
      Section s = e_.sections[u.sections.first + k];
      if (!str(s.name) || s.perm > Perm::RelRO || s.role > SectionRole::EHFrame ||
          (s.addr && !inside(s.addr - 1, s.size, false)))
        return out("section");
    }
    for (uint32_t k = 0; k < u.symbols.count; ++k) {
      Symbol s = e_.symbols[u.symbols.first + k];
      bool ok = str(s.name) && s.binding <= Binding::Weak && s.bound <= Bound::Other &&
                (s.section < u.sections.count || s.section >= kCommon) &&
                (!s.in_range || s.addr <= range_);
      if (ok && s.bound == Bound::Other)
        ok = s.unit < e_.units.size() && s.index < e_.units[s.unit].symbols.count;
      if (ok && s.bound == Bound::Common)
        ok = s.index < u.commons.count;
      if (!ok)
        return out("symbol");
    }
    for (uint32_t k = 0; k < u.groups.count; ++k) {
      Group g = e_.groups[u.groups.first + k];
      if (!str(g.signature) || g.selection > ComdatSelection::Newest || !g.sections.count ||
          !within(g.sections, e_.group_sections.size()))
        return out("COMDAT group");
      for (uint32_t j = 0; j < g.sections.count; ++j)
        if (e_.group_sections[g.sections.first + j] >= u.sections.count)
          return out("COMDAT group");
    }
    for (uint32_t k = 0; k < u.alternate_names.count; ++k) {
      Alternate a = e_.alternates[u.alternate_names.first + k];
      if (!str(a.from) || !str(a.to))
        return out("/alternatename");
    }
    for (uint32_t k = 0; k < u.commons.count; ++k) {
      Common c = e_.commons[u.commons.first + k];
      if (!str(c.name) || !inside(c.addr, c.size, false))
        return out("common symbol");
    }
    for (uint32_t k = 0; k < u.function_tables.count; ++k) {
      Table t = e_.tables[u.function_tables.first + k];
      if (!inside(t.offset, uint64_t(t.entries) * 12, false))
        return out("function table");
    }
    for (uint32_t k = 0; k < u.finalizers.count; ++k)
      if (!inside(e_.finalizers[u.finalizers.first + k], 1, false))
        return out("finalizer");
    return Error::success();
  }

  const Entry &e_;
  uint64_t range_, page_, strings_;
  std::vector<Block> sorted_;  // by offset
};

} // namespace

Str Builder::str(std::string_view s) {
  auto it = interned.find(s);
  if (it != interned.end())
    return it->second;
  Str r{uint32_t(strings.size()), uint32_t(s.size())};
  strings.append(s);
  interned.emplace(s, r);
  return r;
}

std::vector<uint8_t> Builder::encode(uint64_t page) const {
  auto round_up = [&](uint64_t v) { return (v + page - 1) / page * page; };
  std::vector<uint8_t> out(kHeader + kDirectory, 0);
  const size_t meta = kHeader;
  std::memcpy(out.data() + meta + kTables * 16, &key, sizeof key);
  auto table = [&](Tab t, size_t count, auto &&write) {
    uint64_t at = out.size() - meta;
    uint32_t n = uint32_t(count);
    std::memcpy(out.data() + meta + size_t(t) * 16, &at, 8);
    std::memcpy(out.data() + meta + size_t(t) * 16 + 8, &n, 4);
    write();
  };
  table(Tab::Strings, strings.size(), [&] { rtlink::append(out, strings.data(), strings.size()); });
  table(Tab::Names, names.size(), [&] { append(out, names); });
  table(Tab::Fixups, fixups.size(), [&] { append(out, fixups); });
  // Each block's bytes, counted from the first block's.
  std::vector<Block> placed = blocks;
  uint64_t at = 0;
  for (size_t i = 0; i < placed.size(); ++i) {
    placed[i].file_offset = at;
    placed[i].checksum = checksum(block_bytes[i]);
    at += round_up(block_bytes[i].size());
  }
  table(Tab::Blocks, placed.size(), [&] { append(out, placed); });
  table(Tab::Units, units.size(), [&] { append(out, units); });
  table(Tab::Sections, sections.size(), [&] { append(out, sections); });
  table(Tab::Symbols, symbols.size(), [&] { append(out, symbols); });
  table(Tab::Groups, groups.size(), [&] { append(out, groups); });
  table(Tab::GroupSections, group_sections.size(), [&] { append(out, group_sections); });
  table(Tab::Alternates, alternates.size(), [&] { append(out, alternates); });
  table(Tab::Commons, commons.size(), [&] { append(out, commons); });
  table(Tab::Tables, tables.size(), [&] { append(out, tables); });
  table(Tab::Finalizers, finalizers.size(), [&] { append(out, finalizers); });
  table(Tab::Libraries, libraries.size(), [&] { append(out, libraries); });
  table(Tab::Inits, inits.size(), [&] { append(out, inits); });
  const uint64_t meta_size = out.size() - meta;
  out.resize(round_up(out.size()), 0);
  for (std::span<const uint8_t> b : block_bytes) {
    out.insert(out.end(), b.begin(), b.end());
    out.resize(round_up(out.size()), 0);
  }
  std::memcpy(out.data(), kMagic, 8);
  put64(out.data() + 8, kFormat);
  llvm::XXH128_hash_t h = key_hash({strings.data() + key.offset, key.size});
  put64(out.data() + 16, h.low64);
  put64(out.data() + 24, h.high64);
  put64(out.data() + 32, meta_size);
  put64(out.data() + 48, checksum(std::span<const uint8_t>(out).subspan(kHeader, meta_size)));
  put64(out.data() + 56, page);
  return out;
}

std::span<const uint8_t> Entry::bytes(uint32_t block) const {
  Block b = blocks[block];
  const uint64_t n = file_->size(), at = first_block_ + b.file_offset;
  if (at < first_block_ || at > n || b.initialised > n - at)
    return {};
  return {file_->data() + at, b.initialised};
}

uint64_t Entry::file_offset(uint32_t block) const {
  return first_block_ + blocks[block].file_offset;
}

uint64_t checksum(std::span<const uint8_t> bytes) {
  return llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(bytes.data(), bytes.size()));
}

Expected<Entry> read_entry(std::shared_ptr<const FileData> file, std::string_view key,
                           uint64_t range) {
  const uint8_t *p = file->data();
  const size_t n = file->size();
  if (n < kHeader || std::memcmp(p, kMagic, 8) != 0)
    return make_error(n < kHeader ? "cut short (" + std::to_string(n) + " bytes)"
                                  : std::string("not a cache entry"));
  if (get64(p + 8) != kFormat)
    return make_error("written in format ", get64(p + 8), " (this rtlink reads ", kFormat, ")");
  llvm::XXH128_hash_t h = key_hash(key);
  if (get64(p + 16) != h.low64 || get64(p + 24) != h.high64)
    return make_error("written for another key");
  const uint64_t meta_size = get64(p + 32), page = get64(p + 56);
  if (meta_size > n - kHeader || meta_size < kDirectory || page == 0 || (page & (page - 1)) ||
      page > (uint64_t(1) << 24))
    return make_error("bad header");
  const uint64_t first_block = (kHeader + meta_size + page - 1) / page * page;
  if (checksum({p + kHeader, meta_size}) != get64(p + 48))
    return make_error("checksum mismatch in the metadata (corrupt)");
  const uint8_t *meta = p + kHeader;
  const uint8_t *tab[kTables];
  uint32_t count[kTables];
  for (size_t t = 0; t < kTables; ++t) {
    uint64_t at = get64(meta + t * 16);
    std::memcpy(&count[t], meta + t * 16 + 8, 4);
    if (at > meta_size || count[t] > (meta_size - at) / kRecord[t])
      return make_error("metadata table ", t, " runs past the metadata");
    tab[t] = meta + at;
  }
  Entry e;
  e.file_ = std::move(file);
  e.strings_ = reinterpret_cast<const char *>(tab[size_t(Tab::Strings)]);
  auto records = [&](Tab t) { return std::make_pair(tab[size_t(t)], count[size_t(t)]); };
  auto set = [&](auto &r, Tab t) { r = {records(t).first, records(t).second}; };
  set(e.names, Tab::Names);
  set(e.fixups, Tab::Fixups);
  set(e.blocks, Tab::Blocks);
  set(e.units, Tab::Units);
  set(e.sections, Tab::Sections);
  set(e.symbols, Tab::Symbols);
  set(e.groups, Tab::Groups);
  set(e.group_sections, Tab::GroupSections);
  set(e.alternates, Tab::Alternates);
  set(e.commons, Tab::Commons);
  set(e.tables, Tab::Tables);
  set(e.finalizers, Tab::Finalizers);
  set(e.libraries, Tab::Libraries);
  set(e.inits, Tab::Inits);
  e.first_block_ = first_block;
  const uint64_t strings = count[size_t(Tab::Strings)];
  Str k;
  std::memcpy(&k, meta + kTables * 16, sizeof k);
  if (k.offset > strings || k.size > strings - k.offset || e.str(k) != key)
    return make_error("written for another key");
  if (Error err = Checker(e, range, page, strings).check())
    return err;
  return e;
}

std::string entry_name(std::string_view key) {
  llvm::XXH128_hash_t h = key_hash(key);
  return hex_digits(h.high64, 16) + hex_digits(h.low64, 16) + ".rtlc";
}

KnownHashes read_known_hashes(const std::string &dir) {
  KnownHashes known;
  auto file = llvm::MemoryBuffer::getFile(dir + "/inputs", /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return known;
  // hash device inode size modified changed path
  llvm::StringRef text = (*file)->getBuffer();
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    llvm::SmallVector<llvm::StringRef, 7> f;
    line.split(f, ' ', 6, false);
    if (f.size() != 7 || f[0].size() != 32)
      continue;  // not ours: ignored
    KnownHash k;
    k.hash = f[0].str();
    if (f[1].getAsInteger(10, k.identity.device) || f[2].getAsInteger(10, k.identity.inode) ||
        f[3].getAsInteger(10, k.identity.size) || f[4].getAsInteger(10, k.identity.modified_ns) ||
        f[5].getAsInteger(10, k.identity.changed_ns))
      continue;
    known[f[6].str()] = std::move(k);
  }
  return known;
}

Error write_known_hashes(const std::string &dir, const KnownHashes &known) {
  std::string text;
  for (const auto &[path, k] : known)
    if (path.find('\n') == std::string::npos)
      text += k.hash + " " + std::to_string(k.identity.device) + " " +
              std::to_string(k.identity.inode) + " " + std::to_string(k.identity.size) + " " +
              std::to_string(k.identity.modified_ns) + " " +
              std::to_string(k.identity.changed_ns) + " " + path + "\n";
  return write_entry(dir, "inputs", {reinterpret_cast<const uint8_t *>(text.data()), text.size()});
}

Error write_entry(const std::string &dir, const std::string &name, std::span<const uint8_t> bytes) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return make_error(dir, ": cannot create the cache directory: ", ec.message());
  std::string path = dir + "/" + name;
  // A temporary file beside the entry (or beside what a link there points
  // at), renamed over it: other processes see a whole entry or none.
  return io::write_output(path, [&](llvm::raw_ostream &os) {
    os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    return Error::success();
  });
}

} // namespace rtlink::cache
