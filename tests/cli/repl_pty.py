#!/usr/bin/env python3
"""objload's REPL driven through a real pseudo-terminal: load the sqlite
archive, resolve, call sqlite3_libversion_number, look up a symbol, complete
a symbol name with Tab, clear a line with Ctrl-C, leave with Ctrl-D; the
history is kept in $HOME/.objload_history."""
import faulthandler, os, pty, select, sys, tempfile, termios, time

faulthandler.dump_traceback_later(45, exit=True)  # say where, before meson's timeout

objload = os.environ["OBJLOAD"]
sqlite = "/usr/lib/x86_64-linux-gnu/libsqlite3.a"
home = tempfile.mkdtemp()
env = dict(os.environ, HOME=home, TERM="xterm")

pid, fd = pty.fork()
if pid == 0:
    os.execve(objload, [objload], env)

seen = b""
pos = 0  # how far the checks have read

def fail(why):
    """Ends the test, saying what objload was doing and what the terminal showed."""
    state = ""
    for f in ("wchan", "syscall"):
        try:
            state += f"/proc/{pid}/{f}: " + open(f"/proc/{pid}/{f}").read().strip() + "\n"
        except OSError:
            pass
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    sys.exit(f"FAIL: {why}\n{state}the terminal's last lines:\n"
             + seen[-800:].decode(errors="replace"))

def read_until(token, timeout=8.0):
    """Reads the terminal until `token` appears past what earlier checks read;
    returns the text up to and including it."""
    global seen, pos
    end = time.time() + timeout
    while token.encode() not in seen[pos:]:
        left = end - time.time()
        if left <= 0:
            fail(f"no {token!r} within {timeout}s")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                fail("objload closed the terminal")
            seen += chunk
    start = pos
    pos = seen.index(token.encode(), pos) + len(token)
    return seen[start:pos].decode(errors="replace")

def send(text):
    """Types `text` once the line editor reads keys (the terminal out of
    canonical mode), as a person does after the prompt appears: libedit
    prints the prompt first and then takes the terminal, and what is typed
    in between is the terminal's to handle, not the REPL's."""
    end = time.time() + 8
    while termios.tcgetattr(fd)[3] & termios.ICANON:
        if time.time() > end:
            fail("the line editor never took the terminal")
        time.sleep(0.002)
    os.write(fd, text.encode())

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
end = time.time() + 8
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.time() > end:
        if select.select([fd], [], [], 0)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                pass
        fail("objload did not leave on Ctrl-D")
    time.sleep(0.05)
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(f"FAIL: objload ended with status {status}")
history = open(os.path.join(home, ".objload_history")).read()
if "sqlite3_libversion_number" not in history:  # libedit writes spaces as \\040
    sys.exit("FAIL: history not kept: " + history)
print("ok")
