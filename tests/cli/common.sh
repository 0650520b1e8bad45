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

# wine_run PROGRAM.exe ARGS...: runs a Windows program under wine, in a wine
# prefix of this test's own under the build tree (made on first use).
wine_run() {
  WINEPREFIX="${RTLINK_BUILD:?}/wineprefix-$(basename "$0" .sh)" WINEDEBUG=-all \
    /usr/lib/wine/wine64 "$@"
}
