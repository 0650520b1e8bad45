# implib-gen --elf: lazy-loading stubs for an ELF shared library. A program
# linked against the stubs (by GNU ld, gold, lld or mold, and loaded by
# objload in-process, in the child executor and in the aarch64 executor)
# does what the same program linked against the library does: same output,
# same exit status; without the library it says which library and function,
# or its failure callback stands in. Real libraries nobody here wrote
# (Debian's zlib and libpython3.11, whose extension modules need the library's
# symbols global) as well as fixtures/stubs/greet.c, and the errors.
. "$(dirname "$0")/common.sh"
: "${IMPLIB_GEN:?}" "${SYMDUMP:?}"
need gcc python3 /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/include/zlib.h \
  /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 /usr/include/python3.11/Python.h
S=$RTLINK_SOURCE/fixtures/stubs
cd "$T"

# The library, a program of it linked both ways, and the stubs.
mkdir lib
gcc -O2 -fPIC -shared -Wl,-soname,libgreet.so.1 -Wl,--version-script="$S/greet.map" \
  "$S/greet.c" -o lib/libgreet.so.1
ln -s libgreet.so.1 lib/libgreet.so
gcc -O2 -c "$S/greet_main.c" -o main.o
gcc main.o -Llib -lgreet -pthread -o direct
run 0 "$IMPLIB_GEN" --elf lib/libgreet.so.1 -o greet.stubs.a
has err "warning: lib/libgreet.so.1: 2 data or thread-local exports with no stub (a program that uses one must link libgreet.so.1 itself): greet_count, greet_tls"
export LD_LIBRARY_PATH=$T/lib
linked 42 ./direct
has linked.out "format: 19 [42 3.142 ok 2.5e+10]"
has linked.out "old: 2"
for ld in bfd gold lld mold; do
  gcc -fuse-ld=$ld main.o greet.stubs.a -pthread -o stubbed
  readelf -d stubbed | grep -q 'NEEDED.*libgreet' && fail "$ld: the stubbed program still needs libgreet"
  same_as_linked ./stubbed
done
same_as_linked "$OBJLOAD" main.o greet.stubs.a --run main
same_as_linked "$OBJLOAD" --executor=child main.o greet.stubs.a --run main

# --load-name: dlopen is given a path, found without LD_LIBRARY_PATH.
run 0 "$IMPLIB_GEN" --elf lib/libgreet.so.1 --load-name "$T/lib/libgreet.so.1" -o path.stubs.a
gcc main.o path.stubs.a -pthread -o by_path
(unset LD_LIBRARY_PATH; same_as_linked ./by_path)
(unset LD_LIBRARY_PATH; same_as_linked "$OBJLOAD" main.o path.stubs.a --run main)

# The library absent: the first call says which library and function, and
# the program aborts; with its failure callback set, the callback is told
# and what it returns is called (greet_add's stand-in), until it gives up.
unset LD_LIBRARY_PATH
absent="libgreet.so.1: cannot call greet_add: libgreet.so.1: cannot open shared object file: No such file or directory"
run 134 ./stubbed
has err "$absent"
run 134 "$OBJLOAD" main.o greet.stubs.a --run main
has err "$absent"
run 2 "$OBJLOAD" --executor=child main.o greet.stubs.a --run main
has err "$absent"
has err "executor terminated by signal 6 (SIGABRT) while running main"
export STUBS_CALLBACK=1
for how in ./stubbed "$OBJLOAD main.o greet.stubs.a --run main" \
           "$OBJLOAD --executor=child main.o greet.stubs.a --run main"; do
  # shellcheck disable=SC2086
  run 3 $how
  has out "callback: libgreet.so.1, greet_add: cannot open"
  has out "thread 3: -103"
  has out "add: -5"
  has out "callback: libgreet.so.1, greet_name: cannot open"
  lacks out "name: libgreet"
done
unset STUBS_CALLBACK

# What the stubs stand for, as --json says, and as symdump and llvm-nm read
# the archive; the same bytes wherever and whenever they are written.
run 0 "$IMPLIB_GEN" --elf lib/libgreet.so.1 --json
python3 - "$T/out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["soname"] == "libgreet.so.1" and j["machine"] == "x86-64", j
assert j["label"] == "libgreet_so_1" and j["library"] == "", j
e = {x["name"]: x for x in j["exports"]}
want = {"greet_add": ("GREET_2", "function", True), "greet_old": ("GREET_2", "function", True),
        "greet_gone": ("GREET_1", "function", False), "greet_count": ("GREET_2", "data", False),
        "greet_tls": ("GREET_2", "tls", False)}
for name, (version, kind, stub) in want.items():
    got = (e[name]["version"], e[name]["type"], e[name]["stub"])
    assert got == (version, kind, stub), (name, got)
assert not any(n.startswith("impl_") or n in ("_init", "_fini", "GREET_1") for n in e), sorted(e)
assert sum(x["stub"] for x in j["exports"]) == 8, j["exports"]
PY
"$SYMDUMP" greet.stubs.a >symdump.txt
/usr/lib/llvm-19/bin/llvm-nm greet.stubs.a >nm.txt
diff nm.txt symdump.txt || fail "symdump and llvm-nm read the stubs differently"
grep -q "^0000000000000000 T greet_mix$" nm.txt || fail "no stub for greet_mix: $(cat nm.txt)"
grep -qE " (greet_gone|greet_count|greet_tls)$" nm.txt && fail "a stub for what cannot have one"
mkdir elsewhere
sleep 1
(cd elsewhere && "$IMPLIB_GEN" --elf ../lib/libgreet.so.1 -o other.a 2>/dev/null)
cmp greet.stubs.a elsewhere/other.a || fail "the stubs depend on where or when they are written"

# Real libraries: zlib, and CPython embedded (json, math and ctypes, an
# extension module that needs libpython's symbols global).
gcc -O2 -c "$S/zlib_main.c" -o z.o
gcc z.o -lz -o z.direct
run 0 "$IMPLIB_GEN" --elf /usr/lib/x86_64-linux-gnu/libz.so.1 -o z.stubs.a
lacks err "warning"
linked 7 ./z.direct
has linked.out "-> 35: hello hello"
gcc z.o z.stubs.a -o z.stubbed
same_as_linked ./z.stubbed
same_as_linked "$OBJLOAD" z.o z.stubs.a --run main
gcc -O2 -I/usr/include/python3.11 -c "$S/python_main.c" -o py.o
gcc py.o -lpython3.11 -o py.direct
run 0 "$IMPLIB_GEN" --elf /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0 -o py.stubs.a
has err "data or thread-local exports with no stub (a program that uses one must link libpython3.11.so.1.0 itself): "
has err "--json lists them"
linked 82 ./py.direct
has linked.out '{"x": 1.4142135623730951} 7'
gcc py.o py.stubs.a -o py.stubbed
same_as_linked ./py.stubbed
same_as_linked "$OBJLOAD" py.o py.stubs.a --run main
same_as_linked "$OBJLOAD" --executor=child py.o py.stubs.a --run main

# aarch64: the same library and program from the cross gcc, run under qemu.
need aarch64-linux-gnu-gcc qemu-aarch64 /lib/ld-linux-aarch64.so.1
mkdir a64
aarch64-linux-gnu-gcc -O2 -fPIC -shared -Wl,-soname,libgreet.so.1 \
  -Wl,--version-script="$S/greet.map" "$S/greet.c" -o a64/libgreet.so.1
aarch64-linux-gnu-gcc -O2 -c "$S/greet_main.c" -o a64/main.o
aarch64-linux-gnu-gcc a64/main.o a64/libgreet.so.1 -pthread -o a64/direct
run 0 "$IMPLIB_GEN" --elf a64/libgreet.so.1 -o a64/greet.stubs.a
aarch64-linux-gnu-gcc a64/main.o a64/greet.stubs.a -pthread -o a64/stubbed
export LD_LIBRARY_PATH=$T/a64
linked 42 timeout -s KILL 120 qemu-aarch64 a64/direct
has linked.out "big: 7 14 21 28"
same_as_linked timeout -s KILL 120 qemu-aarch64 a64/stubbed
if [ -n "${AARCH64_EXECUTOR:-}" ]; then
  same_as_linked timeout -s KILL 120 "$OBJLOAD" --executor="qemu-aarch64 $AARCH64_EXECUTOR" \
    a64/main.o a64/greet.stubs.a --run main
elif [ "${CI:-}" = true ]; then
  fail "no aarch64 executor: configure with -Daarch64_executor=PATH (scripts/dev does)"
fi
unset LD_LIBRARY_PATH
run 134 timeout -s KILL 120 qemu-aarch64 a64/stubbed
has err "$absent"

# Errors name the input and write nothing.
run 1 "$IMPLIB_GEN" --elf main.o -o bad.a
has err "main.o: not a shared object but a relocatable object (--elf reads a shared library"
run 1 "$IMPLIB_GEN" --elf greet.stubs.a -o bad.a
has err "greet.stubs.a: not an ELF file"
cp lib/libgreet.so.1 class32.so && printf '\001' | dd of=class32.so bs=1 seek=4 conv=notrunc 2>/dev/null
run 1 "$IMPLIB_GEN" --elf class32.so -o bad.a
has err "class32.so: a 32-bit little-endian ELF file: stubs are written for 64-bit little-endian libraries"
cp lib/libgreet.so.1 riscv.so && printf '\363\000' | dd of=riscv.so bs=1 seek=18 conv=notrunc 2>/dev/null
run 1 "$IMPLIB_GEN" --elf riscv.so -o bad.a
has err "riscv.so: a library for riscv: stubs are written for x86-64 and aarch64 libraries"
head -c 300 lib/libgreet.so.1 >cut.so
run 1 "$IMPLIB_GEN" --elf cut.so -o bad.a
has err "cut.so: section header table goes past the end of the file"
printf '/* GNU ld script */\nGROUP ( /lib/libgreet.so.1  AS_NEEDED ( /lib/libother.so.2 ) )\n' >script.so
run 1 "$IMPLIB_GEN" --elf script.so -o bad.a
has err "script.so: a linker script, not a library: give --elf a shared library it names (/lib/libgreet.so.1, /lib/libother.so.2)"
echo 'int only_data = 1;' >data.c
gcc -shared -fPIC data.c -o libdata.so
run 1 "$IMPLIB_GEN" --elf libdata.so -o bad.a
has err "libdata.so: exports no function a stub could stand for"
[ ! -e bad.a ] || fail "an archive was written for a wrong input"
run 1 "$IMPLIB_GEN" --elf missing.so -o bad.a
has err "missing.so"
run 2 "$IMPLIB_GEN" --elf lib/libgreet.so.1 --def x.def -o bad.a
has err "--elf reads one library; give no other inputs"
run 2 "$IMPLIB_GEN" --elf lib/libgreet.so.1 --delay -o bad.a
has err "do not apply"
run 2 "$IMPLIB_GEN" --load-name x --def x.def -o bad.a
has err "--load-name goes with --elf"
run 2 "$IMPLIB_GEN" --elf lib/libgreet.so.1
has err "no output: give -o FILE (or --json)"
