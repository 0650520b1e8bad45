# objload --executor: loaded code in another process. What it prints reaches
# the user; a fault there is reported with how the executor ended and objload
# goes on with a fresh one; Ctrl-C stops the call, not objload; a command line
# may start the executor (it is then given --connect=HOST:PORT).
. "$(dirname "$0")/common.sh"
EXECUTOR=$RTLINK_BUILD/tools/objload-executor/objload-executor
for ex in child "$EXECUTOR"; do
  run 42 "$OBJLOAD" --executor="$ex" --run rts_main "$F/rts.o" "$F/base.o"
  run 42 "$OBJLOAD" --executor "$ex" --run main "$F/q.o" /usr/lib/x86_64-linux-gnu/libsqlite3.a
  has out "select sum(x) from t = 42"
done

# Printing: on objload's stdout, and the channel is not disturbed by it.
run 3 "$OBJLOAD" --executor=child --run says "$F/crash.o"
has out "hello from the executor"

# Initializers and finalizers run in the executor, in the order in-process
# runs them (priorities, .ctors backward; at unload .dtors forward, then .fini_array).
run 0 "$OBJLOAD" --executor=child -c "unload $F/initfini.o" "$F/initfini.o" "$F/initfini_printer.o"
tr '\n' ' ' < "$T/out" | grep -q "event 101 event 200 event 1000 event 2001 event 2002 .*event -2001 event -2002 event -1000 event -200 event -101" \
  || fail "initializer order in the executor: $(cat "$T/out")"

# In-process, after --run: the finalizers run as objload ends, in order.
run 7 "$OBJLOAD" --run initfini_loaded "$F/initfini.o" "$F/initfini_printer.o"
[ "$(tr '\n' ' ' < "$T/out")" = "event 101 event 200 event 1000 event 2001 event 2002 event -2001 event -2002 event -1000 event -200 event -101 " ] \
  || fail "initializer and finalizer order in-process: $(cat "$T/out")"

# A unit's atexit handlers run before its .fini_array (the C library's order
# at exit), at unload and at objload's end, in the executor and in-process.
run 0 "$OBJLOAD" --executor=child -c "unload $F/atexit.o" "$F/atexit.o" "$F/initfini_printer.o"
[ "$(grep '^event' "$T/out" | tr '\n' ' ')" = "event 1 event -1 event -3 " ] || fail "atexit order in the executor: $(cat "$T/out")"
for ex in child in-process; do
  run 5 "$OBJLOAD" --executor=$ex --run atexit_loaded "$F/atexit.o" "$F/initfini_printer.o"
  [ "$(tr '\n' ' ' < "$T/out")" = "event 1 event -1 event -3 " ] || fail "atexit order at the end ($ex): $(cat "$T/out")"
done

# A fault: the call fails and says how the executor ended; objload survives.
run 2 "$OBJLOAD" --executor=child --run boom "$F/crash.o"
has err "objload: error: executor terminated by signal 11 (SIGSEGV) while running boom"
run 1 "$OBJLOAD" --executor=child -c "call boom; call says; load $F/good.o; resolve; call good_answer; info" "$F/crash.o"
has out "error: executor terminated by signal 11 (SIGSEGV) while running boom"
has out "symbol 'says' not found"  # it went with the executor
has out "good_answer returned 42"
has out "executor out of process"

# Ctrl-C during a call stops the call (the executor is killed), not objload.
"$OBJLOAD" --executor=child --run spin "$F/crash.o" >"$T/out" 2>"$T/err" &
pid=$!
sleep 1
kill -INT "$pid"
set +e; wait "$pid"; status=$?; set -e
[ "$status" = 2 ] || fail "objload exited $status after Ctrl-C, expected 2: $(cat "$T/err")"
has err "executor terminated by signal 9 (SIGKILL) while running spin"

# An executor that cannot start is named, with how it ended.
run 2 "$OBJLOAD" --executor=/bin/false --run rts_main "$F/rts.o"
has err "the executor (/bin/false) exited with status 1 before it connected"
run 2 "$OBJLOAD" --executor=/nonexistent/executor --run rts_main "$F/rts.o"
has err "cannot start the executor /nonexistent/executor: No such file or directory"
run 2 "$EXECUTOR"
has err "no channel: give --fd=N or --connect=HOST:PORT"
run 0 "$EXECUTOR" --help
has out "--connect=HOST:PORT"
echo ok
