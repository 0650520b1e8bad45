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
run 42 "$OBJLOAD" --trace --run rts_main "$F/rts.o" "$F/base.o"
has err "objload: loaded $F/rts.o"
has err "base_runSparks -> $F/base.o"
has err "rts_allocate -> $F/rts.o"
has err "objload: rts_main returned 42"
echo ok
