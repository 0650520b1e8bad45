# implib-gen --flavor=msvc with lld-link: the rts <-> base DLL cycle built by
# clang for the MSVC target, without a C runtime; main.exe prints through an
# import library implib-gen made from wine's kernel32.dll. Once from .def
# files, once from the objects; wine runs main.exe.
. "$(dirname "$0")/common.sh"
: "${IMPLIB_GEN:?}"
S=$RTLINK_SOURCE/fixtures/implib
CC="clang-14 --target=x86_64-pc-windows-msvc -O1 -fno-stack-protector"
LLD=lld-link

for n in rts base msvc_main; do $CC -c "$S/$n.c" -o "$T/$n.obj"; done
run 0 "$IMPLIB_GEN" --flavor=msvc --dll /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll \
  -o "$T/kernel32.lib"

# link_and_run DIR: lld-link's own import libraries go aside (/implib:), so
# only implib-gen's are used.
link_and_run() {
  local d=$1
  mkdir -p "$d/bin"
  $LLD -dll -noentry -nodefaultlib -implib:"$d/bin/lld-rts.lib" -out:"$d/bin/rts.dll" \
    "$T/rts.obj" "$d/base.lib"
  $LLD -dll -noentry -nodefaultlib -implib:"$d/bin/lld-base.lib" -out:"$d/bin/base.dll" \
    "$T/base.obj" "$d/rts.lib"
  $LLD -entry:mainCRTStartup -subsystem:console -nodefaultlib -out:"$d/bin/main.exe" \
    "$T/msvc_main.obj" "$d/rts.lib" "$T/kernel32.lib"
  (cd "$d/bin" && run 0 wine_run main.exe)
  has out "rts_createSparkThread() = 42"
}

mkdir -p "$T/def"
run 0 "$IMPLIB_GEN" --flavor msvc --def "$S/rts.def" -o "$T/def/rts.lib"
run 0 "$IMPLIB_GEN" --flavor msvc --def "$S/base.def" -o "$T/def/base.lib"
link_and_run "$T/def"

mkdir -p "$T/obj"
run 0 "$IMPLIB_GEN" --flavor=msvc -o "$T/obj" "rts=$T/rts.obj" "base=$T/base.obj"
has out "  imports from base.dll: base_GHCziConc_runSparks_closure, base_runSparks"
has out "  imports from rts.dll: rts_allocate"
[ -f "$T/obj/rts.lib" ] && [ -f "$T/obj/base.def" ] || fail "no rts.lib/base.def in $T/obj"
link_and_run "$T/obj"

# A DLL lld-link wrote (its export table starts at ordinal 0, left empty)
# reads back with its exports and their ordinals.
run 0 "$IMPLIB_GEN" --flavor=msvc --dll "$T/def/bin/rts.dll" -o "$T/from-dll.lib" --json
has out '"name": "rts_createSparkThread"'
has out '"ordinal": 1'

# PE32: an i386 DLL read with --dll; lld-link links an i386 program against
# the library made from it.
CC32="clang-14 --target=i686-pc-windows-msvc -O1"
$CC32 -c "$S/lib32.c" -o "$T/lib32.obj"
$CC32 -c "$S/use32.c" -o "$T/use32.obj"
$LLD -dll -noentry -nodefaultlib -machine:x86 -export:plain -export:counter,DATA \
  -implib:"$T/lld32.lib" -out:"$T/lib32.dll" "$T/lib32.obj"
run 0 "$IMPLIB_GEN" --flavor=msvc --dll "$T/lib32.dll" -o "$T/lib32.lib" --json
has out '"machine": "i386"'
python3 -c '
import json, sys
e = {x["name"]: x for x in json.load(open(sys.argv[1]))["exports"]}
assert e["plain"]["symbol"] == "_plain" and e["plain"]["type"] == "code", e
assert e["counter"]["symbol"] == "_counter" and e["counter"]["type"] == "data", e
' "$T/out" || fail "lib32.dll's exports: $(cat "$T/out")"
$LLD -nodefaultlib -machine:x86 -entry:mainCRTStartup -subsystem:console -out:"$T/use32.exe" \
  "$T/use32.obj" "$T/lib32.lib"
run 0 "$SYMDUMP" --imports "$T/use32.exe"
has out "U counter"
has out "U plain"
# The same from the object's /EXPORT:_plain and /EXPORT:_counter,DATA.
$CC32 -DDLLEXPORT -c "$S/lib32.c" -o "$T/lib32x.obj"
run 0 "$IMPLIB_GEN" --flavor=msvc --dll-name lib32.dll -o "$T/lib32x.lib" "$T/lib32x.obj"
$LLD -nodefaultlib -machine:x86 -entry:mainCRTStartup -subsystem:console -out:"$T/use32x.exe" \
  "$T/use32.obj" "$T/lib32x.lib"
run 0 "$SYMDUMP" --imports "$T/use32x.exe"
has out "U counter"
has out "U plain"
echo ok
