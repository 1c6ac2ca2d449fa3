#!/bin/sh
# A commit's turn_count is the number of turns it holds, also where the import
# does not recount it (a commit it made whose turns were only added): a uuid
# that comes twice in one transcript is one turn, and a turn that grows after
# it was written (a git commit closes the commit while the agent's turn goes
# on) is still one. Expected figures come from the lines written here.
. "$SRCDIR/tests/integration/lib.sh"
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
AGENTLOGS_NOW=2026-03-01T12:00:00Z
export AGENTLOGS_HOME AGENTLOGS_NOW
DIR=$T_TMP/claude/projects/-home-ann-src-app
mkdir -p "$DIR"
python3 - "$DIR" <<'PY'
import json, sys
sid = "7a1c2b3d-1111-4222-8333-444455556666"
def rec(kind, uuid, sec, message):
    return {"type": kind, "uuid": uuid, "sessionId": sid, "cwd": "/home/ann/src/app",
            "gitBranch": "main", "version": "2.1.9",
            "timestamp": "2026-03-01T10:00:%02d.000Z" % sec, "message": message}
def asst(uuid, sec, mid, block):
    return rec("assistant", uuid, sec, {"id": mid, "role": "assistant", "model": "m",
        "content": [block], "usage": {"input_tokens": 1, "output_tokens": 1}})
def user(uuid, sec, content):
    return rec("user", uuid, sec, {"role": "user", "content": content})
lines = [
    # Commit 1: the prompt, and an assistant turn (two lines of msg_1) whose
    # git commit closes it; the same turn's second line comes after the result.
    user("u-1", 1, "Fix the bug"),
    asst("a-1", 2, "msg_1", {"type": "tool_use", "id": "toolu_1", "name": "Bash",
        "input": {"command": "git commit -m fix"}}),
    user("r-1", 3, [{"type": "tool_result", "tool_use_id": "toolu_1",
        "content": "[main 1a2b3c4] fix\n 1 file changed"}]),
    asst("a-1b", 4, "msg_1", {"type": "text", "text": "Committed."}),
    # Commit 2: a prompt whose uuid comes twice (one turn), and an answer.
    user("u-2", 5, "Now the docs"),
    asst("a-2", 6, "msg_2", {"type": "text", "text": "Reading them."}),
    user("u-2", 7, "Now the docs, please"),
    asst("a-3", 8, "msg_3", {"type": "text", "text": "Done."}),
]
with open(sys.argv[1] + "/" + sid + ".jsonl", "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/claude"
t_assert_eq 0 "$t_rc" "import exit status ($t_err)"
db=$AGENTLOGS_HOME/data.db
# Turns held: commit 1 two (u-1, a-1), commit 2 three (u-2 once, a-2, a-3).
t_assert_eq "2|2
3|3" "$(t_sql "$db" "SELECT c.turn_count, (SELECT count(*) FROM turns t JOIN sessions s
    ON s.id = t.session_id WHERE s.commit_id = c.id AND t.deleted_at IS NULL)
    FROM cognitive_commits c ORDER BY c.started_at")" "turn_count and turns held, per commit"
