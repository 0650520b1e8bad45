# --help tells the truth: every option it lists is accepted.
. "$(dirname "$0")/common.sh"
run 0 "$OBJLOAD" --help
for opt in -L -l --run --stats --trace --help --version; do has out "$opt"; done
has out "compressed with zstd"  # (cli-zstd shows it is so)
run 0 "$OBJLOAD" --version
has out "objload (rtlink)"
run 42 "$OBJLOAD" --stats --trace -L "$F" -l base --run rts_main "$F/rts.o"
echo ok
