#!/bin/sh
# Realtime that leaks nothing (supabase/migrations/20261207000005): user B,
# subscribed to every table of the schema (rows and nudges, no filter, and
# A's signal row by name), hears nothing of user A while A pushes, deletes
# (a tombstone synced, a row deleted through REST) and purges; A's second
# machine, a daemon whose client joins on its signal row only, follows A's
# push and delete by realtime (its periodic pull is ten minutes away); and A's
# own signal socket gets one event per signalling transaction, whatever the
# number of rows. Last, as on hosted Supabase, where only the signal table is
# published, the data tables' notifications are removed: A2 still follows.
# "Nothing arrived" is proved without timing: B's sockets are settled (two
# heartbeat replies after A's last signal reached A's socket, which the server
# fans out in one pass over every socket).
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
. "$SRCDIR/tests/integration/realtime-lib.sh"
y_begin
trap 'd_kill; s_cleanup' EXIT

y_machine A1
y_machine A2
y_machine B
y_signup A1 ann@example.com
y_login A2 ann@example.com
y_signup B bob@example.com
A_ID=$(y_uid A1)
token() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
		"$(y_home "$1")/auth.json" || t_fail "no token on $1"
}
A_TOKEN=$(token A1)
B_TOKEN=$(token B)
cloud() {
	psql -X -At "$S_DB" -c "$1" || t_fail "psql: $1"
}
# signal_version: A's signal row's version (0: none yet).
signal_version() {
	cloud "SELECT coalesce((SELECT version FROM sync_signals WHERE user_id = '$A_ID'), 0)"
}

t_wait_file "$T_TMP/server.log" "realtime: listening for changes" "server log"
# A's socket joins as agentlogs' client does; B's ask for everything.
ws a_sig --token "$A_TOKEN" --nudge --table sync_signals --timeout 600
ws b_rows --token "$B_TOKEN" --filter "" --timeout 600
ws b_nudge --token "$B_TOKEN" --filter "" --nudge --timeout 600
ws b_spy --token "$B_TOKEN" --filter "user_id=eq.$A_ID" --table sync_signals --timeout 600
for n in a_sig b_rows b_nudge b_spy; do
	t_wait_file "$T_TMP/$n.out" "$joined" "socket $n"
done

# A's second machine: a daemon with nothing of its own to import.
AGENTLOGS_HOME=$(y_home A2)
CLAUDE_HOME=$T_TMP/claude-a2
export AGENTLOGS_HOME CLAUDE_HOME
mkdir -p "$CLAUDE_HOME/projects"
"$AGENTLOGS" config set storage cloud >/dev/null || t_fail "config set storage on A2"
d_start
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"sync":	"live"' "A2's realtime channel"

# a2_wait WHAT SQL WANT: until SQL on A2's store answers WANT (60 s: a bound
# for a broken program, not a timing).
a2_wait() {
	i=0
	until [ "$(t_sql "$(y_home A2)/data.db" "$2" 2>/dev/null)" = "$3" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || t_fail "A2: $1: got '$(t_sql "$(y_home A2)/data.db" "$2")', expected '$3'; log: $(tail -n 5 "$(y_home A2)/log")"
		sleep 0.05
	done
}
pushes() {
	grep -cE 'POST /rest/v1/rpc/push_(batch|rows)' "$T_TMP/server.log"
}

# A pushes.
y_import A1
ncommits=$(t_sql "$(y_home A1)/data.db" "SELECT count(*) FROM cognitive_commits")
before=$(pushes)
t0=$(date +%s%3N)
y_ok A1 push
a2_wait "A's push" "SELECT count(*) FROM cognitive_commits" "$ncommits"
echo "A2 held A's $ncommits commits $(($(date +%s%3N) - t0)) ms after A's push began"
npush=$(($(pushes) - before))
rows=$(cloud "SELECT (SELECT count(*) FROM projects WHERE user_id = '$A_ID')
	+ (SELECT count(*) FROM cognitive_commits WHERE user_id = '$A_ID')
	+ (SELECT count(*) FROM sessions WHERE user_id = '$A_ID')
	+ (SELECT count(*) FROM turns WHERE user_id = '$A_ID')")
t_assert_eq "$npush" "$(signal_version)" "A's signal version after $npush push_batch calls of $rows rows"
# Every id A has in the cloud, before some go: none may reach B.
cloud "SELECT id FROM projects WHERE user_id = '$A_ID' UNION ALL SELECT id FROM cognitive_commits
	WHERE user_id = '$A_ID' UNION ALL SELECT id FROM sessions WHERE user_id = '$A_ID'
	UNION ALL SELECT id FROM turns WHERE user_id = '$A_ID' UNION ALL SELECT id FROM visuals
	WHERE user_id = '$A_ID' UNION ALL SELECT id FROM sync_signals WHERE user_id = '$A_ID'" \
	>"$T_TMP/a-ids"
echo "$A_ID" >>"$T_TMP/a-ids"

# A deletes a commit (a tombstone, synced).
id=$(t_sql "$(y_home A1)/data.db" "SELECT id FROM cognitive_commits ORDER BY started_at, id LIMIT 1")
y_ok A1 rm "$id"
v=$(signal_version)
y_ok A1 push
t_assert_eq $((v + 1)) "$(signal_version)" "A's signal version after the delete's push"
a2_wait "A's delete" "SELECT deleted_at IS NOT NULL FROM cognitive_commits WHERE id = '$id'" 1

# A deletes a turn through REST.
turn=$(cloud "SELECT id FROM turns WHERE user_id = '$A_ID' ORDER BY id LIMIT 1")
s_http DELETE "/rest/v1/turns?id=eq.$turn" -H "Authorization: Bearer $A_TOKEN"
t_assert_eq 204 "$s_status" "A's REST delete ($s_body)"
t_assert_eq $((v + 2)) "$(signal_version)" "A's signal version after a REST delete"

# A's next sync 31 days on (by the cloud's clock too) purges the tombstone
# with its sessions and turns.
psql -X -q "$S_DB" -c "SET session_replication_role = replica" -c "UPDATE cognitive_commits
	SET deleted_at = deleted_at - interval '31 days' WHERE user_id = '$A_ID' AND id = '$id'" ||
	t_fail "aging the tombstone"
y_at $(($(date +%s) + 31 * 86400)) A1 sync
t_assert_eq 0 "$(cloud "SELECT count(*) FROM cognitive_commits WHERE id = '$id'")" "the purged commit"
final=$(signal_version)
[ "$final" -gt $((v + 2)) ] || t_fail "no signal for the purge (version $final)"

# A's socket got every signal; then B's sockets are settled.
i=0
until [ "$(frames a_sig 'len(ch)')" -ge "$final" ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "A's socket got $(frames a_sig 'len(ch)') signals of $final"
	sleep 0.05
done
for n in b_rows b_nudge b_spy a_sig; do
	ws_settle "$n"
done
t_assert_eq "$final" "$(frames a_sig 'len(ch)')" "signals A's socket got"
t_assert_eq "sync_signals $A_ID" "$(frames a_sig '" ".join(sorted(set(m["payload"]["data"]["table"] + " " + m["payload"]["data"]["record"]["user_id"] for m in ch)))')" \
	"the tables and users of A's signals"
for n in b_rows b_nudge b_spy; do
	t_assert_eq 0 "$(frames "$n" 'len(ch)')" "changes B's socket $n got: $(cat "$T_TMP/$n.out")"
	# (The join's reply echoes b_spy's own filter, naming A: not a leak.)
	if grep -v -F '"ref":"1"}' "$T_TMP/$n.out" | grep -F -f "$T_TMP/a-ids" >"$T_TMP/leak"; then
		t_fail "B's socket $n got A's ids: $(cat "$T_TMP/leak")"
	fi
done

# As on hosted Supabase, where only sync_signals is published: without the
# data tables' own notifications A2 still follows A's retitle, by its signal.
cloud "DO \$\$ DECLARE t text; BEGIN FOREACH t IN ARRAY agentlogs_synced_tables() LOOP
	EXECUTE format('DROP TRIGGER agentlogs_notify_insert ON %I; DROP TRIGGER agentlogs_notify_update ON %I;
	DROP TRIGGER agentlogs_notify_delete ON %I', t, t, t); END LOOP; END \$\$" >/dev/null
id=$(t_sql "$(y_home A1)/data.db" "SELECT id FROM cognitive_commits WHERE deleted_at IS NULL
	ORDER BY started_at DESC, id DESC LIMIT 1")
y_ok A1 title "$id" "Signalled ✓"
y_ok A1 push
a2_wait "A's retitle with only the signal table announced" \
	"SELECT title FROM cognitive_commits WHERE id = '$id'" "Signalled ✓"
echo "A's push of $rows rows in $npush push_batch calls, a delete, a REST delete and a purge: $final signals"
echo "PASS: B heard nothing of A; A's second machine followed by its signal row"
