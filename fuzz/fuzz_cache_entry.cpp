// A link cache entry (a file anyone could have damaged or forged), as a
// first resolve reads it: header, checksum, key, every record.
#include "fuzz_executor.hpp"
#include "io/file.hpp"
#include "link/cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = rtlink::fuzz::as_file(data, size);
  auto file = rtlink::read_file(path);
  if (!file)
    return 0;
  (void)rtlink::cache::read_entry(*file, "fuzz key", 1 << 30);
  return 0;
}
