#!/bin/sh
# A second machine that pulled first and then imports the same transcripts
# (the same deterministic ids, the same content) marks nothing pending and
# pushes nothing: import never dirties what the cloud already has.
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
y_same_rows "A B" "$uid" "B after its pull"

# "projects commits sessions turns visuals" not synced on machine $1.
unsynced() {
	y_sql=
	for y_t in $Y_TABLES; do
		y_sql="$y_sql${y_sql:+ || ' ' || }(SELECT count(*) FROM $y_t WHERE sync_status <> 'synced')"
	done
	t_sql "$(y_home "$1")/data.db" "SELECT $y_sql"
}

# B imports what A imported: every row is already there, as the cloud has it.
y_import B
t_assert_eq "0 0 0 0 0" "$(unsynced B)" "rows B's import marked pending"
y_same_rows "A B" "$uid" "B after importing what it pulled"
# Every transcript read again from its first line, on both: what comes out the
# same is left as it is, nothing waits to go up.
y_import A --from-start
t_assert_eq "0 0 0 0 0" "$(unsynced A)" "rows A's import --from-start marked pending"
y_import B --from-start
t_assert_eq "0 0 0 0 0" "$(unsynced B)" "rows B's import --from-start marked pending"
before=$(y_requests)
y_ok B sync
t_assert_eq "Everything up to date with $S_URL." "$t_out" "B's sync after the import"
y_settle
y_ok A pull
t_assert_eq "Everything up to date with $S_URL." "$t_out" "A's pull after B's sync"

# A real change still goes up: B imports the samples (A's too now) with one
# more prompt after the notes session's last commit, which opens a commit
# of its own: that commit, its session and its one turn are new, the
# commit before it ends as it was.
y_ok A import --claude-dir "$AGENTLOGS_SAMPLES"
y_ok A push
y_settle
y_ok B pull
cp -R "$AGENTLOGS_SAMPLES" "$T_TMP/grown"
notes=$(ls "$T_TMP"/grown/projects/-home-sam-notes/*.jsonl)
sid=$(basename "$notes" .jsonl)
printf '%s\n' '{"parentUuid":null,"isSidechain":false,"userType":"external","cwd":"/home/sam/notes","sessionId":"'"$sid"'","version":"2.1.39","gitBranch":"main","type":"user","message":{"role":"user","content":"One more thing."},"uuid":"0b6c1f7e-5a55-4f0e-9d1e-3a4b5c6d7e8f","timestamp":"2026-03-06T18:00:00.000Z"}' >>"$notes"
y_ok B import --claude-dir "$T_TMP/grown"
t_assert_eq "0 1 1 1 0" "$(unsynced B)" "rows B's import of one more prompt marked pending"
# sync --status --json says so too, with the cursor of B's last pull.
y_ok B sync --status --json
printf '%s\n' "$t_out" >"$T_TMP/status.json"
t_assert_json "$T_TMP/status.json" "sync --status --json"
t_assert_eq "0 1 1 1 0 $uid" "$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
p = s["pending"]
print(p["projects"], p["commits"], p["sessions"], p["turns"], p["visuals"], s["user"]["id"])' \
	"$T_TMP/status.json")" "pending rows and user in sync --status --json"
cursor=$(t_sql "$(y_home B)/data.db" "SELECT value FROM sync_state WHERE key LIKE 'pull_cursor %'")
[ -n "$cursor" ] || t_fail "no pull cursor on B"
t_assert_eq "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]))' "$cursor")" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cursor"])' \
	"$T_TMP/status.json")" "the cursor in sync --status --json"
y_ok B push
t_assert_contains "$t_out" "Pushed 1 commit"
y_settle
y_ok A pull
y_same_rows "A B" "$uid" "A and B after the new prompt"
echo "PASS: sync-reimport"
