#!/usr/bin/env python3
"""objload's REPL with the code in an executor process (--executor=child),
through a real pseudo-terminal: Ctrl-C during a call that never returns stops
that call (the executor is killed), not objload; a fault is reported; the
session goes on with a fresh executor."""
import faulthandler, os, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyrun import Terminal

faulthandler.dump_traceback_later(45, exit=True)

objload = os.environ["OBJLOAD"]
fixtures = os.environ["RTLINK_FIXTURES"]
env = dict(os.environ, HOME=tempfile.mkdtemp(), TERM="xterm")
term = Terminal([objload, "--executor=child", f"{fixtures}/crash.o"], env)

term.read_until("objload> ")
term.send("call says\r")
out = term.read_until("objload> ")
if "hello from the executor" not in out or "says returned 3" not in out:
    term.fail("call says printed: " + out)
term.send("call spin\r")
time.sleep(0.5)  # spinning in the executor now
term.send_now("\x03")
out = term.read_until("objload> ")
if "error: interrupted: executor terminated by signal 9 (SIGKILL) while running spin" not in out:
    term.fail("Ctrl-C during the call printed: " + out)
# What was loaded went with the executor: load it again into a fresh one.
term.send("call says\r")
out = term.read_until("objload> ")
if "symbol 'says' not found" not in out:
    term.fail("after the executor was stopped: " + out)
term.send(f"load {fixtures}/crash.o\r")
term.read_until("objload> ")
term.send("resolve\r")
term.read_until("objload> ")
term.send("call boom\r")
out = term.read_until("objload> ")
if "executor terminated by signal 11 (SIGSEGV) while running boom" not in out:
    term.fail("a fault printed: " + out)
term.send(f"load {fixtures}/good.o\r")
term.read_until("objload> ")
term.send("resolve\r")
term.read_until("objload> ")
term.send("call good_answer\r")
out = term.read_until("objload> ")
if "good_answer returned 42" not in out:
    term.fail("after a fresh executor: " + out)
term.send("\x04")
status = term.wait_exit()
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(f"FAIL: objload ended with status {status}")
print("ok")
