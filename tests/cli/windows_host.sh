# The Windows-hosted rtlink (build-win, configured with -Dllvm-mingw; scripts/dev
# builds it) under wine, against the Linux build and against what mingw-w64
# links:
# - symdump.exe and implib-gen.exe write the bytes symdump and implib-gen write,
#   and fail the same way;
# - objload.exe loads COFF objects, archives and import libraries into its own
#   process (and into a Windows child with --executor=child), reading through
#   the I/O completion port: the rts <-> base cycle, a program that imports
#   from Windows DLLs, and a C++ program with exceptions and mingw's libstdc++,
#   each with the output and exit status of the program mingw links; its REPL
#   in a console (wine's, on a pseudo-terminal);
# - the library's COFF and import-library suites (coff-tests.exe), in-process
#   and with a Windows child executor;
# - a C host (docs/examples/host.c), built by mingw against librtlink's DLL,
#   loads and unloads the cycle through the C API.
. "$(dirname "$0")/common.sh"
: "${WINDOWS_BUILD:?configure with -Dwindows_build=DIR (scripts/dev test does)}"
need x86_64-w64-mingw32-gcc-posix x86_64-w64-mingw32-g++ /usr/lib/wine/wine64
W=$WINDOWS_BUILD
for f in tools/objload/objload.exe tools/symdump/symdump.exe tools/implib-gen/implib-gen.exe \
         tools/objload-executor/objload-executor.exe lib/librtlink-0.dll lib/librtlink.dll.a \
         tests/windows/coff-tests.exe; do
  [ -f "$W/$f" ] || fail "$W/$f is missing: is $W the whole Windows build (-Dllvm-mingw)?"
done
win() { wine_run "$@"; }
# The wine prefix is made on first use (wine says so on stderr).
win "$W/tools/symdump/symdump.exe" --version >/dev/null 2>&1 || true
cd "$T"

# same_bytes ARGS...: symdump ARGS and symdump.exe ARGS print the same bytes
# on stdout and stderr and exit with the same status.
same_bytes() {
  local tool=$1; shift
  set +e
  "$RTLINK_BUILD/tools/$tool/$tool" "$@" >linux.out 2>linux.err
  local a=$?
  win "$W/tools/$tool/$tool.exe" "$@" >win.out 2>win.err
  local b=$?
  set -e
  if [ "$a" != "$b" ] || ! cmp -s linux.out win.out || ! cmp -s linux.err win.err; then
    echo "--- stdout (- Linux, + Windows)"; diff -u linux.out win.out | head -20 || true
    echo "--- stderr (- Linux, + Windows)"; diff -u linux.err win.err | head -20 || true
    fail "$tool $*: Linux exited $a, Windows $b"
  fi
}

# symdump: COFF from both toolchains, archives, import libraries (mingw's,
# short and long), a DLL's exports and imports, ELF, Mach-O, in each format.
mingw=/usr/x86_64-w64-mingw32/lib
dll=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll
need "$dll"
inputs=("$F/coff/rts.gnu.obj" "$F/coff/base.msvc.obj" "$F/coff/rts.bigobj.obj" "$F/coff/coffbase.lib"
        "$F/coff/libcoffbase.a" "$F/coff/win_cxx_eh.gnu.obj" "$mingw/libkernel32.a" "$F/base.o"
        "$F/libbase.a" "$F/tls.o" "$F/macho/$(ls "$F/macho" | grep '\.o$' | head -1)")
for opts in "" "-g -S" "-C -n" "--format=posix" "--format=sysv" "--format=json" "-A -u"; do
  # shellcheck disable=SC2086
  same_bytes symdump $opts "${inputs[@]}"
done
same_bytes symdump --exports "$dll"
same_bytes symdump --imports "$dll"
same_bytes symdump --format=json --imports "$dll"
# DWARF line numbers (symdump -l) from a mingw object.
printf 'int counter;\nint bump(int n) {\n  return counter += n;\n}\n' >lines.c
x86_64-w64-mingw32-gcc -g -O0 -c lines.c -o lines.o
same_bytes symdump -l lines.o
# Errors: a missing file, a truncated object.
head -c 100 "$F/coff/rts.gnu.obj" >cut.obj
same_bytes symdump missing.obj
same_bytes symdump cut.obj

# implib-gen: from a .def (both flavours), from a DLL, from objects; ELF stubs.
# same_output ARGS...: implib-gen ARGS (which name the output out.lib) and
# implib-gen.exe ARGS write the same file and report the same bytes.
same_output() {
  rm -f out.lib
  same_bytes implib-gen "$@"
  "$RTLINK_BUILD/tools/implib-gen/implib-gen" "$@" >/dev/null 2>&1
  mv out.lib linux.lib
  win "$W/tools/implib-gen/implib-gen.exe" "$@" >/dev/null 2>&1
  cmp -s linux.lib out.lib || fail "implib-gen $*: the files differ"
}
cat >hostlib.def <<'DEF'
LIBRARY hostlib.dll
EXPORTS
  host_add
  host_value DATA
  host_ordinal @7 NONAME
DEF
same_output --flavor=gnu -o out.lib --def hostlib.def
same_output --flavor=msvc -o out.lib --def hostlib.def --json
same_output -o out.lib --dll "$dll" --json
same_output -o out.lib --dll-name rts.dll --export-all "$F/coff/rts.gnu.obj"
need /usr/lib/x86_64-linux-gnu/libz.so.1
same_output -o out.lib --elf /usr/lib/x86_64-linux-gnu/libz.so.1 --json
same_bytes implib-gen -o x.a --def missing.def

# objload.exe, in its own process: the cycle, both orders and through an
# archive, read through the I/O completion port (--trace says which reader).
objload() { win "$W/tools/objload/objload.exe" "$@"; }
run 42 objload --trace --run rts_main "$F/coff/rts.gnu.obj" "$F/coff/base.gnu.obj"
has err "I/O completion port"
run 42 objload --run rts_main "$F/coff/base.msvc.obj" "$F/coff/rts.msvc.obj"
run 42 objload --run rts_main "$F/coff/rts.gnu.obj" "$F/coff/coffbase.lib"
# A bad input names the file and leaves the session as it was.
run 1 objload -c "load cut.obj; load $F/coff/rts.gnu.obj; load $F/coff/base.gnu.obj; call rts_main"
has out "cut.obj"
has out "rts_main returned 42"

# Windows paths, a drive letter and backslashes: files, -L, the REPL's
# commands, implib-gen's patterns.
wp() { printf 'Z:%s' "$1" | tr / '\\'; }
coff_dir=$(wp "$F/coff")
run 42 objload -L "$coff_dir" -lcoffbase --run rts_main "$coff_dir\\rts.gnu.obj"
run 1 objload -c "load $coff_dir\\rts.gnu.obj; load $coff_dir\\nonexist.obj"
has out "loaded $coff_dir\\rts.gnu.obj"
has out "$coff_dir\\nonexist.obj: cannot read: No such file or directory"
mkdir libs
run 0 win "$W/tools/implib-gen/implib-gen.exe" -o "$(wp "$T/libs")" "rts=$coff_dir\\rts.*.obj"
[ -f libs/librts.dll.a ] && [ -f libs/rts.def ] || fail "implib-gen.exe with a pattern in a Windows path: $(cat "$T/err")"

# A program importing from kernel32 and user32 (mingw's import libraries; what
# nothing loaded defines comes from LoadLibrary/GetProcAddress).
x86_64-w64-mingw32-gcc "$F/coff/win_hello.gnu.obj" -o hello.exe
linked 42 win ./hello.exe first
sed -i 's/argv\[0\] [^,]*,/argv[0] objload,/' linked.out  # its argv[0] is the path it ran by
hello_libs=(-L"$mingw" -lmingwex -lmsvcrt -lkernel32 -luser32)
same_as_linked objload "${hello_libs[@]}" --run main "$F/coff/win_hello.gnu.obj" -- first
same_as_linked objload --executor=child "${hello_libs[@]}" --run main "$F/coff/win_hello.gnu.obj" -- first
# A fault in the child executor ends only it; objload goes on with a fresh one.
run 1 objload --executor=child "${hello_libs[@]}" \
  -c "call boom; load $F/coff/win_hello.gnu.obj; call ticks_ok" "$F/coff/win_hello.gnu.obj"
has out "error: access violation reading 0x0 at boom+0x"
has out "ticks_ok returned 1"

# C++ with exceptions and mingw's libstdc++, as real_mingw_cxx does it in the
# executor, here in objload.exe's own process.
x86_64-w64-mingw32-g++ -O2 -c "$RTLINK_SOURCE/fixtures/real/mingw_prog.cpp" -o prog.o
x86_64-w64-mingw32-g++ prog.o -o prog.exe -static-libstdc++ -static-libgcc
linked 4 win ./prog.exe
has linked.out "caught deep failure, code 17"
gcc_dir=$(dirname "$(x86_64-w64-mingw32-g++ -print-libgcc-file-name)")
cxx_libs=(-L"$gcc_dir" -L"$mingw" -lstdc++ -lmingw32 -lgcc -lgcc_eh -lmingwex -lmsvcrt -lkernel32)
same_as_linked objload --run main prog.o "${cxx_libs[@]}"
same_as_linked objload --executor=child --run main prog.o "${cxx_libs[@]}"

# The library's COFF and import-library suites (tests/unit) against the
# Windows-hosted library: in objload's place, and with a Windows child
# executor (but for the cases that look into this process). The cases marked
# posix-host assert what a POSIX process lacks.
coff_tests() {
  set +e
  RTLINK_FIXTURES="$F" win "$W/tests/windows/coff-tests.exe" "$@" >suite.out 2>&1
  local status=$?
  set -e
  [ $status = 0 ] || { tail -40 suite.out; fail "coff-tests.exe $* exited $status"; }
  grep -q "Status: SUCCESS" suite.out || fail "coff-tests.exe $*: $(tail -5 suite.out)"
}
coff_tests --test-suite-exclude=posix-host
RTLINK_TEST_EXECUTOR="$W/tools/objload-executor/objload-executor.exe" \
  coff_tests --test-suite-exclude=posix-host,in-process

# The REPL in a console (wine's, on a pseudo-terminal): a call, Ctrl-C, history.
WINEPREFIX="$RTLINK_BUILD/wineprefix-windows_host" \
  python3 "$RTLINK_SOURCE/tests/cli/repl_windows_pty.py" "$W/tools/objload/objload.exe" "$F" >repl.out ||
  fail "the REPL in a console: $(cat repl.out)"

# The C API from a C host built by mingw against the DLL.
x86_64-w64-mingw32-gcc -Wall -Werror -std=c99 -I"$RTLINK_SOURCE/include" \
  "$RTLINK_SOURCE/docs/examples/host.c" "$W/lib/librtlink.dll.a" -o host.exe
cp "$W/lib/librtlink-0.dll" .
cp "$F/coff/rts.gnu.obj" rts.o
cp "$F/coff/base.gnu.obj" base.o
run 0 win ./host.exe .
has out "host: rts_main() = 42"
has out "host: as expected: symbol 'no_such_symbol' not found"
has out "host: refused: cannot unload ./base.o: ./rts.o still references"
has out "host: unloaded; rts_main gone"
echo ok
