# The example C host of docs/examples/host.c, built as a user would build it
# (pkg-config, the uninstalled rtlink.pc and rtlink-c.pc meson writes), then run.
. "$(dirname "$0")/common.sh"
: "${RTLINK_BUILD:?run through meson test}"
export PKG_CONFIG_PATH="$RTLINK_BUILD/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
cc -Wall -Werror -std=c99 ${RTLINK_SANITIZE_FLAGS:-} "$RTLINK_SOURCE/docs/examples/host.c" \
  $(pkg-config --cflags --libs rtlink) -o "$T/host" || fail "the example host does not build"
# rtlink.pc is the static library, even with librtlink.so beside it.
! readelf -d "$T/host" | grep -q 'librtlink' || fail "the host built with rtlink.pc needs librtlink.so"
run 0 "$T/host" "$F"
has out "host: rts_main() = 42"
has out "host: as expected: symbol 'no_such_symbol' not found"
has out "host: refused: cannot unload $F/base.o: $F/rts.o still references"
has out "host: unloaded; rts_main gone"
has out "host: found "

# A remote linker from C: code runs in objload-executor.
# shellcheck disable=SC2046
cc -Wall -Werror -std=c99 ${RTLINK_SANITIZE_FLAGS:-} "$RTLINK_SOURCE/tests/cli/remote_host.c" \
  $(pkg-config --cflags --libs rtlink) -o "$T/remote_host" || fail "remote_host does not build"
run 0 "$T/remote_host" "$RTLINK_BUILD/tools/objload-executor/objload-executor" "$F"
has out "remote_host: rts_main() = 42"
has out "remote_host: strtod(\"2.5e-1 rest\") = 0.25"
has out "remote_host: pow(1.5, 2) = 2.25"
has out "remote_host: labs(-77) = 77"
has out "remote_host: bad argument: argument 1: unknown kind 9 (RTL_ARG_INT, RTL_ARG_DOUBLE, RTL_ARG_FLOAT, RTL_ARG_BYTES)"
has out "remote_host: boom: executor terminated by signal 11 (SIGSEGV) while running boom"
has out "remote_host: good_answer() = 42, in a fresh executor"
# A cached linker from C: the second run restores the first one's link.
# shellcheck disable=SC2046
cc -Wall -Werror -std=c99 ${RTLINK_SANITIZE_FLAGS:-} "$RTLINK_SOURCE/tests/cli/cached_host.c" \
  $(pkg-config --cflags --libs rtlink) -o "$T/cached_host" || fail "cached_host does not build"
for round in 1 2; do
  run 0 "$T/cached_host" "$T/cache" "$F"
  has out "cached_host: rts_main() = 42"
  has out "cached_host: rtl_linker_new_cached: no cache directory"
done
[ "$(ls "$T/cache"/*.rtlc | wc -l)" = 1 ] || fail "one cache entry expected"

# The same host against librtlink.so (rtlink-c.pc): nothing but the library
# to link, and no LLVM in either file's Cflags.
for pc in rtlink rtlink-c; do
  case " $(pkg-config --cflags $pc) " in
    *llvm*) fail "pkg-config --cflags $pc names LLVM: $(pkg-config --cflags $pc)" ;;
  esac
done
libs=$(pkg-config --libs rtlink-c)
[ "${libs% }" = "-L$RTLINK_BUILD/lib -lrtlink" ] || fail "pkg-config --libs rtlink-c: $libs"
# shellcheck disable=SC2046
cc -Wall -Werror -std=c99 ${RTLINK_SANITIZE_FLAGS:-} "$RTLINK_SOURCE/docs/examples/host.c" \
  $(pkg-config --cflags --libs rtlink-c) -o "$T/host-shared" || fail "the example host does not build against rtlink-c"
readelf -d "$T/host-shared" | grep -q 'Shared library: \[librtlink.so.0\]' ||
  fail "the host built with rtlink-c does not need librtlink.so.0"
run 0 env LD_LIBRARY_PATH="$RTLINK_BUILD/lib" "$T/host-shared" "$F"
has out "host: rts_main() = 42"
has out "host: refused: cannot unload $F/base.o: $F/rts.o still references"
has out "host: unloaded; rts_main gone"
echo ok
