// io/partial.hpp — a file read through an AsyncReader in parts, where it is
// needed: an archive is read as far as its symbol table and member headers
// at load, and each member a resolve pulls in, in one batch per round.
#pragma once

#include "io/reader.hpp"
#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace rtlink::io {

class PartialFile final : public FileData {
public:
  // Opens `path`; nothing is read yet. The bytes have the file's size and
  // are zero where nothing has been read.
  static Expected<std::shared_ptr<PartialFile>> open(const std::string &path);
  ~PartialFile() override;
  PartialFile(const PartialFile &) = delete;
  PartialFile &operator=(const PartialFile &) = delete;

  const uint8_t *data() const override { return bytes_; }
  size_t size() const override { return size_; }
  FileIdentity identity() const override { return identity_; }
  const std::string &path() const { return path_; }
  uint64_t bytes_read() const { return read_; }
  bool complete() const { return read_ == size_; }
  bool has(uint64_t offset, uint64_t length) const;

  // Byte ranges wanted from some files (clipped to each file's size), read
  // in one batch; what was read before is not read again. The file stays
  // open until all of it has been read. Errors name the file.
  struct Want {
    const PartialFile *file;
    uint64_t offset, length;
  };
  static Error fetch(AsyncReader &reader, std::span<const Want> wants);
  Error fetch_all(AsyncReader &reader) const;

private:
  PartialFile() = default;
  static constexpr uint64_t kPage = 4096;  // what is read, and remembered as read
  std::string path_;
  // Read state changes under const (a FileData is shared as const): only the
  // session's verbs fetch, one at a time.
  mutable int64_t handle_ = -1;
  mutable uint64_t read_ = 0;
  mutable std::vector<uint8_t> page_read_;
  mutable bool abandoned_ = false;  // a read into it could not be stopped: never freed
  uint8_t *bytes_ = nullptr;
  uint64_t size_ = 0;
  FileIdentity identity_;
};

} // namespace rtlink::io
