#!/bin/sh
# agentlogs-server under attack (issue 16), each attack bounded in connections
# and time and only against 127.0.0.1: pipelined requests are answered in
# order and never stall the server.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server
DOS="python3 $SRCDIR/tests/integration/dos.py $S_PORT $S_ANON"

# dos_fail MESSAGE: a stalled server may not even stop on SIGTERM; kill it
# so the test ends.
dos_fail() {
	kill -KILL "$S_PID" 2>/dev/null
	t_fail "$@"
}

# ------------------------------------------------------------ pipelining
$DOS pipelined-then-leave || dos_fail "pipelined GET+POST"
$DOS pipelined || dos_fail "pipelined requests"
echo "PASS: server-dos"
