# implib-gen with MinGW: two DLLs that import from each other (rts <-> base),
# their import libraries made by implib-gen from .def files (short and long
# format) and then from the objects; mingw gcc links both DLLs and main.exe
# against them, and wine runs main.exe. A delay-import library lets main.exe
# start without rts.dll. Then an import library made from wine's own
# kernel32.dll takes the place of mingw's.
. "$(dirname "$0")/common.sh"
: "${IMPLIB_GEN:?}"
S=$RTLINK_SOURCE/fixtures/implib
CC=x86_64-w64-mingw32-gcc

for n in rts base main delay_main; do $CC -O1 -c "$S/$n.c" -o "$T/$n.o"; done

# link_and_run DIR: both DLLs and main.exe against the import libraries in DIR.
link_and_run() {
  local d=$1
  mkdir -p "$d/bin"
  $CC -shared "$T/rts.o" -L"$d" -lbase -o "$d/bin/rts.dll"
  $CC -shared "$T/base.o" -L"$d" -lrts -o "$d/bin/base.dll"
  $CC "$T/main.o" -L"$d" -lrts -o "$d/bin/main.exe"
  (cd "$d/bin" && run 0 wine_run main.exe)
  has out "rts_createSparkThread() = 42"
}

# 1. From .def files.
mkdir -p "$T/def"
run 0 "$IMPLIB_GEN" --def "$S/rts.def" -o "$T/def/librts.dll.a"
run 0 "$IMPLIB_GEN" --def="$S/base.def" --output="$T/def/libbase.dll.a"
link_and_run "$T/def"

# 1b. The same in GNU dlltool's long format: jump stubs and .idata$* pieces.
mkdir -p "$T/long"
run 0 "$IMPLIB_GEN" --long --def "$S/rts.def" -o "$T/long/librts.dll.a"
run 0 "$IMPLIB_GEN" --long --def "$S/base.def" -o "$T/long/libbase.dll.a"
x86_64-w64-mingw32-nm "$T/long/librts.dll.a" > "$T/nm"
grep -q " T rts_allocate$" "$T/nm" && grep -q " I __imp_rts_allocate$" "$T/nm" \
  || fail "no stub or cell for rts_allocate in the long library: $(cat "$T/nm")"
link_and_run "$T/long"

# 1c. Delay import: main.exe starts without rts.dll; the first call loads it,
# and its double arguments arrive intact (GNU dlltool's stubs lose them).
mkdir -p "$T/delay/bin"
run 0 "$IMPLIB_GEN" --delay --def "$S/rts.def" -o "$T/delay/librts.dll.a"
$CC "$T/delay_main.o" -L"$T/delay" -lrts -o "$T/delay/bin/main.exe"
(cd "$T/delay/bin" && run 3 wine_run main.exe)
has out "main started"
cp "$T/def/bin/rts.dll" "$T/def/bin/base.dll" "$T/delay/bin/"
(cd "$T/delay/bin" && run 0 wine_run main.exe go)
has out "rts_scale(1.5, 4.0) = 6"
has out "rts_createSparkThread() = 42"
run 1 "$IMPLIB_GEN" --delay --def "$S/base.def" -o "$T/delay/libbase.dll.a"
has err "base.def:4: export base_GHCziConc_runSparks_closure is data: data cannot be imported from a delay-loaded DLL"

# 2. From the objects, both libraries at once; the report says who imports what.
mkdir -p "$T/obj"
cp "$T/rts.o" "$T/base.o" "$T/obj/"
(cd "$T/obj" && run 0 "$IMPLIB_GEN" -o . 'rts=rts*.o' 'base=base*.o')
has out "rts.dll: 3 exports -> ./librts.dll.a, ./rts.def"
has out "  imports from base.dll: base_GHCziConc_runSparks_closure, base_runSparks"
has out "base.dll: 2 exports -> ./libbase.dll.a, ./base.def"
has out "  imports from rts.dll: rts_allocate"
grep -qx "  base_GHCziConc_runSparks_closure DATA" "$T/obj/base.def" \
  || fail "base.def does not mark the closure DATA: $(cat "$T/obj/base.def")"
link_and_run "$T/obj"
# The same report in the JSON manifest.
mkdir -p "$T/json"
run 0 "$IMPLIB_GEN" -o "$T/json" --json "rts=$T/rts.o" "base=$T/base.o"
python3 -c '
import json, sys
libs = {l["dll"]: l for l in json.load(open(sys.argv[1]))["libraries"]}
assert libs["rts.dll"]["imports"] == [{"dll": "base.dll", "symbols": ["base_GHCziConc_runSparks_closure", "base_runSparks"]}], libs["rts.dll"]
assert libs["base.dll"]["imports"] == [{"dll": "rts.dll", "symbols": ["rts_allocate"]}], libs["base.dll"]
kinds = {e["name"]: e["type"] for e in libs["base.dll"]["exports"]}
assert kinds == {"base_GHCziConc_runSparks_closure": "data", "base_runSparks": "code"}, kinds
' "$T/out" || fail "the manifest of two libraries: $(cat "$T/out")"

# 3. kernel32 from wine's DLL, found before mingw's own libkernel32.a.
mkdir -p "$T/k32"
run 0 "$IMPLIB_GEN" --dll /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll \
  -o "$T/k32/libkernel32.a"
cat > "$T/ticks.c" <<'C'
#include <stdio.h>
#include <windows.h>
int main(void) {
  ULONGLONG t = GetTickCount64();
  printf("pid %s, ticks %s\n", GetCurrentProcessId() ? "ok" : "zero", t ? "ok" : "zero");
  return 7;
}
C
$CC "$T/ticks.c" -L"$T/k32" -o "$T/k32/ticks.exe" -Wl,-t > "$T/linked" 2>&1
grep -q "$T/k32/libkernel32.a" "$T/linked" || fail "ld did not use our libkernel32.a: $(cat "$T/linked")"
(cd "$T/k32" && run 7 wine_run ticks.exe)
has out "pid ok, ticks ok"
echo ok
