# objload --run ends as the program does, in-process and in an executor
# process: exit(n) is objload's status n, the program's atexit handlers run
# and then its destructors, --stats still prints, stdin is the user's, and
# what it printed is not lost when it crashes. (exits.o prints without a
# newline, so only a flush at its end shows it.)
. "$(dirname "$0")/common.sh"
for ex in in-process child; do
  run 5 "$OBJLOAD" --executor=$ex --run main "$F/exits.o" -lc -- exit 5
  [ "$(cat "$T/out")" = "exit 5; [atexit handler] [destructor]" ] || fail "exit ($ex): $(cat "$T/out")"
  run 6 "$OBJLOAD" --executor=$ex --stats --trace --run main "$F/exits.o" -lc -- exit 6
  has err "objload: run "
  has err "main called exit"
  # returning from main ends the program as exit does: handlers, then destructors
  run 7 "$OBJLOAD" --executor=$ex --stats --run main "$F/exits.o" -lc -- return 7
  [ "$(cat "$T/out")" = "return 7; [atexit handler] [destructor]" ] || fail "return ($ex): $(cat "$T/out")"
  has err "objload: run "
  echo "a line from the user" | run 8 "$OBJLOAD" --executor=$ex --run main "$F/exits.o" -lc -- read 8
  has out "read 8; read a line from the user"
done
run 139 "$OBJLOAD" --run main "$F/exits.o" -lc -- crash 1
[ "$(cat "$T/out")" = "crash 1;" ] || fail "output before a crash in-process: $(cat "$T/out")"
run 2 "$OBJLOAD" --executor=child --run main "$F/exits.o" -lc -- crash 1
[ "$(cat "$T/out")" = "crash 1;" ] || fail "output before a crash in the executor: $(cat "$T/out")"
has err "executor terminated by signal 11 (SIGSEGV) while running main"

# In a session, a call that exits ends the executor (its finalizers run
# there first), and objload goes on with a fresh one.
run 1 "$OBJLOAD" --executor=child -c "call exit_now 3; load $F/good.o; resolve; call good_answer" "$F/exits.o" -lc
has out "exit_now 3; [destructor]"
has out "the loaded code called exit(3) while running exit_now"
has out "good_answer returned 42"
echo ok
