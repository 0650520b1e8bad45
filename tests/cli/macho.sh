# Mach-O x86-64 objects (#19): fixtures/macho/program.c compiled by clang for
# x86_64-apple-macos at -O0 and -O2 (static and extern data, function
# pointers, a jump table, a constructor and a destructor, atexit, calls into
# the host's printf/strlen/malloc, common and weak symbols; its library as a
# Darwin-layout archive) run by objload, in-process and in a child executor,
# must print what the same source compiled by gcc for Linux prints and exit
# with its status; so must C++ that throws (fixtures/macho/exceptions.cpp). Then symdump and objload agree on what a Mach-O object
# defines (symdump shows `_name`, objload the C name), and a Mach-O object
# is no longer called "not an object".
. "$(dirname "$0")/common.sh"
need gcc
M=$F/macho
S=$RTLINK_SOURCE/fixtures/macho
cd "$T"
gcc -O2 -fcommon -w "$S/program.c" "$S/program_lib.c" -o gcc.prog
linked 234 ./gcc.prog
has linked.out "classify "
has linked.out "destructor ran"
for opt in O0 O2; do
  same_as_linked "$OBJLOAD" --run main "$M/program.$opt.o" "$M/libprogram.$opt.a"
  same_as_linked "$OBJLOAD" --executor=child --run main "$M/program.$opt.o" "$M/libprogram.$opt.a"
  # The library's object itself rather than the archive.
  same_as_linked "$OBJLOAD" --run main "$M/program.$opt.o" "$M/program_lib.$opt.o"
done
# The archive read in parts (its index and each named member's first bytes,
# which tell a Mach-O member), and an archive without an index (each
# member's symbols read from it).
same_as_linked "$OBJLOAD" --io=threads --run main "$M/program.O2.o" "$M/libprogram.O2.a"
# Through the link cache: stored, then restored (Mach-O units in an entry).
same_as_linked "$OBJLOAD" --cache cache --run main "$M/program.O2.o" "$M/libprogram.O2.a"
same_as_linked "$OBJLOAD" --cache cache --run main "$M/program.O2.o" "$M/libprogram.O2.a"
ls cache/*.rtlc >/dev/null || fail "no link cache entry was stored"
AR=/usr/lib/llvm-19/bin/llvm-ar
need "$AR"
"$AR" --format=darwin rcS noindex.a "$M/program_lib.O0.o"
same_as_linked "$OBJLOAD" --run main "$M/program.O0.o" noindex.a

# C++ exceptions thrown and caught in Mach-O code, with the host's libstdc++.
need g++
g++ -O2 "$S/exceptions.cpp" -o gxx.prog
linked 3 ./gxx.prog
has linked.out "caught Err 17"
libs=(-L"$(dirname "$(g++ -print-file-name=libstdc++.so)")" -lstdc++)
for opt in O0 O2; do
  same_as_linked "$OBJLOAD" --run main "$M/exceptions.$opt.o" "${libs[@]}"
  same_as_linked "$OBJLOAD" --executor=child --run main "$M/exceptions.$opt.o" "${libs[@]}"
done

# symdump's defined globals, less their '_', are what objload's syms lists.
"$SYMDUMP" -g --defined-only -j "$M/relocs.o" | sed 's/^_//' | sort >symdump.names
[ -s symdump.names ] || fail "symdump listed nothing for relocs.o"
run 0 "$OBJLOAD" "$M/relocs.o" -c 'syms'
sed -n 's/^0x[0-9a-f]*  \([^ ]*\)  (.*relocs\.o)$/\1/p' out | sort >objload.names
if ! cmp -s symdump.names objload.names; then
  diff -u symdump.names objload.names || true
  fail "symdump's and objload's defined names of relocs.o differ"
fi

# The REPL calls by the C name.
run 0 "$OBJLOAD" "$M/relocs.o" -c 'call call_target'
has out "call_target returned 77"

# clang's stack protector for Darwin reads ___stack_chk_guard, which glibc
# does not export: the error says so and what to do.
if command -v clang-14 >/dev/null; then
  printf '%s\n' 'char *strcpy(char *, const char *);' \
    'int buf_len(const char *s) { char b[64]; strcpy(b, s); int n = 0; while (b[n]) ++n; return n; }' >ssp.c
  clang-14 --target=x86_64-apple-macos10.12 -O2 -c ssp.c -o ssp.o
  run 2 "$OBJLOAD" ssp.o -c 'call buf_len "hello"'
  has err "undefined symbol: __stack_chk_guard"
  has err "compile with -fno-stack-protector"
  clang-14 --target=x86_64-apple-macos10.12 -O2 -fno-stack-protector -c ssp.c -o ssp.o
  run 0 "$OBJLOAD" ssp.o -c 'call buf_len "hello"'
  has out "buf_len returned 5"
  # Without -fcommon, tentative definitions lie in the __DATA,__common zero fill.
  clang-14 --target=x86_64-apple-macos10.12 -O1 -fno-common -c "$S/program.c" -o nocommon.o
  linked 234 ./gcc.prog
  same_as_linked "$OBJLOAD" --run main nocommon.o "$M/libprogram.O2.a"
fi

# A universal file without an x86_64 or arm64 slice: refused by name; arm64
# code in this x86-64 process: refused naming both (tests/cli/macho_arm64.sh
# runs it in the aarch64 executor).
run 2 "$OBJLOAD" "$M/nohost.fat.o"
has err "nohost.fat.o: universal file has no x86_64 or arm64 slice (it has i386, armv7)"
run 2 "$OBJLOAD" "$M/base.arm64.o"
has err "base.arm64.o: aarch64 code cannot run in the executor (in-process), which runs x86-64 code"
lacks err "not an object"
run 2 "$OBJLOAD" "$M/libbase.dylib"
has err "libbase.dylib: not a relocatable object (Mach-O file type 6: a dylib"
echo ok
