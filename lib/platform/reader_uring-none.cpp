// platform/reader_uring-none.cpp — systems without io_uring.
#include "io/reader.hpp"
#include "platform/platform.hpp"

namespace rtlink::platform {

Expected<std::unique_ptr<io::AsyncReader>> make_uring_reader(unsigned) {
  return make_error("io_uring is not available on this system (Linux only)");
}

} // namespace rtlink::platform
