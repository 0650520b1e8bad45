#!/usr/bin/env python3
"""objload's REPL driven through a real pseudo-terminal: load the sqlite
archive, complete the name of a symbol it offers with Tab and call it (its
member pulled in, resolved on demand), resolve, call sqlite3_libversion_number,
look up a symbol, complete a symbol name with Tab, run a shell command, clear
a line with Ctrl-C, leave with Ctrl-D; the history is kept in
$HOME/.objload_history, each line as it is entered (a session killed with
SIGKILL keeps its lines). Ctrl-C during a call in-process ends objload,
saying so."""
import faulthandler, os, signal, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyrun import Terminal

faulthandler.dump_traceback_later(45, exit=True)  # say where, before meson's timeout

objload = os.environ["OBJLOAD"]
sqlite = "/usr/lib/x86_64-linux-gnu/libsqlite3.a"
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, TERM="xterm")

term = Terminal([objload], env)
read_until, send, fail = term.read_until, term.send, term.fail

read_until("objload> ")
send(f"load {sqlite}\r")
read_until("loaded " + sqlite)
read_until("objload> ")
# Tab completes a name the archive offers before anything pulled its member;
# the call pulls it in and resolves, saying nothing of it.
send("call sqlite3_libversion_nu\t")
read_until("mber ")
send("\r")
out = read_until("objload> ")
if "sqlite3_libversion_number returned 30" not in out or "resolv" in out:
    fail("a call before resolve printed: " + out)
send("resolve\r")
read_until("resolved")
read_until("objload> ")
send("call sqlite3_libversion_number\r")
out = read_until("objload> ")
if "sqlite3_libversion_number returned 30" not in out:
    sys.exit("FAIL: call printed: " + out)
send("lookup sqlite3_open\r")
out = read_until("objload> ")
if "sqlite3_open = 0x" not in out:
    sys.exit("FAIL: lookup printed: " + out)
# Tab completes a symbol of a resolved unit.
send("lookup sqlite3_libversion_nu\t")
read_until("mber ")  # the line is redrawn: the completed tail arrives on its own
send("\r")
out = read_until("objload> ")
if "sqlite3_libversion_number = 0x" not in out:
    sys.exit("FAIL: completion did not give sqlite3_libversion_number: " + out)
# A shell command, as GHCi's :!
send(":! echo shell says hi; echo twice\r")
out = read_until("objload> ")
if "shell says hi" not in out or "twice" not in out:
    fail("a shell command printed: " + out)
# Ctrl-C abandons the line; the session goes on.
send("this line is abandoned")
read_until("abandoned")
send("\x03")
read_until("objload> ")
send("help trace\r")
out = read_until("objload> ")
if "trace on|off" not in out or "unknown command this" in out:
    sys.exit("FAIL: after Ctrl-C: " + out)
# An error is printed and the REPL goes on.
send("call\r")
out = read_until("objload> ")
if "usage: call SYMBOL" not in out:
    sys.exit("FAIL: a bad command printed: " + out)
# Ctrl-D leaves.
send("\x04")
status = term.wait_exit()
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(f"FAIL: objload ended with status {status}")
history_file = os.path.join(home, ".objload_history")
history = open(history_file).read()
if not history.startswith("_HiStOrY_V2_\n") or "call\\040sqlite3_libversion_number" not in history:
    sys.exit("FAIL: history not kept: " + history)  # libedit's format: spaces as \\040

# Each line is in the history as soon as it is entered: a session killed
# keeps it, and the next session reads it back (Up recalls it).
term = Terminal([objload], env)
term.read_until("objload> ")
term.send('call strlen "typed before the kill"\r')
term.read_until("strlen returned 21")
term.read_until("objload> ")
os.kill(term.pid, signal.SIGKILL)
term.wait_exit()
history = open(history_file).read()
if 'call\\040strlen\\040"typed\\040before\\040the\\040kill"' not in history:
    sys.exit("FAIL: the line typed before SIGKILL is not in the history: " + history)
term = Terminal([objload], env)
term.read_until("objload> ")
term.send("\x1b[A\r")  # Up, Enter: the last line again
out = term.read_until("objload> ")
if "strlen returned 21" not in out:
    term.fail("Up did not recall the killed session's last line: " + out)
term.send("\x04")
term.wait_exit()

# In-process, Ctrl-C during a call ends objload, saying why and what helps.
term = Terminal([objload, f"{os.environ['RTLINK_FIXTURES']}/crash.o"], env)
term.read_until("objload> ")
term.send("call spin\r")
time.sleep(0.5)  # spinning in objload now
term.send_now("\x03")
term.read_until("interrupted: code running in objload's own process cannot be stopped halfway")
term.read_until("with --executor=child, Ctrl-C stops just the call")
status = term.wait_exit()
if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGINT:
    sys.exit(f"FAIL: after Ctrl-C in-process, objload ended with status {status}")
print("ok")
