#!/bin/sh
# The browser and the daemon on one home, against a real agentlogs-server,
# the browser on a real terminal in a detached tmux:
#   (a) while a daemon serves the home, the browser runs no sync loop of its
#       own: its status bar shows the daemon's state ("daemon live"), an
#       appended exchange makes one push_rows request (the daemon's), the
#       server sees one realtime connection (the daemon's), S asks the
#       daemon to sync (daemon.json's "syncs" grows), and a retitle in the
#       browser is pushed by the daemon;
#   (c) the daemon stopped, the browser takes over (its own realtime
#       connection, " live " without "daemon"; its own watcher imports an
#       appended exchange and its sync thread pushes it, once); a daemon
#       started again, the browser hands back ("daemon live"; the next
#       exchange is pushed once).
# The expected counts come from what the test does: one push_rows per
# appended exchange, one realtime connection per process that syncs. Skipped
# without tmux.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
y_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'x_close; d_kill; s_cleanup' EXIT

d_cloud_home ann@example.com

pushes() {
	grep -cE 'POST /rest/v1/rpc/push_(batch|rows)' "$T_TMP/server.log"
}
# Realtime connections the server accepted (its request log's upgrade lines).
sockets() {
	grep -c 'GET /realtime/v1/websocket 101' "$T_TMP/server.log"
}
# sync_now WHAT: S; the daemon hears it (its log says so) and answers:
# daemon.json's "syncs" grows.
sync_now() {
	sn_before=$(d_status_field syncs)
	sn_asked=$(grep -c "SIGUSR1: syncing now, as asked" "$AGENTLOGS_HOME/log")
	x_key S
	x_wait_for "Asked the daemon (pid $D_PID) to sync now."
	t_wait_count "$AGENTLOGS_HOME/log" "SIGUSR1: syncing now, as asked" $((sn_asked + 1)) "$1: the daemon's log"
	sn_i=0
	until [ "$(d_status_field syncs)" -gt "$sn_before" ]; do
		sn_i=$((sn_i + 1))
		[ $sn_i -lt 1200 ] || t_fail "$1: S, and the daemon's syncs stayed at $sn_before"
		sleep 0.05
	done
}

d_turns alpha 1 1
d_start
t_wait_file "$AGENTLOGS_HOME/daemon.json" '"sync":	"live"' "the daemon's realtime channel"
t_wait_count "$T_TMP/server.log" "POST /rest/v1/rpc/push_rows" 1 "the daemon's first push"

# (a) The browser opens while the daemon serves: its first screen shows the
# daemon's state (headless: the first frame, no wait).
printf 'save-display %s\n' "$T_TMP/first.txt" >"$T_TMP/first.script"
t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/first.script" AGENTLOGS_TUI_SIZE=100x30 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the headless browser: $t_err"
# (live, or syncing: a pull of the daemon's may be under way)
case $(tail -n 2 "$T_TMP/first.txt" | head -n 1) in
" daemon live "* | " daemon syncing "*) ;;
*) t_fail "the headless browser's first status bar: $(tail -n 2 "$T_TMP/first.txt" | head -n 1)" ;;
esac
x_open AGENTLOGS_HOME="'$AGENTLOGS_HOME'" CLAUDE_HOME="'$CLAUDE_HOME'"
x_wait_status '^ daemon live '
x_into_turns 2
d_turns alpha 2 1
x_wait_for "turns 1/4"
t_wait_count "$T_TMP/server.log" "POST /rest/v1/rpc/push_rows" 2 "the daemon's push of the new exchange"
sync_now "a daemon serving the browser's home"
x_wait_status '^ daemon live +↑0 !0  synced just now'
# Two exchanges, two pushes of the daemon's; the S sync may push once more
# when it meets rows still marked pending (seen once under a loaded CI). The
# browser pushing too would make four: one per change of its own as well.
n=$(pushes)
[ "$n" -ge 2 ] && [ "$n" -le 3 ] ||
	t_fail "push_rows requests after 2 exchanges (the daemon's only): $n, not 2 or 3"
t_assert_eq 1 "$(sockets)" "realtime connections with the daemon serving (its own only)"
# An edit in the browser: the daemon hears of it (SIGUSR2) and pushes it.
x_key q
x_wait_for "commits 1/1"
x_key t C-u
x_key -l "Titled in the browser"
x_key Enter
x_wait_for "Title saved."
t_wait_file "$AGENTLOGS_HOME/log" "SIGUSR2: the store was edited" "the daemon's log after the edit"
t_wait_count "$T_TMP/server.log" "POST /rest/v1/rpc/push_rows" 3 "the daemon's push of the browser's edit"
t_assert_eq "Titled in the browser" "$(psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits")" \
	"the title in the cloud"
x_into_turns 4

# (c) The daemon stops: the browser syncs and watches itself.
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=
x_wait_status '^ live '
t_assert_eq 2 "$(sockets)" "realtime connections once the browser took over"
d_turns alpha 3 1
x_wait_for "turns 1/6"
t_wait_count "$T_TMP/server.log" "POST /rest/v1/rpc/push_rows" 4 "the browser's own push"
x_wait_status '^ live +↑0 '

# A daemon again: the browser hands back.
d_start
x_wait_status '^ daemon live '
d_turns alpha 4 1
x_wait_for "turns 1/8"
t_wait_count "$T_TMP/server.log" "POST /rest/v1/rpc/push_rows" 5 "the new daemon's push"
sync_now "a daemon started while the browser runs"
t_assert_eq 5 "$(pushes)" "push_rows requests after 4 exchanges and an edit"
t_assert_eq 3 "$(sockets)" "realtime connections after the hand-back"
x_quit
echo "PASS: the browser defers to a daemon and takes over when it stops"
