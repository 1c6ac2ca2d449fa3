# Helpers for tests that need PostgreSQL and a running agentlogs-server.
# Source after lib.sh and t_mktemp. Every name starts with s_.
#
# s_require_pg: skips (77) without $AGENTLOGS_TEST_PG, fails under CI=true.
# s_create_db: a fresh database of this test's own; sets $S_DB (a libpq URL).
# s_start_server: migrates $S_DB, starts the server on a free port; sets $S_URL,
#   $S_ANON, $S_SERVICE, $S_PID. Stopped (SIGTERM) and the database dropped on exit.
# s_stop_server: stops it (SIGTERM) and waits: the server is down.
# s_restart_server: starts it again after s_start_server (stopping it first
#   if it runs) on the same port, database, JWT secret and storage, with the
#   current $S_SERVER_ARGS; the log goes on in $T_TMP/server.log.

s_require_pg() {
	[ -n "${AGENTLOGS_TEST_PG:-}" ] ||
		t_skip "no PostgreSQL (install it for tests/run, or set AGENTLOGS_TEST_PG to a superuser URL)"
	psql -X -q -At "$AGENTLOGS_TEST_PG" -c 'SELECT 1' >/dev/null 2>&1 ||
		t_fail "cannot connect to \$AGENTLOGS_TEST_PG"
}

s_cleanup() {
	rc=$?
	if [ $rc -ne 0 ] && [ -s "$T_TMP/server.log" ]; then
		echo "--- last lines of the server log:" >&2
		tail -n 20 "$T_TMP/server.log" >&2
	fi
	if [ -n "${S_PID:-}" ]; then
		kill -TERM "$S_PID" 2>/dev/null
		wait "$S_PID" 2>/dev/null
	fi
	if [ -n "${S_DBNAME:-}" ]; then
		psql -X -q "$AGENTLOGS_TEST_PG" -c "DROP DATABASE IF EXISTS \"$S_DBNAME\" WITH (FORCE)" \
			>/dev/null 2>&1
	fi
	rm -rf "$T_TMP"
}

s_create_db() {
	S_DBNAME="agentlogs_t_$$_$(date +%s)"
	psql -X -q -v ON_ERROR_STOP=1 "$AGENTLOGS_TEST_PG" -c "CREATE DATABASE \"$S_DBNAME\"" \
		>/dev/null || t_fail "cannot create a test database"
	trap s_cleanup EXIT
	# The same URL with the database swapped.
	S_DB=$(python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' \
		"$AGENTLOGS_TEST_PG" "$S_DBNAME")
}

s_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

s_start_server() {
	SERVER=${AGENTLOGS_SERVER:-$(dirname "$AGENTLOGS")/agentlogs-server}
	head -c 48 /dev/urandom | base64 | tr -d '\n' >"$T_TMP/jwt-secret"
	chmod 600 "$T_TMP/jwt-secret"
	"$SERVER" migrate --db "$S_DB" >"$T_TMP/migrate.out" 2>&1 ||
		t_fail "migrate: $(cat "$T_TMP/migrate.out")"
	S_PORT=$(s_free_port)
	S_URL="http://127.0.0.1:$S_PORT"
	: >"$T_TMP/server.log"
	s_serve
	keys=$("$SERVER" keys --jwt-secret-file "$T_TMP/jwt-secret") || t_fail "keys"
	S_ANON=$(printf '%s\n' "$keys" | sed -n 's/^anon key: *//p')
	S_SERVICE=$(printf '%s\n' "$keys" | sed -n 's/^service_role key: *//p')
	[ -n "$S_ANON" ] && [ -n "$S_SERVICE" ] || t_fail "keys printed no keys: $keys"
}

# s_serve [same-port]: runs the server on $S_PORT and waits until it answers.
# A free port is only free until someone takes it (another test's server, an
# outgoing connection's ephemeral port): when the server cannot listen, a first
# start takes another port, a restart (same-port) tries the same one again.
s_serve() {
	s_sv_tries=0
	while :; do
		s_sv_lines=$(wc -l <"$T_TMP/server.log")
		"$SERVER" serve --db "$S_DB" --listen "127.0.0.1:$S_PORT" \
			--jwt-secret-file "$T_TMP/jwt-secret" --storage-dir "$T_TMP/storage" \
			--workers "${S_WORKERS:-4}" ${S_SERVER_ARGS:-} >>"$T_TMP/server.log" 2>&1 &
		S_PID=$!
		i=0
		until curl -s -o /dev/null "$S_URL/health"; do
			kill -0 "$S_PID" 2>/dev/null || break
			i=$((i + 1))
			[ $i -lt 600 ] || t_fail "the server did not start: $(cat "$T_TMP/server.log")"
			sleep 0.1
		done
		kill -0 "$S_PID" 2>/dev/null && return 0
		wait "$S_PID" 2>/dev/null
		S_PID=
		s_sv_tries=$((s_sv_tries + 1))
		tail -n "+$((s_sv_lines + 1))" "$T_TMP/server.log" | grep -q "cannot listen" &&
			[ $s_sv_tries -lt 20 ] || t_fail "the server died: $(cat "$T_TMP/server.log")"
		if [ "${1:-}" = same-port ]; then
			sleep 0.25
		else
			S_PORT=$(s_free_port)
			S_URL="http://127.0.0.1:$S_PORT"
		fi
	done
}

s_stop_server() {
	if [ -n "${S_PID:-}" ]; then
		kill -TERM "$S_PID" 2>/dev/null
		wait "$S_PID" 2>/dev/null
	fi
	S_PID=
}

s_restart_server() {
	s_stop_server
	s_serve same-port
}

# s_http METHOD PATH [BODY] [extra curl args...]: sets $s_status and $s_body.
s_http() {
	m=$1
	p=$2
	shift 2
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		b=$1
		shift
		s_body=$(curl -s -o - -w '\n%{http_code}' -X "$m" -H "apikey: $S_ANON" \
			-H 'Content-Type: application/json' --data-binary "$b" "$@" "$S_URL$p")
	else
		s_body=$(curl -s -o - -w '\n%{http_code}' -X "$m" -H "apikey: $S_ANON" "$@" "$S_URL$p")
	fi
	s_status=$(printf '%s\n' "$s_body" | tail -n 1)
	s_body=$(printf '%s\n' "$s_body" | sed '$d')
}

# s_json EXPR: evaluates a Python expression over $s_body parsed as j.
s_json() {
	printf '%s' "$s_body" | python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"
}
