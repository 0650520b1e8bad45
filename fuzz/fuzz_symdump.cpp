// symdump's reading of one file's symbols (ELF, COFF, Mach-O, bitcode, a
// short import member, a PE image's exports and imports), as llvm-nm reads.
#include "../tools/symdump/symbols.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  for (int mode = 0; mode < 3; ++mode) {
    symdump::Options opt;
    opt.dynamic = mode == 0;
    opt.exports = mode == 1;
    opt.debug_syms = mode == 1;  // (exports concern PE images alone)
    opt.imports = mode == 2;
    opt.line_numbers = mode == 2;  // DWARF, through LLVM's symbolizer
    symdump::Listing out;
    (void)symdump::read_object("fuzz", reinterpret_cast<const char *>(data), size, opt, out);
  }
  return 0;
}
