// support/demangle.hpp — symbol names as messages show them (LLVM's
// demangler: the linker's side only, not the LLVM-free executor's).
#pragma once

#include <string>
#include <string_view>

namespace rtlink {

// C++ names (Itanium, Microsoft) demangled: `demangled_or_same` the
// demangled name alone; `display_name` the demangled name followed by the
// name itself in parentheses (what nm and the object file show). Plain
// names as they are.
std::string demangled_or_same(std::string_view name);
std::string display_name(std::string_view name);

} // namespace rtlink
