#!/bin/sh
# Two homes, one account, a real agentlogs-server (issue 12: "the two-home
# tmux test gains a transcript growing under A while B's browser shows the new
# turns arrive"). Home A runs the daemon, logged in, over a Claude folder an
# agent writes to; home B runs the browser in a detached tmux, realtime on.
# B is opened on the last turn of A's conversation; then, with no key pressed
# on B and no command run on A, lines appended under A scroll in on B's
# screen (tail -f), and a new transcript under A appears in B's commits list.
# B's own periodic pull is 10 minutes away while live: what arrives within
# the deadline came by realtime. The expected turns and texts come from the
# lines this test writes. Every wait polls the screen (capture-pane) against
# a deadline for a broken program. Needs PostgreSQL and tmux.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
y_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'rc=$?; x_close; d_kill; (exit $rc); s_cleanup' EXIT

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
AGENTLOGS_HOME=$(y_home A)
CLAUDE_HOME=$T_TMP/claude
export AGENTLOGS_HOME CLAUDE_HOME
mkdir -p "$CLAUDE_HOME/projects" "$T_TMP/none/projects/none"

# A: one exchange (2 turns), the daemon, and the cloud has them.
d_turns alpha 1 1
d_start
i=0
until [ "$(y_cloud_counts "$uid" | cut -d' ' -f4)" = 2 ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "A's first turns never reached the cloud: $(cat "$AGENTLOGS_HOME/daemon.json")"
	sleep 0.05
done
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"sync":	"live"' "A's realtime channel"
y_settle

# B: the browser, which pulls on its own at start (continuous sync), live
# once realtime has joined.
x_open AGENTLOGS_HOME="'$T_TMP/B'" CLAUDE_HOME="'$T_TMP/none'"
x_wait_for "commits 1/1"
x_wait_status '^ live '
# Into A's conversation, on its last turn.
x_into_turns 2
x_key G
x_wait_for "turns 2/2"
x_wait_for "answer 1"

# A's agent writes 3 more exchanges, one at a time: 6 more turns, each
# exchange awaited on B's screen (following the tail: the newest answer
# shows, the cursor on the last turn). No key on B, no command on A.
n=2
for e in 2 3 4; do
	d_turns alpha $e 1
	n=$((n + 2))
	x_wait_for "turns $n/$n"
	x_wait_for "answer $e"
done
case $(x_status) in *"new turn"*) t_fail "a note while following the tail: $(x_status)" ;; esac
t_assert_contains "$(x_status)" "live" "B's status bar after the new turns"

# Back to the list (keys on B, before the change), then a new transcript
# under A: a second commit in B's list, with no key.
x_key q
x_wait_for "commits 1/1"
d_turns beta 1 2
x_until 'grep -qE "commits [12]/2" "$T_TMP/screen"' "a second commit"

# Quit B: exit status 0, nothing on stderr but the note of a sync under way.
x_key Q
t_wait_file "$T_TMP/exit" "" "Q: B's exit status"
t_assert_eq 0 "$(cat "$T_TMP/exit")" "B's browser's exit status"
grep -v -x -F "agentlogs: finishing the sync under way..." "$T_TMP/stderr" >"$T_TMP/stderr.rest"
[ -s "$T_TMP/stderr.rest" ] && t_fail "B's browser wrote: $(cat "$T_TMP/stderr")"
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop on A: $t_err"
D_PID=
echo "PASS: A's agent writes, B's browser shows the new turns and commit as they come, no key pressed"
