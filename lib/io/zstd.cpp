// io/zstd.cpp — decompressing zstd inputs with libzstd's streaming API, so a
// frame that does not record its size (zstd -c from a pipe) works as well.
#include "io/zstd.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>
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

Expected<std::shared_ptr<const FileData>> decompress(const std::string &path,
                                                     std::span<const uint8_t> bytes) {
  auto out = std::make_shared<DecodedData>();
  // A hint only: the frame header may not carry the size, or may lie (so it
  // is believed only up to a ratio real inputs do not reach).
  unsigned long long hint = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR)
    out->bytes.reserve(size_t(std::min<unsigned long long>(hint, 64ull * bytes.size())));

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

} // namespace

bool is_zstd(std::span<const uint8_t> bytes) {
  static const uint8_t magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), magic, 4) == 0;
}

Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t> bytes) {
  try {
    return decompress(path, bytes);
  } catch (const std::bad_alloc &) {  // a stream that decodes to more than memory holds
    return make_error(path, ": zstd data decompresses to more than fits in memory");
  }
}

} // namespace rtlink
