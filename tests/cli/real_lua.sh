# A real program as its toolchain builds it: a C host embedding Lua 5.4 from
# Debian's liblua5.4.a (fixtures/real/lua_host.c running script.lua: string.format,
# math, table.sort, pcall, io.stderr), compiled with gcc's defaults (PIE) and
# linked by gcc with -llua5.4 -lm. objload, given the same object and the same
# libraries, in-process and with --executor=child, must print the same and exit
# with the same status (5, which the script returns).
. "$(dirname "$0")/common.sh"
R=$RTLINK_SOURCE/fixtures/real
need gcc /usr/include/lua5.4/lua.h /usr/lib/x86_64-linux-gnu/liblua5.4.a
cd "$T"
cp "$R/script.lua" .
gcc -O2 -c -I/usr/include/lua5.4 "$R/lua_host.c" -o host.o
# -llua5.4 is to find the static library: ld would take liblua5.4.so from the
# system directory, so lib/ holds the .a alone, named as ld names it.
mkdir lib
ln -s /usr/lib/x86_64-linux-gnu/liblua5.4.a lib/liblua5.4.a
libs=(-Llib -llua5.4 -lm)
gcc host.o "${libs[@]}" -o host
linked 5 ./host script.lua
has linked.out "sorted: apple, banana, cherry, date, fig, pear"
has linked.out "host: script returned 5"
has linked.err "caught: script.lua:15: attempt to index a nil value (local 't')"

same_as_linked "$OBJLOAD" --run main host.o "${libs[@]}" -- script.lua
same_as_linked "$OBJLOAD" --executor=child --run main host.o "${libs[@]}" -- script.lua
echo ok
