// objload/repl-posix.cpp — the REPL on a POSIX terminal: libedit's readline
// interface for line editing, history in ~/.objload_history (each line
// appended as it is entered), and Tab completion of commands, paths and
// symbols. Ctrl-C clears the line; Ctrl-D quits.
#include "repl.hpp"

#include <editline/readline.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>

#include <rtlink/executor.hpp>
#include <poll.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace objload {

namespace {

Commands *g_commands = nullptr;  // for libedit's C callbacks
std::vector<std::string> g_candidates;

char *next_candidate(const char *text, int state) {
  static size_t i;
  if (state == 0)
    i = 0;
  size_t n = std::strlen(text);
  while (i < g_candidates.size()) {
    const std::string &c = g_candidates[i++];
    if (c.compare(0, n, text) == 0)
      return strdup(c.c_str());
  }
  return nullptr;
}

char **complete(const char *text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // no fallback to file names unless asked for
  std::vector<std::vector<Token>> parsed;
  std::string error;
  std::string before(rl_line_buffer, size_t(start));
  size_t semi = before.rfind(';');
  if (semi != std::string::npos)
    before = before.substr(semi + 1);
  split_commands(before, parsed, error);
  std::vector<Token> words = parsed.empty() ? std::vector<Token>{} : parsed.back();
  std::string cmd = words.empty() ? "" : words[0].text;
  if (!cmd.empty() && cmd[0] == ':')
    cmd.erase(0, 1);
  g_candidates.clear();
  if (words.empty()) {
    for (const std::string &c : Commands::names())
      g_candidates.push_back(c);
  } else if (cmd == "load" || cmd == "unload" || cmd == "dll" || cmd == "!" ||
             (cmd == "path" && words.size() >= 2)) {
    return rl_completion_matches(text, rl_filename_completion_function);
  } else if (cmd == "path") {
    g_candidates = {"add", "remove", "list"};
  } else if ((cmd == "lookup" || cmd == "syms" || cmd == "call") && words.size() == 1) {
    g_candidates = g_commands->symbol_names();
  } else if (cmd == "help") {
    g_candidates = Commands::names();
  } else if (cmd == "trace") {
    g_candidates = {"on", "off"};
  }
  return rl_completion_matches(text, next_candidate);
}

// Ctrl-C at the prompt abandons the line being typed. SIGINT stays blocked
// except while waiting for a key (ppoll unblocks it atomically), so it is
// never lost between two reads: it ends the wait, and the key function
// answers with Enter, marking the line as abandoned for the loop to drop.
volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

int read_key(FILE *) {
  sigset_t unblocked;
  sigprocmask(SIG_SETMASK, nullptr, &unblocked);
  sigdelset(&unblocked, SIGINT);
  for (;;) {
    if (g_interrupted)
      return '\n';
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    int n = ppoll(&p, 1, nullptr, &unblocked);
    if (n < 0 && errno == EINTR)
      continue;  // g_interrupted is set
    if (n < 0)
      return EOF;
    unsigned char c;
    ssize_t got = read(STDIN_FILENO, &c, 1);
    if (got == 1)
      return c;
    if (got < 0 && errno == EINTR)
      continue;
    return EOF;
  }
}

// Ctrl-C during a command, in-process: objload ends as SIGINT ends it, after
// saying why and what does better.
void end_on_interrupt(int) {
  static const char msg[] =
      "\nobjload: interrupted: code running in objload's own process cannot be stopped "
      "halfway, so objload ends (with --executor=child, Ctrl-C stops just the call)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
  signal(SIGINT, SIG_DFL);
  raise(SIGINT);
}

// The history file, as libedit's read_history reads it: a cookie line, then
// a line per entry, its bytes escaped as strvis(3) does, which strunvis
// undoes. Each entry is appended as it is entered, in one write (O_APPEND):
// a session killed later keeps it, and sessions side by side interleave
// their lines instead of overwriting each other's. (libedit's own
// append_history writes one entry more than asked.)
constexpr int kHistoryKept = 1000;
const char kHistoryCookie[] = "_HiStOrY_V2_\n";

void append_history_line(const std::string &path, const std::string &line) {
  std::string out;
  for (unsigned char c : line) {
    if (c > ' ' && c < 0x7f && c != '\\') {
      out += char(c);
    } else {  // blanks, backslash, control and non-ASCII bytes: \ooo
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\%03o", c);
      out += esc;
    }
  }
  out += '\n';
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return;  // no history, as when HOME is not set
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size == 0)
    out = kHistoryCookie + out;
  (void)!write(fd, out.data(), out.size());
  close(fd);
}

} // namespace

int run_repl(Commands &commands, bool json, bool remote) {
  g_commands = &commands;
  std::string history;
  if (const char *home = std::getenv("HOME"))
    history = std::string(home) + "/.objload_history";
  // Before anything initializes libedit (read_history does): it reads these then.
  rl_readline_name = const_cast<char *>("objload");
  rl_attempted_completion_function = complete;
  rl_catch_signals = 0;
  rl_getc_function = read_key;
  using_history();
  stifle_history(kHistoryKept);
  // The newest entries are kept: a file grown past them is written anew.
  if (!history.empty() && read_history(history.c_str()) == 0 && history_length >= kHistoryKept)
    write_history(history.c_str());
  struct sigaction sa = {};
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, nullptr);
  sigset_t block, saved;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &saved);

  std::puts("objload: type help for the commands, Ctrl-D to leave.");
  for (;;) {
    g_interrupted = 0;
    char *line = readline("objload> ");
    if (g_interrupted) {  // Ctrl-C: drop the line, prompt again
      std::free(line);
      std::fputs("^C\n", stdout);
      continue;
    }
    if (!line)
      break;  // Ctrl-D
    std::string text(line);
    std::free(line);
    if (text.find_first_not_of(" \t") == std::string::npos)
      continue;
    add_history(text.c_str());
    if (!history.empty())
      append_history_line(history, text);
    // In-process code cannot be stopped halfway, so Ctrl-C during a command
    // ends objload, saying so (the line is in the history already). With the
    // code in an executor process, Ctrl-C stops that process's call instead.
    sigprocmask(SIG_SETMASK, &saved, nullptr);
    struct sigaction during = {};
    during.sa_handler = remote ? +[](int) { rtlink::stop_running_call(); } : end_on_interrupt;
    sigaction(SIGINT, &during, nullptr);
    run_line(commands, text, json);
    sigaction(SIGINT, &sa, nullptr);
    sigprocmask(SIG_BLOCK, &block, nullptr);
    if (commands.quit_requested())
      break;
  }
  if (!commands.quit_requested())
    std::puts("");
  signal(SIGINT, SIG_DFL);
  sigprocmask(SIG_SETMASK, &saved, nullptr);
  return 0;
}

} // namespace objload
