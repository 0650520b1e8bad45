// io/file.cpp — files mapped through the platform layer, and bytes held in
// memory this process owns (what the AsyncReader reads into).
#include "io/file.hpp"
#include "io/zstd.hpp"
#include "platform/platform.hpp"

#include <cstring>
#include <system_error>

namespace rtlink {

namespace {

struct MappedData final : FileData {
  platform::MappedFile file;
  ~MappedData() override { platform::unmap_file(file); }
  const uint8_t *data() const override { return file.data; }
  size_t size() const override { return file.size; }
  FileIdentity identity() const override { return file.identity; }
  bool mapped() const override { return true; }
};

struct OwnedData final : FileData {
  std::unique_ptr<uint8_t[]> bytes;
  size_t n = 0;
  const uint8_t *data() const override { return bytes.get(); }
  size_t size() const override { return n; }
};

} // namespace

Expected<std::shared_ptr<const FileData>> read_file(const std::string &path, bool prefault,
                                                    uint64_t max_expand) {
  auto mapped = platform::map_file(path, prefault);
  if (!mapped)
    return mapped.take_error();
  auto d = std::make_shared<MappedData>();
  d->file = *mapped;
  // zstd-compressed inputs are read as what they contain, whatever their name.
  if (is_zstd(bytes_of(*d)))
    return decompress_zstd(path, bytes_of(*d), max_expand);
  return std::shared_ptr<const FileData>(std::move(d));
}

std::shared_ptr<FileData> owned_bytes(size_t size, uint8_t *&data) {
  auto d = std::make_shared<OwnedData>();
  d->bytes.reset(new uint8_t[size ? size : 1]);  // left uninitialized: it is read into
  d->n = size;
  data = d->bytes.get();
  return d;
}

Expected<std::shared_ptr<const FileData>> buffer_contents(const std::string &name,
                                                          std::span<const uint8_t> bytes,
                                                          uint64_t max_expand) {
  if (is_zstd(bytes))
    return decompress_zstd(name, bytes, max_expand);
  auto d = std::make_shared<OwnedData>();
  d->bytes.reset(new uint8_t[bytes.size() ? bytes.size() : 1]);
  if (!bytes.empty())
    std::memcpy(d->bytes.get(), bytes.data(), bytes.size());
  d->n = bytes.size();
  return std::shared_ptr<const FileData>(std::move(d));
}

} // namespace rtlink
