# Sourced by every CLI test: objload, the fixtures, a scratch directory, and
# small assertions that print what they saw when they fail.
set -eu
: "${OBJLOAD:?run through meson test}" "${RTLINK_FIXTURES:?run through meson test}"
F=$RTLINK_FIXTURES
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# run STATUS CMD...: runs CMD with stdout in $T/out and stderr in $T/err,
# and fails unless it exits with STATUS.
run() {
  local want=$1; shift
  set +e
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"
    fail "$* exited $got, expected $want"
  fi
}

# has FILE TEXT: FILE (out or err) contains TEXT literally.
has() {
  grep -qF -- "$2" "$T/$1" || { echo "--- $1:"; cat "$T/$1"; fail "$1 lacks: $2"; }
}

# lacks FILE TEXT: FILE (out or err) does not contain TEXT.
lacks() {
  ! grep -qF -- "$2" "$T/$1" || { echo "--- $1:"; cat "$T/$1"; fail "$1 has: $2"; }
}

# wine_run PROGRAM.exe ARGS...: runs a Windows program under wine, in a wine
# prefix of this test's own under the build tree (made on first use).
wine_run() {
  WINEPREFIX="${RTLINK_BUILD:?}/wineprefix-$(basename "$0" .sh)" WINEDEBUG=-all \
    /usr/lib/wine/wine64 "$@"
}

# need PROGRAM|FILE...: what a test of real inputs needs (a program on PATH or
# a file). When one is missing the test is skipped (status 77), except in CI
# (CI=true), where it fails: CI installs everything scripts/dev lists.
need() {
  local what
  for what; do
    if [ "${what#/}" = "$what" ]; then command -v "$what" >/dev/null && continue
    else [ -e "$what" ] && continue
    fi
    [ "${CI:-}" = true ] && fail "$what is missing (scripts/dev installs it)"
    echo "skipped: $what is missing"
    exit 77
  done
}

# linked STATUS PROGRAM ARGS...: runs the program a real toolchain linked, with
# stdin from /dev/null, keeping its stdout, stderr and exit status in
# $T/linked.{out,err,status} as what objload must reproduce; fails unless it
# exits with STATUS (the test's own inputs are checked before objload is).
linked() {
  local want=$1; shift
  set +e
  "$@" </dev/null >"$T/linked.out" 2>"$T/linked.err"
  echo $? >"$T/linked.status"
  set -e
  if [ "$(cat "$T/linked.status")" != "$want" ]; then
    echo "--- stdout"; cat "$T/linked.out"; echo "--- stderr"; cat "$T/linked.err"
    fail "the linked program $* exited $(cat "$T/linked.status"), expected $want"
  fi
}

# same_as_linked CMD...: runs CMD (objload on the linked program's inputs) as
# linked ran the program, and fails unless it exits with the same status and
# its stdout and stderr are the program's, byte for byte.
same_as_linked() {
  set +e
  "$@" </dev/null >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  local want
  want=$(cat "$T/linked.status")
  if [ "$got" != "$want" ] || ! cmp -s "$T/linked.out" "$T/out" || ! cmp -s "$T/linked.err" "$T/err"; then
    echo "--- stdout (- linked, + this run)"; diff -u "$T/linked.out" "$T/out" | tail -n +3 || true
    echo "--- stderr (- linked, + this run)"; diff -u "$T/linked.err" "$T/err" | tail -n +3 || true
    fail "$* exited $got (the linked program: $want), output above"
  fi
}
