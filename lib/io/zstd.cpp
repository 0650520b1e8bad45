// io/zstd.cpp — decompressing zstd inputs with libzstd's streaming API, so a
// frame that does not record its size (zstd -c from a pipe) works as well.
#include "io/zstd.hpp"
#include "support/format.hpp"

#include <zstd.h>

#include <algorithm>
#include <cstdlib>
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

Error too_big(const std::string &path, uint64_t limit) {
  std::string size = std::to_string(limit) + " bytes";
  for (auto [shift, unit] : {std::pair{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}})
    if (limit >= (uint64_t(1) << shift) && limit % (uint64_t(1) << shift) == 0) {
      size += " (" + std::to_string(limit >> shift) + " " + unit + ")";
      break;
    }
  return make_error(path, ": zstd data expands beyond ", size,
                    ", the most a compressed input may expand to (--max-expand=SIZE or "
                    "RTLINK_MAX_EXPAND=SIZE raises it)");
}

Expected<std::shared_ptr<const FileData>> decompress(const std::string &path,
                                                     std::span<const uint8_t> bytes,
                                                     uint64_t limit) {
  auto out = std::make_shared<DecodedData>();
  // Frames that record their sizes (what zstd writes for a file) say at
  // once what they expand to; the others are counted as they are decoded.
  unsigned long long recorded = 0;
  for (size_t at = 0; at < bytes.size();) {
    const unsigned long long n = ZSTD_getFrameContentSize(bytes.data() + at, bytes.size() - at);
    const size_t frame = ZSTD_findFrameCompressedSize(bytes.data() + at, bytes.size() - at);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || ZSTD_isError(frame))
      break;
    recorded += n;
    if (recorded > limit)
      return too_big(path, limit);
    at += frame;
  }
  // A hint only: the frame header may not carry the size, or may lie (so it
  // is believed only up to a ratio real inputs do not reach).
  unsigned long long hint = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR)
    out->bytes.reserve(size_t(std::min<unsigned long long>({hint, 64ull * bytes.size(), limit})));
  auto append = [&](const ZSTD_outBuffer &o) -> bool {
    if (o.pos > limit - out->bytes.size())
      return false;
    const auto *p = static_cast<const uint8_t *>(o.dst);
    out->bytes.insert(out->bytes.end(), p, p + o.pos);
    return true;
  };

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
    if (!append(o))
      return too_big(path, limit);
  }
  // Input consumed: flush whatever the decoder still holds.
  while (last != 0) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(ds.s, &o, &in);
    if (ZSTD_isError(last))
      return make_error(path, ": corrupt zstd data: ", ZSTD_getErrorName(last));
    if (!append(o))
      return too_big(path, limit);
    if (o.pos == 0 && last != 0)
      return make_error(path, ": truncated zstd data (the last frame ends early)");
  }
  if (out->bytes.empty())
    return make_error(path, ": zstd data decompresses to nothing");
  return std::shared_ptr<const FileData>(std::move(out));
}

} // namespace

Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t> bytes,
                                                          uint64_t limit) {
  auto max = max_expand(limit);
  if (!max)
    return make_error(path, ": ", max.error().message());
  try {
    return decompress(path, bytes, *max);
  } catch (const std::bad_alloc &) {  // a stream that decodes to more than memory holds
    return make_error(path, ": zstd data decompresses to more than fits in memory");
  }
}

} // namespace rtlink
