#include "support/demangle.hpp"

#include <llvm/Demangle/Demangle.h>

namespace rtlink {

std::string demangled_or_same(std::string_view name) {
  if (name.substr(0, 2) != "_Z" && name.substr(0, 3) != "__Z" && name.substr(0, 1) != "?")
    return std::string(name);
  return llvm::demangle(name);
}

std::string display_name(std::string_view name) {
  std::string d = demangled_or_same(name);
  return d == name ? d : d + " (" + std::string(name) + ")";
}

} // namespace rtlink
