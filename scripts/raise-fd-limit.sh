# Sourced by the test scripts: tests/swarm/exhaustion.test.mjs holds up to 1,500 sockets, so raise
# the soft descriptor limit as far as the hard one allows (at most 8192).
fd_hard=$(ulimit -Hn)
if [[ $fd_hard == unlimited || $fd_hard -gt 8192 ]]; then fd_hard=8192; fi
ulimit -n "$fd_hard" || true
