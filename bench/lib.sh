# Shared by the benchmarks that need agentlogs-server (bench/server, bench/sync).
# Source it after setting $here, $BENCH_DIR and the script's name in $bench_name.
#
#   bench_die MSG          one line on stderr, exit 1
#   bench_now / bench_calc EXPR
#   bench_start_server     a fresh database and server (with $BENCH_SERVER_ARGS): sets
#                          DB, URL, ANON, SERVER; both are removed on exit
#   bench_signup EMAIL     sets TOKEN and USER_ID (writes $BENCH_DIR/session.json)

bench_die() {
	echo "$bench_name: $*" >&2
	exit 1
}

bench_now() {
	date +%s.%N
}

bench_calc() {
	awk "BEGIN { print $* }"
}

bench_start_server() {
	BENCH_PG=${BENCH_PG:-${AGENTLOGS_TEST_PG:-}}
	SERVER=${AGENTLOGS_SERVER:-$(dirname "$here")/build/agentlogs-server}
	[ -n "$BENCH_PG" ] || bench_die "set BENCH_PG (or AGENTLOGS_TEST_PG) to a PostgreSQL superuser URL"
	[ -x "$SERVER" ] || bench_die "no server binary at $SERVER (build first, or set AGENTLOGS_SERVER)"
	for tool in psql python3 curl; do
		command -v $tool >/dev/null 2>&1 || bench_die "$tool is needed"
	done
	psql -X -q -At "$BENCH_PG" -c 'SELECT 1' >/dev/null 2>&1 || bench_die "cannot connect to \$BENCH_PG"

	bench_dbname="agentlogs_bench_$$"
	psql -X -q "$BENCH_PG" -c "CREATE DATABASE \"$bench_dbname\"" >/dev/null ||
		bench_die "cannot create a database"
	DB=$(python3 -c 'import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' \
		"$BENCH_PG" "$bench_dbname")
	bench_server_pid=
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM

	"$SERVER" migrate --db "$DB" >"$BENCH_DIR/migrate.log" 2>&1 ||
		bench_die "migrate failed: see $BENCH_DIR/migrate.log"
	head -c 48 /dev/urandom | base64 | tr -d '\n' >"$BENCH_DIR/jwt-secret"
	chmod 600 "$BENCH_DIR/jwt-secret"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	URL="http://127.0.0.1:$port"
	"$SERVER" serve --db "$DB" --listen "127.0.0.1:$port" \
		--jwt-secret-file "$BENCH_DIR/jwt-secret" --storage-dir "$BENCH_DIR/storage" \
		${BENCH_SERVER_ARGS:-} >"$BENCH_DIR/server.log" 2>&1 &
	bench_server_pid=$!
	i=0
	until curl -s -o /dev/null "$URL/health"; do
		i=$((i + 1))
		[ $i -lt 100 ] || bench_die "the server did not start: see $BENCH_DIR/server.log"
		sleep 0.1
	done
	ANON=$("$SERVER" keys --jwt-secret-file "$BENCH_DIR/jwt-secret" | sed -n 's/^anon key: *//p')
}

bench_cleanup() {
	if [ -n "${bench_server_pid:-}" ]; then
		kill -TERM "$bench_server_pid" 2>/dev/null && wait "$bench_server_pid" 2>/dev/null
	fi
	psql -X -q "$BENCH_PG" -c "DROP DATABASE IF EXISTS \"$bench_dbname\" WITH (FORCE)" \
		>/dev/null 2>&1
}

bench_signup() {
	curl -s -X POST -H "apikey: $ANON" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"bench password\"}" \
		"$URL/auth/v1/signup" >"$BENCH_DIR/session.json" || bench_die "sign-up failed"
	TOKEN=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
		"$BENCH_DIR/session.json") ||
		bench_die "sign-up gave no token: $(cat "$BENCH_DIR/session.json")"
	USER_ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["user"]["id"])' \
		"$BENCH_DIR/session.json")
}
