// platform/channel-win32.cpp — the protocol channel on Windows: a TCP
// connection on 127.0.0.1, which the executor makes to its controller (a
// Windows program cannot inherit a socket by number, and one under wine
// cannot inherit a Linux controller's at all). A Windows controller starts
// its executor with CreateProcess; a Child's pid is the process's handle.
#include "platform/platform.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <cstdio>

namespace rtlink::platform {

namespace {

Error start_winsock() {
  static const bool started = [] {
    WSADATA wsa;
    return WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
  }();
  return started ? Error::success() : make_error("cannot start Winsock");
}

// One argument as the C runtime's command-line parser reads it back
// (backslashes are literal except before a double quote).
std::string quote_argument(const std::string &a) {
  if (!a.empty() && a.find_first_of(" \t\n\v\"") == std::string::npos)
    return a;
  std::string q = "\"";
  size_t backslashes = 0;
  for (char c : a) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    q.append(c == '"' ? backslashes * 2 + 1 : backslashes, '\\');
    backslashes = 0;
    q += c;
  }
  q.append(backslashes * 2, '\\');
  return q + "\"";
}

// How a process that ended says so: an exception's code (0xC...) is not an
// exit status.
std::string how_it_ended(DWORD code) {
  if (code >= 0xC0000000u) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lx", static_cast<unsigned long>(code));
    const char *what = code == 0xC0000005u   ? " (access violation)"
                       : code == 0xC00000FDu ? " (stack overflow)"
                       : code == 0xC000013Au ? " (Ctrl-C)"
                       : code == 0xC0000409u ? " (stack buffer overrun or abort)"
                                             : "";
    return std::string("ended by exception ") + hex + what;
  }
  return "exited with status " + std::to_string(code);
}

} // namespace

// No socket passes to a Windows child by number: it is started to connect
// back instead (its --fd=N argument dropped).
Expected<Child> spawn_with_socket(const std::vector<std::string> &argv, int child_fd,
                                  int timeout_ms) {
  std::vector<std::string> connect_argv;
  for (const std::string &a : argv)
    if (a != "--fd=" + std::to_string(child_fd))
      connect_argv.push_back(a);
  return spawn_and_accept(std::move(connect_argv), timeout_ms);
}

Expected<Child> spawn_and_accept(std::vector<std::string> argv, int timeout_ms) {
  if (Error e = start_winsock())
    return e;
  SOCKET ls = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  if (ls == INVALID_SOCKET || bind(ls, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
      listen(ls, 1) != 0 || getsockname(ls, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
    int err = WSAGetLastError();
    if (ls != INVALID_SOCKET)
      closesocket(ls);
    return make_error("cannot make the executor's channel (Winsock error ", err, ")");
  }
  argv.push_back("--connect=127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  std::string line;
  for (const std::string &arg : argv)
    line += (line.empty() ? "" : " ") + quote_argument(arg);
  STARTUPINFOA si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  if (!CreateProcessA(nullptr, line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si,
                      &pi)) {
    DWORD err = GetLastError();
    closesocket(ls);
    return make_error("cannot start the executor ", argv[0], ": ",
                      err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND
                          ? std::string("no such program")
                          : "error " + std::to_string(err));
  }
  CloseHandle(pi.hThread);
  // Wait for its connection, a tenth of a second at a time, watching that it
  // has not ended meanwhile.
  SOCKET s = INVALID_SOCKET;
  for (int waited = 0; waited < timeout_ms; waited += 100) {
    fd_set r;
    FD_ZERO(&r);
    FD_SET(ls, &r);
    timeval t{0, 100000};
    if (select(0, &r, nullptr, nullptr, &t) > 0) {
      s = accept(ls, nullptr, nullptr);
      break;
    }
    DWORD code;
    if (WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0 &&
        GetExitCodeProcess(pi.hProcess, &code)) {
      closesocket(ls);
      CloseHandle(pi.hProcess);
      return make_error("the executor (", argv[0], ") ", how_it_ended(code),
                        " before it connected");
    }
  }
  closesocket(ls);
  if (s == INVALID_SOCKET) {
    (void)reap_child(int64_t(pi.hProcess), 0);
    return make_error("the executor (", argv[0], ") did not connect within ", timeout_ms / 1000,
                      " s (it was stopped)");
  }
  BOOL one = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&one), sizeof one);
  return Child{int64_t(pi.hProcess), int64_t(s)};
}

Expected<int64_t> channel_connect(const std::string &ipv4, uint16_t port) {
  if (Error e = start_winsock())
    return e;
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

std::string reap_child(int64_t pid, int grace_ms) {
  HANDLE h = reinterpret_cast<HANDLE>(pid);
  bool killed = false;
  if (grace_ms >= 0 && WaitForSingleObject(h, DWORD(grace_ms)) == WAIT_TIMEOUT) {
    TerminateProcess(h, 0xC000013Au);
    killed = grace_ms > 0;
  }
  WaitForSingleObject(h, INFINITE);
  DWORD code = 0;
  bool known = GetExitCodeProcess(h, &code);
  CloseHandle(h);
  if (killed)
    return "did not end by itself and was killed";
  return known ? how_it_ended(code) : "ended";
}

void stop_child(int64_t pid) { TerminateProcess(reinterpret_cast<HANDLE>(pid), 0xC000013Au); }

std::string executable_dir() {
  char buf[MAX_PATH];
  DWORD n = GetModuleFileNameA(nullptr, buf, sizeof buf);
  std::string p(buf, n);
  size_t slash = p.find_last_of("\\\\/");
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

} // namespace rtlink::platform
