# A C++ program for the MSVC ABI (fixtures/real/msvc_prog.cpp, with
# msvc_crt.cpp standing in for the static part of MSVC's runtime library)
# compiled by clang for x86_64-pc-windows-msvc at -O2 and -O0, linked by
# lld-link against an import library implib-gen makes from wine's msvcrt.dll
# and run under wine; then objload runs the same objects in the Windows
# executor, with that import library and with msvcrt.dll itself (no import
# library): the same output and exit status. C++ exceptions (thrown through
# _CxxThrowException, caught by __CxxFrameHandler3), SEH, a global's
# constructor and destructor.
. "$(dirname "$0")/common.sh"
: "${WINDOWS_EXECUTOR:?configure with -Dwindows_executor=PATH (scripts/dev test does)}"
: "${IMPLIB_GEN:?}"
need clang-14 lld-link
msvcrt=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/msvcrt.dll
need "$msvcrt"
prefix="$RTLINK_BUILD/wineprefix-real_msvc_cxx"
ex="env WINEPREFIX=$prefix WINEDEBUG=-all /usr/lib/wine/wine64 $WINDOWS_EXECUTOR"
R=$RTLINK_SOURCE/fixtures/real
cd "$T"
run 0 "$IMPLIB_GEN" --flavor=msvc --dll "$msvcrt" -o msvcrt.lib
for opt in -O2 -O0; do
  CC="clang-14 --target=x86_64-pc-windows-msvc $opt -fno-stack-protector"
  $CC -c "$R/msvc_prog.cpp" -o prog.obj
  $CC -c "$R/msvc_crt.cpp" -o crt.obj
  lld-link -entry:mainCRTStartup -subsystem:console -nodefaultlib -out:prog.exe \
    prog.obj crt.obj msvcrt.lib
  # Once to make the wine prefix (wine says so on stderr), then for the record.
  env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./prog.exe >/dev/null 2>&1 || true
  linked 23 env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./prog.exe
  has linked.out "kind 2: Error 404 not found"
  has linked.out "caught again 42"
  has linked.out "caught through qsort: 9 from a comparison"
  has linked.out "access violation handled"
  has linked.out "destroyed global"
  same_as_linked "$OBJLOAD" --executor="$ex" --run main prog.obj crt.obj msvcrt.lib
  same_as_linked "$OBJLOAD" --executor="$ex" --run main prog.obj crt.obj "$msvcrt"
done
# In a session: the constructor at the resolve, the destructor once, at the end.
run 0 "$OBJLOAD" --executor="$ex" -c "call main; quit" prog.obj crt.obj msvcrt.lib
has out "main returned 23"
[ "$(grep -c 'destroyed global' "$T/out")" = 1 ] || fail "the destructor should run once"
awk '/main returned 23/ {a = NR} /destroyed global/ {b = NR} END {exit !(a && b && a < b)}' \
  "$T/out" || { cat "$T/out"; fail "the destructor should run at the end"; }
echo ok
