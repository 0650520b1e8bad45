# Man pages (help2man, from each tool's --help) list every option --help
# lists; bash completion offers objload's options, their values and -l names.
. "$(dirname "$0")/common.sh"
B=${RTLINK_BUILD:?}
if ! command -v help2man >/dev/null; then
  [ "${CI:-}" = true ] && fail "help2man is missing (scripts/dev installs it)"
  echo "skipped: no help2man"; exit 77
fi
for tool in objload/objload objload-executor/objload-executor symdump/symdump implib-gen/implib-gen; do
  name=${tool#*/}
  page=$B/tools/$name.1
  [ -f "$page" ] || fail "no man page $page"
  MANWIDTH=120 man -l "$page" > "$T/$name.txt" 2>/dev/null || fail "man cannot read $page"
  grep -q "^NAME" "$T/$name.txt" || fail "$page has no NAME section"
  grep -q "^SYNOPSIS" "$T/$name.txt" || fail "$page has no SYNOPSIS"
  "$B/tools/$tool" --help > "$T/$name.help"
  # Every option --help lists ("  -x", "  --long", "  -x, --long") is in the page.
  for opt in $(sed -n 's/^  \(-[^ ,=]*\).*/\1/p' "$T/$name.help"); do
    grep -qe "$opt" "$T/$name.txt" || fail "$page does not list $opt"
  done
  grep -q "$("$B/tools/$tool" --version)" "$T/$name.txt" ||
    grep -q "$(sed -n 's/.*(rtlink) //p' <<<"$("$B/tools/$tool" --version)")" "$T/$name.txt" ||
    fail "$page does not name the version"
done
grep -q -- "--executor=WHERE" "$T/objload.txt" || fail "objload.1 lacks --executor=WHERE"
# Both forms of the command line are in the synopsis.
sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" "$T/objload.txt" | grep -q -- "objload \[OPTION\]... \[--json\]" ||
  fail "objload.1: the REPL form is not in the SYNOPSIS"

# Completion, as bash calls it: COMP_WORDS and COMP_CWORD, then COMPREPLY.
complete_line() {
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _objload; printf "%s\n" "${COMPREPLY[@]}"' \
    complete "$RTLINK_SOURCE/tools/objload/objload.bash" "$@"
}
complete_line "$B/tools/objload/objload" --ca > "$T/c1"
grep -qx -- "--cache" "$T/c1" || fail "--ca did not complete to --cache: $(cat "$T/c1")"
complete_line "$B/tools/objload/objload" --exe > "$T/c2"
grep -qx -- "--executor=" "$T/c2" || fail "--exe did not complete to --executor=: $(cat "$T/c2")"
complete_line "$B/tools/objload/objload" --executor=c > "$T/c3"
grep -qx -- "--executor=child" "$T/c3" || fail "--executor=c did not complete to child: $(cat "$T/c3")"
complete_line "$B/tools/objload/objload" -l sqlite > "$T/c4"
grep -qx "sqlite3" "$T/c4" || fail "-l sqlite did not offer sqlite3: $(cat "$T/c4")"
echo ok
