// implib/elf_stubs_aarch64.cpp — a lazy-loading stub for aarch64 (see
// elf_stubs.hpp). Ten instructions, position-independent; x16 and x17 are
// the intra-procedure-call registers a stub may use:
//
//    0  adrp x16, slot
//    4  add  x16, x16, :lo12:slot
//    8  ldar x17, [x16]              the function, once resolved
//   12  cbz  x17, 20
//   16  br   x17
//   20  adrp x16, library            else: the library and the slot's index
//   24  add  x16, x16, :lo12:library
//   28  movz w17, #index
//   32  movk w17, #index >> 16, lsl 16
//   36  b    __rtlink_stub_enter     which resolves, fills the slot, jumps
#include "implib/elf_object.hpp"
#include "implib/elf_stubs.hpp"

#include <llvm/BinaryFormat/ELF.h>

namespace rtlink::implib {
namespace {

using namespace llvm::ELF;

void write_stub(ElfObject &o, int text, uint32_t library, uint32_t enter, uint32_t index) {
  const uint32_t words[] = {
      0x90000010,                              // adrp x16, slot
      0x91000210,                              // add x16, x16, :lo12:slot
      0xc8dffe11,                              // ldar x17, [x16]
      0xb4000051,                              // cbz x17, +8
      0xd61f0220,                              // br x17
      0x90000010,                              // adrp x16, library
      0x91000210,                              // add x16, x16, :lo12:library
      0x52800011 | (index & 0xffff) << 5,      // movz w17, #index
      0x72a00011 | (index >> 16) << 5,         // movk w17, #index >> 16, lsl 16
      0x14000000,                              // b __rtlink_stub_enter
  };
  std::string &code = o.data(text);
  code.clear();
  for (uint32_t w : words)
    for (int b = 0; b < 4; ++b)
      code += static_cast<char>(w >> (8 * b));
  const int64_t slot = kStubSlots + 8 * int64_t(index);
  o.relocate(text, 0, library, R_AARCH64_ADR_PREL_PG_HI21, slot);
  o.relocate(text, 4, library, R_AARCH64_ADD_ABS_LO12_NC, slot);
  o.relocate(text, 20, library, R_AARCH64_ADR_PREL_PG_HI21, 0);
  o.relocate(text, 24, library, R_AARCH64_ADD_ABS_LO12_NC, 0);
  o.relocate(text, 36, enter, R_AARCH64_JUMP26, 0);
}

} // namespace

StubArch aarch64_stub_arch() {
  return {EM_AARCH64, write_stub, R_AARCH64_ABS64, embedded::elf_stub_enter_aarch64(),
          embedded::elf_stub_resolve_aarch64()};
}

} // namespace rtlink::implib
