# implib-gen and bad input: a message naming the file (and line), exit 1, and
# no output written, not even half of one; usage errors exit 2.
. "$(dirname "$0")/common.sh"
: "${IMPLIB_GEN:?}"
S=$RTLINK_SOURCE/fixtures/implib
W=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows

# nothing_written: neither output exists, and the directory holds nothing stray.
nothing_written() {
  [ ! -e "$T/o.a" ] && [ ! -e "$T/o.def" ] || fail "an output was written after an error"
  ls "$T" | grep -q -e temp-archive -e rtlink-tmp && fail "a temporary file was left behind: $(ls "$T")"
  return 0
}

printf 'EXPORTS\n  f\n' > "$T/nolib.def"
run 1 "$IMPLIB_GEN" --def "$T/nolib.def" -o "$T/o.a"
has err "implib-gen: $T/nolib.def: no DLL name: the .def has no LIBRARY (or NAME) statement; give it with --dll-name NAME"
nothing_written
run 0 "$IMPLIB_GEN" --def "$T/nolib.def" --dll-name named.dll -o "$T/named.a" --json
has out '"dll": "named.dll"'
# A name without an extension gets .dll, as link.exe and the docs have it.
run 0 "$IMPLIB_GEN" --def "$T/nolib.def" --dll-name mylib -o "$T/mylib.a" --json
has out '"dll": "mylib.dll"'
"$SYMDUMP" "$T/mylib.a" >"$T/syms"
has syms "mylib.dll"

printf 'LIBRARY a.dll\nEXPORTS\n  f\n  g @3 DATA\n  f\n' > "$T/dup.def"
run 1 "$IMPLIB_GEN" --def "$T/dup.def" -o "$T/o.a" --def-out "$T/o.def"
has err "$T/dup.def:5: export f is listed twice (first at $T/dup.def:3); --allow-duplicates keeps the first"
nothing_written
run 0 "$IMPLIB_GEN" --def "$T/dup.def" --allow-duplicates --def-out "$T/kept.def"
[ "$(grep -c '^  f$' "$T/kept.def")" = 1 ] || fail "kept both: $(cat "$T/kept.def")"

printf 'LIBRARY a.dll\nEXPORTS\n  f @99999\n' > "$T/ord.def"
run 1 "$IMPLIB_GEN" --def "$T/ord.def" -o "$T/o.a"
has err "$T/ord.def:3:5: ordinal 99999 is out of range (1 to 65535)"
nothing_written

printf 'LIBRARY a.dll\nEXPORTS\n  f = \n' > "$T/syntax.def"
run 1 "$IMPLIB_GEN" --def "$T/syntax.def" -o "$T/o.a"
has err "$T/syntax.def:4:1: expected the internal name after '=', found the end of the file"

# An empty input is named, however it is given; nothing is written.
: > "$T/x.def"
run 1 "$IMPLIB_GEN" --def "$T/x.def" --dll-name x.dll -o "$T/o.a"
has err "implib-gen: $T/x.def: empty input (0 bytes): not a .def, DLL or object"
nothing_written
run 1 "$IMPLIB_GEN" --export-all --dll-name x.dll -o "$T/o.a" "$T/x.def"
has err "implib-gen: $T/x.def: empty input (0 bytes)"
nothing_written
run 1 "$IMPLIB_GEN" --dll "$T/x.def" -o "$T/o.a"
has err "implib-gen: $T/x.def: empty input (0 bytes)"
mkdir "$T/multi"
run 1 "$IMPLIB_GEN" -o "$T/multi" "x=$T/x.def"
has err "implib-gen: $T/x.def: empty input (0 bytes)"
[ -z "$(ls "$T/multi")" ] || fail "written after an empty input: $(ls "$T/multi")"

# Names that are not UTF-8 do not abort the manifest: U+FFFD, and the bytes
# beside them in hex.
printf 'LIBRARY caf\351.dll\nEXPORTS\n  caf\351\n  plain\n' > "$T/cafe.def"
run 0 "$IMPLIB_GEN" --def "$T/cafe.def" --json -o "$T/cafe.a"
python3 - "$T/out" <<'PY' || fail "--json with names that are not UTF-8: $(cat "$T/out")"
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
assert m["dll"] == "caf\ufffd.dll" and m["dll_bytes"] == "636166e92e646c6c", m
e = m["exports"][0]
assert e["name"] == "caf\ufffd" and e["name_bytes"] == "636166e9" and e["symbol_bytes"] == "636166e9", e
assert "name_bytes" not in m["exports"][1], m
PY

# A good library already there is left as it was when the next run fails.
run 0 "$IMPLIB_GEN" --def "$S/base.def" -o "$T/keep.a"
cp "$T/keep.a" "$T/keep.before"
run 1 "$IMPLIB_GEN" --def "$T/ord.def" -o "$T/keep.a"
cmp "$T/keep.a" "$T/keep.before" || fail "a failed run changed an existing output"

# DLLs that are not DLLs, or are cut short.
run 1 "$IMPLIB_GEN" --dll "$W/attrib.exe" -o "$T/o.a"
has err "$W/attrib.exe: not a DLL: an executable (IMAGE_FILE_DLL is not set)"
run 1 "$IMPLIB_GEN" --dll "$S/base.def" -o "$T/o.a"
has err "$S/base.def: not a DLL (no PE image here: it does not start with 'MZ')"
head -c 300 "$W/kernel32.dll" > "$T/cut.dll"
run 1 "$IMPLIB_GEN" --dll "$T/cut.dll" -o "$T/o.a"
has err "$T/cut.dll: truncated PE image"
nothing_written
head -c 2000 /bin/true > "$T/elf.o"
run 1 "$IMPLIB_GEN" --dll-name x.dll -o "$T/o.a" "$T/elf.o"
has err "$T/elf.o: not a COFF object"
nothing_written
run 1 "$IMPLIB_GEN" --def "$T/missing.def" -o "$T/o.a"
has err "$T/missing.def"

# Objects: a bad export directive names the object.
printf '__declspec(dllexport) int f(void) { return 1; }\n' > "$T/f.c"
x86_64-w64-mingw32-gcc -c "$T/f.c" -o "$T/f.o"
run 1 "$IMPLIB_GEN" -o "$T/o.a" "$T/f.o"
has err "no DLL name: objects do not say which DLL they go into; give it with --dll-name NAME"
run 0 "$IMPLIB_GEN" --dll-name f.dll --export-all --def-out "$T/f.def" "$T/f.o"
grep -q '^  f$' "$T/f.def" || fail "f not exported: $(cat "$T/f.def")"

# A lone .def or DLL as a plain argument is read as one; an output that
# cannot be written is named.
run 0 "$IMPLIB_GEN" "$S/base.def" -o "$T/plain-arg.a" --json
has out '"dll": "base.dll"'
run 0 "$IMPLIB_GEN" "$W/version.dll" --json
has out '"dll": "version.dll"'
run 1 "$IMPLIB_GEN" --def "$S/base.def" -o "$T/no/such/dir/x.a"
has err "$T/no/such/dir/x.a: No such file or directory"

# Outputs go where their paths say: a device or FIFO is written into (never
# replaced), a symbolic link's target is written and the link kept, an
# existing file keeps its mode, "-" is standard output; a regular file is
# still replaced whole.
mkfifo "$T/fifo"
for format in "" --long; do
  cat "$T/fifo" > "$T/from-fifo" &
  reader=$!
  run 0 "$IMPLIB_GEN" $format --def "$S/base.def" -o "$T/fifo"
  [ -p "$T/fifo" ] || { kill $reader; fail "implib-gen $format replaced the FIFO"; }
  wait $reader
  cmp -s <(head -c 8 "$T/from-fifo") <(printf '!<arch>\n') || fail "no archive came through the FIFO ($format)"
done
if [ "$(id -u)" = 0 ]; then
  mknod "$T/null" c 1 3  # a /dev/null of our own: the real one is not put at risk
  run 0 "$IMPLIB_GEN" --def "$S/base.def" -o "$T/null" --def-out "$T/null"
  [ -c "$T/null" ] || fail "implib-gen replaced a character device with a $(stat -c %F "$T/null")"
fi
run 0 "$IMPLIB_GEN" --def "$S/base.def" -o "$T/real.a"
cp "$T/real.a" "$T/want.a"
: > "$T/real.a"
ln -s real.a "$T/link.a"
run 0 "$IMPLIB_GEN" --def "$S/base.def" -o "$T/link.a"
[ -L "$T/link.a" ] || fail "implib-gen replaced the link"
cmp "$T/real.a" "$T/want.a" || fail "the link's target was not written"
chmod 640 "$T/real.a"
run 0 "$IMPLIB_GEN" --long --def "$S/base.def" -o "$T/real.a" --def-out "$T/link.def"
[ "$(stat -c %a "$T/real.a")" = 640 ] || fail "the output's mode changed to $(stat -c %a "$T/real.a")"
run 0 "$IMPLIB_GEN" --def "$S/base.def" -o - --def-out -
head -c 8 "$T/out" | grep -q '!<arch>' || fail "-o - wrote no archive to standard output"
has out "LIBRARY base.dll"
[ ! -e "$T/-" ] || fail "-o - wrote a file named -"
ls "$T" | grep -q -e tmp -e temp && fail "a temporary file was left behind: $(ls "$T")"

# Usage errors.
run 2 "$IMPLIB_GEN" --flavor=borland --def "$S/base.def" -o "$T/o.a"
has err "unknown --flavor borland (gnu, msvc)"
run 2 "$IMPLIB_GEN" --machine=vax --def "$S/base.def" -o "$T/o.a"
has err "unknown --machine vax (x86-64, i386, arm64)"
run 2 "$IMPLIB_GEN" --def "$S/base.def"
has err "no output: give -o FILE"
run 2 "$IMPLIB_GEN" --def "$S/base.def" --dll "$W/version.dll" -o "$T/o.a"
has err "give one of --def FILE, --dll FILE or objects"
run 2 "$IMPLIB_GEN" --long --flavor=msvc --def "$S/base.def" -o "$T/o.a"
has err "--long writes GNU dlltool's format, for GNU ld; lld-link and link.exe take short import libraries"
run 1 "$IMPLIB_GEN" --delay --machine=i386 --def "$S/rts.def" -o "$T/o.a"
has err "$T/o.a: --delay writes x86-64 libraries only, and rts.dll is i386"
nothing_written
run 2 "$IMPLIB_GEN" --bogus
has err "unknown option --bogus"
run 2 "$IMPLIB_GEN" -o
has err "-o needs a value"
run 2 "$IMPLIB_GEN" -o "$T/o.a" rts=x.o
has err "with NAME=INPUT, -o names a directory"
run 1 "$IMPLIB_GEN" -o "$T" "rts=$T/nothing-*.o"
has err "$T/nothing-*.o: no file matches"
nothing_written
echo ok
