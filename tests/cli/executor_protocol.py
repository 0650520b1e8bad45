#!/usr/bin/env python3
"""objload-executor against a controller that does not follow the protocol
(tests/cli/executor_protocol.sh runs this): it serves nothing before the
handshake, answers every malformed request "a malformed ... request" and
goes on, never touches memory this controller did not reserve, and a header
announcing a gigabyte costs it only what actually arrives."""
import os, resource, socket, struct, subprocess, sys

executor = os.environ["RTLINK_BUILD"] + "/tools/objload-executor/objload-executor"
OPS = {"Hello": 1, "Reserve": 2, "Release": 3, "Commit": 4, "Write": 6, "Protect": 7,
       "LoadLibrary": 9, "UnloadLibrary": 10, "CallInt": 18, "Ping": 20, "Quit": 21}

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def start():
    ours, theirs = socket.socketpair()
    os.set_inheritable(theirs.fileno(), True)
    p = subprocess.Popen([executor, f"--fd={theirs.fileno()}"], pass_fds=[theirs.fileno()])
    theirs.close()
    return p, ours

def send(s, op, payload=b""):
    body = bytes([OPS[op]]) + payload
    s.sendall(struct.pack("<I", len(body)) + body)

def reply(s):
    head = s.recv(4, socket.MSG_WAITALL)
    if len(head) < 4:
        return None
    n = struct.unpack("<I", head)[0]
    return s.recv(n, socket.MSG_WAITALL)

def error_text(r):
    # op, status 0, u32 length, text
    if r[1] != 0:
        return None
    n = struct.unpack("<I", r[2:6])[0]
    return r[6:6 + n].decode()

def expect_error(s, op, payload, text):
    send(s, op, payload)
    r = reply(s)
    if r is None:
        fail(f"{op}: the executor closed the channel")
    e = error_text(r)
    if e is None or text not in e:
        fail(f"{op} {payload!r}: answered {e!r}, expected {text!r}")

hello = struct.pack("<IH", 0x584C5452, 0)  # version: the executor answers its own

p, s = start()
# Before the handshake: refused, and the executor goes on.
expect_error(s, "Ping", b"", "ping before the handshake (Hello)")
expect_error(s, "CallInt", struct.pack("<QB", 0x1234, 0), "call-int before the handshake")
send(s, "Hello", hello)
r = reply(s)
if r is None or r[1] != 1:
    fail("no answer to Hello")
# The handshake: magic, version, OS, pointer size, page size, process id,
# instruction set (this build's: x86-64, 1).
magic, version, os_kind, pointer, page, pid, arch = struct.unpack("<IHBBIQB", r[2:])
if (magic, version, os_kind, pointer, pid, arch) != (0x584C5452, 7, 1, 8, p.pid, 1):
    fail(f"the handshake said {(hex(magic), version, os_kind, pointer, page, pid, arch)}")
# Empty or short payloads are malformed, never run with zeros.
for op in ["UnloadLibrary", "CallInt", "Release", "Commit", "Protect", "Reserve", "LoadLibrary"]:
    name = {"UnloadLibrary": "unload-library", "CallInt": "call-int", "LoadLibrary": "load-library"}.get(op, op.lower())
    expect_error(s, op, b"", f"a malformed {name} request")
# Bytes left over: malformed too.
expect_error(s, "Ping", b"\x00", "a malformed ping request")
# An unknown calling convention; one of another instruction set's, refused by name.
expect_error(s, "CallInt", struct.pack("<QB", 0x1234, 7), "a malformed call-int request")
expect_error(s, "CallInt", struct.pack("<QB", 0x1234, 2),
             "cannot call with the AAPCS64 convention on x86-64 (System V or Microsoft x64 only)")
# Memory this controller did not reserve: the executor's own.
expect_error(s, "Write", struct.pack("<QI", id(s), 4) + b"abcd", "not in memory this controller reserved")
expect_error(s, "Protect", struct.pack("<QQB", 0x400000, 4096, 0), "not in memory this controller reserved")
# What it reserved it may write.
send(s, "Reserve", struct.pack("<QB", 1 << 20, 0))
r = reply(s)
if r is None or r[1] != 1:
    fail(f"Reserve: {r!r}")
base = struct.unpack("<Q", r[2:10])[0]
# Reserved but not committed: not writable (it would fault).
expect_error(s, "Write", struct.pack("<QI", base, 4) + b"abcd", "and made writable")
send(s, "Commit", struct.pack("<QQ", base, 4096))
if reply(s)[1] != 1:
    fail("Commit of reserved memory refused")
send(s, "Write", struct.pack("<QI", base, 4) + b"abcd")
if reply(s)[1] != 1:
    fail("Write into reserved memory refused")
expect_error(s, "Write", struct.pack("<QI", base + (1 << 20) - 2, 4) + b"abcd",
             "not in memory this controller reserved")
# Made read-only again: not writable.
send(s, "Protect", struct.pack("<QQB", base, 4096, 1))
if reply(s)[1] != 1:
    fail("Protect of reserved memory refused")
expect_error(s, "Write", struct.pack("<QI", base, 4) + b"abcd", "and made writable")
send(s, "Quit")
reply(s)
if p.wait(timeout=10) != 0:
    fail(f"the executor exited with {p.returncode}")

# A header announcing 1 GiB, then 16 bytes and the end: the executor ends
# without having allocated the gigabyte.
p, s = start()
send(s, "Hello", hello)
reply(s)
s.sendall(struct.pack("<I", (1 << 30) - 1) + bytes([OPS["Ping"]]) + b"x" * 15)
s.close()
p.wait(timeout=10)
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if peak_kib > 200 * 1024:
    fail(f"the executor grew to {peak_kib} KiB on a 1 GiB header")
print("ok")
