// object/detect.hpp — what a file is, by its content.
#pragma once

#include <rtlink/linker.hpp>

#include <span>
#include <string>
#include <vector>

namespace rtlink {

InputKind identify_input(std::span<const uint8_t> bytes);

// The files a GNU ld script names in GROUP(...), INPUT(...) and AS_NEEDED(...):
// paths, or "-lNAME" to be found along the library search path.
Expected<std::vector<std::string>> ld_script_inputs(const std::string &path,
                                                    std::span<const uint8_t> text);

} // namespace rtlink
