# The executor protocol, both sides, against a peer that does not follow it.
# The executor (executor_protocol.py): nothing served before the handshake,
# malformed requests refused, only reserved memory written, a 1 GiB header
# costing only what arrives. objload (silent_executor.sh, fake_executor.py):
# an executor that never answers the handshake is stopped after
# RTLINK_EXECUTOR_TIMEOUT; one that exits is reported with its own status
# (not objload's kill); a handshake with page size 0, an unknown OS or an
# unknown instruction set is refused by name.
. "$(dirname "$0")/common.sh"
python3 "$(dirname "$0")/executor_protocol.py" || fail "the executor's side (above)"
fake="python3 $(dirname "$0")/fake_executor.py"
start=$(date +%s)
RTLINK_EXECUTOR_TIMEOUT=1 run 2 "$OBJLOAD" --executor="bash $(dirname "$0")/silent_executor.sh" \
  --run good_answer "$F/good.o"
has err "the executor (bash) did not answer the handshake within 1 s"
[ $(( $(date +%s) - start )) -lt 20 ] || fail "objload waited for the silent executor"
# The others answer or close at once: time enough for python to start.
export RTLINK_EXECUTOR_TIMEOUT=10
run 2 "$OBJLOAD" --executor="$fake close3" --run good_answer "$F/good.o"
has err "executor exited with status 3"
lacks err "signal 9"
run 2 "$OBJLOAD" --executor="$fake page0" --run good_answer "$F/good.o"
has err "the executor says its page size is 0, not a power of two from 4096 to 1 GiB"
run 2 "$OBJLOAD" --executor="$fake os9" --run good_answer "$F/good.o"
has err "the executor says its OS is 9, which this controller does not know"
run 2 "$OBJLOAD" --executor="$fake arch9" --run good_answer "$F/good.o"
has err "the executor (python3) runs an instruction set this objload does not know (9)"
RTLINK_EXECUTOR_TIMEOUT=0 run 2 "$OBJLOAD" --executor="$fake close3" --run good_answer "$F/good.o"
has err "RTLINK_EXECUTOR_TIMEOUT=0: expected whole seconds from 1 to 86400"
echo ok
