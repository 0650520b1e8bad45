#!/usr/bin/env python3
"""librtlink.so as a Python host uses it, through ctypes: a linker made,
the rts <-> base cycle loaded, resolved and called, a missing file and a
missing symbol reported; and the library itself: its soname, exports (the
functions rtlink.h declares, nothing else), and no LLVM, zlib, zstd or
liburing among the libraries it needs (they are linked in)."""
import ctypes, os, re, subprocess, sys

lib_path = os.environ["RTLINK_C_LIBRARY"]
fx = os.environ["RTLINK_FIXTURES"]
header = os.path.join(os.environ["RTLINK_SOURCE"], "include", "rtlink", "rtlink.h")


def fail(msg):
    sys.exit("FAIL: " + msg)


# A sanitized librtlink.so needs its sanitizers' runtimes loaded first, which
# a Python interpreter is not linked with: preloaded, then (what Python
# leaves allocated at its exit is not ours) without leak detection.
sanitize = os.environ.get("RTLINK_SANITIZE_FLAGS", "")
if sanitize and "RTLINK_PRELOADED" not in os.environ:
    runtimes = [subprocess.run(["cc", f"-print-file-name={name}"], capture_output=True, text=True,
                               check=True).stdout.strip()
                for kind, name in (("address", "libasan.so"), ("undefined", "libubsan.so"))
                if kind in sanitize]
    env = dict(os.environ, RTLINK_PRELOADED="1", LD_PRELOAD=" ".join(runtimes),
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


# The library: soname, what it needs, what it exports.
dynamic = subprocess.run(["readelf", "-d", "-W", lib_path], capture_output=True, text=True,
                         check=True).stdout
soname = re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", dynamic)
major = os.environ["RTLINK_VERSION"].split(".")[0]
if soname != [f"librtlink.so.{major}"]:
    fail(f"soname {soname}, expected librtlink.so.{major}")
needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", dynamic)
for n in needed:
    if re.match(r"lib(LLVM|z|zstd|uring)\b", n):
        fail(f"librtlink.so needs {n}, which should be linked in: {needed}")

nm = subprocess.run(["nm", "-D", "--defined-only", lib_path], capture_output=True, text=True,
                    check=True).stdout
exported = sorted(line.split()[-1] for line in nm.splitlines() if line.strip())
declared = sorted(set(re.findall(r"\b(rtl_\w+)\s*\(", open(header).read())))
if exported != declared:
    fail("librtlink.so exports other than rtlink.h declares:\n"
         f"  exported, not declared: {sorted(set(exported) - set(declared))}\n"
         f"  declared, not exported: {sorted(set(declared) - set(exported))}")

# A host.
rtl = ctypes.CDLL(lib_path)
rtl.rtl_linker_new.restype = ctypes.c_void_p
rtl.rtl_linker_new.argtypes = []
rtl.rtl_linker_free.argtypes = [ctypes.c_void_p]
rtl.rtl_linker_free.restype = None
for f in ("rtl_load_object", "rtl_load"):
    getattr(rtl, f).argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    getattr(rtl, f).restype = ctypes.c_int
rtl.rtl_resolve.argtypes = [ctypes.c_void_p]
rtl.rtl_resolve.restype = ctypes.c_int
rtl.rtl_lookup.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
rtl.rtl_lookup.restype = ctypes.c_void_p
rtl.rtl_last_error.argtypes = [ctypes.c_void_p]
rtl.rtl_last_error.restype = ctypes.c_char_p

l = rtl.rtl_linker_new()
if not l:
    fail("rtl_linker_new: " + rtl.rtl_last_error(None).decode())


def check(status, what):
    if status != 0:
        fail(f"{what}: {rtl.rtl_last_error(l).decode()}")


check(rtl.rtl_load_object(l, f"{fx}/rts.o".encode()), "load rts.o")
check(rtl.rtl_load(l, f"{fx}/base.o".encode()), "load base.o")
check(rtl.rtl_resolve(l), "resolve")
address = rtl.rtl_lookup(l, b"rts_main")
if not address:
    fail("rts_main not found: " + rtl.rtl_last_error(l).decode())
rts_main = ctypes.CFUNCTYPE(ctypes.c_int)(address)
if rts_main() != 42:
    fail(f"rts_main() returned {rts_main()}, expected 42")

missing = f"{fx}/no_such_object.o"
if rtl.rtl_load_object(l, missing.encode()) == 0:
    fail("loading a missing file succeeded")
message = rtl.rtl_last_error(l).decode()
if message != f"{missing}: cannot read: No such file or directory":
    fail(f"the error for a missing file: {message!r}")
if rtl.rtl_lookup(l, b"no_such_symbol"):
    fail("no_such_symbol was found")
if "symbol 'no_such_symbol' not found" not in rtl.rtl_last_error(l).decode():
    fail(f"the error for a missing symbol: {rtl.rtl_last_error(l)!r}")
# What was loaded is still there after the failures.
if rts_main() != 42 or rtl.rtl_lookup(l, b"rts_main") != address:
    fail("rts_main changed after a failed call")


# rtl_call and rtl_call_double with arguments, struct rtl_arg as ctypes
# lays it out from the header's declaration.
class Arg(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("i", ctypes.c_int64), ("d", ctypes.c_double),
                ("bytes", ctypes.c_void_p), ("size", ctypes.c_size_t)]


RTL_ARG_INT, RTL_ARG_DOUBLE, RTL_ARG_FLOAT, RTL_ARG_BYTES = 0, 1, 2, 3
rtl.rtl_call.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Arg), ctypes.c_size_t,
                         ctypes.POINTER(ctypes.c_int64)]
rtl.rtl_call_double.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(Arg),
                                ctypes.c_size_t, ctypes.POINTER(ctypes.c_double)]
text = ctypes.create_string_buffer(b"0.125 and more")
args = (Arg * 2)(Arg(RTL_ARG_BYTES, 0, 0, ctypes.cast(text, ctypes.c_void_p), len(text)),
                 Arg(RTL_ARG_INT, 0, 0, None, 0))
d = ctypes.c_double()
check(rtl.rtl_call_double(l, b"strtod", args, 2, ctypes.byref(d)), "rtl_call_double strtod")
if d.value != 0.125:
    fail(f"strtod through rtl_call_double gave {d.value}")
n = ctypes.c_int64()
args = (Arg * 1)(Arg(RTL_ARG_INT, -8, 0, None, 0))
check(rtl.rtl_call(l, b"labs", args, 1, ctypes.byref(n)), "rtl_call labs")
if n.value != 8:
    fail(f"labs(-8) through rtl_call gave {n.value}")
rtl.rtl_linker_free(l)
print(f"ok: {len(exported)} functions exported, rts_main() = 42, strtod and labs called")
