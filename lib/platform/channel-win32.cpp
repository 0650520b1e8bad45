// platform/channel-win32.cpp — the executor's end of the protocol channel on
// Windows: a TCP connection to the controller (a Windows program under wine
// cannot inherit the controller's socket). Starting executors from a Windows
// controller is not done.
#include "platform/platform.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

namespace rtlink::platform {

Expected<Child> spawn_with_socket(const std::vector<std::string> &, int) {
  return make_error("starting an executor from a Windows controller is not supported");
}

Expected<Child> spawn_and_accept(std::vector<std::string>, int) {
  return make_error("starting an executor from a Windows controller is not supported");
}

Expected<int64_t> channel_connect(const std::string &ipv4, uint16_t port) {
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return make_error("cannot start Winsock");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ipv4.c_str(), &a.sin_addr) != 1)
    return make_error("--connect: not an IPv4 address: ", ipv4);
  const std::string host_port = ipv4 + ":" + std::to_string(port);
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET || connect(s, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    int err = WSAGetLastError();
    if (s != INVALID_SOCKET)
      closesocket(s);
    return make_error("cannot connect to ", host_port, " (Winsock error ", err, ")");
  }
  BOOL one = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&one), sizeof one);
  return int64_t(s);
}

Error channel_send(int64_t ch, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    int chunk = int(std::min<size_t>(bytes.size() - done, 1 << 30));
    int n = send(SOCKET(ch), reinterpret_cast<const char *>(bytes.data() + done), chunk, 0);
    if (n <= 0)
      return make_error("the channel closed (Winsock error ", WSAGetLastError(), ")");
    done += size_t(n);
  }
  return {};
}

Error channel_recv(int64_t ch, uint8_t *buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    int chunk = int(std::min<size_t>(size - done, 1 << 30));
    int n = recv(SOCKET(ch), reinterpret_cast<char *>(buf + done), chunk, 0);
    if (n == 0)
      return make_error("the channel closed");
    if (n < 0)
      return make_error("the channel closed (Winsock error ", WSAGetLastError(), ")");
    done += size_t(n);
  }
  return {};
}

void channel_close(int64_t ch) {
  if (ch >= 0)
    closesocket(SOCKET(ch));
}

bool channel_wait(int64_t ch, int timeout_ms) {
  fd_set r;
  FD_ZERO(&r);
  FD_SET(SOCKET(ch), &r);
  timeval t{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  return select(0, &r, nullptr, nullptr, &t) > 0;
}

std::string reap_child(int64_t, int) { return "ended"; }
void stop_child(int64_t) {}

std::string executable_dir() {
  char buf[MAX_PATH];
  DWORD n = GetModuleFileNameA(nullptr, buf, sizeof buf);
  std::string p(buf, n);
  size_t slash = p.find_last_of("\\\\/");
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

} // namespace rtlink::platform
