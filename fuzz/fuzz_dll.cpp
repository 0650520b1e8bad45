// A DLL's export table, as implib-gen --dll reads it.
#include "implib/exports.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  auto m = rtlink::implib::read_dll_exports("fuzz.dll", bytes);
  if (m)
    (void)rtlink::implib::check_exports(*m, true);
  return 0;
}
