#!/bin/sh
# A slow row read for one realtime channel stalls no other socket, nor does a
# join whose filter check waits for a locked table: the rows
# a supabase-js channel receives are read by worker threads, not by the
# thread that serves every websocket. One user's read is held on a lock (a
# restrictive row-level security policy that waits for an advisory lock this
# test holds); while it is held, another socket's heartbeats are answered and
# its own change is delivered. Nothing is timed: each step waits for an event
# (the read shown waiting in pg_locks, a frame).
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
. "$SRCDIR/tests/integration/realtime-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server

signup slow@example.com
A=$(s_json 'j["access_token"]')
A_ID=$(s_json 'j["user"]["id"]')
signup fast@example.com
B=$(s_json 'j["access_token"]')
B_ID=$(s_json 'j["user"]["id"]')
t_wait_file "$T_TMP/server.log" "realtime: listening for changes" "server log"

# Reading a project named slow* as a user waits for advisory lock 4242.
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" >/dev/null <<'SQL' || t_fail "cannot create the gate"
create function public.test_gate() returns boolean language plpgsql volatile as $$
begin
	perform pg_catalog.pg_advisory_xact_lock_shared(4242);
	return true;
end $$;
grant execute on function public.test_gate() to authenticated;
create policy test_gate on public.projects as restrictive for select to authenticated
	using (name not like 'slow%' or public.test_gate());
SQL

# locks WHICH GRANTED: how many sessions hold (true) or wait for (false) a
# lock: WHICH is "advisory" (lock 4242) or "sessions" (the table).
locks() {
	case $1 in
	advisory) lk_which="locktype = 'advisory' AND objid = 4242" ;;
	*) lk_which="relation = 'public.$1'::regclass AND pid <> pg_backend_pid()" ;;
	esac
	psql -X -At "$S_DB" -c "SELECT count(*) FROM pg_locks WHERE $lk_which AND granted = $2"
}
# wait_locks WHICH GRANTED N: until locks WHICH GRANTED is N.
wait_locks() {
	i=0
	until [ "$(locks "$1" "$2")" = "$3" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || t_fail "lock on $1 (granted $2): not $3 after 60 s"
		sleep 0.05
	done
}
# A row written as the database owner (row-level security does not hold it up).
insert() {
	psql -X -q -v ON_ERROR_STOP=1 "$S_DB" -c "INSERT INTO public.projects (user_id, id, name)
		VALUES ('$1', '$2', '$3')" || t_fail "insert $3"
}

ws slow --token "$A" --table projects --heartbeat 0.2 --expect-events 1 --timeout 120
ws fast --token "$B" --table projects --heartbeat 0.2 --expect-events 1 --timeout 120
t_wait_file "$T_TMP/slow.out" "$joined" "the slow socket"
t_wait_file "$T_TMP/fast.out" "$joined" "the fast socket"

# The lock, held by a psql session of its own until told to let go.
mkfifo "$T_TMP/holder"
psql -X -q "$S_DB" <"$T_TMP/holder" >"$T_TMP/holder.out" 2>&1 &
holder=$!
exec 4>"$T_TMP/holder"
# On failure the lock must go first: a server stuck on it would not stop.
trap 'rc=$?; exec 4>&-; kill "$holder" 2>/dev/null; (exit $rc); s_cleanup' EXIT
echo "SELECT pg_advisory_lock(4242);" >&4
wait_locks advisory true 1

ps=$(uuid)
insert "$A_ID" "$ps" "slow one"
# The slow socket's read now waits for the lock.
wait_locks advisory false 1
t_wait_count "$T_TMP/fast.out" '"topic":"phoenix","event":"phx_reply"' $(($(heartbeats fast) + 2)) \
	"heartbeat replies on the other socket while the read waits"
pf=$(uuid)
insert "$B_ID" "$pf" "fast one"
ws_wait fast
t_assert_eq 0 "$ws_rc" "the fast socket got its change while the other read waited ($(cat "$T_TMP/fast.err"))"
t_assert_eq "$pf fast one" "$(frames fast 'ch[0]["payload"]["data"]["record"]["id"] + " " + ch[0]["payload"]["data"]["record"]["name"]')" \
	"the fast socket's change"
# Still held: the read still waits and the slow socket has had no change.
t_assert_eq "1 1" "$(locks advisory true) $(locks advisory false)" "the lock, held and waited for"
t_assert_eq 0 "$(frames slow 'len(ch)')" "changes on the slow socket while its read waits"

echo "SELECT pg_advisory_unlock(4242);" >&4
exec 4>&-
wait "$holder"
ws_wait slow
t_assert_eq 0 "$ws_rc" "the slow socket got its change once the lock was let go ($(cat "$T_TMP/slow.err"))"
t_assert_eq "$ps slow one $A_ID" \
	"$(frames slow 'ch[0]["payload"]["data"]["record"]["id"] + " " + ch[0]["payload"]["data"]["record"]["name"] + " " + ch[0]["payload"]["data"]["record"]["user_id"]')" \
	"the slow socket's change"

# A join's filter is checked against its table by a worker too: with the
# table locked (as a migration's ALTER TABLE would), the join waits for its
# answer and every other socket is served meanwhile.
ws other --token "$B" --heartbeat 0.2 --timeout 120
t_wait_file "$T_TMP/other.out" "$joined" "the other socket"
mkfifo "$T_TMP/locker"
psql -X -q "$S_DB" <"$T_TMP/locker" >"$T_TMP/locker.out" 2>&1 &
holder=$!
exec 4>"$T_TMP/locker"
printf 'BEGIN;\nLOCK TABLE public.sessions IN ACCESS EXCLUSIVE MODE;\n' >&4
wait_locks sessions true 1
ws joiner --token "$A" --table sessions --filter "version=gt.1" --heartbeat 0.2 --timeout 120
# The check waits for the table.
wait_locks sessions false 1
t_wait_count "$T_TMP/other.out" '"topic":"phoenix","event":"phx_reply"' $(($(heartbeats other) + 2)) \
	"heartbeat replies on the other socket while a join's check waits"
t_assert_eq "1 1" "$(locks sessions true) $(locks sessions false)" "the table, locked and waited for"
t_assert_eq None "$(frames joiner 'j')" "the join's reply while its check waits"
echo "COMMIT;" >&4
exec 4>&-
wait "$holder"
t_wait_file "$T_TMP/joiner.out" "$joined" "the join once the table was free"
t_assert_eq "version=gt.1" "$(frames joiner 'j["payload"]["response"]["postgres_changes"][0]["filter"]')" \
	"the join's reply"
echo "PASS: a row read or a join's filter check held on a lock stalls neither another socket's heartbeats nor its changes"
