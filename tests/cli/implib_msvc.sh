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
echo ok
