# symdump's default output is llvm-nm's: the same lines on stdout and stderr
# for fixtures of each format, real archives, an llvm-dlltool import library,
# wine's DLLs and Debian's shared libraries (-D), across the options both take.
. "$(dirname "$0")/common.sh"
: "${SYMDUMP:?run through meson test}"
NM=/usr/lib/llvm-19/bin/llvm-nm
[ -x "$NM" ] || fail "llvm-nm (LLVM 19) is not installed"
WINE=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
[ -d "$WINE" ] || fail "wine's DLLs are not installed (package wine64)"

inputs=(
  "$F/rts.o" "$F/relocs.o" "$F/comdat_a.o" "$F/common_a.o" "$F/tls.o" "$F/nonpic.o"
  "$F/libbase.a" "$F/libbase-thin.a" "$F/libbase-bsd.a" "$F/libbase-nosymtab.a"
  "$F/coff/rts.gnu.obj" "$F/coff/rts.msvc.obj" "$F/coff/rts.bigobj.obj" "$F/coff/relocs.obj"
  "$F/coff/comdat_first.gnu.obj" "$F/coff/weak_a.msvc.obj"
  "$F/coff/libhostlib.a" "$F/coff/hostlib.lib" "$F/coff/coffbase.lib"
  /usr/lib/x86_64-linux-gnu/libsqlite3.a
  /usr/x86_64-w64-mingw32/lib/libkernel32.a
  /usr/lib/gcc/x86_64-w64-mingw32/12-win32/libgcc.a
  "$WINE/kernel32.dll" "$WINE/msvcrt.dll"
  "$F/macho/base.x86_64.o" "$F/macho/comdat_a.arm64.o" "$F/macho/common_a.i386.o"
  "$F/macho/base.fat.o" "$F/macho/nohost.fat.o" "$F/macho/libmacho.a"
  "$F/macho/libbase.dylib" "$F/macho/base.bc"
)
options=("" -g -u -U -S -A -p -n -r --size-sort --format=posix -j -C --print-armap -gS -nr
         "-A --format=posix")
count=0
# compare "OPTIONS" FILE...: symdump and llvm-nm print the same (stdout,
# stderr and status).
compare() {
  local o=$1; shift
  # shellcheck disable=SC2086
  "$SYMDUMP" $o "$@" > "$T/ours" 2> "$T/ours.err"; ours=$?
  # shellcheck disable=SC2086
  "$NM" $o "$@" > "$T/theirs" 2> "$T/theirs.err"; theirs=$?
  # Warnings and errors name their tool: compare what follows the name.
  sed -i 's|^[^ ]*llvm-nm: |TOOL: |' "$T/theirs.err"
  sed -i 's|^symdump: |TOOL: |' "$T/ours.err"
  if ! cmp -s "$T/ours" "$T/theirs" || ! cmp -s "$T/ours.err" "$T/theirs.err" || [ $ours != $theirs ]; then
    diff "$T/ours" "$T/theirs" | head -10
    diff "$T/ours.err" "$T/theirs.err" | head -5
    fail "symdump $o $* differs from llvm-nm (status $ours, llvm-nm $theirs)"
  fi
  count=$((count + 1))
}
for f in "${inputs[@]}"; do
  for o in "${options[@]}"; do
    compare "$o" "$f"
  done
done

# The rest of llvm-nm's options symdump takes, on a sample of every kind of
# input above, all in one run per option (this test's time), and a Mach-O
# dylib with stabs (-a), linked here with debug information. (A universal
# binary on its own: among several files, see the many files below.)
need clang-14
clang-14 --target=x86_64-apple-macos11 -fuse-ld=lld -g -nostdlib -shared \
  -Wl,-undefined,dynamic_lookup "$RTLINK_SOURCE/fixtures/base.c" -o "$T/stabs.dylib"
sample=("$F/rts.o" "$F/tls.o" "$F/libbase.a" "$F/coff/rts.msvc.obj" "$F/coff/hostlib.lib"
        "$F/macho/base.x86_64.o" "$F/macho/base.bc" "$T/stabs.dylib"
        /usr/lib/x86_64-linux-gnu/libz.a /usr/lib/llvm-19/lib/libLLVMDemangle.a)
for o in -a "-W -g" "-t d -S" "-to -P" "--radix=d --format=sysv" "-f sysv -a" "-fsysv -A" \
         "-C --no-demangle" "--export-symbols -r" "--export-symbols -W" "--quiet -B" \
         "--size-sort -P" "--size-sort --format=sysv"; do
  compare "$o" "${sample[@]}"
  compare "$o" "$F/macho/base.fat.o"
done
# A section whose sh_name is 0 has no name, whatever the section name table
# holds at offset 0 (here not the usual NUL): a section symbol named by it
# prints an empty name and sorts first.
cp "$F/rts.o" "$T/noname.o"
python3 - "$T/noname.o" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
def shdr(i):
    return shoff + i * shentsize
strtab_at, = struct.unpack_from('<Q', b, shdr(shstrndx) + 0x18)
for i in range(shnum):
    name, = struct.unpack_from('<I', b, shdr(i))
    if b[strtab_at + name:].startswith(b'.text\0'):
        struct.pack_into('<I', b, shdr(i), 0)
b[strtab_at] = ord('x')
open(sys.argv[1], 'wb').write(b)
PY
compare -a "$T/noname.o"
compare "-a --format=sysv" "$T/noname.o"
# --export-symbols gathers every input's names into one list.
compare --export-symbols "$F/rts.o" "$F/base.o" "$F/libbase.a" "$F/coff/rts.msvc.obj"
compare "--export-symbols -D" /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libzstd.so.1

# -l: source files and lines from DWARF, as llvm-nm's symbolizer finds them:
# fixtures/lines.c and C++ compiled with -g here by gcc, g++, clang (ELF,
# Mach-O, COFF with DWARF), mingw's gcc and the aarch64 gcc; an archive and a
# program of them; and two of librtlink's objects as this build compiled them
# (C++ in DWARF 5 from gcc 12; the whole archive, 8,000 symbols, takes minutes
# under AddressSanitizer).
need g++ x86_64-w64-mingw32-gcc aarch64-linux-gnu-gcc
mkdir "$T/lines"
src=$RTLINK_SOURCE/fixtures/lines.c
gcc -g -O0 -c "$src" -o "$T/lines/gcc.o"
gcc -g -O2 -fPIC -c "$src" -o "$T/lines/gcc-O2.o"
g++ -g -O1 -c "$RTLINK_SOURCE/fixtures/real/cxx_prog.cpp" -o "$T/lines/cxx.o"
clang-14 -g -O2 -c "$src" -o "$T/lines/clang.o"
clang-14 -g --target=x86_64-apple-macos11 -c "$src" -o "$T/lines/macho.o"
clang-14 -g -gdwarf --target=x86_64-pc-windows-msvc -c "$src" -o "$T/lines/msvc.obj"
x86_64-w64-mingw32-gcc -g -c "$src" -o "$T/lines/mingw.obj"
aarch64-linux-gnu-gcc -g -c "$src" -o "$T/lines/arm64.o"
ar rc "$T/lines/lib.a" "$T/lines/gcc.o" "$T/lines/cxx.o"
printf 'int elsewhere(int x) { return x - 3; }\nint shared_count = 3;\n' > "$T/lines/other.c"
gcc -g "$T/lines/gcc-O2.o" "$T/lines/other.c" -o "$T/lines/prog"
for o in -l "-l -A --format=posix" "-l --format=sysv -S" "-l -u" "-l -C -g"; do
  compare "$o" "$T"/lines/*.o "$T"/lines/*.obj "$T/lines/lib.a" "$T/lines/prog"
done
grep -q "T twice	.*/fixtures/lines.c:18$" "$T/ours" || fail "-l found no lines: $(cat "$T/ours")"
compare "-l -D" "$T/lines/prog"
compare -l "$RTLINK_BUILD/lib/librtlink.a.p/link_resolve.cpp.o" \
  "$RTLINK_BUILD/lib/librtlink.a.p/object_elf.cpp.o"
grep -q "	.*lib/link/resolve.cpp:[0-9]" "$T/ours" || fail "-l found no lines in resolve.cpp.o: $(head "$T/ours")"

# -D on shared libraries: symbol versions (free@GLIBC_2.2.5, memcpy@@GLIBC_2.14).
# A few named ones and an even sample of all of /usr/lib/x86_64-linux-gnu.
sos=(/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libstdc++.so.6
     /usr/lib/x86_64-linux-gnu/libsqlite3.so.0 /lib/x86_64-linux-gnu/libm.so.6)
mapfile -t all < <(find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f | sort)
for ((k = 0; k < ${#all[@]}; k += ${#all[@]} / 12 + 1)); do
  [ "$(head -c 4 "${all[k]}")" = $'\x7fELF' ] && sos+=("${all[k]}")
done
for o in -D "-D -C -p" "-D --format=sysv -u" "-D -a -U -W -S"; do
  compare "$o" "${sos[@]}"
done
# Several files at once: each under its name.
"$SYMDUMP" "$F/rts.o" "$F/libbase.a" "$F/coff/rts.msvc.obj" > "$T/ours" 2>&1
"$NM" "$F/rts.o" "$F/libbase.a" "$F/coff/rts.msvc.obj" > "$T/theirs" 2>&1
cmp -s "$T/ours" "$T/theirs" || { diff "$T/ours" "$T/theirs" | head; fail "several files differ"; }
# Many files at once, more than one window of inputs (16 files, 256 members):
# the order and the headers are still llvm-nm's, stdout and stderr.
# (Without the universal binaries: among several files, llvm-nm prints no header
# for one whose x86_64 slice it lists, and symdump does; see docs/symdump.md.)
many=()
for x in "${inputs[@]}" "${inputs[@]}"; do
  case $x in *.fat.o) ;; *) many+=("$x") ;; esac
done
"$SYMDUMP" "${many[@]}" > "$T/ours" 2> "$T/ours.err" || true
"$NM" "${many[@]}" > "$T/theirs" 2> "$T/theirs.err" || true
sed -i 's|^[^ ]*llvm-nm: |TOOL: |' "$T/theirs.err"
sed -i 's|^symdump: |TOOL: |' "$T/ours.err"
cmp -s "$T/ours" "$T/theirs" || { diff "$T/ours" "$T/theirs" | head; fail "${#many[@]} files at once differ"; }
cmp -s "$T/ours.err" "$T/theirs.err" || { diff "$T/ours.err" "$T/theirs.err" | head; fail "${#many[@]} files at once: stderr differs"; }
echo "ok: $count comparisons"
