// io/file.cpp — files through LLVM's MemoryBuffer (mmap for large files).
// The async reader of a later issue replaces this behind the same interface.
#include "io/file.hpp"

#include <llvm/Support/MemoryBuffer.h>

#include <cstring>
#include <system_error>

namespace rtlink {

namespace {

struct MemoryBufferData final : FileData {
  std::unique_ptr<llvm::MemoryBuffer> buf;
  const uint8_t *data() const override {
    return reinterpret_cast<const uint8_t *>(buf->getBufferStart());
  }
  size_t size() const override { return buf->getBufferSize(); }
};

struct OwnedData final : FileData {
  std::unique_ptr<uint8_t[]> bytes;
  size_t n = 0;
  const uint8_t *data() const override { return bytes.get(); }
  size_t size() const override { return n; }
};

} // namespace

Expected<std::shared_ptr<const FileData>> read_file(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return make_error(path, ": cannot read: ", buf.getError().message());
  auto d = std::make_shared<MemoryBufferData>();
  d->buf = std::move(*buf);
  return std::shared_ptr<const FileData>(std::move(d));
}

std::shared_ptr<const FileData> copy_bytes(std::span<const uint8_t> bytes) {
  auto d = std::make_shared<OwnedData>();
  d->bytes.reset(new uint8_t[bytes.size() ? bytes.size() : 1]);
  if (!bytes.empty())
    std::memcpy(d->bytes.get(), bytes.data(), bytes.size());
  d->n = bytes.size();
  return d;
}

} // namespace rtlink
