#!/bin/sh
# A store whose commits an older import derived gets them derived again: the
# first import after upgrading to local migration 15 reads every transcript
# once more from its first line, and `import --from-start` does the same on
# demand. The old state is made by hand: the titles case of
# fidelity_fixtures.py imported, then each of its commits given the raw first
# line an import before v12 stored as its prompt, and the store taken back to
# v14. Expected prompts come from the generator's facts; the rows' counts must
# not move, and an import after the re-read finds every file unchanged.
. "$SRCDIR/tests/integration/lib.sh"

t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME
python3 "$SRCDIR/tests/integration/fidelity_fixtures.py" "$T_TMP" >"$T_TMP/facts.json" ||
	t_fail "fidelity_fixtures.py"
db=$AGENTLOGS_HOME/data.db

t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --json
t_assert_eq 0 "$t_rc" "first import ($t_err)"
t_assert_eq 0 "$(t_sql "$db" "SELECT count(*) FROM import_reread")" \
	"a store's first import asks for no re-read"

# counts: commits, sessions and turns, live ones.
counts() {
	t_sql "$db" "SELECT (SELECT count(*) FROM cognitive_commits WHERE deleted_at IS NULL) || ' ' ||
	    (SELECT count(*) FROM sessions WHERE deleted_at IS NULL) || ' ' ||
	    (SELECT count(*) FROM turns WHERE deleted_at IS NULL)"
}
before=$(counts)

# prompts: the first prompts of the titles case's commits, one a line, in order.
prompts() {
	python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (p,) in db.execute("""SELECT c.first_prompt FROM cognitive_commits c
        JOIN sessions s ON s.commit_id = c.id WHERE s.claude_session_id = 's-titles'
        ORDER BY c.started_at"""):
    print(repr(p))
PY
}
expected=$(python3 - "$T_TMP/facts.json" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["titles"]["s-titles"]:
    print(repr(c["first_prompt"]))
PY
)
t_assert_eq "$expected" "$(prompts)" "the prompts after the first import"

# spoil: the commits' prompts as an import before v12 left them (the raw first
# user line, counted as typed).
spoil() {
	python3 - "$db" <<'PY' || t_fail "spoiling the prompts"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""UPDATE cognitive_commits SET first_prompt_kind = 2, first_prompt =
    '<command-name>/clear</command-name>' || char(10) || '<command-message>clear</command-message>'
    WHERE id IN (SELECT commit_id FROM sessions WHERE claude_session_id = 's-titles')""")
db.commit()
PY
}

# 1. The upgrade: the store back at v14, spoiled; the next import re-reads.
spoil
t_undo_search "$db"
python3 - "$db" <<'PY' || t_fail "taking the store back to v14"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""DROP TABLE import_reread;
    DELETE FROM schema_migrations WHERE version >= 15;
    PRAGMA user_version = 14;""")
PY
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --json
t_assert_eq 0 "$t_rc" "the import after the upgrade ($t_err)"
t_assert_eq "$expected" "$(prompts)" "the prompts after the upgrade's re-read"
t_assert_eq "$before" "$(counts)" "commits, sessions and turns after the re-read"
t_assert_eq 0 "$(t_sql "$db" "SELECT count(*) FROM import_reread")" "the re-read, done"
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --json
t_assert_eq 0 "$t_rc" "the import after the re-read ($t_err)"
t_assert_eq "$(printf '%s' "$t_out" | python3 -c 'import json, sys; j = json.load(sys.stdin)
print(j["files"], j["files"])')" "$(printf '%s' "$t_out" | python3 -c 'import json, sys
j = json.load(sys.stdin); print(j["files"], j["files_unchanged"])')" \
	"files unchanged in the import after the re-read"

# 2. On demand: --project re-reads only that project; --from-start all.
spoil
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --from-start --project no-such-project
t_assert_eq 0 "$t_rc" "import --from-start --project ($t_err)"
t_assert_contains "$(prompts)" "<command-name>" "the prompts after re-reading another project"
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --from-start
t_assert_eq 0 "$t_rc" "import --from-start ($t_err)"
t_assert_eq "$expected" "$(prompts)" "the prompts after import --from-start"
t_assert_eq "$before" "$(counts)" "commits, sessions and turns after import --from-start"
echo "PASS: import-reread"
