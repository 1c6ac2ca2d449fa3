#!/bin/sh
# Deletions survive wrong clocks (ARCHITECTURE §5): the cloud stamps tombstones
# and decides what is 30 days old, by its own clock.
#   1. A machine a year ahead (AGENTLOGS_NOW) syncs for the first time: its
#      purge removes no young tombstone, and B still learns of the delete.
#   2. A machine a year behind deletes: the tombstone carries the cloud's time,
#      so the next purge leaves it, and B still learns of the delete.
#   3. A tombstone B never pulled is purged (31 days old by the cloud's clock):
#      B's cursor is behind the purge, so B pulls everything again and drops
#      the commit (also when killed halfway); B's next edits do not bring it
#      back anywhere.
#   4. The same while A's rewrite of another commit is held back from the feed
#      (an older transaction is open): B must not drop that commit, which the
#      feed could not show it, until its next sync sees it.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
. "$SRCDIR/tests/integration/sync-lib.sh"
t_mktemp
slow_pid=
trap 'rc=$?; [ -z "$slow_pid" ] || kill "$slow_pid" 2>/dev/null; (exit $rc); s_cleanup' EXIT
s_require_pg
s_create_db
s_start_server

y_machine A
y_machine B
y_signup A clock@example.com
y_login B clock@example.com
uid=$(y_uid A)
y_import A
y_ok A sync
y_settle
y_ok B sync

y_ok A log --json --all
set -- $(printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(" ".join(c["id"] for c in json.load(sys.stdin)[:5]))')
[ $# -eq 5 ] || t_fail "fewer than five commits imported"
C1=$1 C2=$2 C3=$3 C4=$4 C5=$5
now=$(date +%s)
year=$((365 * 86400))
cloud() {
	psql -X -At "$S_DB" -c "$1" || t_fail "psql: $1"
}
# tombstone ID: "live", "deleted" or "gone" in the cloud; deleted means within
# the last hour by the cloud's clock.
tombstone() {
	cloud "SELECT coalesce((SELECT CASE WHEN deleted_at IS NULL THEN 'live'
	    WHEN deleted_at > now() - interval '1 hour' THEN 'deleted'
	    ELSE 'deleted at ' || deleted_at END FROM cognitive_commits
	    WHERE user_id = '$uid' AND id = '$1'), 'gone')"
}
# not_in_log MACHINE ID
not_in_log() {
	y_ok "$1" log --json --all
	case $t_out in *"$2"*) t_fail "$2 is still in $1's log" ;; esac
}

# ---------------------------------------------------------------- 1: a year ahead
y_ok A rm "$C1"
y_ok A sync
y_settle
y_machine F
y_login F clock@example.com
y_at $((now + year)) F sync
t_assert_eq deleted "$(tombstone "$C1")" "$C1 after a sync a year ahead"
y_ok B sync
not_in_log B "$C1"

# ---------------------------------------------------------------- 2: a year behind
y_at $((now - year)) A rm "$C2"
y_at $((now - year)) A sync
y_settle
t_assert_eq deleted "$(tombstone "$C2")" "$C2 deleted a year behind"
y_machine P
y_login P clock@example.com
y_ok P sync
t_assert_eq deleted "$(tombstone "$C2")" "$C2 after the next purge"
y_ok B sync
not_in_log B "$C2"

# ---------------------------------------------------------------- 3: behind a purge
y_ok A rm "$C3"
y_ok A sync
y_settle
# age ID: 31 days of the cloud's clock on ID's tombstone (its triggers bypassed:
# time passing, not a write).
age() {
	psql -X -q "$S_DB" -c "SET session_replication_role = replica" -c "UPDATE
	    cognitive_commits SET deleted_at = deleted_at - interval '31 days'
	    WHERE user_id = '$uid' AND id = '$1'" || t_fail "aging $1"
}
# family MACHINE ID: "commits sessions turns" of commit ID on MACHINE.
family() {
	t_sql "$(y_home "$1")/data.db" "SELECT (SELECT count(*) FROM cognitive_commits
	    WHERE id = '$2') || ' ' || (SELECT count(*) FROM sessions WHERE commit_id = '$2')
	    || ' ' || (SELECT count(*) FROM turns WHERE session_id IN
	    (SELECT id FROM sessions WHERE commit_id = '$2'))"
}
age "$C3"
# A's purge runs once a day by A's clock: two days on.
y_at $((now + 2 * 86400)) A sync
t_assert_eq gone "$(tombstone "$C3")" "$C3 after A's purge"
t_assert_eq 0 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE id = '$C3'")" "$C3 on A after the purge"
t_assert_eq 1 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE id = '$C3' AND deleted_at IS NULL")" "$C3 live on B before B syncs"
y_settle
# B's re-pull killed at its third page: the next sync finishes it.
t_run env AGENTLOGS_HOME="$(y_home B)" AGENTLOGS_PULL_PAGE_ROWS=5 \
	AGENTLOGS_FAULT=pull-before-local-commit:3 "$AGENTLOGS" pull
[ "$t_rc" -ne 0 ] || t_fail "B's pull was not killed"
t_assert_eq 1 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE id = '$C3'")" "$C3 on B after the killed re-pull"
y_ok B sync
t_assert_eq "0 0 0" "$(family B "$C3")" "$C3 and its children on B"
# Once is enough: B's next pull goes on from its cursor, one page of five rows,
# not from the beginning.
pulls=$(grep -c 'rpc/pull_changes' "$T_TMP/server.log")
t_run env AGENTLOGS_HOME="$(y_home B)" AGENTLOGS_PULL_PAGE_ROWS=5 "$AGENTLOGS" pull
t_assert_eq 0 "$t_rc" "B's pull after the re-pull"
t_assert_eq $((pulls + 1)) "$(grep -c 'rpc/pull_changes' "$T_TMP/server.log")" \
	"pages of B's pull after the re-pull"
# B edits everything it has; none of it brings C3 back.
y_bump B later
y_ok B sync
y_settle
t_assert_eq gone "$(tombstone "$C3")" "$C3 in the cloud after B's edits"
y_ok A sync
not_in_log A "$C3"
t_assert_eq 0 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE id = '$C3'")" "$C3 on A after B's edits"
# Everything else is where it was: B re-pulled, and kept, the rest.
y_same_rows "A B" "$uid" "A and B against the cloud"

# ---------------------------------------------------------------- 4: held back
y_ok A rm "$C5"
y_ok A sync
y_settle
age "$C5"
y_at $((now + 4 * 86400)) A sync
t_assert_eq gone "$(tombstone "$C5")" "$C5 after A's second purge"
c4=$(family B "$C4")
# An open transaction that started before A's next push: the feed holds back
# everything written after it.
mkfifo "$T_TMP/slow.in"
psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" <"$T_TMP/slow.in" >"$T_TMP/slow.out" 2>&1 &
slow_pid=$!
exec 3>"$T_TMP/slow.in"
printf 'BEGIN;\nSELECT pg_current_xact_id() IS NOT NULL;\n' >&3
i=0
until grep -q '^t$' "$T_TMP/slow.out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || t_fail "the open transaction did not start: $(cat "$T_TMP/slow.out")"
	kill -0 "$slow_pid" 2>/dev/null || t_fail "the open transaction died: $(cat "$T_TMP/slow.out")"
	sleep 0.1
done
y_ok A title "$C4" "rewritten"
y_ok A sync
y_ok B sync
t_assert_eq "$c4" "$(family B "$C4")" "$C4 on B while its rewrite is held back"
printf 'COMMIT;\n' >&3
exec 3>&-
wait "$slow_pid" || t_fail "the open transaction failed: $(cat "$T_TMP/slow.out")"
slow_pid=
y_settle
y_ok B sync
t_assert_eq "0 0 0" "$(family B "$C5")" "$C5 on B once the re-pull ends"
t_assert_eq "$c4" "$(family B "$C4")" "$C4 on B once the re-pull ends"
t_assert_eq rewritten "$(t_sql "$(y_home B)/data.db" "SELECT title FROM cognitive_commits
    WHERE id = '$C4'")" "$C4's title on B"
y_same_rows "A B" "$uid" "A and B against the cloud at the end"
echo "PASS: sync-clock"
