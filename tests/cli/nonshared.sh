# atexit and pthread_atfork, which glibc keeps in libc_nonshared.a, are
# rtlink's own for each unit: the handler runs when the unit is unloaded, in
# this process and in an executor, and -lc (libc.so, a script naming
# libc_nonshared.a) does not take them over.
. "$(dirname "$0")/common.sh"
for ex in in-process child; do
  run 0 "$OBJLOAD" --executor=$ex --trace -c "load $F/nonshared.o; resolve; call start; unload $F/nonshared.o; quit"
  has out "start returned 11"
  has out "atexit handler"
  has err "atexit -> rtlink's, with this unit's __dso_handle (__cxa_atexit)"
  # printed at the unload, not at the end of the process
  awk '/atexit handler/ {h = NR} /unloaded/ {u = NR} END {exit !(h && (!u || h < u))}' "$T/out" ||
    fail "the atexit handler did not run at the unload ($ex)"
  run 11 "$OBJLOAD" --executor=$ex --run start "$F/nonshared.o" -lc
  has out "atexit handler"
done
echo ok
