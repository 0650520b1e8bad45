# The rts <-> base cycle, both orders, and through an archive.
. "$(dirname "$0")/common.sh"
run 42 "$OBJLOAD" --run rts_main "$F/rts.o" "$F/base.o"
has out "rts: base_runSparks(5) = 11, closure entry(15) = 31, 2 callbacks into rts"
run 42 "$OBJLOAD" --run rts_main "$F/base.o" "$F/rts.o"
run 42 "$OBJLOAD" --run rts_main "$F/rts.o" -L "$F" -lbase
run 42 "$OBJLOAD" --run=rts_main "$F/rts.o" "-L$F" -l base
# The same cycle as COFF, from both Windows toolchains, called the Microsoft way.
for tc in gnu msvc; do
  run 42 "$OBJLOAD" --run rts_main "$F/coff/rts.$tc.obj" "$F/coff/base.$tc.obj"
  run 42 "$OBJLOAD" --run rts_main "$F/coff/base.$tc.obj" "$F/coff/rts.$tc.obj"
done
run 42 "$OBJLOAD" --run rts_main "$F/coff/rts.gnu.obj" "$F/coff/coffbase.lib"
# Told apart by content, not by name: an archive named like an object.
cp "$F/libbase.a" "$T/base-archive.o"
run 42 "$OBJLOAD" --run rts_main "$F/rts.o" "$T/base-archive.o"
echo ok
