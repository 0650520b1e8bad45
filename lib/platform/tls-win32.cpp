// platform/tls-win32.cpp — thread-local storage for loaded code: not in the
// Windows executor yet (COFF .tls is refused by the front end).
#include "platform/platform.hpp"

namespace rtlink::platform {

Expected<uint64_t> create_tls_module(uint64_t, uint64_t, uint64_t, uint64_t) {
  return make_error("thread-local storage for loaded code is not supported on Windows");
}
Expected<StaticTlsModule> create_static_tls_module(std::span<const uint8_t>, uint64_t, uint64_t) {
  return make_error("thread-local storage for loaded code is not supported on Windows");
}
void destroy_tls_module(uint64_t) {}

void run_thread_local_destructors(uint64_t) {}

} // namespace rtlink::platform
