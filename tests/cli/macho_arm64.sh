# arm64 Mach-O objects (#19): fixtures/macho/arm64_program.c compiled by
# clang for arm64-apple-macos at -O0 and -O2 (static and extern data,
# function pointers, a jump table, a constructor and a destructor, atexit,
# calls into the host and a callback from it, string literals, doubles,
# thread-local variables and a thread; its library, program_lib.c, as a
# Darwin-layout archive), linked by the x86-64 objload into the aarch64 executor under
# qemu-user, must print what the same sources built by aarch64-linux-gnu-gcc
# print under qemu and exit with its status. The program prints through puts
# only: a call to printf hands it garbage (Apple's arm64 ABI passes variadic
# arguments on the stack), and objload says so. Then symdump and objload
# agree on what an arm64 Mach-O object defines, and the REPL calls by C name.
. "$(dirname "$0")/common.sh"
if [ -z "${AARCH64_EXECUTOR:-}" ]; then
  [ "${CI:-}" = true ] && fail "no aarch64 executor: configure with -Daarch64_executor=PATH (scripts/dev does)"
  echo "skipped: no aarch64 executor (-Daarch64_executor=PATH)"
  exit 77
fi
need aarch64-linux-gnu-gcc clang-14 qemu-aarch64 /lib/ld-linux-aarch64.so.1 "$AARCH64_EXECUTOR"
# Every qemu run is bounded: a hang is killed, and fails the comparison.
EX="qemu-aarch64 $AARCH64_EXECUTOR"
LOAD=(timeout -s KILL 120 "$OBJLOAD" --executor="$EX")
M=$F/macho
S=$RTLINK_SOURCE/fixtures/macho
cd "$T"

# The program as Debian's arm64 runtime runs it (qemu finds its loader at
# /lib/ld-linux-aarch64.so.1; see aarch64_programs.sh).
aarch64-linux-gnu-gcc -O2 -fcommon -w "$S/arm64_program.c" "$S/program_lib.c" -o gcc.prog -lpthread
linked 234 timeout -s KILL 60 qemu-aarch64 ./gcc.prog
has linked.out "classify 1326002"
has linked.out "area 22.6250 strtod 5.5000"
has linked.out "sorted 42 23 16 15 8 4"
has linked.out "tls 602 704 thread 602 after 806"
has linked.out "destructor ran"
for opt in O0 O2; do
  same_as_linked "${LOAD[@]}" --run main "$M/arm64_program.$opt.o" "$M/libarm64_program.$opt.a"
  # The library's object itself rather than the archive.
  same_as_linked "${LOAD[@]}" --run main "$M/arm64_program.$opt.o" "$M/arm64_program_lib.$opt.o"
done
# The archive read in parts, and an archive without an index.
same_as_linked "${LOAD[@]}" --io=threads --run main "$M/arm64_program.O2.o" "$M/libarm64_program.O2.a"
AR=/usr/lib/llvm-19/bin/llvm-ar
need "$AR"
"$AR" --format=darwin rcS noindex.a "$M/arm64_program_lib.O0.o"
same_as_linked "${LOAD[@]}" --run main "$M/arm64_program.O0.o" noindex.a

# symdump's defined globals, less their '_', are what objload's syms lists.
for o in relocs_arm64.o tlv.arm64.o arm64_program_lib.O2.o; do
  "$SYMDUMP" -g --defined-only -j "$M/$o" | sed 's/^_//' | sort >symdump.names
  [ -s symdump.names ] || fail "symdump listed nothing for $o"
  run 0 "${LOAD[@]}" "$M/$o" -c 'syms'
  sed -n 's/^0x[0-9a-f]*  \([^ ]*\)  (.*'"$o"')$/\1/p' out | sort >objload.names
  if ! cmp -s symdump.names objload.names; then
    diff -u symdump.names objload.names || true
    fail "symdump's and objload's defined names of $o differ"
  fi
done

# The REPL calls by the C name; the answer is the aarch64 code's.
run 0 "${LOAD[@]}" "$M/relocs_arm64.o" -c 'call call_target_plus; call get_sum'
has out "call_target_plus returned 77"
has out "get_sum returned 654321"

# printf from arm64 Mach-O code: its arguments arrive wrong, and objload
# says why before the program runs.
printf '%s\n' 'int printf(const char *, ...);' 'int main(void) { printf("%d\n", 42); return 0; }' >pf.c
clang-14 --target=arm64-apple-macos11 -O2 -c pf.c -o pf.o
run 0 "${LOAD[@]}" --run main pf.o
has err "pf.o: arm64 Mach-O code calls printf, whose variadic arguments Apple's arm64 ABI passes on the stack"
has err "such as puts, fputs or write"
# Not for a unit that calls only puts, nor for x86-64 Mach-O code.
run 234 "${LOAD[@]}" --run main "$M/arm64_program.O2.o" "$M/libarm64_program.O2.a"
lacks err "variadic"
clang-14 --target=x86_64-apple-macos10.12 -O2 -c pf.c -o pf86.o
run 0 "$OBJLOAD" --run main pf86.o
has out "42"
lacks err "variadic"
echo ok
