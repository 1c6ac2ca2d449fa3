#!/bin/sh
# The browser's sync thread against a real agentlogs-server: the status bar
# goes live after the first sync, a retitle shows ↑1 at once (continuous-sync
# off, so it waits), S sends it (↑0, the cloud has the title), edits of the
# same title on a second machine make conflicts settled by the last write,
# which show as a quiet ~N (held ones alone count in the red !N), and an
# unreachable cloud shows offline with the error on the same line; with a
# daemon serving the home, its figures (daemon.json), settled ones too. Every
# screen is taken after wait-idle, so nothing depends on timing.
. "$SRCDIR/tests/integration/sync-lib.sh"
# Retries of an unreachable cloud: quick, the policy the same.
AGENTLOGS_RETRY_BASE_MS=10
export AGENTLOGS_RETRY_BASE_MS
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
y_import A
y_ok A push
y_ok A config set continuous-sync false
y_settle
y_ok B pull

# tui NAME SCRIPT...: runs the browser headless on machine NAME with the given
# script lines; the screens it saves land in $T_TMP/NAME-*.txt.
tui() {
	tui_m=$1
	shift
	printf '%s\n' "$@" >"$T_TMP/tui.script"
	(cd "$T_TMP" && env AGENTLOGS_HOME="$T_TMP/$tui_m" CLAUDE_HOME="$T_TMP/none" \
		AGENTLOGS_TUI_SCRIPT="$T_TMP/tui.script" AGENTLOGS_TUI_SIZE=100x24 \
		LC_ALL=C.UTF-8 AGENTLOGS_MACHINE=testbox "$AGENTLOGS" >"$T_TMP/tui.out" \
		2>"$T_TMP/tui.err") || t_fail "the browser on $tui_m: $(cat "$T_TMP/tui.err")"
	[ -s "$T_TMP/tui.err" ] && t_fail "the browser on $tui_m wrote: $(cat "$T_TMP/tui.err")"
	return 0
}
mkdir -p "$T_TMP/none/projects/none"

# status FILE: its status bar (the line above the last).
status() {
	tail -n 2 "$1" | head -n 1
}

# The newest commit's title, here and in the cloud.
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits ORDER BY started_at DESC, id DESC LIMIT 1")

tui A "wait-idle" "key S" "wait-idle" "save-display A-live.txt" \
	"key t" "key C-u" "type Résumé de la semaine ✓" "key Enter" "wait-idle" \
	"save-display A-pending.txt" "key S" "wait-idle" "save-display A-synced.txt"
t_assert_contains "$(head -n 1 "$T_TMP/A-live.txt")" "ann@example.com"
t_assert_contains "$(status "$T_TMP/A-live.txt")" " live  ↑0 !0  synced just now"
t_assert_contains "$(status "$T_TMP/A-pending.txt")" " live  ↑1 !0"
t_assert_contains "$(status "$T_TMP/A-synced.txt")" " live  ↑0 !0  synced just now"
t_assert_eq "Résumé de la semaine ✓" \
	"$(psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits WHERE user_id = '$uid' AND id = '$id'")" \
	"the title in the cloud"

# B changes the title from the base before A's edit, then A again: B's push
# meets A's first title (a conflict B records), A's next sync meets B's title
# (one A records). Both are settled by the last write (auto), and A lists
# both: the first is the one its own title lost.
y_ok B title "$id" "Weekly summary (B)"
y_ok A title "$id" "Weekly summary (A)"
y_ok B push
y_settle
tui A "wait-idle" "key S" "wait-idle" "save-display A-conflict.txt"
t_assert_contains "$(status "$T_TMP/A-conflict.txt")" " !0 ~2  synced"

# A daemon serving A: the browser shows the daemon's figures (daemon.json),
# the two settled conflicts among them.
(export AGENTLOGS_HOME="$T_TMP/A" CLAUDE_HOME="$T_TMP/none" && "$AGENTLOGS" daemon start >/dev/null) ||
	t_fail "daemon start on A"
a_daemon=$(cat "$T_TMP/A/daemon.pid")
trap 'kill -9 "$a_daemon" 2>/dev/null; s_cleanup' EXIT
t_wait_file "$T_TMP/A/daemon.json" '"settled":	2' "daemon.json's settled conflicts"
tui A "save-display A-daemon.txt"
t_assert_contains "$(status "$T_TMP/A-daemon.txt")" " daemon "
t_assert_contains "$(status "$T_TMP/A-daemon.txt")" " !0 ~2 "
(export AGENTLOGS_HOME="$T_TMP/A" && "$AGENTLOGS" daemon stop >/dev/null) || t_fail "daemon stop on A"

# The cloud gone: offline, the error on the status bar, nothing lost.
y_ok A title "$id" "Offline edit"
s_stop_server
tui A "wait-idle" "key S" "wait-idle" "save-display A-offline.txt"
t_assert_contains "$(status "$T_TMP/A-offline.txt")" " offline  ↑1"
t_assert_eq "pending" "$(t_sql "$(y_home A)/data.db" "SELECT sync_status FROM cognitive_commits WHERE id = '$id'")" \
	"the offline edit stays pending"
echo "PASS: the sync thread's status: live, pending, synced, conflict, offline"
