#!/bin/sh
# agentlogs daemon: an open commit whose last turn is older than
# import.idle-minutes is closed (session_end) by the daemon itself, with no new
# line in its transcript: the loop wakes once, when the commit goes idle, and
# imports. Without that timer the commit stayed open until some other line
# arrived. The transcript's one exchange is dated 30 s ago and the limit is the
# smallest one (1 minute), so the commit is open when imported and idle 30 s
# later; the few imports the daemon ran show that it waited instead of polling.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin

"$AGENTLOGS" config set import.idle-minutes 1 >/dev/null || t_fail "config set import.idle-minutes"
d_start
f=$CLAUDE_HOME/projects/-home-ann-idle/5e1f0c3a-7a51-4d62-9c8e-2f6a1b0d9e41.jsonl
mkdir -p "$(dirname "$f")"
python3 - "$f" <<'PY'
import json, sys, time
sid = "5e1f0c3a-7a51-4d62-9c8e-2f6a1b0d9e41"
ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 30))
base = {"sessionId": sid, "cwd": "/home/ann/idle", "gitBranch": "main", "version": "2.1.9",
        "timestamp": ts}
lines = [dict(base, type="user", uuid="a1f0c3a7-0000-4000-8000-000000000001",
              message={"role": "user", "content": "a prompt, then nothing"}),
         dict(base, type="assistant", uuid="a1f0c3a7-0000-4000-8000-000000000002",
              message={"id": "msg_idle", "role": "assistant", "model": "m",
                       "content": [{"type": "text", "text": "an answer"}],
                       "usage": {"input_tokens": 1, "output_tokens": 1}})]
with open(sys.argv[1], "w") as out:
    out.write("".join(json.dumps(l) + "\n" for l in lines))
PY
d_wait_turns 2 "the transcript"
state() {
	t_sql "$AGENTLOGS_HOME/data.db" "SELECT closed_by FROM cognitive_commits"
}
t_assert_eq open "$(state)" "the commit's state once imported"

# About 30 s from now it is idle; 120 s more bound a broken daemon.
i=0
until [ "$(state)" = session_end ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || t_fail "the commit is still '$(state)' 150 s after its last turn; log: $(tail -n 5 "$AGENTLOGS_HOME/log")"
	sleep 0.2
done
t_assert_eq 2 "$(wc -l <"$f" | tr -d ' ')" "the transcript's lines (none added)"
t_assert_eq 2 "$(d_count)" "turns"
# The first import, the new transcript's (perhaps in two), the idle close:
# not one a second.
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"pending":' "daemon.json"
imports=$(d_status_field imports)
[ "$imports" -le 5 ] || t_fail "$imports imports for one transcript and one idle close"
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=
echo "daemon idle close: ok"
