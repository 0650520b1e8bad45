# An executor that connects to objload (its last argument is
# --connect=HOST:PORT) and never answers the handshake, for
# tests/cli/executor_protocol.sh. In bash, not python: it must connect within
# the 1 s that test allows, and python can take longer than that to start on
# a loaded machine.
a=${!#}
a=${a#--connect=}
exec 3<>"/dev/tcp/${a%:*}/${a##*:}"
exec sleep 60
