#!/bin/sh
# /realtime/v1/websocket against a real agentlogs-server on a real PostgreSQL:
# the upgrade needs an API key; a change written through /rest/v1 reaches its
# owner's sockets and never another user's; forged, expired and replaced
# tokens; heartbeats; silent sockets closed after --realtime-idle-timeout.
# Nothing here is timed: "nothing arrived" is proved by a later heartbeat reply
# on the same socket (the server answers a socket's frames in order), so the
# test holds on a loaded machine; the delivery latency is only printed
# (bench/server measures it).
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
. "$SRCDIR/tests/integration/realtime-lib.sh"
t_mktemp
s_require_pg
s_create_db
S_SERVER_ARGS="--realtime-idle-timeout 2"
s_start_server

# jwt CLAIMS_JSON [SECRET_FILE]: an HS256 token, minted here independently.
jwt() {
	python3 - "$1" "${2:-$T_TMP/jwt-secret}" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
secret = open(sys.argv[2], "rb").read().strip()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(sys.argv[1].encode())
sig = b(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
print(head + "." + body + "." + sig)
PY
}

now_ms() {
	python3 -c 'import time; print(int(time.time() * 1000))'
}

signup a@example.com
A=$(s_json 'j["access_token"]')
A_ID=$(s_json 'j["user"]["id"]')
signup b@example.com
B=$(s_json 'j["access_token"]')
B_ID=$(s_json 'j["user"]["id"]')

# The LISTEN connection is up before any change is made.
t_wait_file "$T_TMP/server.log" "realtime: listening for changes" "server log"

# new_project TOKEN ID: a row in public.projects, written through /rest/v1.
new_project() {
	s_http POST /rest/v1/projects "{\"id\":\"$2\",\"name\":\"project $2\"}" \
		-H "Authorization: Bearer $1" -H 'Prefer: return=minimal'
	t_assert_eq 201 "$s_status" "insert project ($s_body)"
}

# ---------------------------------------------------------------- the upgrade
# upgrade QUERY [curl args...]: the HTTP status of a websocket upgrade.
upgrade() {
	q=$1
	shift
	curl -s -o "$T_TMP/upgrade.body" -w '%{http_code}' --max-time 1 \
		-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
		-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$@" \
		"$S_URL/realtime/v1/websocket?$q"
}
t_assert_eq 401 "$(upgrade 'vsn=1.0.0')" "upgrade without an apikey"
t_assert_contains "$(cat "$T_TMP/upgrade.body")" "No API key"
echo "a secret that is not the server's, long enough anyway" >"$T_TMP/wrong-secret"
forged_key=$(jwt '{"role":"anon","exp":4102444800}' "$T_TMP/wrong-secret")
t_assert_eq 401 "$(upgrade "apikey=$forged_key&vsn=1.0.0")" "upgrade with a forged apikey"
t_assert_eq 401 "$(upgrade "apikey=$A&vsn=1.0.0")" "a user's access token as the apikey"
t_assert_eq 101 "$(upgrade "apikey=$S_ANON&vsn=1.0.0")" "upgrade with the anon key"
t_assert_eq 101 "$(upgrade 'vsn=1.0.0' -H "apikey: $S_ANON")" "apikey as a header"
t_assert_eq 101 "$(upgrade "apikey=$S_ANON&vsn=2.0.0")" "the V2 serializer (newer realtime-js default)"
t_assert_eq 400 "$(upgrade "apikey=$S_ANON&vsn=3.0.0")" "an unsupported serializer"
# A plain GET is told to upgrade.
s_http GET '/realtime/v1/websocket?vsn=1.0.0'
t_assert_eq 426 "$s_status" "GET without an upgrade"
# ws-client without a key is refused too.
t_run "$WS" --url "$S_URL" --token "$A" --timeout 5
t_assert_eq 4 "$t_rc" "ws-client without an apikey ($t_err)"

# ---------------------------------------------------------------- delivery
# A listens on two sockets (one timing the delivery, one without a filter),
# B on one, and B also asks for A's rows with a filter naming A. A writes pa,
# B writes pb, A writes pa2: A's socket must see exactly pa then pa2, B's
# exactly pb, the spy nothing.
pa=$(uuid)
pb=$(uuid)
pa2=$(uuid)
ws a --token "$A" --filter "" --table projects --expect-events 2 --timeout 60
ws b --token "$B" --table projects --expect-events 1 --timeout 60
ws spy --token "$B" --filter "user_id=eq.$A_ID" --timeout 120
mkfifo "$T_TMP/trigger"
("$WS" --url "$S_URL" --apikey "$S_ANON" --token "$A" --table projects --bench \
	--heartbeat 0.5 --timeout 60 <"$T_TMP/trigger" >"$T_TMP/bench.out" 2>"$T_TMP/bench.err"
echo $? >"$T_TMP/bench.rc") &
exec 3>"$T_TMP/trigger"
t_wait_file "$T_TMP/bench.out" ready "A's timing socket"
for n in a b spy; do
	t_wait_file "$T_TMP/$n.out" "$joined" "socket $n"
done
t_assert_eq "user_id=eq.$B_ID" "$(frames b 'j["payload"]["response"]["postgres_changes"][0]["filter"]')" \
	"the join reply echoes the filter"
t_assert_eq "False" "$(frames a '"filter" in j["payload"]["response"]["postgres_changes"][0]')" \
	"no filter echoed when none was asked for"
a_sub=$(frames a 'j["payload"]["response"]["postgres_changes"][0]["id"]')

now_ms >&3
exec 3>&-
new_project "$A" "$pa"
ws_wait bench
t_assert_eq 0 "$ws_rc" "A's timing socket ($(cat "$T_TMP/bench.err"))"
latency=$(sed -n 's/^all 1 received in \([0-9.]*\) ms$/\1/p' "$T_TMP/bench.out")
[ -n "$latency" ] || t_fail "no timing: $(cat "$T_TMP/bench.out")"
new_project "$B" "$pb"
new_project "$A" "$pa2"
[ ! -s "$T_TMP/spy.rc" ] || t_fail "the spying socket ended before the changes were made"

ws_wait a
t_assert_eq 0 "$ws_rc" "A's socket got its two changes ($(cat "$T_TMP/a.err"))"
t_assert_eq "$pa $pa2" "$(frames a '" ".join(m["payload"]["data"]["record"]["id"] for m in ch)')" \
	"the rows A's socket saw"
t_assert_eq "INSERT projects public $A_ID" \
	"$(frames a '" ".join([ch[0]["payload"]["data"][k] for k in ("type", "table", "schema")] + [ch[0]["payload"]["data"]["record"]["user_id"]])')" \
	"the change's data"
t_assert_eq "realtime:agentlogs [$a_sub] None" \
	"$(frames a 'ch[0]["topic"] + " " + str(ch[0]["payload"]["ids"]) + " " + str(ch[0]["ref"])')" \
	"the change's topic, subscription ids and ref"
ws_wait b
t_assert_eq 0 "$ws_rc" "B's socket got its change ($(cat "$T_TMP/b.err"))"
t_assert_eq "$pb" "$(frames b '" ".join(m["payload"]["data"]["record"]["id"] for m in ch)')" \
	"the rows B's socket saw"
ws_settle spy
t_assert_eq 0 "$(frames spy 'len(ch)')" "changes B received by asking for A's rows"
t_assert_eq 1 "$(frames spy 'len([m for m in f if m["event"] == "phx_reply" and m["ref"] == "1" and m["payload"]["status"] == "ok"])')" \
	"the spying join itself is answered"

# A bulk write (a push of many rows): one event per row to a supabase-js
# channel, as hosted Realtime gives, with the whole row on INSERT and the
# primary key on DELETE, in the statement's order; one nudge per chunk of 100
# rows to a nudge channel (agentlogs' own client pulls after it); nothing to
# another user. 250 rows: chunks of 100, 100 and 50.
ws bulk --token "$A" --table projects --expect-events 500 --timeout 120
ws bulknudge --token "$A" --table projects --nudge --timeout 120
ws bulkb --token "$B" --table projects --timeout 120
for n in bulk bulknudge bulkb; do
	t_wait_file "$T_TMP/$n.out" "$joined" "socket $n"
done
python3 -c 'import uuid; print("\n".join(str(uuid.uuid4()) for i in range(250)))' >"$T_TMP/bulk.ids"
rows=$(python3 -c 'import sys; print(",".join("{\"id\":\"%s\",\"name\":\"bulk %d\",\"version\":%d}" % (l.strip(), i, i + 1) for i, l in enumerate(open(sys.argv[1]))))' "$T_TMP/bulk.ids")
s_http POST /rest/v1/projects "[$rows]" -H "Authorization: Bearer $A" -H 'Prefer: return=minimal'
t_assert_eq 201 "$s_status" "bulk insert ($s_body)"
# Rows are read when their event goes out: deleted first, they would have none.
t_wait_count "$T_TMP/bulk.out" '"type":"INSERT"' 250 "INSERT events of the bulk insert"
s_http DELETE "/rest/v1/projects?name=like.bulk*" -H "Authorization: Bearer $A"
t_assert_eq 204 "$s_status" "bulk delete ($s_body)"
ws_wait bulk
t_assert_eq 0 "$ws_rc" "A's socket got an event per row ($(cat "$T_TMP/bulk.err"))"
ids=$(tr '\n' ' ' <"$T_TMP/bulk.ids" | sed 's/ $//')
t_assert_eq "$ids" \
	"$(frames bulk '" ".join(m["payload"]["data"]["record"]["id"] for m in ch if m["payload"]["data"]["type"] == "INSERT")')" \
	"the 250 INSERT events' rows, in the statement's order"
t_assert_eq "250 250 250 bulk 249 250" \
	"$(frames bulk '" ".join(str(x) for x in (len([m for m in ch if m["payload"]["data"]["type"] == "INSERT"]), len([m for m in ch if m["payload"]["data"]["type"] == "INSERT" and m["payload"]["data"]["record"]["user_id"] == "'"$A_ID"'"]), len([m for m in ch if m["payload"]["data"]["record"].get("version") == int(m["payload"]["data"]["record"].get("name", "x 0").split()[-1]) + 1]))) + " " + ch[249]["payload"]["data"]["record"]["name"] + " " + str(ch[249]["payload"]["data"]["record"]["version"])')" \
	"every INSERT event holds its whole row (owner, name and version as written)"
t_assert_eq "$(sort "$T_TMP/bulk.ids" | tr '\n' ' ' | sed 's/ $//')" \
	"$(frames bulk '" ".join(sorted(m["payload"]["data"]["old_record"]["id"] for m in ch if m["payload"]["data"]["type"] == "DELETE"))')" \
	"one DELETE event per deleted row, each with its primary key in old_record"
t_assert_eq "{} $A_ID" \
	"$(frames bulk 'json.dumps(ch[250]["payload"]["data"]["record"]) + " " + ch[250]["payload"]["data"]["old_record"]["user_id"]')" \
	"a DELETE event's record and old_record's owner"
# The nudges went out with the last DELETE events above; settled, none other came.
ws_settle bulknudge
t_assert_eq "INSERT None INSERT None INSERT None DELETE None DELETE None DELETE None" \
	"$(frames bulknudge '" ".join(m["payload"]["data"]["type"] + " " + str((m["payload"]["data"]["record"] or m["payload"]["data"]["old_record"])["id"]) for m in ch)')" \
	"a nudge per chunk of 100 rows, for 250 rows written and deleted"
ws_settle bulkb
t_assert_eq 0 "$(frames bulkb 'len(ch)')" "changes B saw of A's bulk write"

# The same change to a nudge channel (agentlogs' own client: config.nudge)
# and to a supabase-js channel: the nudge's record holds exactly id,
# user_id and version; the other's the whole row (values written here) and,
# since the change is an INSERT, an empty old_record.
ws nudge --token "$A" --table projects --nudge --expect-events 1 --timeout 60
ws full --token "$A" --table projects --expect-events 1 --timeout 60
t_wait_file "$T_TMP/nudge.out" "$joined" "socket nudge"
t_wait_file "$T_TMP/full.out" "$joined" "socket full"
pn=$(uuid)
s_http POST /rest/v1/projects "{\"id\":\"$pn\",\"name\":\"whole $pn\",\"local_path\":\"/srv/w\",\"version\":6}" \
	-H "Authorization: Bearer $A" -H 'Prefer: return=minimal'
t_assert_eq 201 "$s_status" "insert project ($s_body)"
ws_wait nudge
t_assert_eq 0 "$ws_rc" "the nudge socket got the change ($(cat "$T_TMP/nudge.err"))"
t_assert_eq "id user_id version $pn" \
	"$(frames nudge '" ".join(sorted(ch[0]["payload"]["data"]["record"]) + [ch[0]["payload"]["data"]["record"]["id"]])')" \
	"a nudge's record"
ws_wait full
t_assert_eq 0 "$ws_rc" "the supabase-js socket got the change ($(cat "$T_TMP/full.err"))"
t_assert_eq "$pn $A_ID whole $pn /srv/w 6 None {}" \
	"$(frames full '" ".join(str(ch[0]["payload"]["data"]["record"][k]) for k in ("id", "user_id", "name", "local_path", "version", "deleted_at")) + " " + json.dumps(ch[0]["payload"]["data"]["old_record"])')" \
	"the whole row, and no old_record on INSERT"

# ---------------------------------------------------------------- tokens
now=$(date +%s)
forged=$(jwt "{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"exp\":$((now + 600))}" "$T_TMP/wrong-secret")
expired=$(jwt "{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"aud\":\"authenticated\",\"exp\":$((now - 10))}")
long=$(jwt "{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"aud\":\"authenticated\",\"exp\":$((now + 600))}")

# Joins with a forged or an expired token are refused, and nothing follows.
ws forged --token "$forged" --timeout 120
ws expired --token "$expired" --timeout 120
t_wait_file "$T_TMP/forged.out" '"ref":"1"' "the forged join's reply"
t_wait_file "$T_TMP/expired.out" '"ref":"1"' "the expired join's reply"
ws_settle forged
t_assert_eq "error" "$(frames forged 'j["payload"]["status"]')" "join with a forged token"
t_assert_contains "$(frames forged 'j["payload"]["response"]["reason"]')" "JwtSignatureError"
t_assert_eq 0 "$(frames forged 'len([m for m in f if m["topic"] != "phoenix"]) - 1')" \
	"frames on the channel after a refused join"
ws_settle expired
t_assert_eq "error" "$(frames expired 'j["payload"]["status"]')" "join with an expired token"
t_assert_contains "$(frames expired 'j["payload"]["response"]["reason"]')" "Token has expired"

# A token that expires closes its channel (system error, then phx_close); one
# refreshed in time with access_token keeps it; an access_token that does not
# verify closes it at once.
printf '{"topic":"realtime:agentlogs","event":"access_token","payload":{"access_token":"%s"},"ref":"5"}\n' \
	"$long" >"$T_TMP/refresh.jsonl"
printf '{"topic":"realtime:agentlogs","event":"access_token","payload":{"access_token":"%s"},"ref":"5"}\n' \
	"$forged" >"$T_TMP/bad-refresh.jsonl"
# Minted just before use: it lives 4 seconds (both joins, and the refresh,
# must reach the server before it expires).
short=$(jwt "{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"aud\":\"authenticated\",\"exp\":$(($(date +%s) + 4))}")
ws expiring --token "$short" --table projects --timeout 120
ws refreshed --token "$short" --table projects --send-after-join "$T_TMP/refresh.jsonl" \
	--expect-events 1 --timeout 120
ws badrefresh --token "$A" --table projects --send-after-join "$T_TMP/bad-refresh.jsonl" \
	--timeout 120
t_wait_file "$T_TMP/badrefresh.out" '"event":"phx_close"' "the socket refreshed with a forged token"
t_assert_eq "error realtime:agentlogs" \
	"$(frames badrefresh 'sy[-1]["payload"]["status"] + " " + cl[0]["topic"]')" \
	"closing after a forged access_token"
t_wait_file "$T_TMP/expiring.out" '"event":"phx_close"' "the socket whose token expires"
t_assert_contains "$(frames expiring '[m for m in sy if m["payload"]["status"] == "error"][0]["payload"]["message"]')" \
	"Token has expired"
t_assert_eq '"1"' "$(frames expiring 'json.dumps(cl[0]["ref"])')" \
	"phx_close answers with the join's ref"
# The refreshed socket outlived its first token (the expiring one, joined
# with the same token, is closed by now); a change now reaches it and neither
# of the closed channels.
pa3=$(uuid)
new_project "$A" "$pa3"
[ ! -s "$T_TMP/expiring.rc" ] && [ ! -s "$T_TMP/badrefresh.rc" ] ||
	t_fail "the closed channels' sockets ended before the change was made"
ws_wait refreshed
t_assert_eq 0 "$ws_rc" "the refreshed channel received the change ($(cat "$T_TMP/refreshed.err"))"
t_assert_eq "$pa3" "$(frames refreshed 'ch[0]["payload"]["data"]["record"]["id"]')"
t_assert_eq 0 "$(grep -c '"event":"phx_close"' "$T_TMP/refreshed.out")" "phx_close on the refreshed channel"
ws_settle expiring
t_assert_eq 0 "$(frames expiring 'len(ch)')" "changes on the expired channel"
ws_settle badrefresh
t_assert_eq 0 "$(frames badrefresh 'len(ch)')" "changes on the channel closed by a forged token"

# ---------------------------------------------------------------- heartbeats and idle sockets
# With --realtime-idle-timeout 2 a silent socket is closed, never before 2 s;
# one that sends a heartbeat every 0.5 s outlives it, each heartbeat answered
# ok.
start=$(now_ms)
ws silent --token "$A" --heartbeat 0 --timeout 120
ws chatty --token "$A" --timeout 120
ws_wait silent
t_assert_eq 3 "$ws_rc" "the silent socket was closed by the server"
t_assert_eq "closed 1000 idle timeout" \
	"$(frames silent 'f[-1]["ws_client"] + " " + str(f[-1]["code"]) + " " + f[-1]["reason"]')" \
	"the close frame"
elapsed=$(($(now_ms) - start))
[ "$elapsed" -ge 2000 ] || t_fail "the silent socket was closed after ${elapsed} ms"
[ ! -s "$T_TMP/chatty.rc" ] || t_fail "the heartbeating socket ended: $(cat "$T_TMP/chatty.out")"
ws_settle chatty
t_assert_eq 143 "$ws_rc" "the heartbeating socket was still open ($(cat "$T_TMP/chatty.out"))"
hb=$(frames chatty 'len([m for m in f if m["topic"] == "phoenix" and m["event"] == "phx_reply" and m["payload"]["status"] == "ok"])')
[ "$hb" -ge 5 ] || t_fail "only $hb heartbeats answered ok"
t_assert_eq "$hb" "$(frames chatty 'len([m for m in f if m["topic"] == "phoenix"])')" \
	"every heartbeat reply is ok"

# ---------------------------------------------------------------- a lost LISTEN connection
# Changes made while it was down are lost to LISTEN: the server reconnects
# and closes every socket (1001, going away), so clients reconnect and pull.
ws recon --token "$A" --timeout 120
t_wait_file "$T_TMP/recon.out" "$joined" "the socket before the reconnection"
t_assert_eq 1 "$(psql -X -At "$S_DB" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'agentlogs-server realtime' AND datname = current_database()")" \
	"LISTEN connections terminated"
ws_wait recon
t_assert_eq 3 "$ws_rc" "the socket open when LISTEN was lost was closed"
t_assert_eq "1001 changes may have been missed" \
	"$(frames recon 'str(f[-1]["code"]) + " " + f[-1]["reason"]')" "its close frame"
t_assert_eq 2 "$(grep -c "realtime: listening for changes" "$T_TMP/server.log")" "LISTEN again"
ws after --token "$A" --table projects --expect-events 1 --timeout 120
t_wait_file "$T_TMP/after.out" "$joined" "the socket after the reconnection"
pa4=$(uuid)
new_project "$A" "$pa4"
ws_wait after
t_assert_eq 0 "$ws_rc" "a change after the reconnection ($(cat "$T_TMP/after.err"))"
t_assert_eq "$pa4" "$(frames after 'ch[0]["payload"]["data"]["record"]["id"]')"

# SIGTERM stops the server, the LISTEN thread with it, with a socket open.
ws last --token "$A" --timeout 120
t_wait_file "$T_TMP/last.out" "$joined" "the last socket"
kill -TERM "$S_PID"
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
grep -q "agentlogs-server: stopped" "$T_TMP/server.log" || t_fail "no clean stop"
ws_wait last
t_assert_eq 3 "$ws_rc" "the open socket ended with the server"

# No token reaches the log (read once the server has stopped: all of it).
if grep -q -e "$A" -e "$B" -e "$S_ANON" -e "$long" "$T_TMP/server.log"; then
	t_fail "a token reached the server log"
fi
grep -q "GET /realtime/v1/websocket 101" "$T_TMP/server.log" || t_fail "no upgrade in the log"
echo "PASS: realtime upgrade, owner-only delivery (first change in $latency ms), tokens, heartbeats, idle close, LISTEN reconnection"
