# Thread-local storage in loaded objects, as gcc and clang build it with
# -fPIC: general and local dynamic, TLS descriptors (gnu2: gcc's; clang 14
# has no -mtls-dialect), C++ thread_local
# with destructors; in this process and in an executor. Code built without
# -fPIC (initial or local exec) is refused by name.
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
gcc -O2 -fno-pic -c "$S/tls_exec.c" -o "$T/exec.o"
run 2 "$OBJLOAD" --run bump_exec "$T/exec.o"
has err "R_X86_64_TPOFF32 against exec_counter"
echo ok
