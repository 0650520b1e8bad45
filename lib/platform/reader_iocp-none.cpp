// platform/reader_iocp-none.cpp — systems without I/O completion ports.
#include "io/reader.hpp"
#include "platform/platform.hpp"

namespace rtlink::platform {

// Elsewhere files are mapped unless asked otherwise: nothing is copied.
const char *default_reader() { return "mmap"; }

Expected<std::unique_ptr<io::AsyncReader>> make_iocp_reader() {
  return make_error("the iocp reader is the Windows build's; this build reads with io_uring, "
                    "threads or mmap");
}

} // namespace rtlink::platform
