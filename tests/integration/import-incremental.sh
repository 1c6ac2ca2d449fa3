#!/bin/sh
# Import on synthetic transcripts: a file still being written (truncated last
# line), imports in pieces equal to one import of the whole, malformed lines,
# an idle session closing, the project filter, and fatal errors.
. "$SRCDIR/tests/integration/lib.sh"
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
# The clock stands just after the synthetic session, so it is still going on.
AGENTLOGS_NOW=2026-03-01T10:02:00Z
export AGENTLOGS_HOME AGENTLOGS_NOW
CLAUDE=$T_TMP/claude
DIR=$CLAUDE/projects/-home-ann-src-app
mkdir -p "$DIR"
F=$DIR/4f9c2b8e-1111-4222-8333-444455556666.jsonl

# gen N: the first N lines of a synthetic session (a prompt, a split assistant
# message, a git commit, then more turns).
gen() {
	python3 - "$1" <<'PY'
import json, sys
sid = "4f9c2b8e-1111-4222-8333-444455556666"
def rec(kind, uuid, sec, message, **extra):
    r = {"type": kind, "uuid": uuid, "sessionId": sid, "cwd": "/home/ann/src/app",
         "gitBranch": "main", "version": "2.1.9",
         "timestamp": "2026-03-01T10:%02d:%02d.000Z" % (sec // 60, sec % 60),
         "message": message}
    r.update(extra)
    return r
def asst(uuid, sec, mid, block, out):
    return rec("assistant", uuid, sec, {"id": mid, "role": "assistant", "model": "claude-x",
        "content": [block], "usage": {"input_tokens": 5, "output_tokens": out,
        "cache_read_input_tokens": 100, "cache_creation_input_tokens": 10}})
def use(i, name, inp):
    return {"type": "tool_use", "id": "toolu_%d" % i, "name": name, "input": inp}
def result(uuid, sec, i, text, err=False):
    return rec("user", uuid, sec, {"role": "user", "content": [{"type": "tool_result",
        "tool_use_id": "toolu_%d" % i, "content": text, "is_error": err}]})
lines = [
    {"type": "file-history-snapshot", "messageId": "x", "snapshot": {}},
    rec("user", "u-01", 1, {"role": "user", "content": "Add a --verbose flag"}),
    asst("a-02", 2, "msg_1", {"type": "thinking", "thinking": "plan"}, 1),
    asst("a-03", 3, "msg_1", use(1, "Read", {"file_path": "/home/ann/src/app/main.c"}), 9),
    result("r-04", 4, 1, "int main(void) {}"),
    {"type": "progress", "data": {"type": "bash_progress"}, "uuid": "p-05"},
    asst("a-06", 6, "msg_2", use(2, "Edit", {"file_path": "/home/ann/src/app/main.c"}), 3),
    asst("a-07", 7, "msg_2", {"type": "text", "text": "Edited."}, 30),
    result("r-08", 8, 2, "ok"),
    asst("a-09", 9, "msg_3", use(3, "Bash", {"command": "git commit -am 'Add --verbose'"}), 4),
    result("r-10", 10, 3, "[main 0badc0d] Add --verbose\n 1 file changed"),
    asst("a-11", 11, "msg_4", {"type": "text", "text": "Committed."}, 2),
    rec("user", "u-12", 70, {"role": "user", "content": "Now document it"}),
    asst("a-13", 71, "msg_5", use(4, "Write", {"file_path": "/home/ann/src/app/README"}), 8),
    result("r-14", 72, 4, "written"),
    asst("a-15", 73, "msg_6", {"type": "text", "text": "Documented."}, 7),
]
n = int(sys.argv[1])
sys.stdout.write("".join(json.dumps(l) + "\n" for l in lines[:n]))
PY
}
TOTAL=16
summary() { "$AGENTLOGS" import --claude-dir "$CLAUDE" --json --quiet; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
dump() {
	python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
q = {"cognitive_commits": "id, project_name, git_hash, git_subject, started_at, closed_at,"
     " closed_by, parallel, files_read, files_changed, first_prompt, turn_count",
     "sessions": "id, commit_id, claude_session_id, started_at, ended_at, cwd, git_branch",
     "turns": "id, session_id, seq, role, content, thinking, timestamp, tool_calls, model,"
     " message_id, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens"}
for t, cols in q.items():
    for row in db.execute(f"SELECT {cols} FROM {t} ORDER BY id"):
        print(t, row)
PY
}

# 1. The whole file at once, as the reference.
gen $TOTAL >"$F"
AGENTLOGS_HOME=$T_TMP/whole "$AGENTLOGS" import --claude-dir "$CLAUDE" --quiet >/dev/null ||
	t_fail "import of the whole file"
dump "$T_TMP/whole/data.db" >"$T_TMP/whole.txt"
grep -q "'git_commit'" "$T_TMP/whole.txt" || t_fail "the git commit did not close a commit"
grep -q "0badc0d" "$T_TMP/whole.txt" || t_fail "the commit hash was not recorded"
# The agent's "Committed." after the commit joins it; the next prompt opens another.
t_assert_eq 2 "$(grep -c "^cognitive_commits" "$T_TMP/whole.txt")" "commits in the whole file"
grep "^cognitive_commits" "$T_TMP/whole.txt" | grep "'git_commit'" | grep -q ", 5)$" ||
	t_fail "the git commit should hold 5 turns, closing words included"

# 2. The same file growing line by line, with the last line cut mid-way each
# time (a transcript still being written): every import resumes, and the end
# result is identical to the single import.
n=1
while [ $n -le $TOTAL ]; do
	gen $n >"$F"
	gen $((n + 1)) | tail -n 1 | head -c 37 >>"$F"	# a partial next line
	out=$(summary) || t_fail "import at line $n"
	t_assert_eq 0 "$(echo "$out" | field skipped_lines)" "skipped lines at step $n"
	n=$((n + 1))
done
gen $TOTAL >"$F"
summary >/dev/null || t_fail "final import"
dump "$AGENTLOGS_HOME/data.db" >"$T_TMP/pieces.txt"
diff "$T_TMP/whole.txt" "$T_TMP/pieces.txt" >&2 ||
	t_fail "importing line by line differs from importing the whole file"

# 3. A last line complete but for its newline is imported now; the newline
# and further lines that follow add no duplicate and skip nothing.
rm -rf "$AGENTLOGS_HOME"
gen 12 | head -c -1 >"$F"
summary >/dev/null || t_fail "import without a final newline"
t_assert_eq 5 "$(dump "$AGENTLOGS_HOME/data.db" | grep -c "^turns")" "turns without final newline"
gen $TOTAL >"$F"
out=$(summary) || t_fail "import after the newline came"
t_assert_eq 0 "$(echo "$out" | field skipped_lines)" "skipped after completing the line"
dump "$AGENTLOGS_HOME/data.db" >"$T_TMP/tail.txt"
diff "$T_TMP/whole.txt" "$T_TMP/tail.txt" >&2 || t_fail "tail import differs from whole"

# 4. Idle: once the file is older than import.idle-minutes, the open commit
# ends as session_end, with no new line needed.
grep -q "'open'" "$T_TMP/tail.txt" || t_fail "the last commit should be open while fresh"
AGENTLOGS_NOW=2026-03-01T11:30:00Z summary >/dev/null || t_fail "idle import"
dump "$AGENTLOGS_HOME/data.db" >"$T_TMP/idle.txt"
grep -q "'session_end'" "$T_TMP/idle.txt" || t_fail "idle session not ended"
grep -q "'open'" "$T_TMP/idle.txt" && t_fail "a commit is still open"

# 5. Malformed lines are skipped, counted and named with file:line; the rest stays.
rm -rf "$AGENTLOGS_HOME"
{ gen 3; echo '{"type":"user", this is not json'; echo 'garbage'; gen $TOTAL | tail -n +4; } >"$F"
t_run "$AGENTLOGS" import --claude-dir "$CLAUDE"
t_assert_eq 0 "$t_rc" "import with malformed lines"
t_assert_contains "$t_out" "2 lines skipped"
t_assert_contains "$t_err" "$F:4: malformed JSON; line skipped"
t_assert_contains "$t_err" "$F:5: malformed JSON"
dump "$AGENTLOGS_HOME/data.db" >"$T_TMP/malformed.txt"
diff "$T_TMP/whole.txt" "$T_TMP/malformed.txt" >&2 || t_fail "malformed lines lost data"

# 6. --project keeps other projects' transcripts for later.
rm -rf "$AGENTLOGS_HOME"
mkdir -p "$CLAUDE/projects/-home-ann-src-other"
gen 3 | sed 's|/home/ann/src/app|/home/ann/src/other|; s/4f9c2b8e-1111/5f9c2b8e-1111/g' \
	>"$CLAUDE/projects/-home-ann-src-other/5f9c2b8e-1111-4222-8333-444455556666.jsonl"
out=$("$AGENTLOGS" import --claude-dir "$CLAUDE" --project other --json) || t_fail "--project"
t_assert_eq 1 "$(echo "$out" | field new_commits)" "commits with --project other"
t_assert_eq 1 "$(echo "$out" | field files_filtered)" "files of other projects"
out=$(summary) || t_fail "import after --project"
t_assert_eq 2 "$(echo "$out" | field new_commits)" "commits of app imported later"

# 7. Fatal errors: one line on stderr, exit 1, nothing touched.
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/nowhere"
t_assert_eq 1 "$t_rc" "missing directory exit status"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of error for a missing directory"
t_assert_contains "$t_err" "$T_TMP/nowhere/projects: No such file or directory"
mkdir -p "$T_TMP/corrupt"
head -c 8192 /dev/urandom >"$T_TMP/corrupt/data.db"
cp "$T_TMP/corrupt/data.db" "$T_TMP/corrupt.orig"
t_run env AGENTLOGS_HOME="$T_TMP/corrupt" "$AGENTLOGS" import --claude-dir "$CLAUDE"
t_assert_eq 1 "$t_rc" "corrupt database exit status"
t_assert_contains "$t_err" "not an agentlogs database"
cmp -s "$T_TMP/corrupt/data.db" "$T_TMP/corrupt.orig" || t_fail "the corrupt file was modified"
t_run "$AGENTLOGS" import --bogus
t_assert_eq 2 "$t_rc" "unknown option exit status"
echo "PASS: incremental, truncated, malformed, idle, filtered and fatal imports"
