# bash completion for objload (installed as share/bash-completion/completions/objload).
# The options come from `objload --help`, so they are the ones objload takes.
_objload() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local objload=${COMP_WORDS[0]}
  COMPREPLY=()
  case $prev in
    -L|--cache) mapfile -t COMPREPLY < <(compgen -d -- "$cur"); return ;;
    -c|--run) return ;;
    -l)
      # Library names in GNU ld's directories, as -lNAME finds them.
      local d f names=()
      for d in /usr/local/lib "/lib/$(uname -m)-linux-gnu" "/usr/lib/$(uname -m)-linux-gnu" /lib /usr/lib; do
        for f in "$d/lib$cur"*.so "$d/lib$cur"*.a; do
          [ -e "$f" ] || continue
          f=${f##*/lib}; f=${f%.so}; f=${f%.a}
          names+=("$f")
        done
      done
      [ "${#names[@]}" -gt 0 ] && mapfile -t COMPREPLY < <(printf '%s\n' "${names[@]}" | sort -u)
      return ;;
  esac
  case $cur in
    --executor=*) mapfile -t COMPREPLY < <(compgen -P --executor= -W "in-process child" -- "${cur#--executor=}"); return ;;
    --io=*) mapfile -t COMPREPLY < <(compgen -P --io= -W "mmap io_uring threads" -- "${cur#--io=}"); return ;;
    -*)
      # "  -h, --help", "  --io=READER", "  -L DIR": the option, with its "=".
      local opts
      opts=$("$objload" --help 2>/dev/null | sed -n 's/^  \(-[^ ,]*\)\(, \(-[^ ]*\)\)\{0,1\}.*/\1 \3/p' |
             sed 's/=[A-Z]*/=/g')
      mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
      [ "${#COMPREPLY[@]}" = 1 ] && [[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
      return ;;
  esac
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  compopt -o filenames 2>/dev/null
}
complete -F _objload objload
