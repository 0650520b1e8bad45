#!/usr/bin/env python3
"""symdump --format=json is checked against the schema of docs/symdump-json.md
on each kind of input, a real DLL's exports among them."""
import json, os, shutil, subprocess, sys, tempfile

symdump = os.environ["SYMDUMP"]
fx = os.environ["RTLINK_FIXTURES"]
wine = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows"

def fail(msg):
    sys.exit("FAIL: " + msg)

def check_symbol(s, where):
    required = {"name": str, "type": str, "value": int, "binding": str, "defined": bool}
    for key, t in required.items():
        if not isinstance(s.get(key), t):
            fail(f"{where}: symbol {s} lacks {key} ({t.__name__})")
    if len(s["type"]) != 1:
        fail(f"{where}: type {s['type']!r} is not one letter")
    if s["binding"] not in ("local", "global", "weak", "needed"):
        fail(f"{where}: binding {s['binding']!r}")
    if not (s.get("section") is None or isinstance(s["section"], str)):
        fail(f"{where}: section {s['section']!r}")
    if not (s.get("size") is None or isinstance(s["size"], int)):
        fail(f"{where}: size {s['size']!r}")
    for key, t in {"dll": str, "ordinal": int, "hint": int, "name_type": str,
                   "forwarder": str, "import_type": str, "mangled": str, "version": str,
                   "version_default": bool}.items():
        if key in s and not isinstance(s[key], t):
            fail(f"{where}: {key} {s[key]!r} is not {t.__name__}")
    if "name_type" in s and s["name_type"] not in ("name", "ordinal", "noprefix", "undecorate", "exportas"):
        fail(f"{where}: name_type {s['name_type']!r}")
    if "versions" in s and not (isinstance(s["versions"], list) and all(isinstance(v, str) for v in s["versions"])):
        fail(f"{where}: versions {s['versions']!r}")
    if ("version" in s) != ("version_default" in s):
        fail(f"{where}: version and version_default go together: {s}")
    allowed = {"name", "type", "value", "section", "binding", "defined", "size", "dll", "ordinal",
               "hint", "name_type", "forwarder", "import_type", "mangled", "versions", "version",
               "version_default"}
    # A string that is not UTF-8 has its bytes beside it, in hex.
    for key in [k for k in s if k.endswith("_bytes")]:
        text = s.get(key[:-len("_bytes")])
        if not isinstance(text, str) or "\ufffd" not in text or not isinstance(s[key], str):
            fail(f"{where}: {key} {s[key]!r} beside {text!r}")
        bytes.fromhex(s[key])
        allowed.add(key)
    if set(s) - allowed:
        fail(f"{where}: unknown keys {set(s) - allowed}")

def check(args, expect):
    out = subprocess.run([symdump, "--format=json"] + args, capture_output=True, text=True)
    try:
        doc = json.loads(out.stdout)
    except json.JSONDecodeError as e:
        fail(f"{args}: not JSON: {e}")
    if set(doc) != {"files"} or not isinstance(doc["files"], list):
        fail(f"{args}: the document is not {{files: [...]}}")
    symbols = []
    for f in doc["files"]:
        if not isinstance(f.get("file"), str) or not isinstance(f.get("archive"), bool):
            fail(f"{args}: file entry {list(f)}")
        for m in f["members"]:
            if not (m["name"] is None or isinstance(m["name"], str)) or not isinstance(m["kind"], str):
                fail(f"{args}: member entry {list(m)}")
            if f["archive"] and not isinstance(m.get("index"), int):
                fail(f"{args}: an archive member without its index")
            for s in m["symbols"]:
                check_symbol(s, f"{args} {m['name']}")
                symbols.append((m, s))
    if not expect(doc, symbols):
        fail(f"{args}: the content is not what it should be")
    return doc

check([f"{fx}/rts.o"], lambda d, ss: any(s["name"] == "rts_main" and s["type"] == "T" and s["size"] for m, s in ss))
check([f"{fx}/libbase.a"], lambda d, ss: d["files"][0]["archive"] and len(d["files"][0]["members"]) == 2)
check([f"{fx}/coff/rts.msvc.obj"], lambda d, ss: any(s["name"] == "rts_allocate" and s["section"] == ".text" for m, s in ss))
check([f"{fx}/coff/libhostlib.a"],
      lambda d, ss: any(s["name"] == "host_by_ordinal" and s.get("ordinal") == 7 and s["name_type"] == "ordinal"
                        and s["dll"] == "hostlib.dll" for m, s in ss)
      and any(s["name"] == "__imp_host_value" and s.get("import_type") == "data" for m, s in ss))
check(["/usr/x86_64-w64-mingw32/lib/libkernel32.a"],
      lambda d, ss: any(s["name"] == "GetTickCount64" and s.get("dll") == "KERNEL32.dll" for m, s in ss)
      and any(s["name"] == "__imp_GetTickCount64" and s.get("dll") == "KERNEL32.dll" for m, s in ss))
# MinGW's long-format import libraries: every import member's defined globals
# carry the DLL its library's head and tail members name, as short import
# members' do; nothing else does.
def long_format_dlls(doc, ss, dll):
    found = 0
    for f in doc["files"]:
        for m in f["members"]:
            imports = any(s["name"].startswith("_head_") and not s["defined"] for s in m["symbols"])
            for s in m["symbols"]:
                if imports and s["defined"] and s["binding"] == "global":
                    if s.get("dll") != dll:
                        fail(f"{f['file']}({m['name']}): {s['name']} has dll {s.get('dll')!r}, expected {dll!r}")
                    found += 1
                elif "dll" in s:
                    fail(f"{f['file']}({m['name']}): {s['name']} has dll {s['dll']!r}")
    return found > 100
for lib, dll in (("libuser32.a", "USER32.dll"), ("libws2_32.a", "WS2_32.dll"), ("libmsvcrt.a", "msvcrt.dll")):
    check([f"/usr/x86_64-w64-mingw32/lib/{lib}"], lambda d, ss: long_format_dlls(d, ss, dll))
check(["--exports", f"{wine}/kernel32.dll"],
      lambda d, ss: any(s["name"] == "GetTickCount64" and s["dll"] == "kernel32.dll" and s["ordinal"] > 0 for m, s in ss)
      and any(s.get("forwarder", "").startswith("NTDLL.") for m, s in ss))
check(["--imports", f"{wine}/kernel32.dll"], lambda d, ss: any(s["dll"].lower() == "kernelbase.dll" and not s["defined"] and s.get("hint") is not None for m, s in ss))
check(["-D", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"],
      lambda d, ss: any(s["name"] == "sqlite3_open" and s["section"] == ".text" and "version" not in s for m, s in ss)
      and any(s["name"] == "free" and s["version"] == "GLIBC_2.2.5" and not s["version_default"] for m, s in ss))
check(["-D", "/lib/x86_64-linux-gnu/libc.so.6"],
      lambda d, ss: any(s["name"] == "memcpy" and s["version"] == "GLIBC_2.14" and s["version_default"] for m, s in ss)
      and any(s["name"] == "memcpy" and s["version"] == "GLIBC_2.2.5" and not s["version_default"] for m, s in ss))
check(["--imports", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"],
      lambda d, ss: any(s["name"] == "libc.so.6" and any(v.startswith("GLIBC_") for v in s["versions"]) for m, s in ss))
check([f"{fx}/macho/base.fat.o", f"{fx}/macho/base.bc"],
      lambda d, ss: [m["kind"] for f in d["files"] for m in f["members"]] == ["macho", "bitcode"])
check(["--exports", f"{fx}/macho/libbase.dylib"], lambda d, ss: any(s["name"] == "_base_runSparks" for m, s in ss))
check(["-C", f"{fx}/comdat_a.o"], lambda d, ss: any(s["name"] == "typeinfo for int" and s["mangled"] == "_ZTIi" for m, s in ss))
# A name that is not UTF-8, in a valid object: U+FFFD where a byte starts no
# valid sequence, and the exact bytes in name_bytes.
tmp = tempfile.mkdtemp()
with open(f"{tmp}/cafe.c", "wb") as c:
    c.write(b'int x __asm__("caf\\xe9") = 42;\nint y __asm__("\\xc3\\xa9t\\xc3") = 1;\n')
subprocess.run(["gcc", "-c", f"{tmp}/cafe.c", "-o", f"{tmp}/cafe.o"], check=True)
check([f"{tmp}/cafe.o"],
      lambda d, ss: any(s["name"] == "caf\ufffd" and bytes.fromhex(s["name_bytes"]) == b"caf\xe9" for m, s in ss)
      and any(s["name"] == "\u00e9t\ufffd" and s["name_bytes"] == "c3a974c3" for m, s in ss)
      and not any("name_bytes" in s for m, s in ss if s["name"].isascii()))
shutil.rmtree(tmp)
print("ok")
