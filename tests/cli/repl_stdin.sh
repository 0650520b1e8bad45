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

# What a call returns, as -> says: a double (in-process and in the executor,
# whose protocol carries it), an int (eax, sign-extended), a long by default.
cat > "$T/half.c" <<'C'
double half(double x) { return x / 2; }
double scaled(long k, double x, double y) { return k * x + y; }
int minus(int x) { return -x; }  /* neg eax: rax's upper half is 0 */
float third(float x) { return x / 3; }
float fmix(int k, float x, double y) { return k * x + (float)y; }
C
gcc -O1 -c "$T/half.c" -o "$T/half.o"
for ex in in-process child; do
  run 0 "$OBJLOAD" --executor=$ex "$T/half.o" -c 'call strtod "2.5" 0 -> double; call half 3.0 -> double; call half 6.0 ->double; call scaled 3 0.5 -1e-3 -> double; call minus 5 -> int; call minus 5'
  has out "half returned 1.5"
  has out "half returned 3.0"
  has out "strtod returned 2.5"
  has out "scaled returned 1.499"
  has out "minus returned -5 (0xfffffffb)"
  has out "minus returned 4294967291 (0xfffffffb)"
  # A float: 1.5f fills the low half of its register; -> float reads the
  # low half of xmm0 (printed as the shortest text that reads back as a float).
  run 0 "$OBJLOAD" --executor=$ex "$T/half.o" -c 'call third 1.5f -> float; call fmix 2 0.25f 1.0 -> float; call strtof "0.1" 0 -> float'
  has out "third returned 0.5"
  has out "fmix returned 1.5"
  has out "strtof returned 0.1"
done
# The same in the Microsoft x64 convention (a COFF object: arguments by
# position, k in rcx, x and y in xmm1 and xmm2).
if command -v x86_64-w64-mingw32-gcc >/dev/null; then
  x86_64-w64-mingw32-gcc -O1 -c "$T/half.c" -o "$T/half.obj"
  run 0 "$OBJLOAD" "$T/half.obj" -c 'call half 3.0 -> double; call scaled 3 0.5 -1e-3 -> double; call fmix 2 0.25f 1.0 -> float'
  has out "half returned 1.5"
  has out "scaled returned 1.499"
  has out "fmix returned 1.5"
elif [ "${CI:-}" = true ]; then
  fail "x86_64-w64-mingw32-gcc is missing (scripts/dev installs it)"
fi
run 1 "$OBJLOAD" -c 'call atoi "1" -> char; call atoi "1" ->; call atoi 1.5x'
has out "error: -> needs the result's type: long, int, double or float, not char"
has out "error: -> needs the result's type: long, int, double or float"
has out "error: argument 1 (1.5x) is not a number"
run 0 "$OBJLOAD" --json -c "load $T/half.o; call half 5.0 -> double"
python3 - "$T/out" <<'PY' || fail "--json call -> double: $(cat "$T/out")"
import json, sys
call = [json.loads(l) for l in open(sys.argv[1])][-1]
assert call["ok"] and call["type"] == "double" and call["result"] == 2.5 and call["text"] == "2.5", call
PY

# A call (or a lookup) after load resolves on demand, saying nothing unless
# that fails; "1 unit".
run 0 "$OBJLOAD" -c "load $T/half.o; call half 3.0 -> double; info; load $F/good.o; lookup good_answer"
lacks out "resolved ("
has out "half returned 1.5"
has out "1 unit, "
has out "good_answer = 0x"
run 0 "$OBJLOAD" -c "load $T/half.o; resolve"
has out "resolved (1 unit loaded)"
run 1 "$OBJLOAD" -c "load $F/undefined.o $F/good.o; call good_answer"
has out "error: resolving what was loaded, to find good_answer: undefined symbol: no_such_function"

# A shell command: the rest of the line, ';' included; a status other than 0 fails.
run 0 "$OBJLOAD" -c ':! echo one; echo two'
has out "one"
has out "two"
run 1 "$OBJLOAD" -c 'call labs -1; !exit 3'
has out "error: the shell command exited with status 3"

# help lists the new commands, and says what Ctrl-C does to a call.
run 0 "$OBJLOAD" -c 'help; help call; help r; help !'
has out "call SYMBOL [ARG...] [--ms|--sysv] [-> long|int|double|float]"
has out "  reload"
has out "  !COMMAND"
has out "Ctrl-C during it ends objload; with --executor=child, Ctrl-C stops the call"

# reload: what changed on disk is unloaded and loaded again, with what
# depends on it (w.o calls v.o's v), then resolved; the rest stays.
printf 'int v(void) { return 1; }\n' > "$T/v.c"
printf 'int v(void); int w(void) { return 10 * v(); }\n' > "$T/w.c"
printf 'int u(void) { return 7; }\n' > "$T/u.c"
for f in v w u; do gcc -c "$T/$f.c" -o "$T/$f.o"; done
run 0 "$OBJLOAD" "$T/u.o" -c "load $T/v.o $T/w.o; call w; :reload; !sed -i s/1/2/ $T/v.c && gcc -c $T/v.c -o $T/v.o
:r; call w; call u; call v"
has out "w returned 10 (0xa)"
has out "nothing changed on disk"
has out "reloaded $T/v.o"
has out "reloaded $T/w.o"
lacks out "reloaded $T/u.o"
has out "w returned 20 (0x14)"
has out "u returned 7 (0x7)"
has out "v returned 2 (0x2)"
# ... and what went with a lost executor (a crash in the child), changed on
# disk or not, with what was loaded from the command line; then no more.
run 1 "$OBJLOAD" --executor=child "$F/good.o" -c "load $F/crash.o; call boom; call good_answer; reload; call good_answer; reload"
has out "executor terminated by signal 11 (SIGSEGV) while running boom"
has out "error: symbol 'good_answer' not found"
has out "reloaded $F/good.o"
has out "reloaded $F/crash.o"
has out "good_answer returned 42 (0x2a)"
has out "nothing changed on disk"

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
