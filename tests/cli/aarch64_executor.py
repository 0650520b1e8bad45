#!/usr/bin/env python3
"""The aarch64 objload-executor (build-arm64, cross-compiled) under
qemu-aarch64, spoken to as objload speaks to it (tests/cli/aarch64_executor.sh
runs this): its handshake says aarch64; aarch64 machine code written into
memory it reserved runs once protected read-execute, called with AAPCS64
(integers in x0-x7, doubles in d0-d7, a string as a pointer); thread-local
storage reaches its blocks through the executor's TLS descriptor function and
in glibc's static TLS area; a convention that is not aarch64's is refused by
name, and nothing runs."""
import os, socket, struct, subprocess, sys, tempfile

executor = os.environ["AARCH64_EXECUTOR"]
here = os.path.dirname(os.path.abspath(__file__))
OPS = {"Hello": 1, "Reserve": 2, "Commit": 4, "Write": 6, "Protect": 7, "RunFunctions": 15,
       "CallInt": 18, "Call": 19, "Quit": 21, "TlsCreate": 26, "RuntimeFunctions": 28,
       "TlsCreateStatic": 29}
SYSV, MICROSOFT, AAPCS64 = 0, 1, 2
READ_WRITE, READ_EXECUTE = 2, 3

def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)

def sh(*argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{' '.join(argv)}: {r.stderr}")
    return r.stdout

# The code: compiled and assembled by the cross toolchain, .text taken whole
# (nothing in it is relocated), each function found by its symbol.
tmp = tempfile.mkdtemp()
code = b""
funcs = {}
for src in ["aarch64_code.c", "aarch64_tls.S"]:
    obj = os.path.join(tmp, src + ".o")
    sh("aarch64-linux-gnu-gcc", "-O2", "-fno-asynchronous-unwind-tables", "-c",
       os.path.join(here, src), "-o", obj)
    if "'.rela.text'" in sh("aarch64-linux-gnu-readelf", "-r", obj):
        fail(f"{src} has relocations; its bytes cannot be written as they are")
    start = (len(code) + 63) & ~63
    code = code.ljust(start, b"\0")
    for line in sh("aarch64-linux-gnu-nm", obj).splitlines():
        value, kind, name = line.split()
        if kind == "T":
            funcs[name] = start + int(value, 16)
    sh("aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", obj, obj + ".bin")
    code += open(obj + ".bin", "rb").read()
# int answer(void): mov w0, #42; ret
funcs["answer"] = (len(code) + 63) & ~63
code = code.ljust(funcs["answer"], b"\0") + struct.pack("<II", 0x52800540, 0xD65F03C0)

ours, theirs = socket.socketpair()
os.set_inheritable(theirs.fileno(), True)
p = subprocess.Popen(["qemu-aarch64", executor,
                      f"--fd={theirs.fileno()}"], pass_fds=[theirs.fileno()])
theirs.close()
s = ours

def request(op, payload=b""):
    body = bytes([OPS[op]]) + payload
    s.sendall(struct.pack("<I", len(body)) + body)
    head = s.recv(4, socket.MSG_WAITALL)
    if len(head) < 4:
        fail(f"{op}: the executor closed the channel (it {p.wait(timeout=10)})")
    r = s.recv(struct.unpack("<I", head)[0], socket.MSG_WAITALL)
    if r[0] != OPS[op]:
        fail(f"{op}: answered as {r[0]}")
    return r[1], r[2:]

def ok(op, payload=b""):
    status, rest = request(op, payload)
    if status != 1:
        n = struct.unpack("<I", rest[:4])[0]
        fail(f"{op} refused: {rest[4:4 + n].decode()}")
    return rest

def refused(op, payload, text):
    status, rest = request(op, payload)
    if status != 0:
        fail(f"{op} was not refused (expected {text!r})")
    n = struct.unpack("<I", rest[:4])[0]
    why = rest[4:4 + n].decode()
    if text not in why:
        fail(f"{op}: refused with {why!r}, expected {text!r}")

def call(name, conv, args):
    payload = struct.pack("<QBI", base + funcs[name], conv, len(args))
    for a in args:
        if isinstance(a, float):
            payload += struct.pack("<BdI", 1, a, 0)
        elif isinstance(a, bytes):
            payload += struct.pack("<BQI", 2, 0, len(a)) + a
        else:
            payload += struct.pack("<BqI", 0, a, 0)
    return payload

# The handshake: magic, version, OS (Linux), pointer size, page size, process
# id (qemu's own: the same process), instruction set (aarch64, 2).
hello = ok("Hello", struct.pack("<IH", 0x584C5452, 7))
magic, version, os_kind, pointer, page, pid, arch = struct.unpack("<IHBBIQB", hello)
if (magic, version, os_kind, pointer, arch) != (0x584C5452, 7, 1, 8, 2):
    fail(f"the handshake said {(hex(magic), version, os_kind, pointer, page, pid, arch)}")

# Code at base, data at base + 64 KiB; written while read-write, then made
# read-execute (never both).
base = struct.unpack("<Q", ok("Reserve", struct.pack("<QB", 1 << 20, 0)))[0]
data = base + 0x10000
ok("Commit", struct.pack("<QQ", base, 0x20000))
ok("Write", struct.pack("<QI", base, len(code)) + code)
ok("Protect", struct.pack("<QQB", base, 0x10000, READ_EXECUTE))
refused("Write", struct.pack("<QI", base, 4) + b"abcd", "and made writable")

def result(op, payload, fmt):
    return struct.unpack(fmt, ok(op, payload))[0]

got = result("CallInt", struct.pack("<QB", base + funcs["answer"], AAPCS64), "<i")
if got != 42:
    fail(f"answer returned {got}")
got = result("Call", call("add2", AAPCS64, [40, 2]), "<q")
if got != 42:
    fail(f"add2(40, 2) returned {got}")
got = result("Call", call("add2", AAPCS64, [-50, 8]), "<q")
if got != -42:
    fail(f"add2(-50, 8) returned {got}")
got = result("Call", call("mixed", AAPCS64, [7, 2.5, 3, 4.0]), "<q")
if got != 7 * 1000 + 10 + 3:
    fail(f"mixed(7, 2.5, 3, 4.0) returned {got}")
ints, dbls = list(range(1, 9)), [0.5 * k for k in range(1, 9)]
want_r, want_f = 0, 0.0
for v in ints:
    want_r = want_r * 7 + v
for v in dbls:
    want_f = want_f * 3 + v
# Interleaved as given: each class fills its own registers in order.
args = [x for pair in zip(ints, dbls) for x in pair]
got = result("Call", call("sixteen", AAPCS64, args), "<q")
if got != want_r * 100000 + int(want_f):
    fail(f"sixteen{tuple(args)} returned {got}, expected {want_r * 100000 + int(want_f)}")
want = 0
for c in b"aarch64":
    want = (want * 31 + c) & 0xFFFFFFFFFFFFFFFF
got = result("Call", call("sum_bytes", AAPCS64, [b"aarch64\0"]), "<Q")
if got != want:
    fail(f"sum_bytes(\"aarch64\") returned {got}, expected {want}")

# Conventions of x86-64 are refused by name, before anything runs.
refused("CallInt", struct.pack("<QB", base + funcs["answer"], SYSV),
        "cannot call with the System V convention on aarch64 (AAPCS64 only)")
refused("Call", call("add2", MICROSOFT, [40, 2]),
        "cannot call with the Microsoft x64 convention on aarch64 (AAPCS64 only)")
refused("RunFunctions", struct.pack("<BIQ", SYSV, 1, base + funcs["answer"]),
        "cannot call with the System V convention on aarch64 (AAPCS64 only)")
refused("Call", call("add2", AAPCS64, list(range(9))),
        "at most 8 integer and 8 floating-point arguments can be passed (9 and 0 given)")

# Thread-local storage through the executor's TLS descriptor function: a
# module whose template holds a value; a descriptor {function, &{module, 8}}.
functions = struct.unpack("<5Q", ok("RuntimeFunctions"))
if not functions[0] or not functions[1]:
    fail(f"no __tls_get_addr stand-in or TLS descriptor function: {functions}")
template = struct.pack("<QQ", 0x1111111111111111, 0x1122334455667788)
ok("Write", struct.pack("<QI", data, len(template)) + template)
module = result("TlsCreate", struct.pack("<QQQQ", data, 16, 32, 16), "<Q")
descriptor = struct.pack("<QQQQ", functions[1], data + 0x110, module, 8)
ok("Write", struct.pack("<QI", data + 0x100, len(descriptor)) + descriptor)
got = result("Call", call("through_descriptor", AAPCS64, [data + 0x100]), "<q")
if got != 0x1122334455667788:
    fail(f"through the TLS descriptor: {got:#x} (negative: that register was not preserved)")

# A block in glibc's static TLS area (initial and local exec): its offset
# from the thread pointer, where the template's bytes are.
image = struct.pack("<Q", 0x0FEEDFACE1234567)
status, rest = request("TlsCreateStatic", struct.pack("<QQ", 16, 16) +
                       struct.pack("<I", len(image)) + image)
if status != 1:
    n = struct.unpack("<I", rest[:4])[0]
    fail(f"TlsCreateStatic refused: {rest[4:4 + n].decode()}")
module, offset = struct.unpack("<Qq", rest)
got = result("Call", call("at_thread_pointer", AAPCS64, [offset]), "<q")
if got != 0x0FEEDFACE1234567:
    fail(f"the static TLS block at the thread pointer {offset:+#x} holds {got:#x}")

ok("Quit")
if p.wait(timeout=30) != 0:
    fail(f"the executor exited with {p.returncode}")
print("ok")
