#!/bin/sh
# Realtime Broadcast and Presence on two agentlogs-server processes sharing
# one PostgreSQL, with ws-client (vsn=1.0.0 frames, as realtime-js sends
# them): a broadcast sent on one server reaches the topic's sockets on both
# (through pg_notify on agentlogs_broadcast), and so does POST
# /realtime/v1/api/broadcast sent to either; malformed broadcast and presence
# messages get a phx_reply error with a reason and the servers stay up; a
# tracker whose socket goes away leaves (presence_diff). Presence crosses
# servers too: a track on server 1 joins on server 2 (diff, and state for a
# later join), untrack and disconnect leave there, a third server started
# later learns it, and a killed server's presences leave the others once they
# go unannounced (the servers announce every second here, through
# --realtime-presence-interval, and expire after 3), and a stopped server's
# leave at once. Nothing is timed:
# each client waits for the frames it expects (its --timeout only bounds a
# broken server).
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
S_SERVER_ARGS="--realtime-presence-interval 1"
s_start_server

WS=${AGENTLOGS_WS_CLIENT:-$(dirname "$AGENTLOGS")/tests/tools/ws-client}
[ -x "$WS" ] || t_fail "no ws-client at $WS (make builds it)"

S1_URL=$S_URL
S1_PID=$S_PID
S2_PID=
S3_PID=
S4_PID=
trap 'rc=$?; kill -TERM $S2_PID $S3_PID $S4_PID 2>/dev/null; wait $S2_PID $S3_PID $S4_PID 2>/dev/null; (exit $rc); s_cleanup' EXIT
# serve_another N: server N on the same database and secret, on a port of
# its own, as $SN_URL and $SN_PID; returns once it listens for notifications.
serve_another() {
	S_PORT=$(s_free_port)
	S_URL="http://127.0.0.1:$S_PORT"
	s_serve
	eval "S$1_URL=\$S_URL S$1_PID=\$S_PID"
	S_URL=$S1_URL
	S_PID=$S1_PID
	t_wait_count "$T_TMP/server.log" "realtime: listening for changes" "$1" "server $1's LISTEN"
}
serve_another 2

# client NAME URL ARGS...: a ws-client in the background; frames in
# $T_TMP/NAME.out, exit status in NAME.rc once it ends.
client() {
	n=$1
	u=$2
	shift 2
	("$WS" --url "$u" --apikey "$S_ANON" --heartbeat 0.5 --timeout 60 "$@" \
		>"$T_TMP/$n.out" 2>"$T_TMP/$n.err" </dev/null
	echo $? >"$T_TMP/$n.rc") 2>/dev/null &
}
# finished NAME: waits for client NAME to end; its exit status must be 0.
finished() {
	t_wait_file "$T_TMP/$1.rc" "" "ws-client $1's end"	# any line: the status
	t_assert_eq 0 "$(cat "$T_TMP/$1.rc")" "ws-client $1 ($(cat "$T_TMP/$1.err"))"
}
# frames NAME EXPR: a Python expression over client NAME's frames f (dicts).
frames() {
	python3 - "$T_TMP/$1.out" "$2" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(eval(sys.argv[2]))
PY
}
joined='"event":"phx_reply","payload":{"status":"ok"'

# ---------------------------------------------------------------- broadcast
# One listener on each server; each must get the socket broadcast sent on
# server 1 and the REST one sent to server 2.
client l1 "$S1_URL" --topic room --expect-name broadcast --expect-events 2
client l2 "$S2_URL" --topic room --expect-name broadcast --expect-events 2
client other "$S2_URL" --topic elsewhere --expect-name broadcast --expect-events 1
t_wait_file "$T_TMP/l1.out" "$joined"
t_wait_file "$T_TMP/l2.out" "$joined"

# The sender (server 1, ack on): three malformed messages, then a good one.
cat >"$T_TMP/send" <<'EOF'
{"topic":"realtime:room","event":"broadcast","payload":"not an object","ref":"2","join_ref":"1"}
{"topic":"realtime:room","event":"presence","payload":{"type":"presence","event":"track","payload":[1]},"ref":"3","join_ref":"1"}
{"topic":"realtime:room","event":"presence","payload":{"type":"presence","event":"dance"},"ref":"4","join_ref":"1"}
{"topic":"realtime:room","event":"broadcast","payload":{"type":"broadcast","event":"hello","payload":{"n":1}},"ref":"5","join_ref":"1"}
EOF
client x "$S1_URL" --topic room --config '{"broadcast":{"ack":true}}' --send-after-join "$T_TMP/send" \
	--expect-name phx_reply --expect-events 5
finished x
t_assert_eq "['error', 'error', 'error', 'ok']" \
	"$(frames x "[m['payload']['status'] for m in f if m.get('ref') in ('2', '3', '4', '5')]")" \
	"replies to the malformed messages and the good one"
t_assert_eq "True True True" \
	"$(frames x "' '.join(str(r) for r in ['broadcast' in next(m for m in f if m.get('ref') == '2')['payload']['response']['reason'], next(m for m in f if m.get('ref') == '3')['payload']['response']['reason'] == 'Presence track payload must be a map', 'unknown presence event' in next(m for m in f if m.get('ref') == '4')['payload']['response']['reason']])")" \
	"the error replies say why"
t_assert_eq 0 "$(frames x "len([m for m in f if m['event'] == 'broadcast'])")" \
	"the sender (no self) does not get its own broadcast"

st=$(curl -s -o "$T_TMP/rest.out" -w '%{http_code}' -X POST -H "apikey: $S_ANON" \
	-H 'Content-Type: application/json' \
	--data-binary '{"messages":[{"topic":"room","event":"rest","payload":{"n":2}}]}' \
	"$S2_URL/realtime/v1/api/broadcast")
t_assert_eq 202 "$st" "REST broadcast on server 2 ($(cat "$T_TMP/rest.out"))"

finished l1
finished l2
want="[('hello', {'n': 1}), ('rest', {'n': 2})]"
t_assert_eq "$want" "$(frames l1 "sorted((m['payload']['event'], m['payload']['payload']) for m in f if m['event'] == 'broadcast')")" \
	"server 1's listener: the socket broadcast (local) and the REST one (from server 2)"
t_assert_eq "$want" "$(frames l2 "sorted((m['payload']['event'], m['payload']['payload']) for m in f if m['event'] == 'broadcast')")" \
	"server 2's listener: the socket broadcast (from server 1) and the REST one"

# Another topic heard nothing: a REST sentinel to it arrives as its first broadcast.
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "apikey: $S_ANON" \
	-H 'Content-Type: application/json' \
	--data-binary '{"messages":[{"topic":"elsewhere","event":"sentinel","payload":{}}]}' \
	"$S1_URL/realtime/v1/api/broadcast")
t_assert_eq 202 "$st" "sentinel"
finished other
t_assert_eq "['sentinel']" "$(frames other "[m['payload']['event'] for m in f if m['event'] == 'broadcast']")" \
	"another topic's socket"

# ---------------------------------------------------------------- presence
# A watcher with presence on (presence_state at the join) and a plain socket
# (presence off: diffs only, as Realtime's dispatcher sends them to every
# socket of the topic) see a tracker join, then leave when its socket goes
# away. The tracker's first track turns presence on for it: presence_state
# follows the reply, itself in it; then it ends.
client watch "$S1_URL" --topic lobby --config '{"presence":{"enabled":true,"key":"w"}}' \
	--expect-name presence_diff --expect-events 2
client plain "$S1_URL" --topic lobby --expect-name presence_diff --expect-events 2
t_wait_file "$T_TMP/watch.out" '"presence_state"'
t_wait_file "$T_TMP/plain.out" "$joined"
echo '{"topic":"realtime:lobby","event":"presence","payload":{"type":"presence","event":"track","payload":{"status":"here"}},"ref":"2","join_ref":"1"}' \
	>"$T_TMP/track"
client tracker "$S1_URL" --topic lobby --config '{"presence":{"key":"t"}}' --send-after-join "$T_TMP/track" \
	--expect-name presence_state --expect-events 1
finished tracker
t_assert_eq "['phx_reply', 'phx_reply', 'presence_state']" \
	"$(frames tracker "[m['event'] for m in f if m['event'] in ('phx_reply', 'presence_state', 'presence_diff')]")" \
	"the tracker: join and track answered, then the state (no diff of its own)"
t_assert_eq "{'t': 'here'}" "$(frames tracker "{k: v['metas'][0]['status'] for m in f if m['event'] == 'presence_state' for k, v in m['payload'].items()}")" \
	"the tracker's state holds itself"
for n in watch plain; do
	finished $n
	t_assert_eq "[('joins', 'here'), ('leaves', 'here')]" \
		"$(frames $n "[(k, d[k]['t']['metas'][0]['status']) for d in [m['payload'] for m in f if m['event'] == 'presence_diff'] for k in ('joins', 'leaves') if d[k]]")" \
		"$n saw the tracker join and leave"
done
t_assert_eq 0 "$(frames plain "len([m for m in f if m['event'] == 'presence_state'])")" \
	"a socket without presence on gets no presence_state"

# ---------------------------------------------------------------- presence across servers
# track_line REF META: a presence track frame of the lobby's join 1.
track_line() {
	printf '{"topic":"realtime:lobby","event":"presence","payload":{"type":"presence","event":"track","payload":%s},"ref":"%s","join_ref":"1"}\n' "$2" "$1"
}
# diffs NAME: client NAME's presence_diffs as (joins or leaves, key, status) in order.
diffs() {
	frames "$1" "[(k, key, v['metas'][0].get('status')) for d in [m['payload'] for m in f if m['event'] == 'presence_diff'] for k in ('joins', 'leaves') for key, v in d[k].items()]"
}
# watcher NAME URL: a socket on the lobby, presence on (key NAME), waiting for
# two presence_diffs; returns once its presence_state arrived.
watcher() {
	client "$1" "$2" --topic lobby --config "{\"presence\":{\"enabled\":true,\"key\":\"$1\"}}" \
		--expect-name presence_diff --expect-events 2
	t_wait_file "$T_TMP/$1.out" '"presence_state"' "$1's presence_state"
}
# tracker NAME URL STATUS: a socket that tracks {status} as NAME and stays
# until a broadcast reaches it (or its server dies).
tracker() {
	track_line 2 "{\"status\":\"$3\"}" >"$T_TMP/track-$1"
	client "$1" "$2" --topic lobby --config "{\"presence\":{\"key\":\"$1\"}}" \
		--send-after-join "$T_TMP/track-$1" --expect-name broadcast --expect-events 1
}
# state_keys NAME: the keys of client NAME's first presence_state.
state_keys() {
	frames "$1" "sorted(next(m['payload'] for m in f if m['event'] == 'presence_state'))"
}

# Untrack: a tracker on server 1 is refused a meta too large for NOTIFY,
# then tracks "a", tracks it again with another meta (an update: the old
# leaves, the new joins) and untracks; a watcher on server 2 sees the same.
client w1 "$S2_URL" --topic lobby --config '{"presence":{"enabled":true,"key":"w1"}}' \
	--expect-name presence_diff --expect-events 3
t_wait_file "$T_TMP/w1.out" '"presence_state"' "w1's presence_state"
big=$(python3 -c 'print("{\"status\":\"%s\"}" % ("x" * 8000))')
{ track_line 2 "$big"; track_line 3 '{"status":"one"}'; track_line 4 '{"status":"uno"}'
  echo '{"topic":"realtime:lobby","event":"presence","payload":{"type":"presence","event":"untrack"},"ref":"5","join_ref":"1"}'
} >"$T_TMP/untrack"
client a "$S1_URL" --topic lobby --config '{"presence":{"key":"a"}}' --send-after-join "$T_TMP/untrack" \
	--expect-name phx_reply --expect-events 5
finished a
t_assert_eq "['error', 'ok', 'ok', 'ok']" \
	"$(frames a "[m['payload']['status'] for m in f if m.get('ref') in ('2', '3', '4', '5')]")" \
	"the too large track refused, the tracks and the untrack answered"
t_assert_eq "True" "$(frames a "next(m for m in f if m.get('ref') == '2')['payload']['response']['reason'].startswith('Presence payload too large')")" \
	"the refusal says why"
finished w1
t_assert_eq "[('joins', 'a', 'one'), ('joins', 'a', 'uno'), ('leaves', 'a', 'one'), ('leaves', 'a', 'uno')]" "$(diffs w1)" \
	"server 2's watcher: the track on server 1 joins, the update replaces it in one diff, the untrack leaves (the refused one never)"
t_assert_eq 2 "$(frames w1 "len([m for m in f if m['event'] == 'presence_diff' and m['payload']['joins'].get('a') and m['payload']['joins']['a']['metas'][0].get('phx_ref_prev') is None]) + len([m for m in f if m['event'] == 'presence_diff' and m['payload']['joins'].get('a') and m['payload']['leaves'].get('a') and m['payload']['joins']['a']['metas'][0]['phx_ref_prev'] == m['payload']['leaves']['a']['metas'][0]['phx_ref']])")" \
	"the update's join names the meta it replaces (phx_ref_prev), the first join none"

# Disconnect: "b" tracks on server 1 and stays until a broadcast ends its
# client; server 2's watcher sees it join, a socket joining server 2 later
# has it in presence_state, and so does a third server started after it.
watcher w2 "$S2_URL"
tracker b "$S1_URL" two
t_wait_file "$T_TMP/w2.out" '"presence_diff"' "server 2's watcher hears of b"
client late "$S2_URL" --topic lobby --config '{"presence":{"enabled":true,"key":"late"}}' \
	--expect-name presence_state --expect-events 1
finished late
t_assert_eq "['b']" "$(state_keys late)" "a later join on server 2 (tracking nothing itself): b, tracked on server 1"

serve_another 3
# Its hello is answered as soon as the others read it; until then a join
# finds the lobby without b. Each try is a whole join, bounded.
i=0
while :; do
	client s3 "$S3_URL" --topic lobby --config '{"presence":{"enabled":true,"key":"s3"}}' \
		--expect-name presence_state --expect-events 1
	finished s3
	rm -f "$T_TMP/s3.rc"
	[ "$(state_keys s3)" = "['b']" ] && break
	i=$((i + 1))
	[ $i -lt 300 ] || t_fail "the third server never learnt of b: $(state_keys s3)"
done

st=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "apikey: $S_ANON" \
	-H 'Content-Type: application/json' \
	--data-binary '{"messages":[{"topic":"lobby","event":"bye","payload":{}}]}' "$S2_URL/realtime/v1/api/broadcast")
t_assert_eq 202 "$st" "the broadcast that ends b's client"
finished b
finished w2
t_assert_eq "[('joins', 'b', 'two'), ('leaves', 'b', 'two')]" "$(diffs w2)" \
	"server 2's watcher: b joins, and leaves when its socket on server 1 goes away"

# A dead server: "c" tracks on the third server, which is killed; server 1's
# watcher sees c join, then leave once c goes unannounced.
watcher w3 "$S1_URL"
tracker c "$S3_URL" three
t_wait_file "$T_TMP/w3.out" '"presence_diff"' "server 1's watcher hears of c"
kill -KILL "$S3_PID"
wait "$S3_PID" 2>/dev/null
S3_PID=
finished w3
t_assert_eq "[('joins', 'c', 'three'), ('leaves', 'c', 'three')]" "$(diffs w3)" \
	"server 1's watcher: c joins, and leaves once its server is dead"
t_wait_file "$T_TMP/c.rc" "" "c's client ends with its server"

# A server that stops: "d" tracks on server 2, which is then stopped
# (SIGTERM); a watcher on a fourth server, which expires presences only after
# 30 minutes, sees d leave at once: the stopping server sends its leaves.
S_SERVER_ARGS="--realtime-presence-interval 600"
serve_another 4
watcher w4 "$S4_URL"
tracker d "$S2_URL" four
t_wait_file "$T_TMP/w4.out" '"presence_diff"' "the fourth server's watcher hears of d"
kill -TERM "$S2_PID"
wait "$S2_PID" 2>/dev/null
S2_PID=
finished w4
t_assert_eq "[('joins', 'd', 'four'), ('leaves', 'd', 'four')]" "$(diffs w4)" \
	"the fourth server's watcher: d joins, and leaves when its server stops"
t_wait_file "$T_TMP/d.rc" "" "d's client ends with its server"

# ---------------------------------------------------------------- hosted Supabase
# Where realtime.messages and realtime.topic() already exist (hosted
# Supabase: owned by supabase_realtime_admin, partitioned), the migration
# leaves them as they are: a stand-in of each, marked, survives a migrate.
H_DBNAME="${S_DBNAME}_hosted"
psql -X -q -v ON_ERROR_STOP=1 "$AGENTLOGS_TEST_PG" -c "CREATE DATABASE \"$H_DBNAME\"" >/dev/null ||
	t_fail "cannot create the hosted stand-in database"
H_DB=$(printf '%s' "$S_DB" | sed "s|/$S_DBNAME\$|/$H_DBNAME|")
psql -X -q -v ON_ERROR_STOP=1 "$H_DB" >/dev/null 2>"$T_TMP/hosted.err" <<'SQL' || t_fail "hosted stand-in: $(cat "$T_TMP/hosted.err")"
create schema realtime;
create table realtime.messages (topic text not null, extension text not null, hosted_marker int);
create function realtime.topic() returns text language sql stable as $$ select 'hosted'::text $$;
SQL
"$SERVER" migrate --db "$H_DB" >"$T_TMP/hosted-migrate.out" 2>&1
h_rc=$?
h_left=$(psql -X -q -At "$H_DB" -c "select realtime.topic(), count(*) from pg_catalog.pg_attribute
	where attrelid = 'realtime.messages'::regclass and attname = 'hosted_marker'" 2>&1)
psql -X -q "$AGENTLOGS_TEST_PG" -c "DROP DATABASE IF EXISTS \"$H_DBNAME\" WITH (FORCE)" >/dev/null 2>&1
t_assert_eq 0 "$h_rc" "migrate over existing realtime objects ($(cat "$T_TMP/hosted-migrate.out"))"
t_assert_eq "hosted|1" "$h_left" "the existing realtime.topic() and realtime.messages are untouched"
# On a Supabase database without them yet (Realtime creates them at its first
# start), nothing is created. The role that marks Supabase is cluster-wide,
# so it exists only inside a transaction that is rolled back: no other
# session (other tests' migrations) ever sees it.
h_made=$(psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" 2>&1 <<SQL
begin;
create role supabase_admin nologin;
drop table realtime.messages;
drop function realtime.topic();
\i $SRCDIR/supabase/migrations/20261207000007_realtime_broadcast.sql
select pg_catalog.to_regclass('realtime.messages') is null,
	pg_catalog.to_regprocedure('realtime.topic()') is null;
rollback;
SQL
)
t_assert_eq "t|t" "$h_made" "a Supabase database (role supabase_admin): the migration creates nothing"

# The servers left running (1 and 4) are still up.
for u in "$S1_URL" "$S4_URL"; do
	t_assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "$u/health")" "health of $u"
done
echo "PASS: broadcast across two servers (socket and REST), malformed messages answered, presence join and leave on disconnect, presence across servers (track, untrack, disconnect, late server, dead and stopped server)"
