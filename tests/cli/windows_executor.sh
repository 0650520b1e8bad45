# objload on Linux, its code in the Windows executor under wine: a COFF
# object that calls GetTickCount64 (kernel32), wsprintfA (user32) and printf,
# bound through mingw's import libraries and LoadLibrary/GetProcAddress in
# the executor. What it prints appears; objload exits with what it returned.
. "$(dirname "$0")/common.sh"
: "${WINDOWS_EXECUTOR:?configure with -Dwindows_executor=PATH (scripts/dev test does)}"
prefix="$RTLINK_BUILD/wineprefix-windows_executor"
ex="env WINEPREFIX=$prefix WINEDEBUG=-all /usr/lib/wine/wine64 $WINDOWS_EXECUTOR"
run 42 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt \
  -lkernel32 -luser32 --run main "$F/coff/win_hello.gnu.obj" -- first
has out "ticks ok, wsprintfA says 40+2, argv[0] objload, argc 2"
# With libmingw32 named but not libgcc (its __main is pulled, which walks
# __CTOR_LIST__; rtlink's empty lists stand in for libgcc's, and its own
# __main and stack probe give way): no duplicate, nothing undefined.
run 42 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingw32 -lmingwex -lmsvcrt \
  -lkernel32 -luser32 --run main "$F/coff/win_hello.gnu.obj" -- first
has out "ticks ok, wsprintfA says 40+2, argv[0] objload, argc 2"
# A session in the executor: a call, a lookup; a fault ends the executor,
# named by what and where (not wine's debugger), and objload goes on with a
# fresh one.
run 1 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt -lkernel32 \
  -luser32 -c "call ticks_ok; lookup ticks_ok; call boom; load $F/coff/win_hello.gnu.obj; resolve; call ticks_ok; info" \
  "$F/coff/win_hello.gnu.obj"
has out "ticks_ok returned 1"
has out "ticks_ok = 0x"
has out "error: access violation reading 0x0 at boom+0x"
has out "in $F/coff/win_hello.gnu.obj while running boom; the executor ended"
lacks err "Unhandled exception"
lacks err "Register dump"
grep -c "ticks_ok returned 1" "$T/out" | grep -qx 2 || fail "no call after the fault: $(cat "$T/out")"
has out "executor out of process (env"
# The other exceptions code raises and nothing handles, each named.
cat >"$T/faults.c" <<'C'
int divz(int x) { volatile int z = 0; return x / z; }
static int deep(int n) { volatile char buf[4096]; buf[0] = (char)n; return deep(n + 1) + buf[0]; }
int overflow(void) { return deep(0); }
__declspec(dllimport) void __stdcall RaiseException(unsigned long, unsigned long, unsigned long,
                                                    const unsigned long long *);
int custom(void) { RaiseException(0xE0001234, 0, 0, 0); return 0; }
C
x86_64-w64-mingw32-gcc -O1 -c "$T/faults.c" -o "$T/faults.obj"
for f in "divz:integer divide by zero at divz+0x" "overflow:stack overflow at " \
         "custom:exception 0xe0001234 at "; do
  run 2 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt -lkernel32 \
    --run "${f%%:*}" "$T/faults.obj"
  has err "${f#*:}"
  has err "while running ${f%%:*}"
  lacks err "Unhandled exception"
done
# Unwinding passes through loaded code (its .pdata registered with
# RtlAddFunctionTable): a stack walk from two loaded frames deep reaches the
# executor's own code (100 + the frame's index; without the tables, the walk
# never gets there).
run 0 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt -lkernel32 \
  -luser32 -c "call unwinds_to_executor" "$F/coff/win_hello.gnu.obj"
grep -Eq "unwinds_to_executor returned 1[0-6][0-9] " "$T/out" \
  || fail "the stack walk did not reach the executor: $(cat "$T/out")"
# The link cache through the Windows executor: the second run is restored
# (its bytes written into the executor, its DLL imports bound there again,
# its .pdata registered again) and walks the same stack.
for round in 1 2; do
  run 0 "$OBJLOAD" --executor="$ex" --cache "$T/cache" --stats -L/usr/x86_64-w64-mingw32/lib \
    -lmingwex -lmsvcrt -lkernel32 -luser32 -c "call ticks_ok; call unwinds_to_executor" \
    "$F/coff/win_hello.gnu.obj"
  has out "ticks_ok returned 1"
  grep -Eq "unwinds_to_executor returned 1[0-6][0-9] " "$T/out" \
    || fail "the stack walk did not reach the executor (round $round): $(cat "$T/out")"
done
has err "link cache: 1 hit, 0 missed (0 ignored), 0 stored"
# A DLL of our own, found along objload's -L directory (given to the
# executor: AddDllDirectory), its import library made by implib-gen.
: "${IMPLIB_GEN:?}"
mkdir -p "$T/dlls"
printf '__declspec(dllexport) int dll_answer(int x) { return x + 40; }\n' > "$T/answer.c"
x86_64-w64-mingw32-gcc -shared "$T/answer.c" -o "$T/dlls/answer.dll"
run 0 "$IMPLIB_GEN" --dll "$T/dlls/answer.dll" -o "$T/dlls/libanswer.a"
printf '__declspec(dllimport) int dll_answer(int);\nint uses_dll(void) { return dll_answer(2); }\n' \
  > "$T/uses_dll.c"
x86_64-w64-mingw32-gcc -c "$T/uses_dll.c" -o "$T/uses_dll.obj"
run 42 "$OBJLOAD" --executor="$ex" -L"$T/dlls" -lanswer --run uses_dll "$T/uses_dll.obj"
# Without the directory, the executor cannot find answer.dll: the import stays unbound.
run 2 "$OBJLOAD" --executor="$ex" --run uses_dll "$T/uses_dll.obj" "$T/dlls/libanswer.a"
has err "cannot bind import dll_answer from answer.dll"
# A DLL without an import library (as GHC's addDLL): -lanswer finds answer.dll
# itself along -L (ld's PE order: libNAME.dll.a ... NAME.dll), and its exports
# serve plain calls (a stub) and __imp_ references (a cell) alike.
mkdir -p "$T/bare"
cp "$T/dlls/answer.dll" "$T/bare/"
printf 'int dll_answer(int);\nint uses_plain(void) { return dll_answer(1); }\n' > "$T/plain.c"
x86_64-w64-mingw32-gcc -c "$T/plain.c" -o "$T/plain.obj"
run 0 "$OBJLOAD" --executor="$ex" -L"$T/bare" -lanswer -c "call uses_plain; call uses_dll" \
  "$T/plain.obj" "$T/uses_dll.obj"
has out "uses_plain returned 41"
has out "uses_dll returned 42"
# A system DLL named in a session, then a plain call into it.
printf 'unsigned long long GetTickCount64(void);\nint ticks(void) { return GetTickCount64() > 0; }\n' \
  > "$T/ticks.c"
x86_64-w64-mingw32-gcc -c "$T/ticks.c" -o "$T/ticks.obj"
run 0 "$OBJLOAD" --executor="$ex" -c "dll kernel32.dll; load $T/ticks.obj; resolve; call ticks"
has out "ticks returned 1"
# Outside a Windows executor a DLL is refused, saying where it would load.
run 2 "$OBJLOAD" --run uses_plain "$T/plain.obj" "$T/bare/answer.dll"
has err "answer.dll: a Windows DLL, which only a Windows executor can load"

# A C++ exception thrown three frames down in loaded code and caught there,
# with MinGW's libstdc++ and libgcc loaded too; the executor then ends
# cleanly (the static destructors loaded code registered run before it goes).
gcc_dir=$(dirname "$(x86_64-w64-mingw32-g++ -print-libgcc-file-name)")
run 0 "$OBJLOAD" --executor="$ex" -L"$gcc_dir" -L/usr/x86_64-w64-mingw32/lib -lstdc++ -lmingw32 \
  -lgcc_eh -lgcc -lmingwex -lmsvcrt -lkernel32 -luser32 -ladvapi32 \
  -c "call throw_and_catch" "$F/coff/win_cxx_eh.gnu.obj"
has out "throw_and_catch returned 42"
# The REPL's call with double and float arguments and results, in the
# Microsoft convention's xmm0.
printf 'double half(double x) { return x / 2; }\nfloat third(float x) { return x / 3; }\n' > "$T/half.c"
x86_64-w64-mingw32-gcc -O2 -c "$T/half.c" -o "$T/half.o"
run 0 "$OBJLOAD" --executor="$ex" -c "call half 3.0 -> double; call third 1.5f -> float" "$T/half.o"
has out "half returned 1.5"
has out "third returned 0.5"
echo ok
