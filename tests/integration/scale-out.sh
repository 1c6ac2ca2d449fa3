#!/bin/sh
# Two agentlogs-server processes on one PostgreSQL and one storage directory,
# as behind a load balancer: machine A talks to server 1, machine B to
# server 2. What one server writes the other serves: sync (B pushes, A pulls,
# both hold the same rows), a refresh token rotated on one and retried on the
# other (GoTrue's reuse interval: the retry gets the active token, the session
# lives on), a stored object uploaded to one and read from the other, and
# realtime: each server LISTENs itself, so B's retitle through server 2
# reaches A's daemon on server 1 (which pulls it), and a supabase-js channel
# on server 1 gets the whole row of a project inserted through server 2.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
. "$SRCDIR/tests/integration/realtime-lib.sh"
y_begin
URL1=$S_URL
PID1=$S_PID
# Server 2: the same database, JWT secret and --storage-dir, its own port.
S_PORT=$(s_free_port)
S_URL="http://127.0.0.1:$S_PORT"
s_serve
URL2=$S_URL
PID2=$S_PID
S_URL=$URL1
S_PID=$PID1
trap 'd_kill; kill -TERM "$PID2" 2>/dev/null; wait "$PID2" 2>/dev/null; s_cleanup' EXIT
t_wait_count "$T_TMP/server.log" "realtime: listening for changes" 2 "both servers' LISTEN"

# on_server URL FUNCTION ARGS...: runs a helper that reads $S_URL against URL.
on_server() {
	os_saved=$S_URL
	S_URL=$1
	shift
	"$@"
	S_URL=$os_saved
}

# ---------------------------------------------------------------- sync
# A (server 1) runs the daemon; B (server 2) is the same user on another machine.
d_cloud_home ann@example.com
uid=$(y_uid A)
on_server "$URL2" y_machine B
y_login B ann@example.com
y_import B
y_ok B push
y_settle
y_ok A pull
y_same_rows "A B" "$uid" "after B pushed through server 2 and A pulled through server 1"
ncommits=$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits")
[ "$ncommits" -gt 0 ] || t_fail "no commits reached A"

# ---------------------------------------------------------------- realtime to agentlogs
d_start
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"sync":	"live"' "A's realtime channel on server 1"
commit=$(t_sql "$(y_home B)/data.db" "SELECT id FROM cognitive_commits ORDER BY id LIMIT 1")
y_ok B title "$commit" "retitled through server 2"
y_ok B push
i=0
until [ "$(t_sql "$(y_home A)/data.db" "SELECT title FROM cognitive_commits WHERE id = '$commit'")" = \
	"retitled through server 2" ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "B's retitle did not reach A's daemon: $(tail -n 5 "$(y_home A)/log")"
	sleep 0.05
done
t_assert_eq live "$(d_status_field sync)" "A's daemon stayed live"

# ---------------------------------------------------------------- realtime to supabase-js
on_server "$URL2" signup rt@example.com
RT=$(s_json 'j["access_token"]')
r0=$(s_json 'j["refresh_token"]')
WS_URL=$URL1 ws js --token "$RT" --table projects --expect-events 1 --timeout 120
t_wait_file "$T_TMP/js.out" "$joined" "the supabase-js channel on server 1"
pid=$(uuid)
on_server "$URL2" s_http POST /rest/v1/projects "{\"id\":\"$pid\",\"name\":\"via two\",\"local_path\":\"/srv/2\"}" \
	-H "Authorization: Bearer $RT" -H 'Prefer: return=minimal'
t_assert_eq 201 "$s_status" "insert through server 2 ($s_body)"
ws_wait js
t_assert_eq 0 "$ws_rc" "server 1's channel got the insert made through server 2 ($(cat "$T_TMP/js.err"))"
t_assert_eq "INSERT $pid via two /srv/2" \
	"$(frames js '" ".join(str(x) for x in (ch[0]["payload"]["data"]["type"], ch[0]["payload"]["data"]["record"]["id"], ch[0]["payload"]["data"]["record"]["name"], ch[0]["payload"]["data"]["record"]["local_path"]))')" \
	"the whole row, read by server 1"

# ---------------------------------------------------------------- auth
# token URL REFRESH: POST /auth/v1/token?grant_type=refresh_token there.
refresh() {
	on_server "$1" s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$2\"}"
}
refresh "$URL1" "$r0"
t_assert_eq 200 "$s_status" "refresh on server 1 ($s_body)"
r1=$(s_json 'j["refresh_token"]')
# The answer was lost; the client retries the same token, on the other server.
refresh "$URL2" "$r0"
t_assert_eq 200 "$s_status" "the retried refresh on server 2 ($s_body)"
t_assert_eq "$r1" "$(s_json 'j["refresh_token"]')" "the retry gets the active token"
refresh "$URL2" "$r1"
t_assert_eq 200 "$s_status" "the session lives on: the active token rotates ($s_body)"

# ---------------------------------------------------------------- storage
head -c 70 /dev/urandom >"$T_TMP/blob"
rt_id=$(python3 -c 'import base64, json, sys; p = sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["sub"])' "$RT")
code=$(curl -s -o "$T_TMP/up.out" -w '%{http_code}' -X POST -H "apikey: $S_ANON" \
	-H "Authorization: Bearer $RT" -H 'Content-Type: image/png' --data-binary "@$T_TMP/blob" \
	"$URL1/storage/v1/object/visuals/$rt_id/one.png")
t_assert_eq 200 "$code" "upload to server 1 ($(cat "$T_TMP/up.out"))"
code=$(curl -s -o "$T_TMP/down" -w '%{http_code}' -H "apikey: $S_ANON" -H "Authorization: Bearer $RT" \
	"$URL2/storage/v1/object/authenticated/visuals/$rt_id/one.png")
t_assert_eq 200 "$code" "download from server 2"
cmp -s "$T_TMP/blob" "$T_TMP/down" || t_fail "server 2 served other bytes than server 1 stored"

echo "PASS: two servers on one PostgreSQL: sync ($ncommits commits), realtime to the daemon and to a supabase-js channel, refresh retried on the other server, storage"
