// io/file.hpp — a file's bytes, mapped (or read) once and shared.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <memory>
#include <span>
#include <string>

namespace rtlink {

// `prefault`: map all of a small file at once (the linker reads most of what
// it opens); a reader that touches only symbol tables says no. A file of zstd
// data gives what it decompresses to, up to `max_expand` bytes (0: the
// default, io/zstd.hpp's max_expand).
Expected<std::shared_ptr<const FileData>> read_file(const std::string &path, bool prefault = true,
                                                    uint64_t max_expand = 0);
// Bytes already in memory, as read_file gives a file's: decompressed if they
// are zstd data, else copied. `name` names them in errors.
Expected<std::shared_ptr<const FileData>> buffer_contents(const std::string &name,
                                                          std::span<const uint8_t> bytes,
                                                          uint64_t max_expand = 0);

// `size` bytes this process owns, not yet filled in; `data` is where to write them.
std::shared_ptr<FileData> owned_bytes(size_t size, uint8_t *&data);

inline std::span<const uint8_t> bytes_of(const FileData &f) { return {f.data(), f.size()}; }

} // namespace rtlink
