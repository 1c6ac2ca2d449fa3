#!/bin/sh
# analytics reads figures that triggers keep per session (migration v14), not
# the turns. Whatever wrote the turns, the figures must be those of a full
# recount: after an import, after a pull (the rows arrive by sync, some as
# updates of turns pulled before), after lines appended and a transcript
# rewritten, and after the migration back-fills a store that had none.
# The recount is python3's, from the store's turns; the typed prompts are
# the fixture generator's (fidelity_fixtures.py).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

python3 "$SRCDIR/tests/integration/fidelity_fixtures.py" "$T_TMP" >"$T_TMP/facts.json" ||
	t_fail "fidelity_fixtures.py"
y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com

# check WHAT NAME: machine NAME's analytics equal the recount of its store.
check() {
	y_ok "$2" analytics --json
	printf '%s\n' "$t_out" >"$T_TMP/$2.json"
	python3 - "$T_TMP/$2/data.db" "$T_TMP/$2.json" "$1 on $2" <<'PY' || exit 1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
a = json.load(open(sys.argv[2]))
what = sys.argv[3]
rows = db.execute("""SELECT t.role, t.tool_calls, t.input_tokens, t.output_tokens,
    t.cache_read_tokens, t.cache_creation_tokens FROM turns t
    LEFT JOIN sessions s ON s.id = t.session_id
    LEFT JOIN cognitive_commits c ON c.id = s.commit_id
    WHERE t.deleted_at IS NULL AND s.deleted_at IS NULL AND c.deleted_at IS NULL""").fetchall()
calls, errors = {}, {}
for r in rows:
    for call in json.loads(r[1]):
        calls[call.get("name")] = calls.get(call.get("name"), 0) + 1
        errors[call.get("name")] = errors.get(call.get("name"), 0) + (call.get("is_error") is True)
top = sorted(calls.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
want = {
    "turns": len(rows),
    "tokens": {k: sum(r[i] for r in rows) for i, k in
               enumerate(("input", "output", "cache_read", "cache_creation"), 2)},
    "tool_calls": sum(calls.values()),
    "top_tools": [[n, c, errors[n]] for n, c in top],
}
got = {"turns": a["turns"], "tokens": a["tokens"], "tool_calls": a["tool_calls"],
       "top_tools": [[t["name"], t["calls"], t["errors"]] for t in a["top_tools"]]}
if want != got:
    sys.exit(f"{what}: expected {want}, got {got}")
# tool_totals (what analytics reads) holds tool_stats summed per name, every
# name: an import writes both from its own sums, other writers by triggers.
def per_name(table):
    sums = {}
    for name, c, e in db.execute(f"SELECT name, calls, errors FROM {table}"):
        s = sums.setdefault(name, [0, 0])
        s[0] += c
        s[1] += e
    return {n: s for n, s in sums.items() if s != [0, 0]}
if per_name("tool_totals") != per_name("tool_stats"):
    sys.exit(f"{what}: tool_totals {per_name('tool_totals')}, tool_stats {per_name('tool_stats')}")
if not per_name("tool_totals"):
    sys.exit(f"{what}: no tool calls counted")
PY
}

# same: A and B print the same figures.
same() {
	cmp -s "$T_TMP/A.json" "$T_TMP/B.json" ||
		t_fail "analytics differ on A and B after $1: $(diff "$T_TMP/A.json" "$T_TMP/B.json" | head -n 20)"
}

# 1. An import, and its rows pulled by another machine.
y_import A
y_ok A push
y_settle
y_ok B pull
check "an import" A
check "a pull" B
same "a pull"

# 2. Turns changed on A (tool calls failed, tokens, one turn gone), pulled by B
# as updates of the rows it has.
python3 - "$T_TMP/A/data.db" <<'PY' || t_fail "changing turns on A"
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in db.execute(
    "SELECT id FROM turns WHERE tool_calls <> '[]' ORDER BY id LIMIT 6")]
assert len(ids) == 6, ids
for i in ids[:5]:
    calls = json.loads(db.execute("SELECT tool_calls FROM turns WHERE id = ?", (i,)).fetchone()[0])
    for c in calls:
        c["is_error"] = True
    calls.append({"name": "Invented", "id": "x-" + i, "input": {}, "is_error": False})
    # tool_summary NULL: a writer other than import tells the triggers to parse tool_calls.
    db.execute("""UPDATE turns SET tool_calls = ?, tool_summary = NULL,
        output_tokens = output_tokens + 1000, version = version + 1,
        sync_status = 'pending' WHERE id = ?""", (json.dumps(calls), i))
db.execute("""UPDATE turns SET deleted_at = '2025-01-01T00:00:00.000Z', version = version + 1,
    sync_status = 'pending' WHERE id = ?""", (ids[5],))
db.commit()
PY
y_ok A push
y_settle
y_ok B pull
check "edited turns" A
check "edited turns pulled" B
same "edited turns pulled"
t_assert_contains "$(cat "$T_TMP/B.json")" '"Invented"' "the invented tool on B"

# 3. A store from before v14: the migration counts everything once.
cp "$T_TMP/B.json" "$T_TMP/B-before.json"
t_undo_search "$T_TMP/B/data.db"
python3 - "$T_TMP/B/data.db" <<'PY' || t_fail "taking the store back to before v14"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# Everything v14 made: its tables (their triggers go with them), the turns'
# triggers, the indexes and the column.
db.executescript("""DROP TABLE turn_stats; DROP TABLE tool_stats;
    DROP TABLE tool_totals; DROP TRIGGER turns_stats_insert; DROP TRIGGER turns_stats_delete;
    DROP TRIGGER turns_stats_update; DROP TRIGGER turns_tools_update;
    DROP TRIGGER turns_tools_insert; DROP TRIGGER turns_tools_delete;
    DROP INDEX idx_sessions_dead; DROP INDEX idx_commits_dead;
    DROP INDEX idx_sessions_figures; DROP INDEX idx_commits_figures;
    ALTER TABLE turns DROP COLUMN tool_summary; ALTER TABLE turns DROP COLUMN typed;
    DELETE FROM schema_migrations WHERE version >= 14""")
db.execute("PRAGMA user_version = %d" % db.execute(
    "SELECT max(version) FROM schema_migrations").fetchone()[0])
db.commit()
PY
check "the migration" B
cmp -s "$T_TMP/B.json" "$T_TMP/B-before.json" ||
	t_fail "analytics changed by the migration: $(diff "$T_TMP/B-before.json" "$T_TMP/B.json")"
t_assert_eq 0 "$(t_sql "$T_TMP/B/data.db" "SELECT count(*) FROM turn_stats WHERE prompts IS NULL")" \
	"sessions whose prompts the migration left uncounted"

# 4. Results that arrive after their calls (the calls' turns change) and a
# transcript rewritten shorter (its turns replaced), on a machine of its own:
# the typed prompts are the generator's.
mkdir -p "$T_TMP/C"
AGENTLOGS_HOME=$T_TMP/C "$AGENTLOGS" import --claude-dir "$T_TMP/claude" >/dev/null ||
	t_fail "import on C"
check "the fidelity fixtures" C
# The import sums its new turns' figures itself, without the insert triggers
# for the length of each transaction: they must be back once it commits.
t_assert_eq 2 "$(t_sql "$T_TMP/C/data.db" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'
	AND name IN ('turns_stats_insert', 'turns_tools_insert')")" "the insert triggers after an import"
python3 - "$T_TMP" <<'PY' || t_fail "appending and rewriting lines"
import json, sys
tmp = sys.argv[1]
facts = json.load(open(f"{tmp}/facts.json"))
for path, lines in facts.get("appends", {}).items():
    with open(f"{tmp}/claude/{path}", "a") as f:
        f.write("".join(l + "\n" for l in lines))
for path, lines in facts.get("rewrites", {}).items():
    with open(f"{tmp}/claude/{path}", "w") as f:
        f.write("".join(l + "\n" for l in lines))
PY
AGENTLOGS_HOME=$T_TMP/C "$AGENTLOGS" import --claude-dir "$T_TMP/claude" >/dev/null ||
	t_fail "second import on C"
check "appended and rewritten lines" C
t_assert_eq "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["typed_prompts"])' \
	"$T_TMP/facts.json")" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["prompts"])' "$T_TMP/C.json")" \
	"typed prompts after the second import"

# 5. Tombstones: a commit and a session of another commit left out.
python3 - "$T_TMP/C/data.db" <<'PY' || t_fail "tombstoning on C"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
c1, c2 = [r[0] for r in db.execute("""SELECT c.id FROM cognitive_commits c
    WHERE EXISTS (SELECT 1 FROM sessions s JOIN turns t ON t.session_id = s.id
    WHERE s.commit_id = c.id AND t.tool_calls <> '[]') ORDER BY c.id LIMIT 2""")]
stamp = "2025-01-01T00:00:00.000Z"
db.execute("UPDATE cognitive_commits SET deleted_at = ? WHERE id = ?", (stamp, c1))
db.execute("""UPDATE sessions SET deleted_at = ? WHERE id =
    (SELECT id FROM sessions WHERE commit_id = ? ORDER BY id LIMIT 1)""", (stamp, c2))
db.commit()
PY
cp "$T_TMP/C.json" "$T_TMP/C-before.json"
check "tombstones" C
cmp -s "$T_TMP/C.json" "$T_TMP/C-before.json" && t_fail "tombstones changed no figure"
exit 0
