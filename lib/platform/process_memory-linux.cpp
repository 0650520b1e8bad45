// platform/process_memory-linux.cpp — writing into a child process's memory.
#include "platform/platform.hpp"

#include <sys/types.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace rtlink::platform {

Error write_process_memory(int64_t pid, uint64_t addr, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    iovec local{const_cast<uint8_t *>(bytes.data() + done), bytes.size() - done};
    iovec remote{reinterpret_cast<void *>(addr + done), bytes.size() - done};
    ssize_t n = process_vm_writev(pid_t(pid), &local, 1, &remote, 1, 0);
    if (n <= 0)
      return make_error("writing ", bytes.size(), " bytes into process ", pid, ": ",
                        n < 0 ? std::strerror(errno) : "nothing written");
    done += size_t(n);
  }
  return Error::success();
}

} // namespace rtlink::platform
