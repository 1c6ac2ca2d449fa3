#!/bin/sh
# Imports the real Claude Code transcripts in ../shared/fixtures (read in place)
# and checks the store against figures derived independently by
# transcript_facts.py: turns and tokens per session, successful git commits,
# glued lines; then that a second import adds and changes nothing.
. "$SRCDIR/tests/integration/lib.sh"

t_need_fixtures
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME

t_run "$AGENTLOGS" import --claude-dir "$FIXTURES" --json
t_assert_eq 0 "$t_rc" "first import exit status ($t_err)"
echo "$t_out" >"$T_TMP/first.json"
python3 "$SRCDIR/tests/integration/transcript_facts.py" "$FIXTURES" >"$T_TMP/facts.json" ||
	t_fail "transcript_facts.py"

python3 - "$AGENTLOGS_HOME/data.db" "$T_TMP/facts.json" "$T_TMP/first.json" <<'PY' || exit 1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
facts = json.load(open(sys.argv[2]))
summary = json.load(open(sys.argv[3]))
fail = []

def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected}, got {actual}")

rows = db.execute("""SELECT s.claude_session_id, count(t.id), sum(t.input_tokens),
    sum(t.output_tokens), sum(t.cache_read_tokens), sum(t.cache_creation_tokens)
    FROM sessions s JOIN turns t ON t.session_id = s.id GROUP BY 1""").fetchall()
got = {r[0]: {"turns": r[1], "input": r[2], "output": r[3], "cache_read": r[4],
              "cache_creation": r[5]} for r in rows}
check("sessions", sorted(facts["sessions"]), sorted(got))
for sid, f in facts["sessions"].items():
    for k in ("turns", "input", "output", "cache_read", "cache_creation"):
        check(f"{sid} {k}", f[k], got.get(sid, {}).get(k))

git = db.execute("SELECT count(*) FROM cognitive_commits WHERE closed_by = 'git_commit'"
                 " AND git_hash IS NOT NULL").fetchone()[0]
check("commits closed by git commit", facts["git_commits"], git)
check("summary new_turns", sum(f["turns"] for f in facts["sessions"].values()),
      summary["new_turns"])
check("summary new_commits", db.execute("SELECT count(*) FROM cognitive_commits").fetchone()[0],
      summary["new_commits"])
check("skipped lines", 0, summary["skipped_lines"])
check("files", 12, summary["files"])

# Both objects of each glued line: the assistant message in it became a turn.
if not facts["glued_messages"]:
    fail.append("fixtures hold no glued lines any more: the check is vacuous")
for mid in facts["glued_messages"]:
    n = db.execute("SELECT count(*) FROM turns WHERE message_id = ?", (mid,)).fetchone()[0]
    check(f"turn for glued message {mid}", 1, n)

# Every session row belongs to one commit; each commit's turn_count matches its turns.
bad = db.execute("""SELECT count(*) FROM cognitive_commits c WHERE turn_count !=
    (SELECT count(*) FROM turns t JOIN sessions s ON t.session_id = s.id
     WHERE s.commit_id = c.id)""").fetchone()[0]
check("commits whose turn_count disagrees with their turns", 0, bad)
# The pasted PNG became a visual with its bytes in the cache.
check("visuals", 1, db.execute("SELECT count(*) FROM visuals").fetchone()[0])
# A project per checkout (worktrees folded in), never per folder name: six checkouts
# called "cli" or not, on five machines; names unique, each the end of its path.
roots = facts["session_roots"]
check("project paths", sorted(set(roots.values())),
      sorted(r[0] for r in db.execute("SELECT local_path FROM projects")))
for sid, want in roots.items():
    got = db.execute("""SELECT p.local_path FROM sessions s JOIN cognitive_commits c
        ON c.id = s.commit_id JOIN projects p ON p.id = c.project_id
        WHERE s.claude_session_id = ?""", (sid,)).fetchall()
    check(f"{sid} project", {want}, {g[0] for g in got})
for name, path in db.execute("SELECT name, local_path FROM projects"):
    if not (path == name or path.endswith("/" + name)):
        fail.append(f"project name {name!r} is not the end of its path {path!r}")
# parallel: only beside an overlapping commit of the same checkout.
check("parallel commits without a parallel one in their checkout", 0, db.execute("""
    SELECT count(*) FROM cognitive_commits a WHERE a.parallel AND NOT EXISTS
    (SELECT 1 FROM cognitive_commits b WHERE b.id <> a.id AND b.checkout IS a.checkout
     AND b.started_at < a.closed_at AND a.started_at < b.closed_at)""").fetchone()[0])
if fail:
    print("FAIL:\n  " + "\n  ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

snapshot() {
	python3 - "$AGENTLOGS_HOME/data.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
h = hashlib.sha256()
for t in ("projects", "cognitive_commits", "sessions", "turns", "visuals"):
    for row in db.execute(f"SELECT * FROM {t} ORDER BY id"):
        h.update(repr(row).encode())
print(h.hexdigest())
PY
}
before=$(snapshot)
t_run "$AGENTLOGS" import --claude-dir "$FIXTURES" --json
t_assert_eq 0 "$t_rc" "second import exit status"
for key in new_commits new_sessions new_turns new_visuals; do
	n=$(echo "$t_out" | python3 -c "import json,sys; print(json.load(sys.stdin)['$key'])")
	t_assert_eq 0 "$n" "second import $key"
done
t_assert_eq "$before" "$(snapshot)" "store after a second import"
ls "$AGENTLOGS_HOME"/visual-cache/*.png >/dev/null 2>&1 || t_fail "no image in visual-cache"
echo "PASS: fixtures imported with independently derived figures; re-import changed nothing"
