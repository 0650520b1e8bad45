# objload --cache: the second identical run is restored from the cache and
# says so under --stats and --trace; several processes filling one cache
# directory at once leave it whole; a damaged entry is a warning on stderr,
# and the run goes on with a full link.
. "$(dirname "$0")/common.sh"
SQLITE=/usr/lib/x86_64-linux-gnu/libsqlite3.a
C=$T/cache

run 42 "$OBJLOAD" --cache "$C" --stats --run main "$F/q.o" "$SQLITE"
has out "select sum(x) from t = 42"
has err "link cache: 0 hit, 1 missed (0 ignored), 1 stored"
[ "$(ls "$C"/*.rtlc | wc -l)" = 1 ] || fail "one entry expected in $C"
run 42 "$OBJLOAD" --cache="$C" --stats --trace --run main "$F/q.o" "$SQLITE"
has out "select sum(x) from t = 42"
has err "link cache: 1 hit, 0 missed (0 ignored), 0 stored"
has err "restored 88 units from the link cache: $C/"
# The same through the executor process (the bytes are written, not mapped).
run 42 "$OBJLOAD" --cache "$C" --executor=child --stats --run main "$F/q.o" "$SQLITE"
has err "link cache: 0 hit, 1 missed (0 ignored), 1 stored"
run 42 "$OBJLOAD" --cache "$C" --executor=child --stats --run main "$F/q.o" "$SQLITE"
has err "link cache: 1 hit"

# The cache's files are written where their paths say: an entry replaced
# whole, a symbolic link kept (its target written), an entry's mode kept.
C3=$T/linked
mkdir -p "$C3" "$T/elsewhere"
: > "$T/elsewhere/inputs"
ln -s "$T/elsewhere/inputs" "$C3/inputs"
run 42 "$OBJLOAD" --cache "$C3" --run main "$F/q.o" "$SQLITE"
[ -L "$C3/inputs" ] || fail "the cache replaced the link $C3/inputs"
grep -q "libsqlite3.a" "$T/elsewhere/inputs" || fail "the link's target was not written"

# Eight processes at once into an empty directory: every one runs, and the
# entry they leave is whole.
C2=$T/shared
pids=
for i in 1 2 3 4 5 6 7 8; do
  "$OBJLOAD" --cache "$C2" --run main "$F/q.o" "$SQLITE" > "$T/par$i.out" 2> "$T/par$i.err" &
  pids="$pids $!"
done
for p in $pids; do
  set +e; wait "$p"; s=$?; set -e
  [ "$s" = 42 ] || { cat "$T"/par*.err; fail "a concurrent run exited $s"; }
done
cat "$T"/par*.err > "$T/all.err"
if grep -q "warning" "$T/all.err"; then cat "$T/all.err"; fail "a concurrent run warned"; fi
[ -z "$(ls "$C2" | grep -v -e '\.rtlc$' -e '^inputs$')" ] || { ls "$C2"; fail "temporary files left in $C2"; }
run 42 "$OBJLOAD" --cache "$C2" --stats --run main "$F/q.o" "$SQLITE"
has err "link cache: 1 hit, 0 missed (0 ignored), 0 stored"

# A damaged entry: a warning naming it, the full link, the entry written again.
entry=$(ls "$C2"/*.rtlc)
head -c 5000 "$entry" > "$T/cut" && cat "$T/cut" > "$entry"
run 42 "$OBJLOAD" --cache "$C2" --stats --run main "$F/q.o" "$SQLITE"
has err "rtlink: warning: ignoring link cache entry $entry:"
has err "link cache: 0 hit, 1 missed (1 ignored), 1 stored"
run 42 "$OBJLOAD" --cache "$C2" --stats --run main "$F/q.o" "$SQLITE"
has err "link cache: 1 hit"

# A changed input is a miss; the cache is never used for another link.
cp "$F/rts.o" "$F/base.o" "$T/"
run 42 "$OBJLOAD" --cache "$C" --run rts_main "$T/rts.o" "$T/base.o"
run 42 "$OBJLOAD" --cache "$C" --stats --run rts_main "$T/rts.o" "$T/base.o"
has err "link cache: 1 hit"
printf 'x' >> "$T/base.o"  # a byte past the end of the object: another input
run 42 "$OBJLOAD" --cache "$C" --stats --run rts_main "$T/rts.o" "$T/base.o"
has err "link cache: 0 hit, 1 missed (0 ignored), 1 stored"

# The hash of an input unchanged for two seconds is remembered (DIR/inputs)
# with its file's identity; a change that keeps the size and the modification
# time still moves the change time, and is a miss.
C3=$T/memo
cp "$F/rts.o" "$T/memo-rts.o"
cp "$F/base.o" "$T/memo-base.o"
sleep 2.2
run 42 "$OBJLOAD" --cache "$C3" --run rts_main "$T/memo-rts.o" "$T/memo-base.o"
grep -qF "$T/memo-base.o" "$C3/inputs" || { cat "$C3/inputs"; fail "memo-base.o's hash not remembered"; }
run 42 "$OBJLOAD" --cache "$C3" --stats --run rts_main "$T/memo-rts.o" "$T/memo-base.o"
has err "link cache: 1 hit"
python3 - "$T/memo-base.o" <<'PY'
import os, sys
p = sys.argv[1]
st = os.stat(p)
b = bytearray(open(p, 'rb').read())
i = b.find(b'base.c')  # a local's name in the symbol table: harmless to the code
assert i > 0
b[i] = ord('B')
with open(p, 'r+b') as f:
    f.write(b)
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and modification time
PY
run 42 "$OBJLOAD" --cache "$C3" --stats --run rts_main "$T/memo-rts.o" "$T/memo-base.o"
has err "link cache: 0 hit, 1 missed (0 ignored), 1 stored"

# Usage.
run 2 "$OBJLOAD" --cache
has err "--cache needs a directory"
run 0 "$OBJLOAD" --help
has out "--cache DIR"
