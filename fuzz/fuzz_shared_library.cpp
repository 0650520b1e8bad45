// An ELF shared library's exports, as implib-gen --elf reads them, and the
// stub archive written from what was read (into /dev/null).
#include "implib/elf_stubs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto lib = rtlink::implib::read_shared_exports("fuzz.so", {data, size});
  if (lib)
    (void)rtlink::implib::write_elf_stubs(*lib, "/dev/null");
  return 0;
}
