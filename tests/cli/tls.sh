# Thread-local storage in loaded objects, as gcc and clang build it, every
# model: general and local dynamic (-fPIC), TLS descriptors (gnu2: gcc's;
# clang 14 has no -mtls-dialect), initial and local exec (the default PIE
# and -fno-pic), C++ thread_local with destructors; in this process and in an
# executor. A program of two units (fixtures/real/tls_prog*.cpp) built each
# way runs as its linked build does. A static block larger than the C
# library's surplus is refused, saying so.
. "$(dirname "$0")/common.sh"
S=$RTLINK_SOURCE/fixtures
need clang-14 clang++-14
for cc in gcc clang-14; do
  "$cc" -O2 -fPIC -c "$S/tls.c" -o "$T/tls-$cc.o"
  [ $cc = gcc ] && "$cc" -O2 -fPIC -mtls-dialect=gnu2 -c "$S/tls_desc.c" -o "$T/desc-$cc.o"
  for ex in in-process child; do
    # 4 threads x (1000 + 1001 + 6), in this thread's copy nothing of theirs
    run 0 "$OBJLOAD" --executor=$ex -c "call tls_threads; call bump_tls; call local_tls" "$T/tls-$cc.o"
    has out "tls_threads returned 8028"
    has out "bump_tls returned 1 "
    has out "local_tls returned 6 "
    [ $cc = gcc ] || continue
    run 0 "$OBJLOAD" --executor=$ex -c "call bump_desc; call bump_desc; call local_desc" "$T/desc-$cc.o"
    has out "bump_desc returned 2 "
    has out "local_desc returned 8 "
  done
done
for cxx in g++ clang++-14; do
  "$cxx" -O2 -fPIC -c "$S/tls_cxx.cpp" -o "$T/cxx-$cxx.o"
  for ex in in-process child; do
    # The loaded code's thread ends (its destructor runs there), then this
    # thread's copy goes at the unload.
    run 0 "$OBJLOAD" --executor=$ex -c "call cxx_tls_thread; unload $T/cxx-$cxx.o; quit" "$T/cxx-$cxx.o"
    [ "$(grep -c 'thread_local destroyed' "$T/out")" = 2 ] || fail "$cxx ($ex): two destructors expected"
    awk '/destroyed at 102/ {a = NR} /cxx_tls_thread returned 102101/ {b = NR}
         /destroyed at 101/ {c = NR} /unloaded/ {d = NR}
         END {exit !(a && b && c && d && a < b && b < c && c < d)}' "$T/out" ||
      { cat "$T/out"; fail "$cxx ($ex): destructors out of order"; }
  done
done
R=$S/real
cd "$T"
libs=(-L"$(dirname "$(g++ -print-file-name=libstdc++.so)")" -lstdc++ -lm)
for cxx in g++ clang++-14; do
  flag_sets=("" "-fPIC" "-fno-pic")
  [ $cxx = g++ ] && flag_sets+=("-fPIC -mtls-dialect=gnu2")
  for flags in "${flag_sets[@]}"; do
    # shellcheck disable=SC2086 # the flags are words
    "$cxx" -O2 $flags -c "$R/tls_prog.cpp" -o prog.o
    # shellcheck disable=SC2086
    "$cxx" -O2 $flags -c "$R/tls_prog_vars.cpp" -o vars.o
    link=()
    [ "$flags" = -fno-pic ] && link=(-no-pie)
    "$cxx" "${link[@]}" prog.o vars.o -o prog
    linked 7 ./prog
    has linked.out "worker: 2049"
    same_as_linked "$OBJLOAD" --run main prog.o vars.o "${libs[@]}"
    same_as_linked "$OBJLOAD" --executor=child --run main prog.o vars.o "${libs[@]}"
  done
done
printf '__thread char big[1 << 20];\nint touch_big(void) { return ++big[0]; }\n' >big.c
gcc -O2 -fno-pic -c big.c -o big.o
run 2 "$OBJLOAD" --run touch_big big.o
has err "big.o: initial- or local-exec thread-local storage (1048576 bytes): no room in the C library's static thread-local storage"
has err "GLIBC_TUNABLES=glibc.rtld.optional_static_tls"
echo ok
