// io/file.hpp — a file's bytes, mapped (or read) once and shared.
#pragma once

#include "object/link_unit.hpp"
#include <rtlink/error.hpp>

#include <memory>
#include <span>
#include <string>

namespace rtlink {

// `prefault`: map all of a small file at once (the linker reads most of what
// it opens); a reader that touches only symbol tables says no.
Expected<std::shared_ptr<const FileData>> read_file(const std::string &path, bool prefault = true);
// A copy of bytes already in memory.
std::shared_ptr<const FileData> copy_bytes(std::span<const uint8_t> bytes);

inline std::span<const uint8_t> bytes_of(const FileData &f) { return {f.data(), f.size()}; }

} // namespace rtlink
