# What symdump shows beyond llvm-nm: a DLL's exports and imports, import
# members' details; and errors: named, the rest still listed, exit status 1.
. "$(dirname "$0")/common.sh"
: "${SYMDUMP:?run through meson test}"
WINE=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows

# A DLL without a symbol table lists its exports instead of "no symbols".
run 0 "$SYMDUMP" "$WINE/msvcrt.dll" --exports
has out " T printf"
has out " D _environ"
run 0 "$SYMDUMP" "$WINE/kernel32.dll" --exports
has out " I AcquireSRWLockExclusive"
run 0 "$SYMDUMP" --imports "$WINE/kernel32.dll"
has out "         U ActivateActCtx"
run 0 "$SYMDUMP" --imports /usr/lib/x86_64-linux-gnu/libsqlite3.so.0
has out "U libc.so.6"
has out "U libc.so.6 (GLIBC_"
run 0 "$SYMDUMP" -D /usr/lib/x86_64-linux-gnu/libsqlite3.so.0
has out " T sqlite3_open"
# A Mach-O dylib: its exports (the export trie) and the dylibs it loads.
run 0 "$SYMDUMP" --exports "$F/macho/libbase.dylib"
has out " T _base_runSparks"
run 0 "$SYMDUMP" --imports "$F/macho/libbase.dylib"
has out "U @rpath/libweak.dylib"

# Errors: a truncated file and a garbage member are named; the rest is listed.
head -c 200 "$F/rts.o" > "$T/truncated.o"
printf 'not an object at all, but long enough to look at\n' > "$T/garbage.o"
cp "$F/base.o" "$T/base.o"
ar rc "$T/mixed.a" "$T/base.o" "$T/truncated.o"
run 1 "$SYMDUMP" "$T/truncated.o" "$F/rts.o" "$T/mixed.a"
has err "symdump: error: $T/truncated.o:"
has err "symdump: error: $T/mixed.a(truncated.o):"
has out "T rts_main"
has out "T base_runSparks"
# A DLL whose export directory counts 0x1000000 functions, or whose import
# address table has no end within the file: named, never read past the file.
python3 - "$WINE/version.dll" "$T/bigcount.dll" "$T/noend.dll" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
pe = struct.unpack_from('<I', b, 0x3c)[0]
nsec, opt_size = struct.unpack_from('<H', b, pe + 6)[0], struct.unpack_from('<H', b, pe + 20)[0]
opt = pe + 24
def offset(rva):
    for i in range(nsec):
        h = opt + opt_size + 40 * i
        vsize, va, raw_size, raw = struct.unpack_from('<IIII', b, h + 8)
        if va <= rva < va + vsize:
            return raw + rva - va
exports, imports = (offset(struct.unpack_from('<I', b, opt + 112 + 8 * k)[0]) for k in (0, 1))
big = bytearray(b)
struct.pack_into('<I', big, exports + 20, 0x1000000)  # NumberOfFunctions
open(sys.argv[2], 'wb').write(big)
# The first import's address table moved to the last 8 bytes of the file's
# last section (its virtual size made its size in the file), an import by
# ordinal with no zero entry after it.
h = opt + opt_size + 40 * (nsec - 1)
vsize, va, raw_size, raw = struct.unpack_from('<IIII', b, h + 8)
noend = bytearray(b)
struct.pack_into('<I', noend, h + 8, raw_size)
struct.pack_into('<Q', noend, raw + raw_size - 8, 0x8000000000000001)
struct.pack_into('<I', noend, imports + 16, va + raw_size - 8)
open(sys.argv[3], 'wb').write(noend)
PY
run 1 "$SYMDUMP" --exports "$T/bigcount.dll"
has err "symdump: error: $T/bigcount.dll: export table: its address table (16777216 entries at RVA 0x"
has err ") is not within the file"
run 1 "$SYMDUMP" --imports "$T/noend.dll"
has err "symdump: error: $T/noend.dll: import table: directory entry 0: its address table at RVA 0x"

# An archive index that does not fit its own size is named, never walked;
# the members are still listed.
cp "$F/libbase.a" "$T/badindex.a"
printf '\001' | dd of="$T/badindex.a" bs=1 seek=68 conv=notrunc status=none
run 1 "$SYMDUMP" --print-armap "$T/badindex.a"
has err "symdump: error: $T/badindex.a: malformed symbol table (archive index): the member offsets of its 16777219 symbols run past its end"
has out "T base_runSparks"
# Bitcode cut short after its magic holds no module (IRObjectFile would
# read through a null pointer).
head -c 4 "$F/macho/base.bc" > "$T/magic.bc"
run 1 "$SYMDUMP" "$T/magic.bc" "$F/rts.o"
has err "symdump: error: $T/magic.bc: truncated bitcode: no module in its 4 bytes"
has out "T rts_main"
run 1 "$SYMDUMP" "$T/garbage.o"
has err "$T/garbage.o"
run 1 "$SYMDUMP" /no/such/file.o
has err "/no/such/file.o"
run 2 "$SYMDUMP" --format=xml "$F/rts.o"
has err "unknown --format xml"
run 0 "$SYMDUMP" --help
has out "compressed"  # (cli-zstd shows it is so)
for opt in -g -u -U -C -S -A -p -n -r --size-sort --format= --print-armap --exports --imports -D \
           -W --no-weak -a --debug-syms --no-demangle -t --radix= -f -B sysv --export-symbols --quiet -V \
           -l --line-numbers; do
  has out -- "$opt"
done
# ... and every one is taken (symdump_nm.sh compares what they print with llvm-nm).
run 0 "$SYMDUMP" -W --no-weak -a --debug-syms -C --no-demangle -t d --radix=o -f sysv -B \
  --format=bsd --quiet "$F/rts.o"
run 0 "$SYMDUMP" --export-symbols "$F/rts.o"
has out "rts_main"
run 0 "$SYMDUMP" -V
has out "symdump (rtlink)"
# -l in JSON: "source" gives the file and line apart (symdump_nm.sh compares
# the text with llvm-nm -l); a symbol without DWARF has none.
gcc -g -c "$RTLINK_SOURCE/fixtures/lines.c" -o "$T/lines.o"
run 0 "$SYMDUMP" -l --format=json "$T/lines.o" "$F/rts.o"
python3 - "$T/out" "$RTLINK_SOURCE/fixtures/lines.c" <<'PY' || fail "-l --format=json: $(cat "$T/out")"
import json, sys
files = json.load(open(sys.argv[1]))["files"]
syms = {s["name"]: s for s in files[0]["members"][0]["symbols"]}
assert syms["twice"]["source"] == {"file": sys.argv[2], "line": 18}, syms["twice"]
assert syms["hidden"]["source"]["line"] == 13, syms["hidden"]
assert syms["elsewhere"]["source"]["line"] == 26, syms["elsewhere"]  # its call in main
assert not any("source" in s for s in files[1]["members"][0]["symbols"]), files[1]
PY
# -l on DWARF whose line table LLVM's reader would jump to no code on (a
# DWARF 5 line table giving its directories form 0: llvm-nm -l dies by
# SIGSEGV): the symbols are listed, and a warning says why without lines.
run 0 "$SYMDUMP" -l "$RTLINK_SOURCE/fuzz/regressions/fuzz_symdump/dwarf-line-table-of-form-0.obj"
has out "T main"
has err "symdump: warning: line numbers: the line table at offset 0 of .debug_line gives its directories the form 0, which is no DWARF form"
# -l on an object whose symbol table claims 2^36 entries past the end of the
# file: the error, at once (the scan for section symbols of no section read
# them one error at a time: found by fuzz_symdump).
R="$RTLINK_SOURCE/fuzz/regressions/fuzz_symdump/symtab-of-2-to-the-36-entries-past-the-file.o"
run 1 "$SYMDUMP" -l "$R"
has err "symdump: error: $R: section [index 18] has a sh_offset (0x248) + sh_size (0x18000000000) that is greater than the file size (0xac0)"
# -l on an object with a section symbol of section 0: the listing without
# it, no lines, and why. (Its flags name it by a section past the headers;
# that read lies in the file's mapping here, so only fuzz_symdump's replay
# of this input, from a buffer of its size, sees it under AddressSanitizer.)
run 0 "$SYMDUMP" -l "$RTLINK_SOURCE/fuzz/regressions/fuzz_symdump/section-symbol-of-no-section.o"
has out "T main"
has err "symdump: warning: line numbers: a section symbol (STT_SECTION) of no section"
run 2 "$SYMDUMP" --radix=z "$F/rts.o"
has err "unknown --radix z"
run 2 "$SYMDUMP" -f darwin "$F/rts.o"
has err "unknown -f darwin"
echo ok
