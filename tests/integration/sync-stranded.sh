#!/bin/sh
# Issue 10, no edit lost without a trace: rows pending under a commit that a
# pull made synced still go up. B edits turns and a session of commit C (a
# re-import with new content marks them pending, and C with them) while A
# retitles C and pushes; B's pull merges A's C, which then equals the cloud's
# and turns synced, its children still pending. Push used to walk only
# pending commits, so those rows stayed here for good and the cloud kept the
# old ones. After both machines sync twice, each holds exactly the cloud's
# rows, every one synced.
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

# C: the commit with the most turns.
C=$(t_sql "$T_TMP/B/data.db" "SELECT s.commit_id FROM turns t JOIN sessions s
    ON s.id = t.session_id GROUP BY s.commit_id ORDER BY count(*) DESC, s.commit_id LIMIT 1")
[ -n "$C" ] || t_fail "no commit with turns"
nturns=$(t_sql "$T_TMP/B/data.db" "SELECT count(*) FROM turns t JOIN sessions s
    ON s.id = t.session_id WHERE s.commit_id = '$C'")

# B: new content for C's turns and its sessions, as a re-import writes it
# (the triggers mark C pending).
python3 - "$T_TMP/B/data.db" "$C" <<'PY' || t_fail "editing C on B"
import datetime, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
db.execute("UPDATE turns SET content = coalesce(content, '') || ' (edited on B)',"
           " version = version + 1, updated_at = ?1, sync_status = 'pending',"
           " local_version = local_version + 1"
           " WHERE session_id IN (SELECT id FROM sessions WHERE commit_id = ?2)", (now, sys.argv[2]))
db.execute("UPDATE sessions SET version = version + 1, updated_at = ?1, sync_status = 'pending',"
           " local_version = local_version + 1 WHERE commit_id = ?2", (now, sys.argv[2]))
db.commit()
PY
[ "$(t_sql "$T_TMP/B/data.db" "SELECT sync_status FROM cognitive_commits WHERE id = '$C'")" = pending ] ||
	t_fail "editing C's turns on B did not mark C pending"

# A: a new version of C in the cloud while B's edit is pending.
y_ok A title "$C" "Retitled on A"
y_ok A push
y_settle

# B: its pull merges A's C (nothing of C's own fields changed here).
y_ok B sync
for round in 1 2; do
	for m in A B; do
		y_settle
		y_ok "$m" sync
	done
done

y_same_rows "A B" "$uid" "after both synced twice"
left=$(t_sql "$T_TMP/B/data.db" "SELECT (SELECT count(*) FROM turns WHERE sync_status <> 'synced')
    + (SELECT count(*) FROM sessions WHERE sync_status <> 'synced')")
t_assert_eq 0 "$left" "rows left pending on B"
edited=$(psql -X -At "$S_DB" -c "SELECT count(*) FROM turns t JOIN sessions s ON s.id = t.session_id
    AND s.user_id = t.user_id WHERE t.user_id = '$uid' AND s.commit_id = '$C'
    AND t.content LIKE '%(edited on B)'")
t_assert_eq "$nturns" "$edited" "C's turns edited on B in the cloud"
t_assert_eq "Retitled on A" "$(y_cloud_title A "$C")" "C's title in the cloud"
echo "PASS: sync-stranded"
