#!/bin/sh
# The browser's own watcher: with no daemon serving its home, the browser runs
# the daemon's live capture itself (capture/live.h), so lines an agent writes
# while it is open show on its screen without a key press: two turns appended
# to the transcript being read ("turns 1/4", "2 new turns"), and a new
# project's transcript (a new row in the commits list). The expected figures
# come from the lines this test writes (two turns an exchange). Skipped
# without tmux.
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
d_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'x_close; rm -rf "$T_TMP"' EXIT

d_turns alpha 1 1
x_open AGENTLOGS_HOME="'$AGENTLOGS_HOME'" CLAUDE_HOME="'$CLAUDE_HOME'"
x_wait_for "commits 1/1"
x_into_turns 2

# An agent goes on writing: one more exchange, two turns.
d_turns alpha 2 1
x_wait_for "turns 1/4"
t_assert_contains "$(x_status)" "2 new turns" "the status bar after two turns came in"
[ -e "$AGENTLOGS_HOME/daemon.pid" ] && t_fail "a daemon ran: $(cat "$AGENTLOGS_HOME/daemon.pid")"
t_assert_eq 4 "$(d_count)" "turns in the store"

# A new project, back in the commits list.
x_key q
x_key q
x_wait_for "commits 1/1"
d_turns beta 1 1
x_wait_for "/2"
x_screen
grep -qF "beta" "$T_TMP/screen" || { cat "$T_TMP/screen" >&2; t_fail "no row for the new project beta"; }
t_assert_eq 6 "$(d_count)" "turns in the store after the new project"
x_quit
echo "PASS: the browser's own watcher shows new turns and a new project while it is open"
