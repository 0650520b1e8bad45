# MinGW's other ways to reach a DLL, in the Windows executor under wine,
# against the same objects linked by mingw's gcc and run: a delay-import
# library (GNU dlltool -y, and implib-gen --delay) and DLL data used without
# __declspec(dllimport) (auto-import: gcc's .refptr cell; clang's pc-relative
# load). The same output and exit status; a DLL that cannot be found named at
# the resolve.
. "$(dirname "$0")/common.sh"
: "${WINDOWS_EXECUTOR:?configure with -Dwindows_executor=PATH (scripts/dev test does)}"
: "${IMPLIB_GEN:?}"
need x86_64-w64-mingw32-gcc x86_64-w64-mingw32-dlltool clang-14
prefix="$RTLINK_BUILD/wineprefix-windows_imports"
ex="env WINEPREFIX=$prefix WINEDEBUG=-all /usr/lib/wine/wine64 $WINDOWS_EXECUTOR"
mingw=(-L/usr/x86_64-w64-mingw32/lib -lmingwex -lmsvcrt -lkernel32)
cd "$T"
cat >answer.c <<'C'
__declspec(dllexport) int answer_counter = 10;
__declspec(dllexport) int dll_answer(int x) { return x + 40 + answer_counter; }
C
cat >main.c <<'C'
#include <stdio.h>
extern int answer_counter;  /* DLL data without dllimport: auto-imported */
int dll_answer(int);        /* through a delay-import library */
int main(void) {
  answer_counter += 5;
  printf("counter %d, answer %d\n", answer_counter, dll_answer(2));
  return 7;
}
C
printf 'LIBRARY answer.dll\nEXPORTS\ndll_answer\n' >answer_fn.def
x86_64-w64-mingw32-gcc -shared answer.c -o answer.dll -Wl,--out-implib,libanswer.a
x86_64-w64-mingw32-gcc -O2 -c main.c -o main.o
x86_64-w64-mingw32-dlltool -d answer_fn.def -y libdelay_dlltool.a
run 0 "$IMPLIB_GEN" --def answer_fn.def --delay -o libdelay_ours.a
# The delay helper is really reached in the linked program: it loads the DLL.
for delay in delay_dlltool delay_ours; do
  x86_64-w64-mingw32-gcc main.o -o main.exe -L. -l$delay -lanswer
  env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./main.exe >/dev/null 2>&1 || true
  linked 7 env WINEPREFIX="$prefix" WINEDEBUG=-all /usr/lib/wine/wine64 ./main.exe
  has linked.out "counter 15, answer 57"
  same_as_linked "$OBJLOAD" --executor="$ex" --run main main.o -L. -l$delay -lanswer "${mingw[@]}"
done
# clang's MSVC target reads DLL data pc-relative: the instructions are
# rewritten to load the DLL's address from a cell (as for far ELF data).
printf 'extern int answer_counter;\nint read_counter(void) { return answer_counter; }\n' >rc.c
clang-14 --target=x86_64-pc-windows-msvc -O2 -c rc.c -o rc.obj
run 0 "$OBJLOAD" --executor="$ex" --stats -c "call read_counter" rc.obj -L. -lanswer
has out "read_counter returned 10"
has err "1 rewritten instructions"
# Through the link cache: stored, then restored with both imports bound again.
for round in 1 2; do
  same_as_linked "$OBJLOAD" --executor="$ex" --cache "$T/cache" --run main main.o -L. -ldelay_ours \
    -lanswer "${mingw[@]}"
done
run 7 "$OBJLOAD" --executor="$ex" --cache "$T/cache" --stats --run main main.o -L. -ldelay_ours \
  -lanswer "${mingw[@]}"
has err "link cache: 1 hit, 0 missed (0 ignored), 0 stored"
has out "counter 15, answer 57"
# rtlink binds a delay import when it resolves: a DLL that is not there is
# an error then, naming it (not a crash at the first call).
mkdir -p elsewhere
cp main.o libdelay_ours.a libanswer.a elsewhere/
cd elsewhere
run 2 "$OBJLOAD" --executor="$ex" --run main main.o -L. -ldelay_ours -lanswer "${mingw[@]}"
has err "cannot bind import dll_answer from answer.dll"
has err "answer.dll could not be loaded"
has err "cannot bind import answer_counter from answer.dll"
has err "referenced as answer_counter (data used without __declspec(dllimport): auto-imported) by main.o:("
lacks err "define_symbol"
echo ok
