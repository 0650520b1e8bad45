# A real program as its toolchain builds it: Haskell (fixtures/real/Main.hs:
# forkIO and MVars, Integer arithmetic, Data.Map from containers, exceptions
# caught, exitWith (ExitFailure 3)) compiled and linked by ghc -O. objload is
# given the inputs of ghc's own link command as `ghc -v` prints it -- the
# objects, -L directories and -l libraries in that order, -lm twice as ghc
# gives it -- with nothing added; only the gcc driver's flags are left out
# (fixtures/real/ghc-build.sh). In-process and with --executor=child it must
# print the same and exit with the same status (3).
. "$(dirname "$0")/common.sh"
need ghc gcc
unset GHCRTS
"$RTLINK_SOURCE/fixtures/real/ghc-build.sh" "$T/ghc"
mapfile -t inputs <"$T/ghc/inputs.args"
linked 3 "$T/ghc/prog"
has linked.out "counter: 10000"
has linked.out "30! = 265252859812191058636308480000000"
has linked.out 'map: [("brown",1),("dog",1),("fox",2),("jumps",1),("lazy",1),("over",1),("quick",1),("the",3)]'
has linked.out "caught: divide by zero"
has linked.err "exiting with 3"

same_as_linked "$OBJLOAD" --run main "${inputs[@]}"
same_as_linked "$OBJLOAD" --executor=child --run main "${inputs[@]}"
echo ok
