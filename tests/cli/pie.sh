# An object built with the compiler's defaults (PIE on Debian) uses stdout and
# stderr through pc-relative references: objload serves them.
. "$(dirname "$0")/common.sh"
run 42 "$OBJLOAD" --run pie_stdio "$F/pie_stdio.o"
has out "stdout from a PIE object"
has err "stderr from a PIE object"
echo ok
