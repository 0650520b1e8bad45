// A module-definition (.def) file, as implib-gen --def reads it, and the
// export checks that follow.
#include "implib/exports.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  rtlink::implib::DefOptions opt;
  auto m = rtlink::implib::parse_def(text, "fuzz.def", opt);
  if (m)
    (void)rtlink::implib::check_exports(*m, false);
  return 0;
}
