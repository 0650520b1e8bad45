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

// The most a compressed input may expand to, unless told otherwise. zstd
// expands a run of zeros ~30,000-fold (101 KB of it to 3 GiB), so every
// reader is bounded; 1 GiB is twice the loaded range's default size, and more
// than any one object or archive the tests and benchmarks read (LLVM's
// largest archives are a few hundred MiB).
constexpr uint64_t kDefaultMaxExpand = uint64_t(1) << 30;

// The limit in force: `given` when it is not 0, else the RTLINK_MAX_EXPAND
// environment variable (a size: "512M", "4G"), else kDefaultMaxExpand. An
// unreadable RTLINK_MAX_EXPAND is an error.
Expected<uint64_t> max_expand(uint64_t given);

// The decompressed contents of every frame in `bytes`; `path` names the file
// in errors (a truncated or corrupt stream, a stream that decodes to nothing,
// or to more than `limit` bytes, max_expand(limit)).
Expected<std::shared_ptr<const FileData>> decompress_zstd(const std::string &path,
                                                          std::span<const uint8_t> bytes,
                                                          uint64_t limit = 0);

} // namespace rtlink
