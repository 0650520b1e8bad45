// objload/repl-win32.cpp — the REPL in a Windows console. The console's own
// line input edits the line (arrows, Home, End, Esc) and keeps the session's
// history (Up, Down, F7, F8); lines are read as UTF-16 (ReadConsoleW) and
// handed on as UTF-8. Ctrl-C clears the line; Ctrl-Z then Enter, or
// `quit`, leaves. No Tab completion and no history file: that is what
// libedit gives the POSIX REPL (repl-posix.cpp), and no library serves it
// here.
#include "repl.hpp"

#include <rtlink/executor.hpp>

#include <windows.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace objload {

namespace {

// What Ctrl-C does now: while reading a line, abandon it; during a command
// run in an executor, stop that call; during a command run in objload's own
// process, end objload (code running here cannot be stopped halfway).
enum class OnInterrupt { ClearLine, StopCall, End };
std::atomic<OnInterrupt> g_on_interrupt{OnInterrupt::ClearLine};
std::atomic<bool> g_interrupted{false};

// Called by the system on a thread of its own.
BOOL WINAPI on_console_event(DWORD event) {
  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT)
    return FALSE;
  switch (g_on_interrupt.load()) {
  case OnInterrupt::ClearLine: {
    // The read may not end by itself (wine's console goes on reading): an
    // Enter key ends it, and the flag drops the line.
    g_interrupted = true;
    INPUT_RECORD enter[2] = {};
    for (int i = 0; i < 2; ++i) {
      enter[i].EventType = KEY_EVENT;
      enter[i].Event.KeyEvent.bKeyDown = i == 0;
      enter[i].Event.KeyEvent.wRepeatCount = 1;
      enter[i].Event.KeyEvent.wVirtualKeyCode = VK_RETURN;
      enter[i].Event.KeyEvent.uChar.UnicodeChar = L'\r';
    }
    DWORD written;
    WriteConsoleInputW(GetStdHandle(STD_INPUT_HANDLE), enter, 2, &written);
    return TRUE;
  }
  case OnInterrupt::StopCall:
    rtlink::stop_running_call();
    return TRUE;
  case OnInterrupt::End:
    break;
  }
  static const char msg[] =
      "\nobjload: interrupted: code running in objload's own process cannot be stopped "
      "halfway, so objload ends (with --executor=child, Ctrl-C stops just the call)\n";
  DWORD written;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), msg, sizeof msg - 1, &written, nullptr);
  ExitProcess(STATUS_CONTROL_C_EXIT);
}

std::string to_utf8(const std::wstring &w) {
  if (w.empty())
    return {};
  int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), int(w.size()), nullptr, 0, nullptr, nullptr);
  std::string s(size_t(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, w.data(), int(w.size()), s.data(), n, nullptr, nullptr);
  return s;
}

enum class Read { Line, Interrupted, End };

// One line from the console, without its line end.
Read read_line(HANDLE in, std::string &line) {
  std::wstring w;
  for (;;) {
    wchar_t buf[512];
    DWORD got = 0;
    BOOL ok = ReadConsoleW(in, buf, DWORD(std::size(buf)), &got, nullptr);
    // Ctrl-C ends the read early, with nothing or an error: the handler
    // (on its own thread) may set the flag a moment after, so it is waited
    // for briefly when the read came back empty.
    if ((!ok || got == 0) && !g_interrupted)
      Sleep(50);
    if (g_interrupted) {
      // What is left of the line, and the Enter the handler added.
      FlushConsoleInputBuffer(in);
      return Read::Interrupted;
    }
    if (!ok || got == 0)
      return Read::End;
    w.append(buf, got);
    if (!w.empty() && w.back() == L'\n')
      break;
  }
  while (!w.empty() && (w.back() == L'\n' || w.back() == L'\r'))
    w.pop_back();
  if (w.size() == 1 && w[0] == 0x1a)  // Ctrl-Z alone: the end of input
    return Read::End;
  line = to_utf8(w);
  return Read::Line;
}

} // namespace

int run_repl(Commands &commands, bool json, bool remote) {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  DWORD mode = 0;
  GetConsoleMode(in, &mode);
  SetConsoleMode(in, mode | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT | ENABLE_PROCESSED_INPUT);
  SetConsoleOutputCP(CP_UTF8);
  SetConsoleCtrlHandler(on_console_event, TRUE);
  std::puts("objload: type help for the commands, Ctrl-Z then Enter to leave.");
  for (;;) {
    g_interrupted = false;
    g_on_interrupt = OnInterrupt::ClearLine;
    std::fputs("objload> ", stdout);
    std::fflush(stdout);
    std::string text;
    Read r = read_line(in, text);
    if (r == Read::Interrupted) {
      std::fputs("^C\n", stdout);
      continue;
    }
    if (r == Read::End)
      break;
    if (text.find_first_not_of(" \t") == std::string::npos)
      continue;
    g_on_interrupt = remote ? OnInterrupt::StopCall : OnInterrupt::End;
    run_line(commands, text, json);
    if (commands.quit_requested())
      break;
  }
  if (!commands.quit_requested())
    std::puts("");
  SetConsoleCtrlHandler(on_console_event, FALSE);
  SetConsoleMode(in, mode);
  return 0;
}

} // namespace objload
