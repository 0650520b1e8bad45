// platform/reader_threads-win32.cpp — the Windows build has no thread-pool
// reader: the I/O completion port (its default reader) does that job there.
#include "io/reader.hpp"
#include "platform/platform.hpp"

namespace rtlink::platform {

Expected<std::unique_ptr<io::AsyncReader>> make_thread_reader(unsigned) {
  return make_error("the threads reader is not in the Windows build; iocp reads concurrently there");
}

} // namespace rtlink::platform
