// platform/process_memory-none.cpp — no writing into another process here:
// the remote executor sends a block's bytes over its channel instead.
#include "platform/platform.hpp"

namespace rtlink::platform {

Error write_process_memory(int64_t pid, uint64_t, std::span<const uint8_t>) {
  return make_error("writing into process ", pid, " is not done on this system");
}

} // namespace rtlink::platform
