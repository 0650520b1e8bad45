// object/archive.cpp — archive members and their symbol table.
//
// LLVM's Archive checks every member header as it iterates the members. Its
// Symbol::getMember() trusts the offset stored in the symbol table, though,
// so the symbol table is walked here (walk_symbol_table), per layout, in one
// pass that checks each count, name and offset against the table as it meets
// them: each member offset must name a member the iteration found, and a
// bogus one is an error naming the archive and the symbol, never a read past
// the end of the file. (LLVM's symbol iteration trusts the table's counts and
// name offsets, and reads each name up to its NUL wherever that is.)
#include "object/archive.hpp"
#include "object/coff.hpp"
#include "object/elf.hpp"
#include "object/macho.hpp"
#include "io/partial.hpp"
#include "support/format.hpp"

#include <llvm/Object/Archive.h>
#include <llvm/Support/Endian.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

namespace rtlink {

using llvm::object::Archive;

struct ArchiveReader::Impl {
  std::unique_ptr<Archive> archive;
  std::unordered_map<uint64_t, uint32_t> by_offset;  // header offset → member index
};

ArchiveReader::~ArchiveReader() = default;

Expected<std::unique_ptr<ArchiveReader>> ArchiveReader::open(std::string path,
                                                             std::shared_ptr<const FileData> file) {
  auto fail = [&](const auto &...parts) { return make_error(path, ": ", parts...); };
  llvm::MemoryBufferRef ref(
      llvm::StringRef(reinterpret_cast<const char *>(file->data()), file->size()), path);
  auto ar = Archive::create(ref);
  if (!ar)
    return fail(llvm::toString(ar.takeError()));
  if ((*ar)->kind() == Archive::K_AIXBIG)
    return fail("AIX big archives are not supported");

  std::unique_ptr<ArchiveReader> r(new ArchiveReader());
  r->path_ = path;  // `fail` still names it
  r->file_ = std::move(file);
  r->impl_ = std::make_unique<Impl>();
  r->impl_->archive = std::move(*ar);

  llvm::Error err = llvm::Error::success();
  for (const Archive::Child &c : r->impl_->archive->children(err)) {
    auto name = c.getName();
    if (!name)
      return fail(llvm::toString(name.takeError()));
    auto buf = c.getBuffer();  // a thin archive's member is read from its own file
    if (!buf)
      return fail("member ", name->str(), ": ", llvm::toString(buf.takeError()));
    uint64_t off = c.getChildOffset();
    r->impl_->by_offset.emplace(off, uint32_t(r->members_.size()));
    r->members_.push_back(Member{name->str(), off,
                                 {reinterpret_cast<const uint8_t *>(buf->data()), buf->size()}});
  }
  if (err)
    return fail(llvm::toString(std::move(err)));
  return r;
}

bool ArchiveReader::has_symbol_table() const { return impl_->archive->hasSymbolTable(); }

std::string ArchiveReader::member_display_name(size_t i) const {
  return path_ + "(" + members_[i].name + ")";
}

namespace {

// Walks the symbol table once, as each layout stores it: emit(i, name,
// member offset) for each symbol in the table's order, the offset nullopt
// where the table does not hold it. Every count, offset and name is checked
// against the table's size as it is met (a name must end in a NUL inside
// the table); the first problem is returned, in the terms of the layout.
// emit returns false to stop (the caller keeps its own reason). start(hint)
// comes first: how many symbols to make room for, the count but no more than
// the bytes left for names (each takes one at least), so that a forged count
// costs no more memory than the table's size.
template <class Start, class Emit>
std::optional<std::string> walk_symbol_table(const Archive &ar, Start &&start, Emit &&emit) {
  using namespace llvm::support::endian;
  const llvm::StringRef t = ar.getSymbolTable();
  const uint64_t n = t.size();
  const char *p = t.data();
  const std::string size = " (the table has " + std::to_string(n) + " bytes)";
  auto count_of = [](uint64_t c, const char *what) { return std::to_string(c) + " " + what; };
  // The name at `at`, ending in a NUL before `end`, or nullopt.
  auto name_at = [&](uint64_t at, uint64_t end) -> std::optional<std::string_view> {
    if (at >= end)
      return std::nullopt;
    const void *nul = std::memchr(p + at, 0, end - at);
    if (!nul)
      return std::nullopt;
    return std::string_view(p + at, size_t(static_cast<const char *>(nul) - (p + at)));
  };
  // `count` names one after another from `at`, the member offset of each by `offset(i)`.
  auto consecutive = [&](uint64_t count, uint64_t at,
                         auto offset) -> std::optional<std::string> {
    start(std::min(count, n - std::min(at, n)));
    for (uint64_t i = 0; i < count; ++i) {
      auto name = name_at(at, n);
      if (!name)
        return "the name of symbol " + std::to_string(i) + " (of " + std::to_string(count) +
               ") runs past the end of the table";
      if (!emit(uint32_t(i), *name, offset(i)))
        return std::nullopt;
      at += name->size() + 1;
    }
    return std::nullopt;
  };
  if (n > UINT32_MAX)  // LLVM keeps offsets into it in 32 bits
    return "the table is larger than 4 GiB";
  switch (ar.kind()) {
  case Archive::K_GNU:
  case Archive::K_GNU64: {
    // A big-endian symbol count, a member offset per symbol, the names.
    const uint64_t w = ar.kind() == Archive::K_GNU ? 4 : 8;
    if (n < w)
      return "its symbol count is cut short" + size;
    const uint64_t count = w == 4 ? read32be(p) : read64be(p);
    if (count > (n - w) / w)
      return "the member offsets of its " + count_of(count, "symbols") + " run past its end" + size;
    return consecutive(count, w + count * w, [&](uint64_t i) -> std::optional<uint64_t> {
      return w == 4 ? uint64_t(read32be(p + w + i * w)) : read64be(p + w + i * w);
    });
  }
  case Archive::K_BSD:
  case Archive::K_DARWIN64: {
    // The byte size of the (name offset, member offset) pairs, the pairs,
    // the byte size of the names, the names.
    const uint64_t w = ar.kind() == Archive::K_BSD ? 4 : 8;
    auto rd = [&](uint64_t at) { return w == 4 ? uint64_t(read32le(p + at)) : read64le(p + at); };
    // LLVM reads the first pair's name offset even when there is none.
    if (n < 2 * w)
      return "its size field and first entry are cut short" + size;
    const uint64_t count = rd(0) / (2 * w);
    if (count > (n - 2 * w) / (2 * w))
      return "its " + count_of(count, "entries") + " and the size of its names run past its end" + size;
    const uint64_t strings = w + count * 2 * w + w, strings_size = rd(strings - w);
    if (strings_size > n - strings)
      return "its names (" + std::to_string(strings_size) + " bytes from offset " +
             std::to_string(strings) + ") run past its end" + size;
    start(std::min(count, strings_size));
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t at = rd(w + i * 2 * w);
      auto name = at < strings_size ? name_at(strings + at, strings + strings_size) : std::nullopt;
      if (!name)
        return "the name of symbol " + std::to_string(i) + " (at offset " + std::to_string(at) +
               " of its " + std::to_string(strings_size) + " bytes of names) runs past their end";
      if (!emit(uint32_t(i), *name, std::optional<uint64_t>(rd(w + i * 2 * w + w))))
        return std::nullopt;
    }
    return std::nullopt;
  }
  case Archive::K_COFF: {
    // The second linker member: a member count and offsets, a symbol count,
    // a 16-bit member index per symbol (from 1), the names.
    if (n < 4)
      return "its member count is cut short" + size;
    const uint64_t members = read32le(p);
    if (n < 8 || members > (n - 8) / 4)
      return "the offsets of its " + count_of(members, "members") +
             " and its symbol count run past its end" + size;
    const uint64_t at = 4 + members * 4, count = read32le(p + at);
    if (count > (n - at - 4) / 2)
      return "the member indices of its " + count_of(count, "symbols") + " run past its end" + size;
    return consecutive(count, at + 4 + count * 2, [&](uint64_t i) -> std::optional<uint64_t> {
      const uint64_t m = read16le(p + at + 4 + i * 2);
      if (m == 0 || m > members)
        return std::nullopt;
      return read32le(p + 4 + (m - 1) * 4);
    });
  }
  default:
    return "this kind of archive is not supported";
  }
}

} // namespace

Expected<std::vector<ArchiveReader::IndexSymbol>> ArchiveReader::symbols(bool as_listed) const {
  const Archive &ar = *impl_->archive;
  std::vector<IndexSymbol> out;
  // A Mach-O member's names carry a '_' its unit drops. (The member of the
  // symbol before is kept: a table lists a member's symbols together.) Only
  // a name with a '_' to drop needs its member read: the check touches the
  // member's first page, and most of GHC's archives' members are never pulled.
  uint32_t last_member = UINT32_MAX;
  bool last_macho = false;
  auto name_of = [&](std::string_view n, uint32_t m) {
    if (as_listed || n.empty() || n[0] != '_')
      return n;
    if (m != last_member) {
      last_member = m;
      last_macho = is_macho(members_[m].bytes);
    }
    return last_macho ? macho_c_name(n) : n;
  };
  if (ar.hasSymbolTable()) {
    uint64_t last_offset = UINT64_MAX;
    uint32_t member = 0;
    Error bad_entry = Error::success();
    auto emit = [&](uint32_t i, std::string_view name, std::optional<uint64_t> off) {
      if (!off) {
        bad_entry = make_error(path_, ": symbol table entry ", i, " (", name,
                               ") lies past the end of the symbol table");
        return false;
      }
      if (*off != last_offset) {
        auto it = impl_->by_offset.find(*off);
        if (it == impl_->by_offset.end()) {
          bad_entry = make_error(path_, ": symbol table entry for ", quote(name),
                                 " points at offset ", hex(*off), ", which is not a member",
                                 *off >= file_->size() ? " (past the end of the archive, size " +
                                                             hex(file_->size()) + ")"
                                                       : std::string());
          return false;
        }
        last_offset = *off;
        member = it->second;
      }
      out.push_back({name_of(name, member), member});
      return true;
    };
    if (auto bad = walk_symbol_table(ar, [&](uint64_t hint) { out.reserve(hint); }, emit))
      return make_error(path_, ": malformed symbol table (archive index): ", *bad);
    if (bad_entry)
      return bad_entry;
    return out;
  }
  // No symbol table (ar without s, llvm-ar S, lib.exe's output stripped of
  // its index): read each member's global definitions, ELF, COFF (objects
  // and short import members) or Mach-O, as ld and lld do.
  // A member that is such an object but does not read is named here: its
  // definitions would otherwise be missing without a word, and the link
  // fail later on an undefined symbol. Members that are no such object
  // (text, bitcode, 32-bit ELF) define nothing here, as before.
  for (uint32_t m = 0; m < members_.size(); ++m) {
    auto add = [&](std::string_view n) { out.push_back({name_of(n, m), m}); };
    Error e = for_each_defined_global(members_[m].bytes, false, add);
    if (!e)
      e = for_each_coff_global(members_[m].bytes, add);
    if (!e)
      e = for_each_macho_global(members_[m].bytes, add);
    if (e)
      return make_error(member_display_name(m), ": ", e.message(),
                        " (the archive has no symbol index, so every member's symbols are read)");
  }
  return out;
}

Error ArchiveReader::for_each_symbol(const std::function<void(std::string_view, uint32_t)> &fn,
                                     bool as_listed) const {
  auto all = symbols(as_listed);
  if (!all)
    return all.take_error();
  for (const IndexSymbol &s : *all)
    fn(s.name, s.member);
  return Error::success();
}

namespace {

constexpr uint64_t kHeaderSize = 60;

// The member size a header at `at` gives (decimal, space padded), if sound.
std::optional<uint64_t> header_size(const uint8_t *p, uint64_t at) {
  if (p[at + 58] != '`' || p[at + 59] != '\n')
    return std::nullopt;
  uint64_t v = 0;
  bool digits = false;
  for (uint64_t i = at + 48; i < at + 58 && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '9')
      return std::nullopt;
    v = v * 10 + uint64_t(p[i] - '0');
    digits = true;
  }
  return digits ? std::optional<uint64_t>(v) : std::nullopt;
}

bool name_is(const uint8_t *p, uint64_t at, std::string_view n) {
  return std::string_view(reinterpret_cast<const char *>(p + at), n.size()) == n;
}

} // namespace

Error fetch_archive_index(io::AsyncReader &reader, const io::PartialFile &file) {
  using Want = io::PartialFile::Want;
  const uint8_t *p = file.data();
  const uint64_t n = file.size();
  auto whole = [&] { return file.fetch_all(reader); };
  auto fetch = [&](std::vector<Want> w) { return io::PartialFile::fetch(reader, w); };
  if (n < 8 || !file.has(0, 8))
    if (Error e = fetch({{&file, 0, 8}}))
      return e;
  if (n < 8 + kHeaderSize || !name_is(p, 0, "!<arch>\n"))
    return whole();
  // The name of the member whose header is at `at`, and where its contents start.
  auto member_name = [&](uint64_t at, uint64_t size, std::string_view &name,
                         uint64_t &contents) -> Error {
    name = std::string_view(reinterpret_cast<const char *>(p + at), 16);
    contents = at + kHeaderSize;
    if (name.substr(0, 3) == "#1/") {  // BSD: the name follows the header
      uint64_t len = 0;
      for (char c : name.substr(3))
        if (c >= '0' && c <= '9')
          len = len * 10 + uint64_t(c - '0');
      if (len > size)
        return make_error("bad name");
      if (Error e = fetch({{&file, contents, len}}))
        return e;
      name = std::string_view(reinterpret_cast<const char *>(p + contents), len);
      contents += len;
    }
    return Error::success();
  };
  auto is_table = [](std::string_view name) {
    return name.substr(0, 2) == "/ " || name.substr(0, 3) == "// " ||
           name.substr(0, 7) == "/SYM64/" || name.substr(0, 9) == "__.SYMDEF" ||
           name.substr(0, 13) == "/<ECSYMBOLS>/";
  };

  // 1. The symbol table, first; the member headers it names, in one batch.
  if (Error e = fetch({{&file, 8, kHeaderSize}}))
    return e;
  auto size = header_size(p, 8);
  std::string_view name;
  uint64_t contents = 0;
  if (!size || member_name(8, *size, name, contents) || !is_table(name) ||
      *size > n - 8 - kHeaderSize)
    return whole();  // no symbol table: its members' symbols are read from them
  const uint64_t table_end = 8 + kHeaderSize + *size;
  if (Error e = fetch({{&file, contents, table_end - contents}}))
    return e;
  std::vector<uint64_t> offsets;
  auto be = [&](uint64_t at, int w) {
    uint64_t v = 0;
    for (int i = 0; i < w; ++i)
      v = (v << 8) | p[at + uint64_t(i)];
    return v;
  };
  auto le = [&](uint64_t at, int w) {
    uint64_t v = 0;
    for (int i = w - 1; i >= 0; --i)
      v = (v << 8) | p[at + uint64_t(i)];
    return v;
  };
  const uint64_t t = contents, tn = table_end - contents;
  if (name.substr(0, 2) == "/ " || name.substr(0, 7) == "/SYM64/") {
    const int w = name[1] == ' ' ? 4 : 8;
    const uint64_t count = tn >= uint64_t(w) ? be(t, w) : 0;
    for (uint64_t i = 0; i < count && uint64_t(w) * (i + 2) <= tn; ++i)
      offsets.push_back(be(t + uint64_t(w) * (i + 1), w));
  } else if (name.substr(0, 9) == "__.SYMDEF") {
    const int w = name.find("_64") != std::string_view::npos ? 8 : 4;
    const uint64_t bytes = tn >= uint64_t(w) ? le(t, w) : 0;
    for (uint64_t at = uint64_t(w); at + 2 * uint64_t(w) <= std::min(tn, uint64_t(w) + bytes);
         at += 2 * uint64_t(w))
      offsets.push_back(le(t + at + uint64_t(w), w));
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  std::vector<Want> headers;
  for (uint64_t o : offsets)
    if (o >= table_end && o <= n - kHeaderSize)
      headers.push_back({&file, o, kHeaderSize});
  if (Error e = fetch(headers))
    return e;

  // The first bytes of each member the table names: for_each_symbol tells a
  // Mach-O member (whose listed names lose their '_') by its magic. They
  // mostly lie in the pages just read.
  std::vector<Want> magics;
  for (uint64_t o : offsets)
    if (o >= table_end && o <= n - kHeaderSize)
      if (auto sz = header_size(p, o))
        if (std::string_view nm; !member_name(o, *sz, nm, contents))
          magics.push_back({&file, contents, 4});
  if (Error e = fetch(magics))
    return e;

  // 2. Every header in order: those the symbol table did not name (members
  //    without symbols) one at a time, and the tables' and names' bytes.
  for (uint64_t at = table_end + (table_end & 1); at < n; ) {
    if (n - at < kHeaderSize)
      return whole();
    if (Error e = fetch({{&file, at, kHeaderSize}}))
      return e;
    size = header_size(p, at);
    if (!size || *size > n - at - kHeaderSize)
      return whole();
    if (member_name(at, *size, name, contents))
      return whole();
    if (is_table(name))
      if (Error e = fetch({{&file, contents, at + kHeaderSize + *size - contents}}))
        return e;
    at += kHeaderSize + *size;
    at += at & 1;
  }
  return Error::success();
}

} // namespace rtlink
