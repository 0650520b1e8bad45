// arch/arch.cpp — the backends by Arch, and what they share.
#include "arch/arch.hpp"
#include "support/format.hpp"

namespace rtlink {

extern const ArchBackend kX86_64Backend;
extern const ArchBackend kAArch64Backend;

const ArchBackend &arch_backend(Arch arch) {
  return arch == Arch::AArch64 ? kAArch64Backend : kX86_64Backend;
}

std::string Overflow::describe() const {
  if (std::string_view(how) == "aligned")
    return "value " + hex(value) + " is not a multiple of " + std::to_string(bits);
  return "value " + hex(value) + " does not fit in " + std::to_string(bits) + " bits " + how;
}

} // namespace rtlink
