// A file of any kind, as `objload FILE` loads it (an archive with its
// index, GNU or BSD or MSVC, thin or index-less; a GNU ld script; a
// zstd-compressed input; an object), then resolved: archive members
// pulled, long-format import members bound.
#include "fuzz_executor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = rtlink::fuzz::as_file(data, size);
  auto l = rtlink::fuzz::fuzz_linker();
  if (l->load(path))
    return 0;
  (void)l->resolve();
  return 0;
}
