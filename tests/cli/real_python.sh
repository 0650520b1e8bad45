# A real program as its toolchain builds it: a C host embedding CPython 3.11
# from Debian's libpython3.11.a, which is not PIC (fixtures/real/python_host.c
# running script.py: a dict comprehension, math, json, big integers, exceptions
# caught, one left to the interpreter), compiled with gcc's defaults (PIE) and
# linked by gcc with what `python3.11-config --ldflags --embed` prints plus
# -lz -lexpat. objload, given the same object and the same libraries,
# in-process and with --executor=child, must print the same and exit with the
# same status (7, from the script).
. "$(dirname "$0")/common.sh"
R=$RTLINK_SOURCE/fixtures/real
# Debian's, not another python3.11-config earlier on PATH (pyenv's).
config=/usr/bin/python3.11-config
static=/usr/lib/python3.11/config-3.11-x86_64-linux-gnu/libpython3.11.a
need gcc "$config" "$static" /usr/lib/python3.11/json/__init__.py
cd "$T"
cp "$R/script.py" .
# The interpreter finds the standard library in /usr/lib/python3.11 (not from
# the executable's path, which differs), and nothing else in the environment
# changes what it does. Modules built into libpython3.11.a (math, _sre, ...)
# serve; json works without its accelerator (lib-dynload's _json cannot bind
# to a static interpreter: its ImportError is caught by json itself).
for v in $(compgen -e | grep '^PYTHON' || true); do unset "$v"; done
export PYTHONHOME=/usr PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 LC_ALL=C.UTF-8

read -ra cflags <<<"$("$config" --cflags)"
gcc "${cflags[@]}" -c "$R/python_host.c" -o host.o
# The flags python3.11-config prints, but -lpython3.11 named as the static
# library's file: its -L directory holds a libpython3.11.so symlink, which ld
# (and objload) would take instead of the .a.
libs=()
for f in $("$config" --ldflags --embed) -lz -lexpat; do
  if [ "$f" = -lpython3.11 ]; then libs+=("$static"); else libs+=("$f"); fi
done
[[ " ${libs[*]} " == *" $static "* ]] || fail "python3.11-config printed no -lpython3.11: ${libs[*]}"
# libpython3.11.a is not PIC: gcc links it into a position-dependent executable.
gcc -no-pie host.o "${libs[@]}" -o host
linked 7 ./host script.py
has linked.out 'json {"n": 3, "name": "rtlink", "none": null, "ok": true, "pi": 3.5, "tags": ["linker", "runtime"]}'
has linked.out "caught RuntimeError('outer') from AppError('inner')"
has linked.out "host: exiting with 7"
has linked.err "ValueError: uncaught, printed by the interpreter"

same_as_linked "$OBJLOAD" --run main host.o "${libs[@]}" -- script.py
same_as_linked "$OBJLOAD" --executor=child --run main host.o "${libs[@]}" -- script.py
echo ok
