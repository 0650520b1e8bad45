# --help tells the truth: every option it lists is accepted.
. "$(dirname "$0")/common.sh"
run 0 "$OBJLOAD" --help
for opt in -L -l -Bstatic -Bdynamic -static --run --stats --trace --executor --io --cache --help --version; do has out "$opt"; done
has out "compressed with zstd"  # (cli-zstd shows it is so)
run 0 "$OBJLOAD" --version
has out "objload (rtlink)"
run 42 "$OBJLOAD" --stats --trace -L "$F" -l base --run rts_main "$F/rts.o"
run 42 "$OBJLOAD" -Bstatic -L "$F" -l base -Bdynamic -static --run rts_main "$F/rts.o"

# implib-gen: every option --help lists is taken (the rest of implib-gen's
# behaviour is in the implib_* tests).
: "${IMPLIB_GEN:?}"
run 0 "$IMPLIB_GEN" --help
for opt in --def --dll --export-all -o --output --dll-name --flavor --long --delay --machine --kill-at \
           --def-out --json --allow-duplicates --help --version; do has out "$opt"; done
has out "compressed with zstd"
run 0 "$IMPLIB_GEN" --version
has out "implib-gen (rtlink)"
D=$RTLINK_SOURCE/fixtures/implib
run 0 "$IMPLIB_GEN" --def "$D/stdcall.def" --output "$T/a.a" --dll-name=s.dll --flavor=msvc \
  --machine i386 --kill-at --def-out "$T/a.def" --json --allow-duplicates
has out '"name_type": "undecorate"'
run 0 "$IMPLIB_GEN" --def "$D/stdcall.def" --output "$T/l.a" --machine=i386 --long
run 0 "$IMPLIB_GEN" --def "$D/rts.def" --output "$T/d.a" --delay
echo ok
