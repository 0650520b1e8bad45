// platform/static_tls-none.cpp — no static TLS area to take a slice of
// (static_tls-linux.cpp is glibc's way): initial- and local-exec code is
// refused with this message.
#include "platform/platform.hpp"

namespace rtlink::platform {

Expected<StaticTlsBlock> reserve_static_tls(std::span<const uint8_t>, uint64_t, uint64_t) {
  return make_error("initial- and local-exec thread-local storage (code built without -fPIC) "
                    "needs the C library's static TLS area, which only glibc's Linux build "
                    "offers loaded code here; build with -fPIC");
}
void release_static_tls(const StaticTlsBlock &) {}

} // namespace rtlink::platform
