# The example C host of docs/examples/host.c, built as a user would build it
# (pkg-config, the uninstalled rtlink.pc meson writes), then run.
. "$(dirname "$0")/common.sh"
: "${RTLINK_BUILD:?run through meson test}"
export PKG_CONFIG_PATH="$RTLINK_BUILD/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
cc -Wall -Werror -std=c99 ${RTLINK_SANITIZE_FLAGS:-} "$RTLINK_SOURCE/docs/examples/host.c" \
  $(pkg-config --cflags --libs rtlink) -o "$T/host" || fail "the example host does not build"
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
echo ok
