// object/archive.cpp — archive members and their symbol table.
//
// LLVM's Archive checks every member header as it iterates the members. Its
// Symbol::getMember() trusts the offset stored in the symbol table, though,
// so each offset is read here, per layout, and must name a member the
// iteration found: a bogus offset is an error naming the archive and the
// symbol, never a read past the end of the file.
#include "object/archive.hpp"
#include "object/elf.hpp"
#include "support/format.hpp"

#include <llvm/Object/Archive.h>
#include <llvm/Support/Endian.h>

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
  r->path_ = std::move(path);
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

// The member offset of symbol i, read from the symbol table as each layout
// stores it; nullopt when the table is too short for it.
std::optional<uint64_t> symbol_member_offset(const Archive &ar, uint32_t i) {
  using namespace llvm::support::endian;
  llvm::StringRef t = ar.getSymbolTable();
  auto at = [&](uint64_t pos, unsigned width) -> bool { return pos + width <= t.size(); };
  const char *p = t.data();
  switch (ar.kind()) {
  case Archive::K_GNU:
    if (!at(4 + uint64_t(i) * 4, 4)) return std::nullopt;
    return read32be(p + 4 + uint64_t(i) * 4);
  case Archive::K_GNU64:
    if (!at(8 + uint64_t(i) * 8, 8)) return std::nullopt;
    return read64be(p + 8 + uint64_t(i) * 8);
  case Archive::K_BSD:
  case Archive::K_DARWIN:
    if (!at(4 + uint64_t(i) * 8 + 4, 4)) return std::nullopt;
    return read32le(p + 4 + uint64_t(i) * 8 + 4);
  case Archive::K_DARWIN64:
    if (!at(8 + uint64_t(i) * 16 + 8, 8)) return std::nullopt;
    return read64le(p + 8 + uint64_t(i) * 16 + 8);
  case Archive::K_COFF: {
    if (!at(0, 4)) return std::nullopt;
    uint64_t members = read32le(p);
    uint64_t counts = 4 + members * 4;
    if (!at(counts, 4)) return std::nullopt;
    uint64_t idx_pos = counts + 4 + uint64_t(i) * 2;
    if (!at(idx_pos, 2)) return std::nullopt;
    uint64_t m = read16le(p + idx_pos);
    if (m == 0 || m > members) return std::nullopt;
    return read32le(p + 4 + (m - 1) * 4);
  }
  default: return std::nullopt;
  }
}

} // namespace

Error ArchiveReader::for_each_symbol(
    const std::function<void(std::string_view, uint32_t)> &fn) const {
  const Archive &ar = *impl_->archive;
  if (ar.hasSymbolTable()) {
    uint32_t i = 0;
    for (const Archive::Symbol &s : ar.symbols()) {
      llvm::StringRef name = s.getName();
      auto off = symbol_member_offset(ar, i);
      if (!off)
        return make_error(path_, ": symbol table entry ", i, " (", name.str(),
                          ") lies past the end of the symbol table");
      auto it = impl_->by_offset.find(*off);
      if (it == impl_->by_offset.end())
        return make_error(path_, ": symbol table entry for ", quote(name.str()),
                          " points at offset ", hex(*off), ", which is not a member",
                          *off >= file_->size() ? " (past the end of the archive, size " +
                                                      hex(file_->size()) + ")"
                                                : std::string());
      fn(std::string_view(name.data(), name.size()), it->second);
      ++i;
    }
    return Error::success();
  }
  // No symbol table (ar without s): read each ELF member's global definitions.
  // A member that is not an ELF object is reported if it is ever pulled in.
  for (uint32_t m = 0; m < members_.size(); ++m)
    for_each_defined_global(members_[m].bytes, false, [&](std::string_view n) { fn(n, m); });
  return Error::success();
}

} // namespace rtlink
