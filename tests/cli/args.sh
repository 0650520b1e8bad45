# --run main passes argv[0] = "objload" and the arguments after --.
. "$(dirname "$0")/common.sh"
run 3 "$OBJLOAD" --run main "$F/args.o" -- first "second arg"
has out "argv[0] = objload"
has out "argv[1] = first"
has out "argv[2] = second arg"
run 1 "$OBJLOAD" --run main "$F/args.o"
run 2 "$OBJLOAD" --run good_answer "$F/good.o" -- x
has err "arguments after -- are passed to main"
run 42 "$OBJLOAD" --run good_answer "$F/good.o"
# Without --run: load and resolve only.
run 0 "$OBJLOAD" "$F/rts.o" "$F/base.o"
echo ok
