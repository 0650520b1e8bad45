// implib/elf_stubs_x86_64.cpp — a lazy-loading stub for x86-64 (see
// elf_stubs.hpp). 33 bytes, position-independent; %r10 and %r11 are the
// scratch registers no call passes anything in:
//
//    0  mov  slot(%rip), %r11        the function, once resolved
//    7  test %r11, %r11
//   10  je   15
//   12  jmp  *%r11
//   15  lea  library(%rip), %r10     else: the library and the slot's index
//   22  mov  $index, %r11d
//   28  jmp  __rtlink_stub_enter     which resolves, fills the slot, jumps
#include "implib/elf_object.hpp"
#include "implib/elf_stubs.hpp"

#include <llvm/BinaryFormat/ELF.h>

namespace rtlink::implib {
namespace {

using namespace llvm::ELF;

void write_stub(ElfObject &o, int text, uint32_t library, uint32_t enter, uint32_t index) {
  const uint8_t code[] = {
      0x4c, 0x8b, 0x1d, 0, 0, 0, 0,   // mov slot(%rip), %r11
      0x4d, 0x85, 0xdb,               // test %r11, %r11
      0x74, 0x03,                     // je +3
      0x41, 0xff, 0xe3,               // jmp *%r11
      0x4c, 0x8d, 0x15, 0, 0, 0, 0,   // lea library(%rip), %r10
      0x41, 0xbb, static_cast<uint8_t>(index), static_cast<uint8_t>(index >> 8),
      static_cast<uint8_t>(index >> 16), static_cast<uint8_t>(index >> 24),  // mov $index, %r11d
      0xe9, 0, 0, 0, 0,               // jmp __rtlink_stub_enter
  };
  o.data(text).assign(reinterpret_cast<const char *>(code), sizeof code);
  o.relocate(text, 3, library, R_X86_64_PC32, kStubSlots + 8 * int64_t(index) - 4);
  o.relocate(text, 18, library, R_X86_64_PC32, -4);
  o.relocate(text, 29, enter, R_X86_64_PLT32, -4);
}

} // namespace

StubArch x86_64_stub_arch() {
  return {EM_X86_64, write_stub, R_X86_64_64, embedded::elf_stub_enter_x86_64(),
          embedded::elf_stub_resolve_x86_64()};
}

} // namespace rtlink::implib
