// A sweep of corrupted objects: whatever byte is wrong, loading and resolving
// either works or returns an error naming the file. It never crashes, never
// reads or writes out of bounds (the sanitizer build runs this too), and the
// linker stays usable. No loaded code is run: these fixtures have no
// initializers, and nothing is called.
#include "helpers.hpp"

namespace {

// Deterministic positions: every byte of the ELF header, then a stride
// through the rest (section headers, symbol tables, relocations, data).
std::vector<size_t> positions(size_t size) {
  std::vector<size_t> out;
  for (size_t i = 0; i < 64 && i < size; ++i)
    out.push_back(i);
  for (size_t i = 64; i < size; i += 7)
    out.push_back(i);
  return out;
}

} // namespace

TEST_CASE("corrupted objects give errors, never crashes") {
  for (const char *name : {"good.o", "rts.o", "relocs.o", "sections.o", "comdat_a.o",
                           "coff/base.gnu.obj", "coff/rts.msvc.obj", "coff/relocs.obj",
                           "macho/relocs.o"}) {
    CAPTURE(name);
    const auto original = read_bytes(fixture(name));
    int loaded = 0, refused = 0;
    for (size_t pos : positions(original.size())) {
      for (uint8_t value : {uint8_t(0xff), uint8_t(0x00), uint8_t(original[pos] ^ 0x80)}) {
        if (value == original[pos])
          continue;
        auto bytes = original;
        bytes[pos] = value;
        rtlink::LinkerOptions small;
        small.reserve_size = 64 << 20;  // thousands of linkers: keep each cheap
        auto l = new_linker(std::move(small));
        rtlink::Error e = l->load_object_buffer(name, bytes);
        // The partner that satisfies what a fixture references (libc does the rest).
        std::string partner = std::string(name) == "rts.o"               ? "base.o"
                              : std::string(name) == "coff/rts.msvc.obj" ? "coff/base.msvc.obj"
                              : std::string(name) == "coff/base.gnu.obj" ? "coff/rts.gnu.obj"
                                                                         : "";
        if (!e) {
          if (!partner.empty())
            REQUIRE(!l->load(fixture(partner)));
          e = l->resolve();
        }
        if (e) {
          ++refused;
          // It names the corrupted file, or its partner when that is where
          // the damage shows (an undefined or out-of-range reference).
          bool named = e.message().find(name) != std::string::npos ||
                       (!partner.empty() && e.message().find(partner) != std::string::npos);
          CHECK_MESSAGE(named, "byte " << pos << ": the message names no file: " << e.message());
        } else {
          ++loaded;
        }
      }
    }
    MESSAGE(std::string(name) << ": " << loaded << " corrupted copies still linked, " << refused << " refused");
    CHECK(refused > 0);
  }
}
