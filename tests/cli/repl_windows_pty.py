#!/usr/bin/env python3
"""objload.exe's REPL (repl-win32.cpp) in a console, under wine, driven
through a real pseudo-terminal: a call at the prompt, Ctrl-C abandoning the
line being typed, Up recalling the last line from the console's history, and
quit. Usage: repl_windows_pty.py OBJLOAD.EXE FIXTURES (WINEPREFIX from the
environment)."""
import faulthandler, os, re, select, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyrun import Terminal

faulthandler.dump_traceback_later(100, exit=True)  # say where, before meson's timeout

objload, fixtures = sys.argv[1], sys.argv[2]
env = dict(os.environ, WINEDEBUG="-all", TERM="xterm")
term = Terminal(["/usr/lib/wine/wine64", objload, f"{fixtures}/coff/rts.gnu.obj",
                 f"{fixtures}/coff/base.gnu.obj"], env)
shown = ""  # what the console showed, its control sequences and blanks taken out
pos = 0


def read_until(token, timeout=30.0):
    """Reads until `token` (compared without blanks) appears past what
    earlier checks read."""
    global shown, pos
    token = token.replace(" ", "")
    end = time.time() + timeout
    while token not in shown[pos:]:
        left = end - time.time()
        if left <= 0:
            term.fail(f"no {token!r} within {timeout}s; the console showed: {shown[-600:]!r}")
        if select.select([term.fd], [], [], left)[0]:
            try:
                chunk = os.read(term.fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                term.fail(f"the program closed the terminal; it showed: {shown[-600:]!r}")
            term.seen += chunk
            # wine's console draws with cursor movements (a blank is "erase,
            # move right"): compare the text alone.
            text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", term.seen).decode(errors="replace")
            shown = re.sub(r"\s", "", text)
    start = pos
    pos = shown.index(token, pos) + len(token)
    return shown[start:pos]


def type_keys(keys):
    time.sleep(0.3)  # the console reads keys once the prompt is out
    os.write(term.fd, keys.encode())


read_until("objload> ")
type_keys("call rts_main\r")
read_until("rts_main returned 42")
read_until("objload> ")
type_keys("load no_such_file")
type_keys("\x03")  # Ctrl-C: the line is dropped, not run
out = read_until("objload> ")
if "^C" not in out or "no_such_file:" in out:
    term.fail("Ctrl-C did not drop the line: " + out)
# Up twice: the call. (wine's console keeps the dropped line in its history,
# as the Enter that ended its read made it a line; Windows's does not, and
# there a second Up stays on the oldest line.)
type_keys("\x1b[A")
type_keys("\x1b[A")
type_keys("\r")
read_until("rts_main returned 1042")  # the second call (rts_allocations counts)
read_until("objload> ")
type_keys("quit\r")
status = term.wait_exit(30)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    term.fail(f"objload.exe ended with wait status {status}")
print("ok")
