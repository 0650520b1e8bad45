# implib-gen against llvm-dlltool and llvm-lib: for the same .def, the same
# import library, byte for byte (implib-gen writes it itself, by the rules
# LLVM's writer follows), on each machine, with --kill-at, and in lib.exe's
# flavor; the same output wherever and whenever it is written; and the --json
# manifest says what the library holds, as symdump reads it.
. "$(dirname "$0")/common.sh"
: "${IMPLIB_GEN:?}" "${SYMDUMP:?}"
S=$RTLINK_SOURCE/fixtures/implib
DLLTOOL=/usr/lib/llvm-19/bin/llvm-dlltool
NM=/usr/lib/llvm-19/bin/llvm-nm

for pair in x86-64:i386:x86-64 i386:i386 arm64:arm64; do
  ours=${pair%%:*} theirs=${pair#*:}
  for def in features stdcall renames; do
    for kill in "" --kill-at; do
      [ -n "$kill" ] && [ "$ours" != i386 ] && continue
      rm -f "$T/ours.a" "$T/theirs.a"
      run 0 "$IMPLIB_GEN" --machine="$ours" $kill --def "$S/$def.def" -o "$T/ours.a"
      $DLLTOOL -m "$theirs" ${kill:+-k} -d "$S/$def.def" -l "$T/theirs.a"
      $NM "$T/ours.a" > "$T/ours.nm"
      $NM "$T/theirs.a" > "$T/theirs.nm"
      diff "$T/theirs.nm" "$T/ours.nm" || fail "$def.def, $ours $kill: symbols differ from llvm-dlltool's"
      cmp "$T/theirs.a" "$T/ours.a" || fail "$def.def, $ours $kill: bytes differ from llvm-dlltool's"
    done
  done
done
# (the last library compared was renames.def's, on arm64)
grep -q "W __imp_al2" "$T/ours.nm" && grep -q "D __imp_dat" "$T/ours.nm" ||
  fail "the comparison compared nothing: $(cat "$T/ours.nm")"

# --flavor=msvc (lib.exe's .def dialect: foo@4 is decorated already) against
# llvm-lib.
LLVM_LIB=/usr/lib/llvm-19/bin/llvm-lib
for pair in x86-64:x64 i386:x86 arm64:arm64; do
  ours=${pair%%:*} theirs=${pair#*:}
  for def in features stdcall renames; do
    rm -f "$T/ours.lib" "$T/theirs.lib"
    run 0 "$IMPLIB_GEN" --flavor=msvc --machine="$ours" --def "$S/$def.def" -o "$T/ours.lib"
    $LLVM_LIB /def:"$S/$def.def" /machine:"$theirs" /out:"$T/theirs.lib" > /dev/null
    cmp "$T/theirs.lib" "$T/ours.lib" || fail "$def.def, $ours, msvc: bytes differ from llvm-lib's"
  done
done
$NM "$T/ours.lib" | grep -q "W __imp_al2" || fail "renames.def, msvc: no weak alias"

# More members than the second linker member can number (0xfffe): the GNU
# layout, as LLVM's writer falls back to.
{
  echo "LIBRARY many.dll"
  echo "EXPORTS"
  for ((n = 0; n < 66000; n++)); do echo "  f$n"; done
} > "$T/many.def"
run 0 "$IMPLIB_GEN" --def "$T/many.def" -o "$T/ours.a"
$DLLTOOL -m i386:x86-64 -d "$T/many.def" -l "$T/theirs.a"
cmp "$T/theirs.a" "$T/ours.a" || fail "66,000 exports: bytes differ from llvm-dlltool's"

# Deterministic: another directory, another name, a second later.
mkdir -p "$T/elsewhere"
run 0 "$IMPLIB_GEN" --def "$S/features.def" -o "$T/one.a"
sleep 1
(cd "$T/elsewhere" && run 0 "$IMPLIB_GEN" --def "$S/features.def" -o other-name.dll.a)
cmp "$T/one.a" "$T/elsewhere/other-name.dll.a" || fail "the output depends on its path or the time"
ar tv "$T/one.a" | grep -v " 1970 " && fail "a member carries a timestamp"
for format in --long --delay; do
  run 0 "$IMPLIB_GEN" $format --def "$S/rts.def" -o "$T/one.a"
  (cd "$T/elsewhere" && run 0 "$IMPLIB_GEN" $format --def "$S/rts.def" -o lib.a)
  cmp "$T/one.a" "$T/elsewhere/lib.a" || fail "$format: the output depends on its path"
done

# The manifest against what symdump reads from the library written with it.
run 0 "$IMPLIB_GEN" --def "$S/features.def" -o "$T/m.a" --json
cp "$T/out" "$T/manifest.json"
run 0 "$SYMDUMP" --format=json "$T/m.a"
python3 - "$T/manifest.json" "$T/out" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
dump = json.load(open(sys.argv[2]))
assert manifest["dll"] == "features.dll", manifest["dll"]
members = {}
for f in dump["files"]:
    for m in f.get("members", []):
        for s in m["symbols"]:
            if s.get("dll") and not s["name"].startswith("__imp_"):
                members[s["name"]] = s
        for s in m["symbols"]:
            if s.get("dll") and s["name"].startswith("__imp_"):
                members.setdefault(s["name"][6:], s)
seen = 0
for e in manifest["exports"]:
    if e.get("private"):
        assert e["symbol"] not in members, e
        continue
    if e.get("name_type") == "alias":
        continue
    s = members.get(e["symbol"])
    assert s, ("not in the library", e["symbol"], sorted(members))
    assert s["name_type"] == e["name_type"], (e, s)
    assert s["import_type"] == e["type"], (e, s)
    if e["ordinal"] is not None and e["name_type"] == "ordinal":
        assert s["ordinal"] == e["ordinal"], (e, s)
    if e["hint"] is not None:
        assert s.get("hint", 0) == e["hint"], (e, s)
    seen += 1
assert seen >= 10, seen
print("manifest agrees on", seen, "exports")
PY
echo ok
