# A real archive nobody here wrote: sqlite, members pulled in on demand.
. "$(dirname "$0")/common.sh"
run 42 "$OBJLOAD" --run main "$F/q.o" /usr/lib/x86_64-linux-gnu/libsqlite3.a
has out "select sum(x) from t = 42"
# Archive before the object that needs it: members are pulled at resolve, so order does not matter.
run 42 "$OBJLOAD" --run main /usr/lib/x86_64-linux-gnu/libsqlite3.a "$F/q.o"
echo ok
