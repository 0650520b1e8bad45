// objload-executor — runs loaded code for a controller in another process
// (objload --executor=child, or Linker with make_remote_executor): it
// reserves and writes memory, sets protections, finds symbols and runs
// code as the controller asks, over the protocol channel it is given.
// What the loaded code prints goes to this process's stdout and stderr,
// inherited from the controller; the channel is a socket of its own.
#include "exec/serve.hpp"
#include "platform/platform.hpp"
#include "in_process.hpp"

#include <rtlink/executor.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const char kUsage[] =
    "Usage: objload-executor --fd=N\n"
    "  or:  objload-executor --connect=HOST:PORT\n"
    "\n"
    "The executor half of rtlink: started by a controller (objload --executor=child),\n"
    "never by hand. It serves the controller's requests on descriptor N, or on a TCP\n"
    "connection it makes to HOST:PORT, until the controller quits or goes away.\n"
    "\n"
    "  --fd=N               the protocol channel is descriptor N (a socket)\n"
    "  --connect=HOST:PORT  connect to the controller (IPv4)\n"
    "  -h, --help           print this help\n"
    "  --version            print the version\n";

} // namespace

int main(int argc, char **argv) {
  int64_t channel = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--version") {
      std::puts("objload-executor (rtlink) " RTLINK_VERSION);
      return 0;
    }
    if (a.rfind("--fd=", 0) == 0) {
      channel = std::atoll(a.c_str() + 5);
    } else if (a.rfind("--connect=", 0) == 0) {
      std::string host_port = a.substr(10);
      size_t colon = host_port.rfind(':');
      int port = colon == std::string::npos ? 0 : std::atoi(host_port.c_str() + colon + 1);
      if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "objload-executor: --connect wants HOST:PORT, not %s\n",
                     host_port.c_str());
        return 2;
      }
      auto c = rtlink::platform::channel_connect(host_port.substr(0, colon), uint16_t(port));
      if (!c) {
        std::fprintf(stderr, "objload-executor: %s\n", c.error().message().c_str());
        return 2;
      }
      channel = *c;
    } else {
      std::fprintf(stderr, "objload-executor: unknown option %s\nTry 'objload-executor --help'.\n",
                   a.c_str());
      return 2;
    }
  }
  if (channel < 0) {
    std::fprintf(stderr, "objload-executor: no channel: give --fd=N or --connect=HOST:PORT\n"
                         "(it is started by objload --executor=child, not by hand)\n");
    return 2;
  }
  int status;
  {
    auto ex = rtlink::tools::make_tool_executor();  // (common/in_process.hpp)
    status = rtlink::protocol::serve(channel, *ex);
  }
  rtlink::platform::leave_process(status);
}
