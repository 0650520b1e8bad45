# A real Windows program as MinGW builds it: C++ (fixtures/real/mingw_prog.cpp)
# compiled by x86_64-w64-mingw32-g++, linked by the same driver (libstdc++ and
# libgcc static) and run under wine; then objload, given the object and the
# libraries the driver links (mingw's own stripped archives: libstdc++,
# libmingw32, libgcc, libgcc_eh, libmingwex, libmsvcrt, libkernel32), runs it
# in the Windows executor: the same output, the same exit status (4), built
# with -O2 and with -O0. Its global destructor, registered with atexit, runs
# at the end as in the linked program and in a session; a C object's atexit
# handler runs when the object is unloaded.

. "$(dirname "$0")/common.sh"
: "${WINDOWS_EXECUTOR:?configure with -Dwindows_executor=PATH (scripts/dev test does)}"
need x86_64-w64-mingw32-g++
prefix="$RTLINK_BUILD/wineprefix-real_mingw_cxx"
ex="env WINEPREFIX=$prefix WINEDEBUG=-all /usr/lib/wine/wine64 $WINDOWS_EXECUTOR"
R=$RTLINK_SOURCE/fixtures/real
cd "$T"
for opt in -O2 -O0; do
  x86_64-w64-mingw32-g++ "$opt" -c "$R/mingw_prog.cpp" -o prog.o
  x86_64-w64-mingw32-g++ prog.o -o prog.exe -static-libstdc++ -static-libgcc
  # Once to make the wine prefix (wine says so on stderr), then for the record.
  env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./prog.exe >/dev/null 2>&1 || true
  linked 4 env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./prog.exe
  has linked.out "counts: one=1 three=3 two=2"
  has linked.out "caught deep failure, code 17"
  has linked.out "destroyed global at exit"
  gcc_dir=$(dirname "$(x86_64-w64-mingw32-g++ -print-libgcc-file-name)")
  libs=(-L"$gcc_dir" -L/usr/x86_64-w64-mingw32/lib -lstdc++ -lmingw32 -lgcc -lgcc_eh -lmingwex
        -lmsvcrt -lkernel32)
  same_as_linked "$OBJLOAD" --executor="$ex" --run main prog.o "${libs[@]}"
done
# In a session, the destructor runs once, when the session ends.
run 0 "$OBJLOAD" --executor="$ex" -c "call main; quit" prog.o "${libs[@]}"
has out "main returned 4"
[ "$(grep -c 'destroyed global at exit' "$T/out")" = 1 ] || fail "the destructor should run once"
awk '/main returned 4/ {a = NR} /destroyed global at exit/ {b = NR} END {exit !(a && b && a < b)}' \
  "$T/out" || { cat "$T/out"; fail "the destructor should run at the end"; }
# A C object's atexit handler runs when the object is unloaded, before it goes.
printf '#include <stdio.h>\n#include <stdlib.h>\nstatic void bye(void) { printf("bye from atexit\\n"); fflush(stdout); }\nint reg(void) { return atexit(bye) == 0; }\n' >bye.c
x86_64-w64-mingw32-gcc -O2 -c bye.c -o bye.o
run 0 "$OBJLOAD" --executor="$ex" -L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt -lkernel32 \
  -c "call reg; unload bye.o; info" bye.o
has out "reg returned 1"
awk '/bye from atexit/ {a = NR} /unloaded/ {b = NR} END {exit !(a && b && a < b)}' "$T/out" ||
  { cat "$T/out"; fail "the atexit handler should run at the unload"; }
echo ok
