# Libraries as a toolchain links them: -l found as GNU ld finds it, a library
# named twice loaded once, -Bstatic/-Bdynamic, the process's global scope
# before loaded libraries, and advice that never means the static libc.a.
. "$(dirname "$0")/common.sh"

# Copy-relocated data (stdout, held by the executable) is the process's one
# copy even when loaded libraries (libm, libz: both need libc.so.6) offer the
# name too; the trace says where each reference came from.
for ex in in-process child; do
  run 0 "$OBJLOAD" --executor=$ex --trace --run main "$F/process_data.o" -lm -lz
  has out "stdout is the process's: yes"
  has err "stdout -> process 0x"
  has err "printf -> process 0x"
done
# A link restored from the cache looks the names up again in the same order.
for i in 1 2; do
  run 0 "$OBJLOAD" --cache "$T/cache" --stats --run main "$F/process_data.o" -lm -lz
  has out "stdout is the process's: yes"
done
has err "link cache: 1 hit"
run 0 "$OBJLOAD" -c "lookup stdout" -lm "$F/process_data.o"
has out "(process)"

# A library named twice (ghc's link lines say -lm twice) is loaded once: the
# second mention is skipped, and --trace says so. So is what a linker script
# names that is loaded already, an archive named again, and -l:FILE.
run 0 "$OBJLOAD" --trace --run main "$F/process_data.o" -lm -lm
has err "skipped -lm (/lib/x86_64-linux-gnu/libm.so): already loaded"
run 0 "$OBJLOAD" --trace --run main "$F/process_data.o" /lib/x86_64-linux-gnu/libm.so \
  /usr/lib/x86_64-linux-gnu/libm.so
has err "skipped /lib/x86_64-linux-gnu/libm.so.6 (named by /usr/lib/x86_64-linux-gnu/libm.so): already loaded"
run 0 "$OBJLOAD" --run main "$F/process_data.o" /lib/x86_64-linux-gnu/libz.so.1 -lz
run 42 "$OBJLOAD" --trace --run rts_main "$F/rts.o" -L "$F" -lbase "$F/libbase.a" -l:libbase.a -lbase
has err "skipped archive $F/libbase.a: already loaded"
has err "skipped -l:libbase.a ($F/libbase.a): already loaded"
run 0 "$OBJLOAD" -c "load $F/libbase.a; load $F/libbase.a; info" "$F/libbase.a"
run 1 "$OBJLOAD" -c "load $F/good.o" "$F/good.o"  # an object named twice is an error
has out "good.o: already loaded"

# -lNAME: each -L directory in order (wherever -L stands), then the system's;
# in each, libNAME.so before libNAME.a. -Bstatic: libNAME.a only, for the -l
# options after it, until -Bdynamic.
mkdir -p "$T/one" "$T/two"
cp "$F/libbase.a" "$T/two/libpick.a"
cp /usr/lib/x86_64-linux-gnu/libsqlite3.so "$T/two/libpick.so"
cp "$F/libbase.a" "$T/one/libpick.a"
run 0 "$OBJLOAD" --trace -c "find pick" -lpick -L "$T/one" -L "$T/two"
has err "loaded archive $T/one/libpick.a"
run 0 "$OBJLOAD" --trace -c "info" -lpick -L "$T/two"
has err "loaded library $T/two/libpick.so"
run 0 "$OBJLOAD" --trace -c "info" -Bstatic -lpick -Bdynamic -lz -L "$T/two"
has err "loaded archive $T/two/libpick.a"
has err "loaded library /lib/x86_64-linux-gnu/libz.so"
run 0 "$OBJLOAD" --trace -c "info" -static -lz
has err "loaded archive /lib/x86_64-linux-gnu/libz.a"
run 2 "$OBJLOAD" -Bstatic -lsqlite3-no-such --run main "$F/process_data.o"
has err "cannot find library -lsqlite3-no-such (static: libsqlite3-no-such.a; searched"

# Advice for an undefined name never names the static C library libc.a,
# which cannot join a process that runs the shared one: __libc_setup_tls is
# defined by libc.a alone.
echo 'void __libc_setup_tls(void); int main(void) { __libc_setup_tls(); return 0; }' |
  gcc -c -x c - -o "$T/static_only.o"
run 2 "$OBJLOAD" --run main "$T/static_only.o" -lc
has err "undefined symbol: __libc_setup_tls"
if grep -q "libc\.a" "$T/err"; then fail "advice names the static libc.a: $(cat "$T/err")"; fi
# atexit, which glibc keeps in libc_nonshared.a, needs no -lc: rtlink gives
# each unit its own (tests/cli/nonshared.sh).
run 0 "$OBJLOAD" --run main "$F/exits.o"
[ "$(cat "$T/out")" = "return 0; [atexit handler] [destructor]" ] || fail "exits.o: $(cat "$T/out")"
echo ok
