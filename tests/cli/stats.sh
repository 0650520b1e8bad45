# --stats: time and memory per phase, on stderr; --trace: what bound to what.
. "$(dirname "$0")/common.sh"
run 42 "$OBJLOAD" --stats --run main "$F/q.o" /usr/lib/x86_64-linux-gnu/libsqlite3.a
for phase in read parse load resolve layout fixup run; do
  grep -qE "^objload: $phase +[0-9.]+ ms +[0-9.]+ MiB$" "$T/err" || { cat "$T/err"; fail "no $phase row"; }
done
has err "pulled from archives"
# Where memory went: sqlite's pages, its 88 units' tables, the archive mapped.
grep -qE "^objload: memory: [0-9.]+ (KiB|MiB) placed \(code [0-9.]+ (KiB|MiB), read-only [0-9.]+ (KiB|MiB), data [0-9.]+ (KiB|MiB)\), link units [0-9.]+ MiB, symbol tables [0-9.]+ (KiB|MiB), inputs [0-9.]+ MiB$" "$T/err" ||
  { cat "$T/err"; fail "no memory line, or link units and inputs under 1 MiB"; }
# What the link read of a member and no longer needs leaves the resident set:
# a 4 MiB table, copied into place, is given back (it stayed: 4,100 KiB).
printf 'const unsigned char big_table[4 << 20] = {1};\nint big_first(void) { return big_table[0] + 41; }\n' >"$T/big.c"
printf 'int big_first(void);\nint main(void) { return big_first(); }\n' >"$T/main.c"
gcc -c -O1 "$T/big.c" -o "$T/big.o" && gcc -c -O1 "$T/main.c" -o "$T/main.o" &&
  ar rcs "$T/libbig.a" "$T/big.o" || fail "cannot build libbig.a"
run 0 "$OBJLOAD" -c 'resolve; !awk "/libbig\.a/{p=1;next} /^[0-9a-f]+-/{p=0} p&&/^Rss:/{kib+=\$2} END{print \"resident\", kib}" /proc/$PPID/smaps' \
  "$T/main.o" "$T/libbig.a"
kib=$(sed -n 's/^resident \([0-9]*\)$/\1/p' "$T/out")
[ -n "$kib" ] && [ "$kib" -lt 1024 ] || { cat "$T/out"; fail "libbig.a's member stayed resident (${kib:-?} KiB)"; }
run 42 "$OBJLOAD" --run main "$T/main.o" "$T/libbig.a"
run 42 "$OBJLOAD" --trace --run rts_main "$F/rts.o" "$F/base.o"
has err "objload: loaded $F/rts.o"
has err "base_runSparks -> $F/base.o"
has err "rts_allocate -> $F/rts.o"
has err "objload: rts_main returned 42"
echo ok
