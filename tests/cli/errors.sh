# Load and link errors exit 2 with a message on stderr naming the file.
. "$(dirname "$0")/common.sh"
run 2 "$OBJLOAD" --run calls_missing "$F/undefined.o" "$F/rts.o" "$F/base.o"
has err "objload: error: undefined symbol: no_such_function"
has err ">>> referenced by $F/undefined.o:(function calls_missing: .text+0x"
has err "note: looked in 3 loaded objects and the process ("
has err "did you mean 'rts_allocate'"
run 2 "$OBJLOAD" "$F/dup_a.o" "$F/dup_b.o"
has err "duplicate symbol: duplicate_symbol"
# C++ names are shown demangled, then as the object file has them; a site
# names the function it lies in.
cat > "$T/cxx_missing.cpp" <<'EOF'
int helper(int);
struct Widget { static int count; };
extern "C" int use_widget() { return helper(Widget::count) + 1; }
int twice(int x) { return 2 * x; }
EOF
g++ -O1 -fPIC -c "$T/cxx_missing.cpp" -o "$T/cxx_missing.o"
run 2 "$OBJLOAD" --run use_widget "$T/cxx_missing.o"
has err "undefined symbol: helper(int) (_Z6helperi)"
has err "undefined symbol: Widget::count (_ZN6Widget5countE)"
has err ">>> referenced by $T/cxx_missing.o:(function use_widget: .text+0x"
echo 'int twice(int x) { return x + x; }' > "$T/twice.cpp"
g++ -O1 -fPIC -c "$T/twice.cpp" -o "$T/twice.o"
run 2 "$OBJLOAD" "$T/cxx_missing.o" "$T/twice.o"
has err "duplicate symbol: twice(int) (_Z5twicei)"
# Many names missing: each still gets its library suggestion (every
# candidate library is read once for all of them).
cat > "$T/zlib_user.c" <<'EOF'
extern int deflate(), inflate(), deflateEnd(), inflateEnd(), compress(), uncompress(),
    gzopen(), gzclose(), gzread(), gzwrite();
int main(void) {
  return deflate() + inflate() + deflateEnd() + inflateEnd() + compress() + uncompress() +
         gzopen() + gzclose() + gzread() + gzwrite();
}
EOF
gcc -O1 -fPIC -c "$T/zlib_user.c" -o "$T/zlib_user.o"
run 2 "$OBJLOAD" --run main "$T/zlib_user.o"
[ "$(grep -c ': add -lz$' "$T/err")" = 10 ] || fail "expected -lz suggested for each of the 10 names: $(cat "$T/err")"
has err "note: looked in 1 loaded object and the process ("
has err "; for libraries to suggest (-lNAME), in "
head -c 100 "$F/good.o" > "$T/truncated.o"
run 2 "$OBJLOAD" "$T/truncated.o"
has err "$T/truncated.o"
cp "$F/libbase.a" "$T/badindex.a"
printf '\001' | dd of="$T/badindex.a" bs=1 seek=68 conv=notrunc status=none
run 2 "$OBJLOAD" --run rts_main "$F/rts.o" "$T/badindex.a"
has err "objload: error: $T/badindex.a: malformed symbol table (archive index)"
printf 'INPUT(%s)\n' "$T/loop-b.ld" > "$T/loop-a.ld"
printf 'GROUP(%s)\n' "$T/loop-a.ld" > "$T/loop-b.ld"
run 2 "$OBJLOAD" "$F/good.o" "$T/loop-a.ld"
has err "objload: error: $T/loop-a.ld: $T/loop-b.ld: linker scripts name each other in a cycle: $T/loop-a.ld -> $T/loop-b.ld -> $T/loop-a.ld"
cp "$F/libbase-nosymtab.a" "$T/noindex.a"
printf '\377\377\377\377' | dd of="$T/noindex.a" bs=1 seek=108 conv=notrunc status=none  # e_shoff
run 2 "$OBJLOAD" --run rts_main "$F/rts.o" "$T/noindex.a"
has err "objload: error: $T/noindex.a(base-pic.o): bad section header table: "
run 2 "$OBJLOAD" /no/such/file.o
has err "/no/such/file.o: cannot read"
run 2 "$OBJLOAD" --run no_such_symbol "$F/good.o"
has err "symbol 'no_such_symbol' not found"
run 1 "$OBJLOAD" -c "resolve; load $F/tls_exec_late.o; resolve" "$F/tls.o"
has out "tls_exec_late.o:(function bump_late: .text+0x3): relocation R_X86_64_GOTTPOFF against 'tls_counter': initial- or local-exec access to a variable of"
run 2 "$OBJLOAD" -lno-such-library "$F/good.o"
has err "cannot find library -lno-such-library"
# Usage errors.
run 2 "$OBJLOAD" --run main
has err "no input files"
run 2 "$OBJLOAD" -c help --run main "$F/good.o"
has err "--run and -c do not go together"
run 2 "$OBJLOAD" --bogus "$F/good.o"
has err "unknown option --bogus"
run 2 "$OBJLOAD" "$F/good.o" --run
has err "--run needs a symbol"
echo ok
