#!/bin/sh
# Realtime in the browser, against a real agentlogs-server: machine B's
# browser, on a real terminal in a detached tmux, shows live once its realtime
# channel is joined; a push from machine A (the CLI) appears on B's screen
# within a few seconds without a key press (a realtime change nudges B's sync
# thread into a pull; the periodic pull is 10 minutes away); a retitle does
# too, also when an older transaction holds the change back from pulls (B
# pulls, gets nothing, and pulls again until it comes). With the server gone the status
# falls back to polling; once it is back, realtime reconnects, the reconnection
# pulls what changed meanwhile, and the status is live again. Skipped without
# tmux.
#
# Other tests share the PostgreSQL, and pull_changes holds rows back while any
# older transaction in it is open: the waits are bounds for a broken program
# (60 s), never timings, and the figures printed say how long it really took.
. "$SRCDIR/tests/integration/sync-lib.sh"
t_need_cmd tmux
y_begin
sock=agentlogs-rt-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; s_cleanup' EXIT

y_machine A
y_machine B
y_signup A rita@example.com
y_login B rita@example.com
y_import A
ncommits=$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits")
mkdir -p "$T_TMP/none/projects/none"

# The browser on B: its exit status lands in $T_TMP/exit.
# Retried: two tmux servers starting at the same moment (a parallel make check)
# now and then fail with "server exited unexpectedly".
tries=0
until tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 30 \
	"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$(y_home B)' \
	CLAUDE_HOME='$T_TMP/none' AGENTLOGS_MACHINE=testbox '$AGENTLOGS' \
	2>'$T_TMP/stderr'; echo \$? >'$T_TMP/exit'; sleep 60" 2>"$T_TMP/tmux.err"; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
	tmux -L "$sock" kill-server 2>/dev/null
	sleep 0.5
done

# wait_for TEXT SECONDS: until B's screen shows TEXT; prints how long it took (ms).
wait_for() {
	wf_t0=$(date +%s%3N)
	wf_end=$((wf_t0 + $2 * 1000))
	while :; do
		tmux -L "$sock" capture-pane -p >"$T_TMP/screen" 2>/dev/null
		if grep -qF -- "$1" "$T_TMP/screen"; then
			echo $(($(date +%s%3N) - wf_t0))
			return 0
		fi
		[ "$(date +%s%3N)" -lt "$wf_end" ] || break
		sleep 0.05
	done
	cat "$T_TMP/screen" >&2
	t_fail "B's screen did not show '$1' within $2 s"
}

# status: B's status bar (the line above the last).
status() {
	tail -n 2 "$T_TMP/screen" | head -n 1
}

wait_for " live " 60 >/dev/null
t_assert_contains "$(status)" "commits 0/0" "B before A pushed"

# A pushes with the CLI; B's screen follows without a key press.
t0=$(date +%s%3N)
y_ok A push
wait_for "commits 1/$ncommits" 60 >/dev/null
echo "B showed A's $ncommits commits $(($(date +%s%3N) - t0)) ms after A's push began"
t_assert_contains "$(status)" " live " "B after the pull"

# A retitles the newest commit: the new title shows on B.
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits ORDER BY started_at DESC, id DESC LIMIT 1")
y_ok A title "$id" "Realtime works ✓"
t0=$(date +%s%3N)
y_ok A push
wait_for "Realtime works ✓" 60 >/dev/null
echo "B showed A's retitle $(($(date +%s%3N) - t0)) ms after A's push began"

# An older transaction stays open while A pushes a retitle: the change is
# announced at once but held back from pulls until that transaction ends. B
# pulls and gets nothing (two of B's pulls ended after A's push: the second
# began after it), then the transaction commits and B's next pull brings it.
mkfifo "$T_TMP/held.in"
psql -X -q -At "$S_DB" <"$T_TMP/held.in" >"$T_TMP/held.out" 2>&1 &
held_pid=$!
exec 4>"$T_TMP/held.in"
echo "BEGIN; SELECT 'xid ' || pg_current_xact_id();" >&4
t_wait_file "$T_TMP/held.out" "xid " "the older transaction"
y_ok A title "$id" "Held back ✓"
y_ok A push
pulls=$(grep -c -F 'POST /rest/v1/rpc/pull_changes' "$T_TMP/server.log")
t_wait_count "$T_TMP/server.log" 'POST /rest/v1/rpc/pull_changes' $((pulls + 2)) "B's pulls"
t_assert_eq 0 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM cognitive_commits WHERE title = 'Held back ✓'")" \
	"B's store while the older transaction holds the change back"
t0=$(date +%s%3N)
echo "COMMIT;" >&4
exec 4>&-
wait "$held_pid"
wait_for "Held back ✓" 60 >/dev/null
echo "B showed a held-back retitle $(($(date +%s%3N) - t0)) ms after the older transaction ended"

# The server goes: realtime is lost, the status says polling (the last sync worked).
s_stop_server
wait_for " polling " 60 >/dev/null
# A change lands while B has no realtime (written straight into the cloud's
# database by a second server instance started later would do too; the CLI is
# simpler): the server comes back, A pushes at once, and B gets the change
# through its reconnection's pull or the change's nudge, and is live again.
s_restart_server
y_ok A title "$id" "Back again ✓"
y_ok A push
wait_for "Back again ✓" 60 >/dev/null
wait_for " live " 60 >/dev/null

# q quits, cleanly.
tmux -L "$sock" send-keys q
t_wait_file "$T_TMP/exit" "" "q: the browser's exit status"
t_assert_eq 0 "$(cat "$T_TMP/exit")" "exit status"
# Quitting while a sync is under way says so; nothing else belongs on stderr.
grep -v -x -F "agentlogs: finishing the sync under way..." "$T_TMP/stderr" >"$T_TMP/stderr.rest"
[ -s "$T_TMP/stderr.rest" ] && t_fail "stderr: $(cat "$T_TMP/stderr")"
grep -q 'GET /realtime/v1/websocket 101' "$T_TMP/server.log" ||
	t_fail "the server never upgraded a realtime socket"
echo "PASS: realtime: B's browser shows A's pushes without a key press, held-back ones too; polling without realtime, live again after it reconnects"
