// platform/channel-posix.cpp — the executor's protocol channel (a socket)
// and the executor process: spawned in a process group of its own, so the
// terminal's Ctrl-C reaches the controller only, which decides what to stop.
#include "platform/platform.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace rtlink::platform {
namespace {

Expected<int64_t> spawn(const std::vector<std::string> &argv, int give_fd, int as_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  if (give_fd >= 0)
    posix_spawn_file_actions_adddup2(&fa, give_fd, as_fd);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char *> args;
  for (const std::string &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0)
    return make_error("cannot start the executor ", argv[0], ": ", std::strerror(rc));
  return int64_t(pid);
}

void no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

Expected<Child> spawn_with_socket(const std::vector<std::string> &argv, int child_fd, int) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return make_error("cannot make the executor's channel: ", std::strerror(errno));
  auto pid = spawn(argv, sv[1], child_fd);
  close(sv[1]);
  if (!pid) {
    close(sv[0]);
    return pid.take_error();
  }
  return Child{*pid, sv[0]};
}

Expected<Child> spawn_and_accept(std::vector<std::string> argv, int timeout_ms) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0)
    return make_error("cannot make the executor's channel: ", std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(ls, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(ls, 1) != 0 ||
      getsockname(ls, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
    int err = errno;
    close(ls);
    return make_error("cannot make the executor's channel: ", std::strerror(err));
  }
  argv.push_back("--connect=127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  auto pid = spawn(argv, -1, -1);
  if (!pid) {
    close(ls);
    return pid.take_error();
  }
  // Wait for its connection, a tenth of a second at a time, watching that it
  // has not ended meanwhile.
  int fd = -1;
  for (int waited = 0; waited < timeout_ms; waited += 100) {
    pollfd p{ls, POLLIN, 0};
    int rc = poll(&p, 1, 100);
    if (rc > 0) {
      fd = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
      break;
    }
    int status;
    if (waitpid(pid_t(*pid), &status, WNOHANG) == pid_t(*pid)) {
      close(ls);
      std::string how = WIFEXITED(status)
                            ? "exited with status " + std::to_string(WEXITSTATUS(status))
                            : "was terminated by signal " + std::to_string(WTERMSIG(status));
      return make_error("the executor (", argv[0], ") ", how, " before it connected");
    }
  }
  close(ls);
  if (fd < 0) {
    (void)reap_child(*pid, 0);
    return make_error("the executor (", argv[0], ") did not connect within ", timeout_ms / 1000,
                      " s (it was stopped)");
  }
  no_delay(fd);
  return Child{*pid, fd};
}

Expected<int64_t> channel_connect(const std::string &ipv4, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ipv4.c_str(), &a.sin_addr) != 1)
    return make_error("--connect: not an IPv4 address: ", ipv4);
  const std::string host_port = ipv4 + ":" + std::to_string(port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
    int err = errno;
    if (fd >= 0)
      close(fd);
    return make_error("cannot connect to ", host_port, ": ", std::strerror(err));
  }
  no_delay(fd);
  return int64_t(fd);
}

Error channel_send(int64_t ch, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    // MSG_NOSIGNAL: a dead peer is an error here, not a SIGPIPE.
    ssize_t n = send(int(ch), bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return make_error("the channel closed: ", std::strerror(errno));
    done += size_t(n);
  }
  return {};
}

Error channel_recv(int64_t ch, uint8_t *buf, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = recv(int(ch), buf + done, size - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0)
      return make_error("the channel closed");
    if (n < 0)
      return make_error("the channel closed: ", std::strerror(errno));
    done += size_t(n);
  }
  return {};
}

void channel_close(int64_t ch) {
  if (ch >= 0)
    close(int(ch));
}

bool channel_wait(int64_t ch, int timeout_ms) {
  pollfd p{int(ch), POLLIN, 0};
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    int r = poll(&p, 1, int(std::max<int64_t>(0, left.count())));
    if (r >= 0 || errno != EINTR)
      return r > 0;
  }
}

std::string reap_child(int64_t pid, int grace_ms) {
  int status = 0;
  pid_t r = 0;
  bool killed = false;
  if (grace_ms > 0) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while ((r = waitpid(pid_t(pid), &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < end)
      usleep(5000);
  }
  if (r == 0 && grace_ms >= 0) {
    kill(pid_t(pid), SIGKILL);
    killed = grace_ms > 0;
  }
  while (r == 0 || (r < 0 && errno == EINTR))
    r = waitpid(pid_t(pid), &status, 0);
  if (r < 0)
    return "ended";
  if (killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
    return "did not end by itself and was killed";
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char *abbrev = sigabbrev_np(sig);
    return "terminated by signal " + std::to_string(sig) + " (" +
           (abbrev ? "SIG" + std::string(abbrev) : std::string(strsignal(sig))) + ")";
  }
  return "ended";
}

void stop_child(int64_t pid) { kill(pid_t(pid), SIGKILL); }

std::string executable_dir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return ".";
  std::string p(buf, size_t(n));
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

} // namespace rtlink::platform
