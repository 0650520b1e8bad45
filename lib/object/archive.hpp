// object/archive.hpp — static archives: GNU, BSD and thin (and the MSVC
// layout, for the COFF front end), read through LLVM's Archive. Members are
// pulled in on demand through the archive's symbol table.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

namespace io {
class AsyncReader;
class PartialFile;
} // namespace io

class ArchiveReader {
public:
  struct Member {
    std::string name;          // as stored ("main.o")
    uint64_t offset;           // of its header in the archive
    std::span<const uint8_t> bytes;
  };

  static Expected<std::unique_ptr<ArchiveReader>> open(std::string path,
                                                       std::shared_ptr<const FileData> file);
  ~ArchiveReader();

  const std::string &path() const { return path_; }
  const std::shared_ptr<const FileData> &file() const { return file_; }
  size_t member_count() const { return members_.size(); }
  const Member &member(size_t i) const { return members_[i]; }
  // "libfoo.a(bar.o)"
  std::string member_display_name(size_t i) const;

  bool has_symbol_table() const;
  // Every (symbol, member index) the archive's symbol table lists; for an
  // archive without one, the global definitions of its ELF, COFF and Mach-O
  // members. Names are as link units name them (a Mach-O member's without
  // its leading '_', object/macho.hpp), or with `as_listed` as the archive
  // has them (symdump's --print-armap).
  struct IndexSymbol {
    std::string_view name;
    uint32_t member;
  };
  Expected<std::vector<IndexSymbol>> symbols(bool as_listed = false) const;
  // The same, one at a time: fn is called only once all have read.
  Error for_each_symbol(const std::function<void(std::string_view, uint32_t)> &fn,
                        bool as_listed = false) const;

private:
  ArchiveReader() = default;
  std::string path_;
  std::shared_ptr<const FileData> file_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<Member> members_;
};

// An archive read in parts (io::PartialFile): reads what ArchiveReader::open
// and for_each_symbol look at — the symbol table, the long-name table, each
// member's header (and a BSD member's name) — in as few batches as the
// layout allows, and no member's contents. An archive that needs more (a
// thin one, one without a symbol table) or does not parse is read whole,
// and open() then says what is wrong with it.
Error fetch_archive_index(io::AsyncReader &reader, const io::PartialFile &file);

} // namespace rtlink
