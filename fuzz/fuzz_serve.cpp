// The executor's side of the protocol: the input is what a controller sends
// (messages one after another, then the end of the channel), served by
// protocol::serve with an executor that runs nothing. Every request is
// answered or refused; the executor never crashes, whatever it is sent.
#include "exec/protocol.hpp"
#include "exec/serve.hpp"
#include "fuzz_executor.hpp"

#include <sys/socket.h>

#include <thread>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
    return 0;
  // The controller: sends the input, then drains the replies until the end.
  std::thread controller([&] {
    size_t done = 0;
    while (done < size) {
      ssize_t n = send(sv[0], data + done, size - done, MSG_NOSIGNAL);
      if (n <= 0)
        break;
      done += size_t(n);
    }
    shutdown(sv[0], SHUT_WR);
    char buf[4096];
    while (recv(sv[0], buf, sizeof buf, 0) > 0) {
    }
  });
  rtlink::fuzz::NoRunExecutor ex;
  (void)rtlink::protocol::serve(sv[1], ex);
  shutdown(sv[1], SHUT_RDWR);
  controller.join();
  close(sv[0]);
  close(sv[1]);
  return 0;
}
