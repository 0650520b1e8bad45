// support/arch.cpp — names of the instruction sets (rtlink/executor.hpp).
#include <rtlink/executor.hpp>

namespace rtlink {

const char *arch_name(Arch arch) {
  switch (arch) {
  case Arch::X86_64: return "x86-64";
  case Arch::AArch64: return "aarch64";
  }
  return "an unknown architecture";
}

} // namespace rtlink
