// io/zstd.hpp — inputs compressed with zstd, recognised by their magic bytes.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <memory>
#include <span>
#include <string>

namespace rtlink {

// True when the bytes start a zstd frame (magic 28 B5 2F FD).
bool is_zstd(std::span<const uint8_t> bytes);

// The decompressed contents of every frame in `bytes`; `path` names the file
// in errors (a truncated or corrupt stream, a stream that decodes to nothing).
Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t> bytes);

} // namespace rtlink
