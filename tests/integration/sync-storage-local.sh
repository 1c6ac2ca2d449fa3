#!/bin/sh
# storage = local, against a real agentlogs-server: a logged-in home with
# pending commits makes no request to the cloud, from the browser (on a real
# terminal in a detached tmux: its status bar says local, S says why it does
# not sync), from --sync-once (it imports and exits 0), or from push, pull and
# sync (each refuses with one line naming the setting). The server's request
# log is the witness. Then storage = cloud: --sync-once pushes everything, and
# the browser syncs. Skipped without tmux.
. "$SRCDIR/tests/integration/sync-lib.sh"
t_need_cmd tmux
y_begin
sock=agentlogs-storage-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; s_cleanup' EXIT

y_machine A
y_signup A lou@example.com
y_import A
ncommits=$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits")
[ "$ncommits" -gt 0 ] || t_fail "nothing imported"
uid=$(y_uid A)
y_ok A config set storage local
before=$(y_requests)
mkdir -p "$T_TMP/none/projects/none"
# --sync-once imports from CLAUDE_HOME first: an empty one.
CLAUDE_HOME=$T_TMP/none
export CLAUDE_HOME

# browser NAME: the browser on A in tmux session NAME; its exit status lands
# in $T_TMP/exit.NAME. Retried: tmux servers starting together now and then
# fail with "server exited unexpectedly".
browser() {
	tries=0
	until tmux -L "$sock" -f /dev/null new-session -d -s "$1" -x 120 -y 30 \
		"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$(y_home A)' \
		CLAUDE_HOME='$T_TMP/none' AGENTLOGS_MACHINE=testbox '$AGENTLOGS' \
		2>'$T_TMP/stderr.$1'; echo \$? >'$T_TMP/exit.$1'; sleep 60" 2>"$T_TMP/tmux.err"; do
		tries=$((tries + 1))
		[ $tries -lt 5 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
		sleep 0.5
	done
}

# wait_for SESSION TEXT: until the screen shows TEXT (60 s: a bound for a broken program).
wait_for() {
	wf_end=$(($(date +%s) + 60))
	while :; do
		tmux -L "$sock" capture-pane -p -t "$1" >"$T_TMP/screen" 2>/dev/null
		grep -qF -- "$2" "$T_TMP/screen" && return 0
		[ -f "$T_TMP/exit.$1" ] && { cat "$T_TMP/screen" "$T_TMP/stderr.$1" >&2; t_fail "the browser exited waiting for '$2'"; }
		[ "$(date +%s)" -lt "$wf_end" ] || break
		sleep 0.05
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen never showed '$2'"
}

# quit SESSION: q, and the browser's exit status is 0.
quit() {
	tmux -L "$sock" send-keys -t "$1" q
	t_wait_file "$T_TMP/exit.$1" "" "q: the browser's exit status"
	t_assert_eq 0 "$(cat "$T_TMP/exit.$1")" "the browser's exit status"
}

# The browser: local in the status bar and no user in the header, logged in as it is.
browser loc
wait_for loc "this machine only"
t_assert_contains "$(head -n 1 "$T_TMP/screen")" "local only" "the header"
# S (sync now) says why nothing syncs, naming the setting.
tmux -L "$sock" send-keys -t loc S
wait_for loc "Not syncing: storage = local"
quit loc

# --sync-once imports only, and exits 0.
y_ok A --sync-once

# Explicit syncs refuse, one line naming the setting, exit 1.
for cmd in push pull sync; do
	y_on A $cmd
	t_assert_eq 1 "$t_rc" "agentlogs $cmd with storage = local"
	t_assert_one_line "$t_err" "agentlogs $cmd's error"
	t_assert_contains "$t_err" "storage = local" "agentlogs $cmd's error"
done

t_assert_eq "$before" "$(y_requests)" "requests to the server with storage = local"
t_assert_eq "0 0 0 0 0" "$(y_cloud_counts "$uid")" "the cloud with storage = local"
t_assert_eq "$ncommits" "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits WHERE sync_status = 'pending'")" \
	"commits still pending locally"

# storage = cloud: --sync-once sends everything.
y_ok A config set storage cloud
y_ok A --sync-once
[ "$(y_requests)" -gt "$before" ] || t_fail "--sync-once with storage = cloud made no request"
t_assert_eq 0 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits WHERE sync_status = 'pending'")" \
	"commits pending after --sync-once with storage = cloud"
t_assert_eq "$ncommits" "$(y_cloud_counts "$uid" | cut -d' ' -f2)" "commits in the cloud"

# ...and the browser syncs: its user in the header, S runs a sync the server sees.
y_settle
pulls=$(grep -c -F 'POST /rest/v1/rpc/pull_changes' "$T_TMP/server.log")
browser cld
wait_for cld "lou@example.com"
tmux -L "$sock" send-keys -t cld S
t_wait_count "$T_TMP/server.log" 'POST /rest/v1/rpc/pull_changes' $((pulls + 1)) "the browser's pull"
quit cld
echo "PASS: storage = local: no request from the browser, --sync-once, push, pull or sync; storage = cloud syncs"
