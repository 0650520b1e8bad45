// An object from memory (ELF, COFF, bigobj, a short import member, Mach-O
// x86-64 and universal files; bitcode is named and refused), loaded and resolved: parsing,
// symbols, COMDAT, layout and fixups. Whatever the bytes, an error or
// success, never a crash; a failed call leaves the linker usable.
#include "fuzz_executor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto l = rtlink::fuzz::fuzz_linker();
  if (l->load_object_buffer("fuzz.o", {data, size}))
    return 0;
  (void)l->resolve();
  (void)l->resolve();  // after a failure, the same again
  return 0;
}
