# The README's demo runs and says what it promises.
. "$(dirname "$0")/common.sh"
run 0 bash "$RTLINK_SOURCE/scripts/demo" "$OBJLOAD" "$F"
has out "rts_allocate -> "
has out "rts_main returned 42"
has out "__imp_base_runSparks -> a cell made here for base_runSparks"
has out "select sum(x) from t = 42"
echo ok
