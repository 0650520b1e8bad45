#!/usr/bin/env python3
"""A malformed-input corpus of our own, made afresh each run: real files
nobody here wrote (a GNU archive of ELF objects, mingw's long-format import
library, a wine DLL, an MSVC import library, an ELF and a COFF object, a
.def, a link cache entry), each mutated at deterministic places (bytes set
to 0x00, 0xff or flipped; the file cut short), then given to the tool a user
would run on it. Every run must end with a status, not a signal, and a
refusal must name the file. (tests/unit/test_corrupt.cpp does the same for
objects through the library, fuzz/ with the sanitizers.)"""
import os, shutil, subprocess, sys, tempfile

objload, symdump, implib_gen = os.environ["OBJLOAD"], os.environ["SYMDUMP"], os.environ["IMPLIB_GEN"]
F = os.environ["RTLINK_FIXTURES"]
src = os.environ["RTLINK_SOURCE"]
tmp = tempfile.mkdtemp()
cache = os.path.join(tmp, "cache")
subprocess.run([objload, "--cache", cache, "-c", "call good_answer", f"{F}/good.o"],
               check=True, stdout=subprocess.DEVNULL)
entry = [os.path.join(cache, n) for n in os.listdir(cache) if n.endswith(".rtlc")][0]

inputs = [  # (file, how many mutations, the commands to run on it: {} is the file)
    ("/usr/lib/x86_64-linux-gnu/libz.a", 40, [[objload, "-c", "resolve", "{}"], [symdump, "--print-armap", "{}"]]),
    ("/usr/x86_64-w64-mingw32/lib/libversion.a", 40, [[objload, "-c", "resolve", "{}"], [symdump, "{}"]]),
    (f"{F}/coff/hostlib.lib", 30, [[objload, "-c", "resolve", "{}"], [symdump, "{}"]]),
    (f"{F}/relocs.o", 40, [[objload, "-c", "resolve", "{}"], [symdump, "{}"]]),
    (f"{F}/coff/relocs_check.msvc.obj", 40, [[objload, "-c", "resolve", "{}"], [symdump, "{}"]]),
    (f"{F}/macho/relocs.o", 40, [[objload, "-c", "resolve", "{}"], [symdump, "{}"]]),
    (f"{F}/macho/libprogram.O2.a", 30, [[objload, "-c", "resolve", "{}"], [symdump, "--print-armap", "{}"]]),
    ("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/sfc.dll", 40,
     [[implib_gen, "--dll", "{}", "-o", os.path.join(tmp, "out.a")], [symdump, "--exports", "{}"]]),
    (f"{src}/fixtures/coff/hostlib.def", 25, [[implib_gen, "--def", "{}", "-o", os.path.join(tmp, "out.a")]]),
    (entry, 25, [[objload, "--cache", "MUTATED_CACHE", "-c", "call good_answer", f"{F}/good.o"]]),
]

def mutants(data, count):
    """(name, bytes): deterministic places spread over the file; a cut."""
    n = len(data)
    for k in range(count):
        pos = (k * 2654435761) % n
        for value in (0x00, 0xFF, data[pos] ^ 0x80):
            if value != data[pos]:
                m = bytearray(data)
                m[pos] = value
                yield f"at{pos:x}-{value:02x}", bytes(m)
                break
    for cut in (n // 3, n - 1):
        yield f"cut{cut:x}", data[:cut]

runs = 0
for path, count, commands in inputs:
    data = open(path, "rb").read()
    for name, bytes_ in mutants(data, count):
        base = os.path.basename(path)
        if path == entry:
            mdir = os.path.join(tmp, "mcache")
            shutil.rmtree(mdir, ignore_errors=True)
            shutil.copytree(cache, mdir)
            mpath = os.path.join(mdir, base)
        else:
            mpath = os.path.join(tmp, f"{name}-{base}")
        with open(mpath, "wb") as f:
            f.write(bytes_)
        for cmd in commands:
            argv = [a.replace("{}", mpath).replace("MUTATED_CACHE", os.path.join(tmp, "mcache")) for a in cmd]
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            runs += 1
            out = (r.stdout + r.stderr).decode("utf-8", "replace")
            if r.returncode < 0:
                print(out[-2000:])
                sys.exit(f"FAIL: {' '.join(argv)}: killed by signal {-r.returncode}")
            # A refusal names the file (the cache entry: a warning naming it,
            # then the link done in full).
            if r.returncode != 0 and os.path.basename(mpath) not in out:
                print(out[-2000:])
                sys.exit(f"FAIL: {' '.join(argv)}: exit {r.returncode} without naming the file")
        if path != entry:
            os.unlink(mpath)
shutil.rmtree(tmp)
print(f"ok ({runs} runs)")
