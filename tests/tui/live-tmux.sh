#!/bin/sh
# The browser live, on a real terminal in a detached tmux, while a second
# process (agentlogs import, as the daemon or a pull would) writes to the
# store:
#   - the commits list: a new commit in a new project appears at the top, the
#     cursor stays on the commit it was on (its title heads the preview), the
#     count grows, and the new commit, still being written, carries the live
#     mark with its turn count, which grows with the transcript;
#   - a conversation read from its first turn stays put and says "N new turns"
#     (N the lines appended); G goes to the end and the note goes; on the last
#     turn, new turns scroll in (tail -f);
#   - R (reload) reads everything again and keeps the cursor.
# The expected figures come from the lines this test writes. Every wait polls
# the screen against a bound for a broken program, never a timing. Skipped
# without tmux.
. "$SRCDIR/tests/integration/lib.sh"
t_need_cmd tmux
t_mktemp
sock=agentlogs-live-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$T_TMP"' EXIT
AGENTLOGS_HOME=$T_TMP/home
# One clock for the import and the browser: the live commit's last turn is
# minutes old, well within import.idle-minutes (30).
AGENTLOGS_NOW=2026-03-01T10:40:00Z
export AGENTLOGS_HOME AGENTLOGS_NOW
CLAUDE=$T_TMP/claude
mkdir -p "$T_TMP/none/projects/none"

# session DIR SID MINUTE TITLE COMMIT FROM TO: appends turns FROM..TO-1 of a
# synthetic session to DIR/SID.jsonl: turn 0 is the prompt TITLE, then
# assistant and user texts in turn, one turn a line, a minute from MINUTE on
# (10:MINUTE). With COMMIT=yes the last assistant turn commits (the commit is
# then titled TITLE, by its git subject).
session() {
	mkdir -p "$CLAUDE/projects/$1"
	python3 - "$@" >>"$CLAUDE/projects/$1/$2.jsonl" <<'PY'
import json, sys
d, sid, minute, title, commit, lo, hi = sys.argv[1:8]
minute, lo, hi = int(minute), int(lo), int(hi)
cwd = "/" + d.strip("-").replace("-", "/")
def rec(kind, i, message):
    return {"type": kind, "uuid": "%s-%04d" % (sid[:8], i), "sessionId": sid, "cwd": cwd,
            "gitBranch": "main", "version": "2.1.9",
            "timestamp": "2026-03-01T10:%02d:%02d.000Z" % (minute + i // 60, i % 60),
            "message": message}
out = []
for i in range(lo, hi):
    if i == 0:
        out.append(rec("user", i, {"role": "user", "content": title}))
    elif i % 2 == 1:
        block = {"type": "text", "text": "Reply number %d." % i}
        out.append(rec("assistant", i, {"id": "msg_%s_%d" % (sid[:8], i), "role": "assistant",
            "model": "claude-x", "content": [block],
            "usage": {"input_tokens": 1, "output_tokens": 1}}))
    else:
        out.append(rec("user", i, {"role": "user", "content": "Question number %d" % i}))
if commit == "yes":
    i = hi
    out.append(rec("assistant", i, {"id": "msg_%s_c" % sid[:8], "role": "assistant",
        "model": "claude-x", "content": [{"type": "tool_use", "id": "toolu_%s" % sid[:8],
        "name": "Bash", "input": {"command": "git commit -am '%s'" % title}}],
        "usage": {"input_tokens": 1, "output_tokens": 1}}))
    out.append(rec("user", i + 1, {"role": "user", "content": [{"type": "tool_result",
        "tool_use_id": "toolu_%s" % sid[:8], "content": "[main 0abc%03d] %s\n 1 file changed"
        % (minute, title), "is_error": False}]}))
sys.stdout.write("".join(json.dumps(r) + "\n" for r in out))
PY
}

import() {
	"$AGENTLOGS" import --claude-dir "$CLAUDE" --quiet >/dev/null || t_fail "import $*"
}

APP=-home-ann-src-app
TOOL=-home-ann-src-toolbox
S1=11111111-1111-4111-8111-111111111111
S2=22222222-2222-4222-8222-222222222222
S3=33333333-3333-4333-8333-333333333333
session $APP $S1 0 "First task" yes 0 3
session $APP $S2 10 "Second task" yes 0 3
import "the first two commits"

# The browser, 100x30: the preview below the list, its first line the title of the commit under the cursor.
tries=0
until tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
	"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$AGENTLOGS_HOME' \
	AGENTLOGS_NOW=$AGENTLOGS_NOW CLAUDE_HOME='$T_TMP/none' AGENTLOGS_MACHINE=testbox \
	LSAN_OPTIONS='suppressions=$SRCDIR/tests/tui/lsan.supp:print_suppressions=0' \
	'$AGENTLOGS' 2>'$T_TMP/stderr'; echo \$? >'$T_TMP/exit'; sleep 60" 2>"$T_TMP/tmux.err"; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
	sleep 0.5
done

screen() {
	tmux -L "$sock" capture-pane -p >"$T_TMP/screen" 2>/dev/null
}

# wait_for TEXT: until the screen shows TEXT (60 s: a bound for a broken program).
wait_for() {
	wf_end=$(($(date +%s) + 60))
	while :; do
		screen
		grep -qF -- "$1" "$T_TMP/screen" && return 0
		[ -f "$T_TMP/exit" ] && { cat "$T_TMP/screen" "$T_TMP/stderr" >&2; t_fail "the browser exited waiting for '$1'"; }
		[ "$(date +%s)" -lt "$wf_end" ] || break
		sleep 0.05
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen never showed '$1'"
}

key() {
	tmux -L "$sock" send-keys "$@"
}

# status: the status bar (the line above the last).
status() {
	tail -n 2 "$T_TMP/screen" | head -n 1
}

# selected: the first line under the separator: the preview's title, which is
# the commit under the cursor's.
selected() {
	sed -n '/^───/{n;p;q;}' "$T_TMP/screen" | sed 's/ *$//'
}

# row TITLE: the commits list's line for TITLE.
row() {
	sed -n '/^───/q;p' "$T_TMP/screen" | grep -F -- "$1" | head -n 1
}

wait_for "commits 1/2"
# The cursor on the older commit.
key j
wait_for "commits 2/2"
t_assert_eq "First task" "$(selected)" "the commit under the cursor"

# A second process: a new project, its session still being written (3 turns).
session $TOOL $S3 30 "Third task, live" no 0 3
import "the live session"
wait_for "commits 3/3"
t_assert_eq "First task" "$(selected)" "the commit under the cursor after the import"
line=$(row "Third task, live")
t_assert_contains "$line" "toolbox" "the new project on the new commit's row"
t_assert_contains "$line" "● live     3 Third task, live" "the live commit's row"
t_assert_contains "$(row "Second task")" "0abc010" "a closed commit's row (its hash, no live mark)"
case $(row "Second task") in *live*) t_fail "a closed commit is marked live: $(row "Second task")" ;; esac

# It grows: 2 more turns, and its count follows.
session $TOOL $S3 30 "Third task, live" no 3 5
import "two more turns"
wait_for "● live     5 Third task, live"
t_assert_eq "First task" "$(selected)" "the commit under the cursor after the growth"

# R reads everything again; the cursor stays.
key R
wait_for "Reloaded."
t_assert_contains "$(status)" "commits 3/3" "the status bar after R"
t_assert_eq "First task" "$(selected)" "the commit under the cursor after R"

# Into the live conversation, from its first turn: g to the top, Enter (a
# commit of one session opens its turns at once).
key g
wait_for "commits 1/3"
key Enter
wait_for "turns 1/5"
# 4 turns come in below while the cursor is on the first: it stays, and says so.
session $TOOL $S3 30 "Third task, live" no 5 9
import "four more turns"
wait_for "4 new turns"
t_assert_contains "$(status)" "turns 1/9" "the cursor after new turns below"
t_assert_eq "  Third task, live" "$(sed -n 3p "$T_TMP/screen" | sed 's/ *$//')" \
	"the pane's top line (the first turn's text) after new turns below"
# G: to the end; the note goes.
key G
wait_for "turns 9/9"
case $(status) in *"new turn"*) t_fail "the note stayed at the end: $(status)" ;; esac
# On the last turn, new ones scroll in: tail -f.
session $TOOL $S3 30 "Third task, live" no 9 12
import "three more turns"
wait_for "turns 12/12"
wait_for "Reply number 11."
case $(status) in *"new turn"*) t_fail "a note while following the tail: $(status)" ;; esac

key Q
t_wait_file "$T_TMP/exit" "" "Q: the browser's exit status"
t_assert_eq 0 "$(cat "$T_TMP/exit")" "the browser's exit status"
[ -s "$T_TMP/stderr" ] && t_fail "stderr: $(cat "$T_TMP/stderr")"
echo "PASS: the browser follows another process's imports: new commits and turns, the cursor kept, live marks, N new turns, tail -f, R"
