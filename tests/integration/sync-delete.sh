#!/bin/sh
# Deletes are tombstones that sync (ARCHITECTURE §5): A removes a commit, B
# loses it too; the tombstone's time is the cloud's; 30 days on by the cloud's
# clock, a sync purges the tombstone with its sessions and turns, here and in
# the cloud; a younger tombstone stays; the purge runs once a day (by the
# machine's clock, AGENTLOGS_NOW).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
y_import A
y_ok A sync
y_settle
y_ok B sync

y_ok A log --json --all
set -- $(printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(" ".join(c["id"] for c in json.load(sys.stdin)[:2]))')
[ $# -eq 2 ] || t_fail "fewer than two commits imported"
OLD=$1 YOUNG=$2
db() {
	t_sql "$(y_home "$1")/data.db" "$2"
}
cloud() {
	psql -X -At "$S_DB" -c "$1" || t_fail "psql: $1"
}
# children WHERE ID: sessions and turns of commit ID ("sessions turns").
children_local() {
	db "$1" "SELECT (SELECT count(*) FROM sessions WHERE commit_id = '$2') || ' ' ||
	    (SELECT count(*) FROM turns t JOIN sessions s ON s.id = t.session_id
	     WHERE s.commit_id = '$2')"
}
children_cloud() {
	cloud "SELECT (SELECT count(*) FROM sessions WHERE user_id = '$uid' AND commit_id = '$1')
	    || ' ' || (SELECT count(*) FROM turns t JOIN sessions s ON s.user_id = t.user_id
	    AND s.id = t.session_id WHERE t.user_id = '$uid' AND s.commit_id = '$1')"
}
kids=$(children_local A "$OLD")
[ "${kids%% *}" -gt 0 ] || t_fail "commit $OLD has no sessions"
t_assert_eq "$kids" "$(children_cloud "$OLD")" "the cloud's sessions and turns of $OLD"

now=$(date +%s)
day=86400
y_ok A rm "$OLD"
t_assert_contains "$t_out" "Deleted"
# A second tombstone, to stay younger than 30 days when the other goes.
y_ok A rm "$YOUNG"
y_ok A sync
y_settle
y_ok B sync
y_ok A sync
# The tombstones' times are the cloud's, on every machine.
for id in "$OLD" "$YOUNG"; do
	stamp=$(cloud "SELECT to_char(deleted_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM cognitive_commits
	    WHERE user_id = '$uid' AND id = '$id'")
	for m in A B; do
		t_assert_eq "$stamp" "$(db $m "SELECT deleted_at FROM cognitive_commits
		    WHERE id = '$id'")" "$id's tombstone time on $m"
	done
done
# age ID DAYS: the tombstone of ID DAYS older, in the cloud and on A and B (the
# copies hold the cloud's time): what DAYS days of the cloud's clock would do.
# The cloud's triggers are bypassed (session_replication_role): this is time
# passing, not a write.
age() {
	psql -X -q "$S_DB" -c "SET session_replication_role = replica" -c "UPDATE
	    cognitive_commits SET deleted_at = deleted_at - interval '$2 days'
	    WHERE user_id = '$uid' AND id = '$1'" || t_fail "aging $1"
	for m in A B; do
		python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE cognitive_commits SET deleted_at = strftime(?, deleted_at, ?) WHERE id = ?",
           ("%Y-%m-%dT%H:%M:%fZ", "-%s days" % sys.argv[2], sys.argv[3]))
db.commit()' "$(y_home $m)/data.db" "$2" "$1" || t_fail "aging $1 on $m"
	done
}
for m in A B; do
	y_ok $m log --json --all
	case $t_out in *"$OLD"* | *"$YOUNG"*) t_fail "a deleted commit is still in $m's log" ;; esac
	y_on $m show "$OLD"
	t_assert_eq 1 "$t_rc" "show of a deleted commit on $m"
	t_assert_one_line "$t_err" "show's error on $m"
	y_on $m show --json "$OLD"
	t_assert_eq 1 "$t_rc" "show --json of a deleted commit on $m"
	y_on $m title "$OLD" "too late"
	t_assert_eq 1 "$t_rc" "title of a deleted commit on $m"
	# The tombstone is there, synced, until the purge.
	t_assert_eq synced "$(db $m "SELECT sync_status FROM cognitive_commits WHERE id = '$OLD'
	    AND deleted_at IS NOT NULL")" "$OLD's tombstone on $m"
done
t_assert_eq 1 "$(cloud "SELECT count(*) FROM cognitive_commits WHERE user_id = '$uid'
    AND id = '$OLD' AND deleted_at IS NOT NULL")" "the tombstone in the cloud"
ref=$(y_cloud_counts "$uid")

# Still within 30 days: nothing purged.
age "$OLD" 29
y_at $((now + 29 * day)) A sync
t_assert_eq "$ref" "$(y_cloud_counts "$uid")" "the cloud's rows at 29 days"
t_assert_eq "$ref" "$(y_local_counts A)" "A's rows at 29 days"

# 31 days on: A's sync purges the old tombstone, here and in the cloud.
age "$OLD" 2
age "$YOUNG" 11
y_at $((now + 31 * day)) A sync
t_assert_eq 0 "$(cloud "SELECT count(*) FROM cognitive_commits WHERE user_id = '$uid'
    AND id = '$OLD'")" "the purged commit in the cloud"
t_assert_eq "0 0" "$(children_cloud "$OLD")" "the purged commit's children in the cloud"
t_assert_eq 0 "$(db A "SELECT count(*) FROM cognitive_commits WHERE id = '$OLD'")" \
	"the purged commit on A"
t_assert_eq "0 0" "$(children_local A "$OLD")" "the purged commit's children on A"
t_assert_eq 0 "$(db A "SELECT count(*) FROM sync_base WHERE record_id = '$OLD'")" \
	"the purged commit's sync base on A"
t_assert_eq 1 "$(cloud "SELECT count(*) FROM cognitive_commits WHERE user_id = '$uid'
    AND id = '$YOUNG' AND deleted_at IS NOT NULL")" "the young tombstone in the cloud"
t_assert_eq 1 "$(db A "SELECT count(*) FROM cognitive_commits WHERE id = '$YOUNG'")" \
	"the young tombstone on A"
after=$(y_cloud_counts "$uid")
t_assert_eq "$after" "$(y_local_counts A)" "A's rows against the cloud's after the purge"
[ "$after" != "$ref" ] || t_fail "nothing was purged"

# B purges its own copy on its next sync, 31 days on.
y_at $((now + 31 * day)) B sync
t_assert_eq 0 "$(db B "SELECT count(*) FROM cognitive_commits WHERE id = '$OLD'")" \
	"the purged commit on B"
t_assert_eq "0 0" "$(children_local B "$OLD")" "the purged commit's children on B"
t_assert_eq "$after" "$(y_local_counts B)" "B's rows against the cloud's after the purge"

# Once a day: the same day's next sync does not ask the cloud to purge again.
before=$(grep -c purge_tombstones "$T_TMP/server.log")
y_at $((now + 31 * day + 3600)) A sync
t_assert_eq "$before" "$(grep -c purge_tombstones "$T_TMP/server.log")" "purges on the same day"
y_ok A sync --status
t_assert_contains "$t_out" "pending:    0 projects, 0 commits, 0 sessions, 0 turns, 0 visuals"
y_ok A log --json --all
a_log=$t_out
y_ok B log --json --all
t_assert_eq "$a_log" "$t_out" "log on A and B after the purge"
echo "PASS: sync-delete"
