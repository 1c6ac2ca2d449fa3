#!/bin/sh
# The browser's own watcher: with no daemon serving its home, the browser runs
# the daemon's live capture itself (capture/live.h), so lines an agent writes
# while it is open show on its screen without a key press: two turns appended
# to the transcript being read ("turns 1/4", "2 new turns"), and a new
# project's transcript (a new row in the commits list). The expected figures
# come from the lines this test writes (two turns an exchange). The import
# runs on a thread of its own: a store locked by another writer never
# freezes the screen. Skipped without tmux.
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
d_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'x_close; rm -rf "$T_TMP"' EXIT

d_turns alpha 1 1
x_open AGENTLOGS_DEBUG=1 AGENTLOGS_HOME="'$AGENTLOGS_HOME'" CLAUDE_HOME="'$CLAUDE_HOME'"
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
x_wait_for "commits 1/1"
d_turns beta 1 1
x_wait_for "/2"
x_screen
grep -qF "beta" "$T_TMP/screen" || { cat "$T_TMP/screen" >&2; t_fail "no row for the new project beta"; }
t_assert_eq 6 "$(d_count)" "turns in the store after the new project"

# Another writer holds the store: the import of the next lines waits for it
# (up to the store's 10 s busy timeout) on the capture's own thread, and the
# screen still answers keys meanwhile: the help opens while the import
# waits, before it could have given up ("database is locked"). Once the
# writer lets go, the lines come in.
python3 - "$AGENTLOGS_HOME/data.db" "$T_TMP/locked" "$T_TMP/release" <<'PY' &
import os, sqlite3, sys, time
db, locked, release = sys.argv[1:]
c = sqlite3.connect(db, isolation_level=None, timeout=60)
c.execute("BEGIN IMMEDIATE")
open(locked, "w").write("locked\n")
for _ in range(2400):
    if os.path.exists(release):
        break
    time.sleep(0.05)
c.execute("ROLLBACK")
PY
locker=$!
t_wait_file "$T_TMP/locked" locked "the other writer's lock"
imports=$(grep -c "live capture: importing" "$AGENTLOGS_HOME/log")
d_turns beta 2 1
t_wait_count "$AGENTLOGS_HOME/log" "live capture: importing" $((imports + 1)) "the import that waits for the lock"
x_key '?'
x_wait_for "Keys of the commits view"
locked_errors=$(grep -c "database is locked" "$AGENTLOGS_HOME/log")
touch "$T_TMP/release"
wait "$locker"
t_assert_eq 0 "$locked_errors" "import errors when the help opened (the import still waited)"
x_key q
d_wait_turns 8
x_quit
echo "PASS: the browser's own watcher shows new turns and a new project while it is open, on its own thread"
