// io/zstd.cpp — decompressing zstd inputs with libzstd's streaming API, so a
// frame that does not record its size (zstd -c from a pipe) works as well.
#include "io/zstd.hpp"

#include <zstd.h>

#include <cstring>
#include <vector>

namespace rtlink {

namespace {

struct DecodedData final : FileData {
  std::vector<uint8_t> bytes;
  const uint8_t *data() const override { return bytes.data(); }
  size_t size() const override { return bytes.size(); }
  bool decompressed() const override { return true; }
};

struct DStream {
  ZSTD_DStream *s = ZSTD_createDStream();
  ~DStream() { ZSTD_freeDStream(s); }
};

} // namespace

bool is_zstd(std::span<const uint8_t> bytes) {
  static const uint8_t magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), magic, 4) == 0;
}

Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t> bytes) {
  auto out = std::make_shared<DecodedData>();
  // A hint only: the frame header may not carry the size, or may lie.
  unsigned long long hint = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR &&
      hint <= (1ull << 32))
    out->bytes.reserve(hint);

  DStream ds;
  if (!ds.s)
    return make_error(path, ": cannot decompress: out of memory");
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  std::vector<uint8_t> chunk(ZSTD_DStreamOutSize());
  size_t last = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(ds.s, &o, &in);
    if (ZSTD_isError(last))
      return make_error(path, ": corrupt zstd data: ", ZSTD_getErrorName(last));
    out->bytes.insert(out->bytes.end(), chunk.data(), chunk.data() + o.pos);
  }
  // Input consumed: flush whatever the decoder still holds.
  while (last != 0) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(ds.s, &o, &in);
    if (ZSTD_isError(last))
      return make_error(path, ": corrupt zstd data: ", ZSTD_getErrorName(last));
    out->bytes.insert(out->bytes.end(), chunk.data(), chunk.data() + o.pos);
    if (o.pos == 0 && last != 0)
      return make_error(path, ": truncated zstd data (the last frame ends early)");
  }
  if (out->bytes.empty())
    return make_error(path, ": zstd data decompresses to nothing");
  return std::shared_ptr<const FileData>(std::move(out));
}

} // namespace rtlink
