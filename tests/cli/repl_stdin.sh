# Commands from stdin and from -c; errors in a command are printed and the
# session goes on; the exit status says whether every command succeeded;
# --json prints one valid JSON object per result.
. "$(dirname "$0")/common.sh"
SQLITE=/usr/lib/x86_64-linux-gnu/libsqlite3.a

printf 'load %s\nresolve\ncall sqlite3_libversion_number\nlookup sqlite3_open\n' "$SQLITE" > "$T/script"
run 0 "$OBJLOAD" < "$T/script"
has out "sqlite3_libversion_number returned 30"
has out "sqlite3_open = 0x"
has out "(${SQLITE}(main.o))"

# Bad commands and bad arguments: a message each, and the session goes on.
printf 'bogus\ncall\ncall labs abc\npath remove /nowhere\nload /no/such.o\nlookup nosuch\nload %s/rts.o %s/base.o\nresolve\ncall rts_main\n' "$F" "$F" > "$T/bad"
run 1 "$OBJLOAD" < "$T/bad"
has out "error: unknown command bogus (help lists the commands)"
has out "error: usage: call SYMBOL [ARG...] [--ms|--sysv]"
has out "error: argument 1 (abc) is not a number; write strings in double quotes"
has out "error: /nowhere is not on the search path"
has out "error: /no/such.o: cannot read"
has out "error: symbol 'nosuch' not found"
has out "rts_main returned 42 (0x2a)"

# Arguments: integers, hex, strings, floats; either calling convention.
run 0 "$OBJLOAD" -c 'call labs -42; call labs 0x10; call strlen "hello world"; call atoi "  17"; call ldexp 1.5 3'
has out "labs returned 42 (0x2a)"
has out "labs returned 16 (0x10)"
has out "strlen returned 11 (0xb)"
has out "atoi returned 17 (0x11)"
run 0 "$OBJLOAD" -c ":load $F/coff/rts.gnu.obj $F/coff/base.gnu.obj; :resolve; :call rts_main; call rts_allocate 21"
has out "rts_main returned 42"
has out "rts_allocate returned 42"

# Files on the command line, then -c; a leading ':' as in GHCi; quit.
run 0 "$OBJLOAD" "$F/rts.o" "$F/base.o" -c 'syms rts_*; undefined; info; quit; call rts_main'
has out "rts_main  (${F}/rts.o)"
has out "nothing is undefined"
has out "2 units, 20 KiB mapped, executor in-process, x86-64"
if grep -q "rts_main returned" "$T/out"; then fail "a command after quit ran"; fi

# --json: one JSON object per result, each valid.
run 1 "$OBJLOAD" --json -c "load $F/rts.o $F/base.o; resolve; call rts_main; lookup rts_allocate; nope"
python3 - "$T/out" <<'PY' || fail "--json output is not one valid JSON object per line"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
objs = [json.loads(l) for l in lines]
assert [o["command"] for o in objs] == ["load", "resolve", "call", "lookup", "nope"], objs
assert objs[2]["result"] == 42 and objs[2]["hex"] == "0x2a" and objs[2]["ok"]
assert objs[3]["defined_by"].endswith("rts.o")
assert objs[4]["ok"] is False and "unknown command" in objs[4]["error"]
PY
# A name that is not UTF-8 (a valid object's: int x __asm__("caf\xe9")) is
# written with U+FFFD, its bytes beside it in hex (tools/common/json_output.hpp).
printf 'int x __asm__("caf\\xe9") = 42;\n' > "$T/cafe.c"
gcc -c "$T/cafe.c" -o "$T/cafe.o"
run 0 "$OBJLOAD" --json -c "syms caf*; lookup $(printf 'caf\351')" "$T/cafe.o"
python3 - "$T/out" <<'PY' || fail "--json with a name that is not UTF-8: $(cat "$T/out")"
import json, sys
syms, lookup = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
s = syms["symbols"][0]
assert s["name"] == "caf\ufffd" and bytes.fromhex(s["name_bytes"]) == b"caf\xe9", s
assert lookup["ok"] and lookup["symbol"] == "caf\ufffd" and lookup["symbol_bytes"] == "636166e9", lookup
PY
echo ok
