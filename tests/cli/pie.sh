# An object built with the compiler's defaults (PIE on Debian) uses stdout and
# stderr through pc-relative references: objload serves them.
. "$(dirname "$0")/common.sh"
run 42 "$OBJLOAD" --run pie_stdio "$F/pie_stdio.o"
has out "stdout from a PIE object"
has err "stderr from a PIE object"

# The C library's data reached every way PIE and -fno-pic code reach it
# (loads of every width into general and vector registers, stores,
# addresses, elements past the start), as gcc's links of the same objects
# do, in-process and in the child executor.
cd "$T"
for cc in gcc clang-14; do
  for model in "" "-fno-pic"; do
    # shellcheck disable=SC2086
    $cc -O2 $model -c "$RTLINK_SOURCE/fixtures/far_data.c" -o far.o
    # shellcheck disable=SC2086
    gcc $model $( [ -n "$model" ] && echo -no-pie) far.o -o far.prog
    linked 41 ./far.prog
    has linked.out "loads: 1 1 1 1 1 1 1"
    same_as_linked "$OBJLOAD" --run main far.o
    same_as_linked "$OBJLOAD" --executor=child --run main far.o
  done
done
echo ok
