# The aarch64 executor (build-arm64: cross/aarch64-linux-gnu.ini) under
# qemu-user, driven from this x86-64 build: the protocol from Python
# (aarch64_executor.py: the handshake, aarch64 code called with AAPCS64,
# thread-local storage, other conventions refused), then objload itself,
# which reports the executor's instruction set.
. "$(dirname "$0")/common.sh"
if [ -z "${AARCH64_EXECUTOR:-}" ]; then
  [ "${CI:-}" = true ] && fail "configure with -Daarch64_executor=PATH (scripts/dev test does)"
  echo "skipped: no aarch64 executor (configure with -Daarch64_executor=PATH)"
  exit 77
fi
need qemu-aarch64 aarch64-linux-gnu-gcc aarch64-linux-gnu-objcopy "$AARCH64_EXECUTOR"
python3 "$(dirname "$0")/aarch64_executor.py" || fail "the aarch64 executor (above)"
ex="qemu-aarch64 $AARCH64_EXECUTOR"
run 0 "$OBJLOAD" --executor="$ex" -c info
has out "0 units, 0 KiB mapped, executor out of process (qemu-aarch64, pid "
has out "), aarch64"
run 0 "$OBJLOAD" --json --executor="$ex" -c info
has out '"executor_arch":"aarch64"'
echo ok
