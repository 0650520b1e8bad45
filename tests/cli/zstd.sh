# Inputs compressed with zstd are read as what they contain, recognised by
# their magic bytes whatever their name: objects, archives, a sqlite job.
. "$(dirname "$0")/common.sh"
: "${SYMDUMP:?run through meson test}"
command -v zstd >/dev/null || { echo "zstd is not installed"; exit 77; }
NM=/usr/lib/llvm-19/bin/llvm-nm

zstd -q -c "$F/base.o" > "$T/base.o.zst"
# Streamed (no content size in the frame header) and named like an object.
cat "$F/rts.o" | zstd -q -c > "$T/rts.o"
zstd -q -c "$F/libbase.a" > "$T/libbase.a"
run 42 "$OBJLOAD" --run rts_main "$T/rts.o" "$T/base.o.zst"
has out "rts: base_runSparks(5) = 11, closure entry(15) = 31, 2 callbacks into rts"
# A compressed archive found along -L, members pulled on demand.
run 42 "$OBJLOAD" --run rts_main "$T/rts.o" -L "$T" -lbase
# A COFF object, and a real archive nobody here wrote.
zstd -q -c "$F/coff/base.msvc.obj" > "$T/base.obj.zst"
run 42 "$OBJLOAD" --run rts_main "$F/coff/rts.msvc.obj" "$T/base.obj.zst"
zstd -q -c /usr/lib/x86_64-linux-gnu/libsqlite3.a > "$T/libsqlite3.a.zst"
run 42 "$OBJLOAD" --run main "$F/q.o" "$T/libsqlite3.a.zst"

# symdump shows what llvm-nm shows for the uncompressed file.
for f in base.o.zst rts.o libbase.a libsqlite3.a.zst; do
  run 0 "$SYMDUMP" "$T/$f"
  zstd -q -d -c "$T/$f" > "$T/plain"
  "$NM" "$T/plain" > "$T/want" 2> "$T/want.err"
  for s in out err; do
    suffix=; [ $s = err ] && suffix=.err
    sed -e "s|$T/plain|$T/$f|" -e 's|^/usr/lib/llvm-19/bin/llvm-nm: |symdump: |' \
      "$T/want$suffix" > "$T/want2"
    diff -u "$T/want2" "$T/$s" || fail "symdump $f ($s) differs from llvm-nm on the plain file"
  done
done

# Broken compressed inputs are named, and nothing is loaded.
head -c 120 "$T/base.o.zst" > "$T/cut.zst"
run 2 "$OBJLOAD" --run rts_main "$F/rts.o" "$T/cut.zst"
has err "$T/cut.zst: truncated zstd data"
run 1 "$SYMDUMP" "$T/cut.zst"
has err "symdump: error: $T/cut.zst: truncated zstd data"
# One byte flipped in the middle: the frame's checksum catches it.
cp "$T/base.o.zst" "$T/corrupt.zst"
half=$(( $(stat -c %s "$T/corrupt.zst") / 2 ))
printf '\377' | dd of="$T/corrupt.zst" bs=1 seek=$half conv=notrunc status=none
run 1 "$SYMDUMP" "$T/corrupt.zst"
has err "$T/corrupt.zst: corrupt zstd data: "
run 2 "$OBJLOAD" "$T/corrupt.zst"
has err "objload: error: $T/corrupt.zst: corrupt zstd data: "
# What a compressed input may expand to is bounded: 1 GiB unless
# --max-expand or RTLINK_MAX_EXPAND says otherwise (a stream that does not
# record its size is counted as it is decoded).
head -c 3M /dev/zero | zstd -q -c > "$T/zeros.zst"
run 2 "$OBJLOAD" --max-expand=1M "$T/zeros.zst"
has err "objload: error: $T/zeros.zst: zstd data expands beyond 1048576 bytes (1 MiB), the most a compressed input may expand to (--max-expand=SIZE or RTLINK_MAX_EXPAND=SIZE raises it)"
run 2 "$OBJLOAD" --max-expand=4M "$T/zeros.zst"
lacks err "expands beyond"
run 1 "$SYMDUMP" --max-expand=2M "$T/zeros.zst"
has err "symdump: error: $T/zeros.zst: zstd data expands beyond 2097152 bytes (2 MiB)"
RTLINK_MAX_EXPAND=1M run 1 "$IMPLIB_GEN" --def "$T/zeros.zst" -o "$T/z.a"
has err "implib-gen: $T/zeros.zst: zstd data expands beyond 1048576 bytes (1 MiB)"
run 1 "$IMPLIB_GEN" --max-expand=512K --def "$T/zeros.zst" -o "$T/z.a"
has err "implib-gen: $T/zeros.zst: zstd data expands beyond 524288 bytes (512 KiB)"
RTLINK_MAX_EXPAND=lots run 1 "$SYMDUMP" "$T/zeros.zst"
has err "symdump: error: $T/zeros.zst: RTLINK_MAX_EXPAND=lots: not a size"
run 2 "$OBJLOAD" --max-expand=lots "$F/good.o"
has err "--max-expand needs a size (bytes, or a number with K, M, G or T), not 'lots'"

# Debug sections compressed inside an object (SHF_COMPRESSED, zstd and zlib)
# are not loaded: such objects load and run, and symdump lists them.
gcc -c -g -O1 "$RTLINK_SOURCE/fixtures/base.c" -o "$T/base-g.o"
for z in zstd zlib; do
  /usr/lib/llvm-19/bin/llvm-objcopy --compress-debug-sections=$z "$T/base-g.o" "$T/base-$z.o"
  readelf -S "$T/base-$z.o" | grep -q ' C ' || fail "llvm-objcopy compressed nothing ($z)"
  run 42 "$OBJLOAD" --run rts_main "$F/rts.o" "$T/base-$z.o"
  run 0 "$SYMDUMP" "$T/base-$z.o"
  has out " T base_runSparks"
done

# A shared library is opened by the system loader, which needs the file itself.
so=$(readlink -f /usr/lib/x86_64-linux-gnu/libsqlite3.so.0)
zstd -q -c "$so" > "$T/libsqlite3.so.zst"
run 2 "$OBJLOAD" -c 'lookup sqlite3_open' "$T/libsqlite3.so.zst"
has err "$T/libsqlite3.so.zst: a zstd-compressed shared library cannot be loaded"
# Uncompressed, a relative path in the current directory names that file.
cp "$so" "$T/plain.so"
(cd "$T" && "$OBJLOAD" -c 'lookup sqlite3_open' plain.so) > "$T/out"
has out "sqlite3_open = 0x"
has out "$T/plain.so)"

# implib-gen reads a compressed .def, DLL and object, and writes what it
# writes from the plain ones.
: "${IMPLIB_GEN:?}"
D=$RTLINK_SOURCE/fixtures/implib
k32=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernel32.dll
zstd -q -c "$D/base.def" > "$T/base.def.zst"
zstd -q -c "$k32" > "$T/k32.bin"
run 0 "$IMPLIB_GEN" --def "$T/base.def.zst" -o "$T/z.a"
run 0 "$IMPLIB_GEN" --def "$D/base.def" -o "$T/plain.a"
cmp "$T/z.a" "$T/plain.a" || fail "a compressed .def gave another library"
run 0 "$IMPLIB_GEN" --dll "$T/k32.bin" -o "$T/zk.a"
run 0 "$IMPLIB_GEN" --dll "$k32" -o "$T/k.a"
cmp "$T/zk.a" "$T/k.a" || fail "a compressed DLL gave another library"
x86_64-w64-mingw32-gcc -c "$D/base.c" -o "$T/base.obj"
zstd -q -c "$T/base.obj" > "$T/base.obj.zst"
run 0 "$IMPLIB_GEN" --dll-name base.dll --def-out "$T/zo.def" "$T/base.obj.zst"
grep -q "base_runSparks" "$T/zo.def" || fail "no exports from a compressed object: $(cat "$T/zo.def")"
echo ok
