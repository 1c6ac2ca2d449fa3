#!/bin/sh
# Imports the invented transcripts of fidelity_fixtures.py (one per case real
# histories got wrong) and checks titles, prompts, files, throwaway
# repositories, odd numbers and odd transcripts against the figures the
# generator wrote down for them.
. "$SRCDIR/tests/integration/lib.sh"

t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME
python3 "$SRCDIR/tests/integration/fidelity_fixtures.py" "$T_TMP" >"$T_TMP/facts.json" ||
	t_fail "fidelity_fixtures.py"

t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --json
t_assert_eq 0 "$t_rc" "import exit status ($t_err)"
echo "$t_out" >"$T_TMP/import.json"
printf '%s\n' "$t_err" >"$T_TMP/import.err"
# Lines that arrive after a first import (a result for a call already stored).
python3 - "$T_TMP" <<'PY' || t_fail "appending lines"
import json, sys
tmp = sys.argv[1]
facts = json.load(open(f"{tmp}/facts.json"))
for path, lines in facts.get("appends", {}).items():
    with open(f"{tmp}/claude/{path}", "a") as f:
        f.write("".join(l + "\n" for l in lines))
# Rewritten in place, shorter than what was imported.
for path, lines in facts.get("rewrites", {}).items():
    with open(f"{tmp}/claude/{path}", "w") as f:
        f.write("".join(l + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude" --json
t_assert_eq 0 "$t_rc" "second import exit status ($t_err)"
t_assert_eq "" "$t_err" "second import's warnings (nothing new was skipped)"
t_run "$AGENTLOGS" analytics --json
t_assert_eq 0 "$t_rc" "analytics exit status ($t_err)"
echo "$t_out" >"$T_TMP/analytics.json"
t_run "$AGENTLOGS" log --all
t_assert_eq 0 "$t_rc" "log exit status ($t_err)"
echo "$t_out" >"$T_TMP/log.txt"

t_run "$AGENTLOGS" log --all --json
t_assert_eq 0 "$t_rc" "log --json exit status ($t_err)"
printf "%s\n" "$t_out" >"$T_TMP/log.json"

for id in $(t_sql "$AGENTLOGS_HOME/data.db" "SELECT id FROM cognitive_commits"); do
	"$AGENTLOGS" show "$id" >"$T_TMP/show-$id.txt" 2>&1 || t_fail "show $id"
	"$AGENTLOGS" show --json "$id" >"$T_TMP/show-$id.json" 2>&1 || t_fail "show --json $id"
done

python3 - "$AGENTLOGS_HOME/data.db" "$T_TMP" <<'PY' || exit 1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
tmp = sys.argv[2]
facts = json.load(open(f"{tmp}/facts.json"))
analytics = json.load(open(f"{tmp}/analytics.json"))
fail = []


def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected!r}, got {actual!r}")


def commits_of(sid):
    return db.execute("""SELECT c.first_prompt, c.git_subject, c.files_read, c.files_changed,
        c.id FROM cognitive_commits c JOIN sessions s ON s.commit_id = c.id
        WHERE s.claude_session_id = ? ORDER BY c.started_at""", (sid,)).fetchall()


# (a) First prompts: what a person typed; in log one line of about 100 columns.
log_lines = open(f"{tmp}/log.txt").read().splitlines()
for sid, want in facts["titles"].items():
    got = commits_of(sid)
    check(f"{sid} commits", len(want), len(got))
    for i, (w, g) in enumerate(zip(want, got)):
        check(f"{sid} commit {i} first prompt", w["first_prompt"], g[0])
        check(f"{sid} commit {i} git subject", w["git_subject"], g[1])
        if "log_cut_of" not in w:
            continue
        line = [l for l in log_lines if l.startswith(g[4][:8])]
        words = " ".join(w["log_cut_of"].split())
        title = line[0].split("  ")[-1].split(" turns ")[-1].strip() if line else ""
        body = title[:-1]
        cut = body.rstrip()
        if not title.endswith("\u2026") or not (80 <= len(title) <= 100) or \
                body not in words or words[words.index(body) + len(body)] != " ":
            fail.append(f"{sid} commit {i}: log title {title!r} is not ~100 columns of the "
                        "prompt cut at a word")
# (b) Files: successful calls only; show names them from the project's root.
for sid, want in facts["files"].items():
    got = commits_of(sid)
    check(f"{sid} commits", 1, len(got))
    check(f"{sid} files read", want["read"], json.loads(got[0][2]))
    check(f"{sid} files changed", want["changed"], json.loads(got[0][3]))
    show = open(f"{tmp}/show-{got[0][4]}.txt").read() if got else ""
    check(f"{sid} show's changed files", True, want["show_changed"] in show)
# (c) Commits in throwaway repositories: kept as notes, the project's commit goes on.
for sid, want in facts["throwaway"].items():
    got = db.execute("""SELECT c.closed_by, c.git_hash, c.id FROM cognitive_commits c
        JOIN sessions s ON s.commit_id = c.id WHERE s.claude_session_id = ?
        ORDER BY c.started_at""", (sid,)).fetchall()
    check(f"{sid} commits", want["commits"], [[g[0], g[1]] for g in got])
    show = open(f"{tmp}/show-{got[0][2]}.txt").read() if got else ""
    for line in want["show_lines"]:
        check(f"{sid} show lists {line!r}", True, line in show)
    # The same notes in JSON (a set: in sorted order), on show --json and log --json.
    shown = json.load(open(f"{tmp}/show-{got[0][2]}.json")) if got else {}
    check(f"{sid} show --json git_elsewhere", sorted(want["elsewhere"]),
          shown.get("commit", shown).get("git_elsewhere"))
    logged = [c for c in json.load(open(f"{tmp}/log.json")) if got and c["id"] == got[0][2]]
    check(f"{sid} log --json git_elsewhere", [sorted(want["elsewhere"])],
          [c.get("git_elsewhere") for c in logged])
# (d) Numbers: bad usage figures skipped and counted; warnings end with a summary.
imp = json.load(open(f"{tmp}/import.json"))
err = open(f"{tmp}/import.err").read()
for sid, want in facts["tokens"].items():
    got = db.execute("""SELECT sum(t.input_tokens), sum(t.output_tokens),
        sum(t.cache_read_tokens), sum(t.cache_creation_tokens) FROM turns t
        JOIN sessions s ON s.id = t.session_id WHERE s.claude_session_id = ?""",
                     (sid,)).fetchone()
    check(f"{sid} tokens", [want[k] for k in ("input", "output", "cache_read",
                                              "cache_creation")], list(got))
check("skipped usage values", facts["skipped_values"], imp.get("skipped_values"))
check("skipped lines", facts["skipped_lines"], imp["skipped_lines"])
check("analytics tokens never negative", True,
      min(analytics["tokens"].values()) >= 0)
more = facts["warnings"] - 5
check("warnings with 'N more'", True, f"{more} more warnings" in err)
for path, (lines, values) in facts["summary"].items():
    want = (f"{tmp}/claude/{path}: {lines} line{'' if lines == 1 else 's'}, "
            f"{values} usage value{'' if values == 1 else 's'}")
    check(f"summary names {path}", True, want in err)
# (d) Odd transcripts: the complete record after a cut one; every session id kept.
check("record recovered after a cut one", 1, db.execute(
    "SELECT count(*) FROM turns WHERE content = ?", (facts["recovered_text"],)).fetchone()[0])
for path, ids in facts["file_sessions"].items():
    try:
        got = [r[0] for r in db.execute("""SELECT claude_session_id FROM import_file_sessions
            WHERE path = ? ORDER BY 1""", (f"{tmp}/claude/{path}",))]
    except sqlite3.OperationalError as e:
        got = str(e)
    check(f"{path} session ids", ids, got)
for sid, n in facts["rewritten"].items():
    check(f"{sid} live turns after the rewrite", n, db.execute("""SELECT count(*) FROM turns t
        JOIN sessions s ON s.id = t.session_id WHERE s.claude_session_id = ?
        AND t.deleted_at IS NULL""", (sid,)).fetchone()[0])
# log's turn count is what show lists, on every commit.
for cid, n, listed in db.execute("""SELECT c.id, c.turn_count, (SELECT count(*) FROM turns t
        JOIN sessions s ON s.id = t.session_id WHERE s.commit_id = c.id
        AND t.deleted_at IS NULL) FROM cognitive_commits c WHERE c.deleted_at IS NULL"""):
    check(f"commit {cid[:8]}: log's turns = show's", listed, n)
# (e) Projects: keyed by repository, ids a UUIDv5 of the key, names unique.
import uuid
NS = uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e")
for sid, want in facts["identity"].items():
    got = db.execute("""SELECT p.id, p.name, p.local_path, p.remote_url, c.parallel
        FROM sessions s JOIN cognitive_commits c ON c.id = s.commit_id
        JOIN projects p ON p.id = c.project_id WHERE s.claude_session_id = ?""",
                     (sid,)).fetchone()
    if got is None:
        fail.append(f"{sid}: no project")
        continue
    check(f"{sid} project id", str(uuid.uuid5(NS, "project:" + want["key"])), got[0])
    if "name" in want:
        check(f"{sid} project name", want["name"], got[1])
    check(f"{sid} project path", want["path"], got[2])
    check(f"{sid} project remote", want["remote"], got[3])
    if sid in facts["parallel"]:
        check(f"{sid} parallel", facts["parallel"][sid], got[4])
names = [r[0] for r in db.execute("SELECT name FROM projects")]
check("unique project names", len(names), len(set(names)))
check("no project named by a basename shared with another", True,
      len({r[0] for r in db.execute("""SELECT name FROM projects WHERE local_path LIKE
           '%/cli'""")}) == 2)
check("analytics prompts (typed only)", facts["typed_prompts"], analytics["prompts"])

if fail:
    print("FAIL:\n  " + "\n  ".join(fail), file=sys.stderr)
    sys.exit(1)
PY
# Shared opening lines: the same store whichever transcript comes first.
for order in "fork-a fork-b" "fork-b fork-a"; do
	home=$T_TMP/home-$(echo "$order" | tr -d ' ')
	for dir in $order; do
		AGENTLOGS_HOME=$home "$AGENTLOGS" import --quiet --claude-dir "$T_TMP/$dir" \
		    >/dev/null || t_fail "import $dir ($order)"
	done
done
python3 - "$T_TMP" <<'PY' || exit 1
import json, sqlite3, sys
tmp = sys.argv[1]
facts = json.load(open(f"{tmp}/facts.json"))
states, fail = [], []
for home in ("home-fork-afork-b", "home-fork-bfork-a"):
    db = sqlite3.connect(f"{tmp}/{home}/data.db")
    turns = db.execute("""SELECT t.id, s.commit_id, t.seq FROM turns t
        JOIN sessions s ON s.id = t.session_id WHERE t.deleted_at IS NULL
        ORDER BY t.id""").fetchall()
    if len(turns) != facts["fork_turns"]:
        fail.append(f"{home}: {len(turns)} turns, expected {facts['fork_turns']}")
    for cid, n, listed in db.execute("""SELECT c.id, c.turn_count, (SELECT count(*)
            FROM turns t JOIN sessions s ON s.id = t.session_id WHERE s.commit_id = c.id
            AND t.deleted_at IS NULL) FROM cognitive_commits c"""):
        if n != listed:
            fail.append(f"{home}: commit {cid[:8]} log says {n} turns, show lists {listed}")
    states.append(turns)
if states[0] != states[1]:
    fail.append("turns, their commits or numbering depend on the import order")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail), file=sys.stderr)
    sys.exit(1)
PY
# A store from before projects were repositories (folder-name projects, id derived
# from the name): the next import re-keys it in place.
legacy=$T_TMP/home-legacy
AGENTLOGS_HOME=$legacy "$AGENTLOGS" import --quiet --claude-dir "$T_TMP/claude" >/dev/null ||
	t_fail "import into the legacy home"
python3 - "$legacy/data.db" <<'PY' || t_fail "making the store old-style"
import os, sqlite3, sys, uuid
NS = uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e")
db = sqlite3.connect(sys.argv[1])
for pid, path in db.execute("SELECT id, local_path FROM projects").fetchall():
    name = os.path.basename(path)
    old = str(uuid.uuid5(NS, "project:" + name))
    if db.execute("SELECT 1 FROM projects WHERE id = ?", (old,)).fetchone():
        db.execute("UPDATE cognitive_commits SET project_id = ?, project_name = ?,"
                   " checkout = NULL WHERE project_id = ?", (old, name, pid))
        db.execute("DELETE FROM projects WHERE id = ?", (pid,))
        continue
    db.execute("UPDATE projects SET id = ?, name = ?, identity_key = NULL, remote_url = NULL"
               " WHERE id = ?", (old, name, pid))
    db.execute("UPDATE cognitive_commits SET project_id = ?, project_name = ?, checkout = NULL"
               " WHERE project_id = ?", (old, name, pid))
db.execute("UPDATE cognitive_commits SET sync_status = 'synced'")
db.commit()
PY
t_run env AGENTLOGS_HOME="$legacy" "$AGENTLOGS" import --json --claude-dir "$T_TMP/claude"
t_assert_eq 0 "$t_rc" "import re-keying the old store ($t_err)"
python3 - "$T_TMP" <<'PY' || exit 1
import json, sqlite3, sys, uuid
tmp = sys.argv[1]
facts = json.load(open(f"{tmp}/facts.json"))
NS = uuid.UUID("2b1bbf99-738c-5e92-a614-d78443f6f89e")
fresh = sqlite3.connect(f"{tmp}/home/data.db")
old = sqlite3.connect(f"{tmp}/home-legacy/data.db")
fail = []
q = """SELECT c.id, p.id, p.name, c.checkout, c.parallel FROM cognitive_commits c
    JOIN projects p ON p.id = c.project_id WHERE c.deleted_at IS NULL ORDER BY c.id"""
a, b = fresh.execute(q).fetchall(), old.execute(q).fetchall()
if [r[:2] + r[3:] for r in a] != [r[:2] + r[3:] for r in b]:
    fail.append("re-keyed commits differ from a fresh import's")
for sid, want in facts["identity"].items():
    got = old.execute("""SELECT c.project_id FROM sessions s JOIN cognitive_commits c
        ON c.id = s.commit_id WHERE s.claude_session_id = ?""", (sid,)).fetchone()
    if got is None or got[0] != str(uuid.uuid5(NS, "project:" + want["key"])):
        fail.append(f"{sid}: re-keyed to {got}, not its repository's project")
left = old.execute("""SELECT count(*) FROM projects WHERE identity_key = ''
    AND deleted_at IS NOT NULL AND sync_status = 'pending'""").fetchone()[0]
if left == 0:
    fail.append("no old project became a pending tombstone")
if old.execute("""SELECT count(*) FROM cognitive_commits WHERE sync_status = 'synced'
        AND project_id NOT IN (SELECT id FROM projects WHERE identity_key <> '')""").fetchone()[0]:
    fail.append("a commit left on an old project")
if fail:
    print("FAIL:\n  " + "\n  ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

echo "PASS: titles, prompts, files and odd transcripts as the fixtures say"
