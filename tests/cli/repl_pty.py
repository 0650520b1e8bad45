#!/usr/bin/env python3
"""objload's REPL driven through a real pseudo-terminal: load the sqlite
archive, resolve, call sqlite3_libversion_number, look up a symbol, complete
a symbol name with Tab, clear a line with Ctrl-C, leave with Ctrl-D; the
history is kept in $HOME/.objload_history."""
import faulthandler, os, sys, tempfile

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
history = open(os.path.join(home, ".objload_history")).read()
if "sqlite3_libversion_number" not in history:  # libedit writes spaces as \\040
    sys.exit("FAIL: history not kept: " + history)
print("ok")
