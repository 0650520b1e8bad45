# Every input in fuzz/regressions (what fuzzing or a report ever found) given
# to the tools a user runs: each ends with a status and, when it refuses the
# input, an error naming it; never a signal. (fuzz/run replays the same
# inputs through the fuzz targets, under the sanitizers.)
. "$(dirname "$0")/common.sh"
R=$RTLINK_SOURCE/fuzz/regressions
EXECUTOR=$RTLINK_BUILD/tools/objload-executor/objload-executor
# survives STATUS FILE: a status below 128 (no signal), and a refusal names FILE.
survives() {
  local st=$1 file=$2
  [ "$st" -lt 128 ] || { cat "$T/out" "$T/err"; fail "$(basename "$file"): ended by signal $((st - 128))"; }
  if [ "$st" != 0 ]; then
    grep -qF "$(basename "$file")" "$T/out" "$T/err" ||
      { cat "$T/out" "$T/err"; fail "$(basename "$file"): refused without naming it"; }
  fi
}
n=0
for f in "$R"/fuzz_link_object/* "$R"/fuzz_link_file/*; do
  set +e; "$OBJLOAD" -c "resolve" "$f" >"$T/out" 2>"$T/err"; st=$?; set -e
  survives $st "$f"; n=$((n + 1))
done
for f in "$R"/fuzz_symdump/*; do
  for opts in --format=bsd --format=json "-l" "-D -l"; do
    # shellcheck disable=SC2086
    set +e; timeout 60 "$SYMDUMP" $opts "$f" >"$T/out" 2>"$T/err"; st=$?; set -e
    [ $st != 124 ] || fail "$(basename "$f"): symdump $opts took more than a minute"
    survives $st "$f"; n=$((n + 1))
  done
done
for f in "$R"/fuzz_dll/*; do
  set +e; "$IMPLIB_GEN" --dll "$f" -o "$T/x.a" >"$T/out" 2>"$T/err"; st=$?; set -e
  survives $st "$f"; n=$((n + 1))
done
for f in "$R"/fuzz_shared_library/*; do
  set +e; "$IMPLIB_GEN" --elf "$f" -o "$T/x.a" >"$T/out" 2>"$T/err"; st=$?; set -e
  survives $st "$f"; n=$((n + 1))
  set +e; "$SYMDUMP" -D "$f" >"$T/out" 2>"$T/err"; st=$?; set -e
  survives $st "$f"; n=$((n + 1))
done
for f in "$R"/fuzz_def/*; do
  set +e; "$IMPLIB_GEN" --def "$f" -o "$T/x.a" >"$T/out" 2>"$T/err"; st=$?; set -e
  survives $st "$f"; n=$((n + 1))
done
# What a controller sent, to the executor over its channel; it ends by itself
# when the channel does, with no signal.
for f in "$R"/fuzz_serve/*; do
  python3 - "$EXECUTOR" "$f" <<'PY' || fail "$(basename "$f"): the executor ended by a signal"
import os, socket, subprocess, sys
ours, theirs = socket.socketpair()
p = subprocess.Popen([sys.argv[1], f"--fd={theirs.fileno()}"], pass_fds=[theirs.fileno()],
                     stdout=subprocess.DEVNULL)
theirs.close()
ours.sendall(open(sys.argv[2], "rb").read())
ours.shutdown(socket.SHUT_WR)
while ours.recv(65536):
    pass
st = p.wait(timeout=30)
sys.exit(1 if st < 0 else 0)
PY
  n=$((n + 1))
done
[ $n -gt 10 ] || fail "only $n regression inputs"
echo "ok ($n inputs)"
