#!/bin/sh
# Issue 10, no edit lost without a trace: rows pending under a commit that is
# synced still go up. Push used to walk only pending commits, so such rows
# stayed here for good and the cloud kept the old ones.
# Case 1: B edits turns and sessions of commit C (a re-import with new content
#   marks them pending, and C with them) while A retitles C and pushes; B's
#   pull merges A's C, which then equals the cloud's and turns synced.
# Case 2: A and B edit the same turns of D, A first; B's push sends D
#   (unchanged in the cloud: taken as synced) and its turns, refused (the
#   cloud moved on from their base); the pull in between keeps B's (the later
#   edit); the push's next round must still find them.
# After both machines sync twice, each holds exactly the cloud's rows, every
# one synced.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
y_import A
y_ok A push
y_settle
y_ok B pull

# edit MACHINE COMMIT TAG [SESSIONS]: new content (" (TAG)" appended) for the
# commit's turns, and with SESSIONS=1 a new version of its sessions, as a
# re-import writes them (the triggers mark the commit pending).
edit() {
	python3 - "$T_TMP/$1/data.db" "$2" "$3" "${4:-0}" <<'EDIT' || t_fail "editing $2 on $1"
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
db.execute("UPDATE turns SET content = content || ?3, version = version + 1, updated_at = ?1,"
           " sync_status = 'pending', local_version = local_version + 1"
           " WHERE session_id IN (SELECT id FROM sessions WHERE commit_id = ?2)",
           (now, sys.argv[2], f" ({sys.argv[3]})"))
if sys.argv[4] == "1":
    db.execute("UPDATE sessions SET version = version + 1, updated_at = ?1,"
               " sync_status = 'pending', local_version = local_version + 1"
               " WHERE commit_id = ?2", (now, sys.argv[2]))
db.commit()
EDIT
}

# sync_twice: each machine syncs twice, in turn, after the cloud settled.
sync_twice() {
	for round in 1 2; do
		for m in A B; do
			y_settle
			y_ok "$m" sync
		done
	done
}

# busiest [EXCEPT]: the commit with the most turns (but EXCEPT) on B.
busiest() {
	t_sql "$T_TMP/B/data.db" "SELECT s.commit_id FROM turns t JOIN sessions s
	    ON s.id = t.session_id WHERE s.commit_id <> '${1:-}' GROUP BY s.commit_id
	    ORDER BY count(*) DESC, s.commit_id LIMIT 1"
}

# turns_of COMMIT: how many turns the commit has on B.
turns_of() {
	t_sql "$T_TMP/B/data.db" "SELECT count(*) FROM turns t JOIN sessions s
	    ON s.id = t.session_id WHERE s.commit_id = '$1'"
}

# cloud_edited COMMIT TAG: how many of the commit's turns the cloud has with " (TAG)".
cloud_edited() {
	psql -X -At "$S_DB" -c "SELECT count(*) FROM turns t JOIN sessions s
	    ON s.id = t.session_id AND s.user_id = t.user_id WHERE t.user_id = '$uid'
	    AND s.commit_id = '$1' AND t.content LIKE '% ($2)'"
}

# Case 1.
C=$(busiest)
[ -n "$C" ] || t_fail "no commit with turns"
edit B "$C" "edited on B" 1
[ "$(t_sql "$T_TMP/B/data.db" "SELECT sync_status FROM cognitive_commits WHERE id = '$C'")" = pending ] ||
	t_fail "editing C's turns on B did not mark C pending"
y_ok A title "$C" "Retitled on A"
y_ok A push
y_settle
# B's pull merges A's C (nothing of C's own fields changed here).
y_ok B sync
sync_twice
y_same_rows "A B" "$uid" "after a merge, both synced twice"
t_assert_eq "$(turns_of "$C")" "$(cloud_edited "$C" "edited on B")" "C's turns edited on B in the cloud"
t_assert_eq "Retitled on A" "$(y_cloud_title A "$C")" "C's title in the cloud"

# Case 2.
D=$(busiest "$C")
[ -n "$D" ] || t_fail "no second commit with turns"
edit A "$D" "first on A"
y_ok A push
y_settle
edit B "$D" "then on B"
y_ok B push
sync_twice
y_same_rows "A B" "$uid" "after a refused turn, both synced twice"
t_assert_eq "$(turns_of "$D")" "$(cloud_edited "$D" "then on B")" "D's turns edited on B in the cloud"
echo "PASS: sync-stranded"
