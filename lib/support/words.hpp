// support/words.hpp — a line split into words at blanks, where quotes keep
// blanks (and are dropped): .drectve options, executor command lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rtlink {

// `quotes`: the characters that open and close a quoted run ("\"" for
// .drectve, "\"'" for a command line). Blanks: space, tab, CR, LF, NUL.
std::vector<std::string> split_words(std::string_view text, std::string_view quotes);

} // namespace rtlink
