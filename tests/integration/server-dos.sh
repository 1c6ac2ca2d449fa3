#!/bin/sh
# agentlogs-server under attack (issue 16), each attack bounded in connections
# and time and only against 127.0.0.1 (clients bind 127.x.y.z source addresses
# to stand for many hosts). The server runs with small timeouts and limits so
# that the waits are short:
#   - pipelined requests are answered in order, or the connection is closed
#     after the answers, and the server goes on serving;
#   - connections beyond the per-IP limit are closed first, idle ones by the
#     header timeout, and other addresses are served meanwhile;
#   - bodies trickled a byte at a time get 408 instead of holding a slot;
#   - a sign-up's data (options.data in supabase-js) over --max-user-metadata is
#     refused and not stored;
#   - sign-ins are rate limited per address and per account (429, Retry-After);
#   - password hashing has its own workers: a read is not queued behind sign-ins;
#   - /health answers from the service thread only while the database is
#     known to be up: without PostgreSQL a worker checks and says 503.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
S_SERVER_ARGS="--header-timeout 2 --body-timeout 2 --keepalive-timeout 2
	--max-connections-per-ip 16 --header-slots 8"
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

# ------------------------------------------------------------ slow clients
$DOS per-ip 16 || dos_fail "per-IP connection limit"
$DOS trickle 24 || dos_fail "trickled bodies"

# ------------------------------------------------------------ metadata cap
big=$(python3 -c 'import json; print(json.dumps({"email": "big@example.com",
	"password": "password big", "data": {"x": "y" * 20000}}))')
s_http POST /auth/v1/signup "$big"
t_assert_eq 400 "$s_status" "a sign-up with 20 KB of data ($s_body)"
t_assert_contains "$s_body" '"error_code":"validation_failed"'
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM auth.users")" "users stored"
s_http POST /auth/v1/signup '{"email":"small@example.com","password":"password small",
	"data":{"user_name":"small"}}'
t_assert_eq 200 "$s_status" "a sign-up with small data ($s_body)"

# ------------------------------------------------------------ sign-in rate limits
S_SERVER_ARGS="--rate-limit-sign-in 6 --rate-limit-account 3"
s_restart_server
$DOS rate-limits 6 3 || dos_fail "sign-in rate limits"

# ------------------------------------------------------------ hashing apart
S_WORKERS=1
S_SERVER_ARGS="--hash-workers 1 --rate-limit-sign-in 1000 --rate-limit-account 1000"
s_restart_server
s_http POST '/auth/v1/token?grant_type=password' \
	'{"email":"small@example.com","password":"password small"}'
t_assert_eq 200 "$s_status" "sign-in ($s_body)"
token=$(s_json 'j["access_token"]')
$DOS starvation 16 "$token" || dos_fail "a read behind sign-ins"

# ------------------------------------------------------------ /health off the workers
# The service thread answers /health only while a worker has lately found the
# database usable: with PostgreSQL unreachable from the start a worker checks,
# and says 503.
s_stop_server
real_db=$S_DB
S_DB="postgresql://nobody@127.0.0.1:$(s_free_port)/none?connect_timeout=2"
S_WORKERS=2
S_SERVER_ARGS=
s_serve
s_http GET /health
t_assert_eq 503 "$s_status" "/health without PostgreSQL ($s_body)"
t_assert_eq unavailable "$(s_json 'j["database"]')" "/health's database without PostgreSQL"
s_stop_server
S_DB=$real_db
echo "PASS: server-dos"
