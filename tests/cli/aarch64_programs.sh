# A cross-architecture remote link: the x86-64 objload links aarch64 code
# into an aarch64 objload-executor run under qemu-user, and the programs do
# what aarch64-linux-gnu-gcc's links of the same objects do under qemu: same
# output, same exit status. A C program, built by gcc and by clang, at every
# code model (PIE by default, -fPIC, -fno-pic at small, tiny and large), at
# -O0 and -O2; the C library's data reached by code without -fPIC; C++ that throws (fixtures/real/cxx_prog.cpp, with the C++ library's
# exceptions); thread-local storage (descriptors, initial and local exec);
# and Debian's arm64 sqlite archive, members pulled on demand.
. "$(dirname "$0")/common.sh"
if [ -z "${AARCH64_EXECUTOR:-}" ]; then
  [ "${CI:-}" = true ] && fail "no aarch64 executor: configure with -Daarch64_executor=PATH (scripts/dev does)"
  echo "skipped: no aarch64 executor (-Daarch64_executor=PATH)"
  exit 77
fi
need aarch64-linux-gnu-gcc aarch64-linux-gnu-g++ clang-14 clang++-14 qemu-aarch64 /usr/lib/aarch64-linux-gnu/libsqlite3.a \
  /lib/ld-linux-aarch64.so.1 /usr/lib/aarch64-linux-gnu/libstdc++.so.6 "$AARCH64_EXECUTOR"
# Programs run on Debian's arm64 runtime (libc6:arm64, libstdc++6:arm64 by
# multiarch; qemu finds its dynamic loader at /lib/ld-linux-aarch64.so.1),
# not the cross toolchain's older C library, whose threads hang under qemu
# 7.2 (pthread_create never returns).
EX="qemu-aarch64 $AARCH64_EXECUTOR"
cd "$T"

# An x86-64 object in the aarch64 executor, and the reverse, are refused by name.
run 2 "$OBJLOAD" --executor="$EX" --run main "$F/good.o"
has err "good.o: x86-64 code cannot run in the executor"
has err "which runs aarch64 code"

src=$RTLINK_SOURCE/fixtures/cmodels.c
for cc in aarch64-linux-gnu-gcc "clang-14 --target=aarch64-linux-gnu"; do
  for opt in -O0 -O2; do
    for model in "" "-fPIC" "-fno-pic" "-fno-pic -mcmodel=tiny" "-fno-pic -mcmodel=large"; do
      # shellcheck disable=SC2086
      $cc $opt $model -c "$src" -o c.o
      # shellcheck disable=SC2086
      aarch64-linux-gnu-gcc $model $( [ -n "$model" ] && [ "$model" != -fPIC ] && echo -no-pie) c.o -o c.prog
      linked 30 qemu-aarch64 ./c.prog
      same_as_linked "$OBJLOAD" --executor="$EX" --run main c.o
    done
  done
done
has out "sorted: 5 4 3 2 1, sum 15"

# Code without -fPIC reaching the C library's data, which lies outside the
# range, every way it does: adrp with add, loads (8 to 128 bits, general,
# floating-point and vector registers) and stores; tiny's adr and literal
# loads (arch/aarch64_far.hpp: through cells and thunks).
for cc in aarch64-linux-gnu-gcc "clang-14 --target=aarch64-linux-gnu"; do
  for opt in -O0 -O2; do
    for model in "-fno-pic" "-fno-pic -mcmodel=tiny"; do
      # shellcheck disable=SC2086
      $cc $opt $model -c "$RTLINK_SOURCE/fixtures/far_data.c" -o far.o
      # shellcheck disable=SC2086
      aarch64-linux-gnu-gcc $model -no-pie far.o -o far.prog
      linked 41 qemu-aarch64 ./far.prog
      has linked.out "loads: 1 1 1 1 1 1 1"
      same_as_linked "$OBJLOAD" --executor="$EX" --run main far.o
    done
  done
done

# C++: exceptions thrown and caught in loaded code, through the C++ library.
for cxx in aarch64-linux-gnu-g++ "clang++-14 --target=aarch64-linux-gnu"; do
  $cxx -O2 -c "$RTLINK_SOURCE/fixtures/real/cxx_prog.cpp" -o cxx.o
  aarch64-linux-gnu-g++ cxx.o -o cxx.prog
  linked 4 qemu-aarch64 ./cxx.prog
  has linked.out "caught out_of_range"
  same_as_linked "$OBJLOAD" --executor="$EX" --run main cxx.o \
    -L"$(dirname "$(aarch64-linux-gnu-g++ -print-file-name=libstdc++.so)")" -lstdc++ -lm
done

# Thread-local storage: descriptors (gcc's default for -fPIC on aarch64),
# initial and local exec (PIE), in a program of two units, threads included.
R=$RTLINK_SOURCE/fixtures/real
for flags in "" "-fPIC"; do
  # shellcheck disable=SC2086
  aarch64-linux-gnu-g++ -O2 $flags -c "$R/tls_prog.cpp" -o tprog.o
  # shellcheck disable=SC2086
  aarch64-linux-gnu-g++ -O2 $flags -c "$R/tls_prog_vars.cpp" -o tvars.o
  aarch64-linux-gnu-g++ tprog.o tvars.o -o tprog
  linked 7 qemu-aarch64 ./tprog
  has linked.out "worker: 2049"
  same_as_linked "$OBJLOAD" --executor="$EX" --run main tprog.o tvars.o \
    -L"$(dirname "$(aarch64-linux-gnu-g++ -print-file-name=libstdc++.so)")" -lstdc++ -lm
done
aarch64-linux-gnu-gcc -O2 -fPIC -c "$RTLINK_SOURCE/fixtures/tls.c" -o tls.o
run 0 "$OBJLOAD" --executor="$EX" -c "call tls_threads; call bump_tls; call local_tls" tls.o
has out "tls_threads returned 8028"
has out "bump_tls returned 1 "
has out "local_tls returned 6 "

# The REPL's call with double and float arguments and results, in AAPCS64's
# d0 and s0.
printf 'double half(double x) { return x / 2; }\nfloat third(float x) { return x / 3; }\n' > half.c
aarch64-linux-gnu-gcc -O2 -c half.c -o half.o
run 0 "$OBJLOAD" --executor="$EX" -c "call half 3.0 -> double; call third 1.5f -> float" half.o
has out "half returned 1.5"
has out "third returned 0.5"

# The link cache, for an aarch64 executor: the second and third runs are
# restored from it, and their initializers, atexit handlers and finalizers
# run as in the program gcc linked (called as AAPCS64 code).
cat > ctor.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
static void bye(void) { puts("atexit"); }
__attribute__((constructor)) static void hello(void) { puts("constructor"); atexit(bye); }
__attribute__((destructor)) static void done(void) { puts("destructor"); }
int main(void) { puts("main"); return 7; }
EOF
aarch64-linux-gnu-gcc -O2 -c ctor.c -o ctor.o
aarch64-linux-gnu-gcc ctor.o -o ctor.prog
linked 7 qemu-aarch64 ./ctor.prog
has linked.out "destructor"
same_as_linked "$OBJLOAD" --executor="$EX" --cache "$T/a64cache" --run main ctor.o
same_as_linked "$OBJLOAD" --executor="$EX" --cache "$T/a64cache" --run main ctor.o
run 7 "$OBJLOAD" --executor="$EX" --cache "$T/a64cache" --stats --run main ctor.o
has err "link cache: 1 hit, 0 missed (0 ignored), 0 stored"
has out "destructor"

# Debian's arm64 sqlite (libsqlite3-dev:arm64), built as its toolchain builds it.
aarch64-linux-gnu-gcc -O2 -c "$RTLINK_SOURCE/fixtures/q.c" -o q.o
run 42 "$OBJLOAD" --executor="$EX" --run main q.o /usr/lib/aarch64-linux-gnu/libsqlite3.a
has out "select sum(x) from t = 42"
echo ok
