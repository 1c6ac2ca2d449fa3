#!/bin/sh
# agentlogs-server when PostgreSQL goes away, on a throwaway cluster of this
# test's own (the shared one is never stopped): after a restart no request
# fails on a worker's dead connection, and a server started while the
# database was down recovers once it is up, /health saying which is the case.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp

PGBIN=${AGENTLOGS_PG_BIN:-$(pg_config --bindir 2>/dev/null)}
[ -x "$PGBIN/initdb" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)
if [ ! -x "$PGBIN/initdb" ]; then
	[ "${CI:-}" != true ] || t_fail "the PostgreSQL server binaries are required under CI"
	echo "SKIP: no PostgreSQL server binaries (initdb, pg_ctl)"
	exit 77
fi

# PostgreSQL refuses to run as root: then the cluster belongs to postgres.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/agentlogs-pg.XXXXXX") || t_fail "mktemp -d"
[ "$(id -u)" != 0 ] || chown postgres "$PG_DIR"
PG_PORT=$(s_free_port)
pg_ctl_() {
	as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" -w "$@" >/dev/null ||
		t_fail "pg_ctl $*: $(tail -n 5 "$PG_DIR/log")"
}
cleanup() {
	rc=$?
	if [ -n "${S_PID:-}" ]; then
		kill -TERM "$S_PID" 2>/dev/null
		wait "$S_PID" 2>/dev/null
		S_PID=
	fi
	as_pg "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	if [ $rc -ne 0 ] && [ -s "$T_TMP/server.log" ]; then
		echo "--- last lines of the server log:" >&2
		tail -n 20 "$T_TMP/server.log" >&2
	fi
	rm -rf "$T_TMP"
	exit $rc
}
trap cleanup EXIT
as_pg "$PGBIN/initdb" -D "$PG_DIR/data" -U al --auth=trust -E UTF8 >"$T_TMP/initdb.out" 2>&1 ||
	t_fail "initdb: $(tail -n 5 "$T_TMP/initdb.out")"
pg_ctl_ start
S_DB="postgresql://al@127.0.0.1:$PG_PORT/postgres"
S_WORKERS=4
s_start_server

s_http POST /auth/v1/signup '{"email":"ann@example.com","password":"correct horse"}'
t_assert_eq 200 "$s_status" "signup"
ANN=$(s_json 'j["access_token"]')

# rounds N: N rounds of 8 concurrent requests that need the database (a REST
# read and /auth/v1/user, as Ann), so every worker takes some; prints the
# statuses of the failed ones, nothing when all succeeded.
rounds() {
	: >"$T_TMP/statuses"
	i=0
	while [ $i -lt "$1" ]; do
		pids=
		for n in 1 2 3 4; do
			curl -s -o /dev/null -w '%{http_code}\n' -H "apikey: $S_ANON" \
				-H "Authorization: Bearer $ANN" "$S_URL/rest/v1/projects" \
				>"$T_TMP/s.rest.$n" &
			pids="$pids $!"
			curl -s -o /dev/null -w '%{http_code}\n' -H "apikey: $S_ANON" \
				-H "Authorization: Bearer $ANN" "$S_URL/auth/v1/user" >"$T_TMP/s.user.$n" &
			pids="$pids $!"
		done
		wait $pids
		cat "$T_TMP"/s.rest.* "$T_TMP"/s.user.* >>"$T_TMP/statuses"
		i=$((i + 1))
	done
	grep -v '^200$' "$T_TMP/statuses" | tr '\n' ' '
}
t_assert_eq "" "$(rounds 2)" "failed requests before the restart"

# ---------------------------------------------------------------- restart
# Every worker's connection dies with the restart. The first request after it
# (a sign-up, which writes) and the ones after must not fail on them.
pg_ctl_ -m fast restart
s_http POST /auth/v1/signup '{"email":"bob@example.com","password":"correct horse"}'
t_assert_eq 200 "$s_status" "the first request after a restart, a sign-up ($s_body)"
t_assert_eq "" "$(rounds 3)" "failed requests after the restart"
s_http GET /health
t_assert_eq 200 "$s_status" "/health after the restart"
t_assert_eq ok "$(s_json 'j["database"]')" "/health's database after the restart"

# ---------------------------------------------------------------- down at start
# A server started while PostgreSQL is down: /health says so, requests answer
# 503 (auth too, never 500), and once the database is back it serves again.
s_stop_server
pg_ctl_ -m fast stop
s_serve
s_http GET /health
t_assert_eq 503 "$s_status" "/health while the database is down ($s_body)"
t_assert_eq unavailable "$(s_json 'j["database"]')" "/health's database while down"
s_http POST /auth/v1/signup '{"email":"carl@example.com","password":"correct horse"}'
t_assert_eq 503 "$s_status" "a sign-up while the database is down"
s_http GET /rest/v1/projects -H "Authorization: Bearer $ANN"
t_assert_eq 503 "$s_status" "a REST read while the database is down"

pg_ctl_ start
# Recovery is an event: wait for /health to report it (bounded, not timed).
i=0
until s_http GET /health && [ "$s_status" = 200 ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || t_fail "/health never reported the database back: $s_body"
	sleep 0.1
done
t_assert_eq "" "$(rounds 3)" "failed requests once the database is back"
s_http POST /auth/v1/signup '{"email":"carl@example.com","password":"correct horse"}'
t_assert_eq 200 "$s_status" "a sign-up once the database is back ($s_body)"
grep -q "reconnected to PostgreSQL" "$T_TMP/server.log" || t_fail "no reconnection in the log"
echo "PASS: the server survives a PostgreSQL restart and a start while it is down"
