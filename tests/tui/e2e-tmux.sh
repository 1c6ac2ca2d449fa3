#!/bin/sh
# The browser end to end, the issue's way: a real agentlogs-server, two homes
# (A and B, one account), and the browser on A in a detached tmux driven by
# send-keys and read by capture-pane. On A: browse down into a conversation,
# retitle a commit (↑1), sync with S (↑0); retitle it again while B retitles
# it too from the CLI and syncs; S on A finds the conflict and holds it
# (sync.conflicts manual: !1); ! lists it, Enter opens the resolve pane, 1
# takes A's side, A accepts (↑1 !0), S sends it (↑0). Then a conflict made
# while the server is down, with a browser on each home: both retitle the
# commit offline (↑1 on each), the server comes back, B syncs, A's S holds the
# conflict (!1), B's browser sees it too (!1, both values in its conflicts
# view); resolved on A, both show !0 and A's title. Then both homes sync from
# the CLI and must show the same title. Every wait polls the screen against a
# deadline. Needs PostgreSQL (fails without it under CI=true) and tmux.
. "$SRCDIR/tests/integration/sync-lib.sh"
t_need_cmd tmux
y_begin

sock=agentlogs-e2e-$$
# s_cleanup (set by s_create_db) stops the server and drops the database; the
# tmux server goes first.
trap 'rc=$?; tmux -L "$sock" kill-server 2>/dev/null; (exit $rc); s_cleanup' EXIT

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
y_import A
y_ok A push
y_settle
y_ok B pull
# A syncs only when asked (so ↑1 stays on screen until S), and holds conflicts.
y_ok A config set continuous-sync false
y_ok A config set sync.conflicts manual
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits WHERE deleted_at IS NULL
    ORDER BY started_at DESC, id DESC LIMIT 1")
[ -n "$id" ] || t_fail "no commit on A"
mkdir -p "$T_TMP/none/projects/none"

# browser NAME HOME MACHINE: the browser on HOME in tmux session NAME; its
# exit status lands in $T_TMP/exit.NAME, its stderr in $T_TMP/stderr.NAME.
browser() {
	tmux -L "$sock" -f /dev/null new-session -d -s "$1" -x 100 -y 30 \
		"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$T_TMP/$2' \
		CLAUDE_HOME='$T_TMP/none' AGENTLOGS_MACHINE=$3 \
		LSAN_OPTIONS='suppressions=$SRCDIR/tests/tui/lsan.supp:print_suppressions=0' \
		'$AGENTLOGS' 2>'$T_TMP/stderr.$1'; echo \$? >'$T_TMP/exit.$1'; sleep 600" ||
		t_fail "cannot start tmux for $2"
}

# The helpers below act on the browser in tmux session $at.
at=a
browser a A machine-a

# screen: the pane as text, in $T_TMP/screen.
screen() {
	tmux -L "$sock" capture-pane -p -t "$at" >"$T_TMP/screen" 2>/dev/null
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (30 s by default: the
# browser runs under the sanitizers).
wait_for() {
	deadline=$(($(date +%s) + ${2:-30}))
	while :; do
		screen
		grep -qF -- "$1" "$T_TMP/screen" && return 0
		[ -f "$T_TMP/exit.$at" ] && { cat "$T_TMP/screen" "$T_TMP/stderr.$at" >&2; t_fail "browser $at exited waiting for '$1'"; }
		[ "$(date +%s)" -lt "$deadline" ] || break
		sleep 0.1
	done
	cat "$T_TMP/screen" >&2
	t_fail "browser $at's screen never showed '$1'"
}

# status_shows TEXT: the status bar (the line above the last) holds TEXT, after
# a sync that worked (live, or polling when realtime is not connected).
status_shows() {
	deadline=$(($(date +%s) + 30))
	while :; do
		screen
		tail -n 2 "$T_TMP/screen" | head -n 1 >"$T_TMP/status"
		grep -qF -- "$1" "$T_TMP/status" && grep -qE '^ (live|polling) ' "$T_TMP/status" &&
			return 0
		[ "$(date +%s)" -lt "$deadline" ] || break
		sleep 0.1
	done
	cat "$T_TMP/screen" >&2
	t_fail "browser $at's status bar never showed '$1' after a sync that worked"
}

keys() {
	tmux -L "$sock" send-keys -t "$at" "$@"
}

# quit: q until browser $at exits; exit status 0, nothing else on stderr (no leak either).
quit() {
	keys q
	i=0
	while [ ! -f "$T_TMP/exit.$at" ] && [ $i -lt 300 ]; do
		[ $((i % 10)) -eq 0 ] && keys q
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$T_TMP/exit.$at" ] || t_fail "q did not quit browser $at"
	t_assert_eq 0 "$(cat "$T_TMP/exit.$at")" "browser $at's exit status"
	# Quitting while a sync is under way says so (B syncs on its own): that
	# line only.
	grep -v -x -F "agentlogs: finishing the sync under way..." "$T_TMP/stderr.$at" \
		>"$T_TMP/stderr.$at.rest"
	[ -s "$T_TMP/stderr.$at.rest" ] && t_fail "browser $at wrote: $(cat "$T_TMP/stderr.$at")"
	return 0
}

# Open; the first sync (S) makes it live.
wait_for "commits 1/"
wait_for "ann@example.com"
keys S
status_shows "↑0 !0"

# Down into a conversation and back.
keys Enter
wait_for "turns 1/"
keys q
wait_for "commits 1/"

# Retitle: ↑1 at once; S sends it.
keys t C-u
keys -l "Titled on A"
keys Enter
wait_for "Title saved."
status_shows "↑1 !0"
keys S
status_shows "↑0 !0"
t_assert_eq "Titled on A" "$(psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits
    WHERE id = '$id'")" "the title in the cloud"

# B takes that title, then both retitle the commit from it: A here (pending),
# B from the CLI, synced first. (B's pull must see A's push: without
# y_settle, a transaction open elsewhere on the PostgreSQL can hold A's title
# back, and B's retitle then conflicts with it, a settled conflict that A
# would list too.)
y_settle
y_ok B sync
keys t C-u
keys -l "Edited on A"
keys Enter
status_shows "↑1 !0"
y_ok B title "$id" "Edited on B"
y_ok B sync
y_settle

# A's sync finds both edits: held, the commit stays here.
keys S
status_shows "!1"
status_shows "↑0 !1"
t_assert_eq "conflict" "$(t_sql "$(y_home A)/data.db" "SELECT sync_status FROM cognitive_commits
    WHERE id = '$id'")" "the commit is held on A"

# The conflicts (!), the resolve pane (Enter): A's side (1), accept (A).
keys !
wait_for "conflicts 1/1"
wait_for "Edited on A"
wait_for "Edited on B"
keys Enter
wait_for "resolve 1/5"
wait_for "local (machine-a)"
keys 1
wait_for "this machine's value taken"
keys A
wait_for "Resolved 1 field"
status_shows "↑1 !0"
keys S
status_shows "↑0 !0"

# A conflict made while the server is down. A goes back from the conflicts
# to its commits; B's browser opens (continuous sync, conflicts settled by the
# last write: the defaults) and is in step.
keys q
wait_for "commits 1/"
# B's first pull must see A's last push (held back while a transaction
# elsewhere on the PostgreSQL is open: see above).
y_settle
at=b
browser b B machine-b
wait_for "commits 1/"
status_shows "↑0 !0"
wait_for "Edited on A"
s_stop_server
# Both retitle the commit while the cloud is gone: each waits to go up.
keys t C-u
keys -l "Offline on B"
keys Enter
wait_for "Title saved."
wait_for "↑1"
at=a
keys t C-u
keys -l "Offline on A"
keys Enter
wait_for "Title saved."
wait_for "↑1"
# The cloud comes back: B syncs first (S), then A, which finds both edits and
# holds the commit (!1).
s_restart_server
at=b
keys S
status_shows "↑0 "
y_settle
at=a
keys S
status_shows "↑0 !1"
y_settle
# B sees the same conflict, with both values, once it syncs.
at=b
keys S
status_shows "!1"
keys !
wait_for "conflicts 1/1"
wait_for "Offline on A"
wait_for "Offline on B"
keys q
wait_for "commits 1/"
# Resolved on A (A's side): both clear.
at=a
keys !
wait_for "conflicts 1/1"
keys Enter
wait_for "resolve 1/5"
keys 1
wait_for "this machine's value taken"
keys A
wait_for "Resolved 1 field"
keys S
status_shows "↑0 !0"
keys q
wait_for "commits 1/"
y_settle
at=b
keys S
status_shows "↑0 !0"
wait_for "Offline on A"
t_assert_eq 0 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE title = 'Offline on B'")" "B's lost title, on B"

# Quit from the first view, both browsers.
quit
at=a
quit

# Both homes agree, on A's choice, and nothing waits or conflicts.
y_settle
y_ok A sync
y_ok B sync
ta=$(AGENTLOGS_HOME=$T_TMP/A "$AGENTLOGS" show --json "$id" | python3 -c \
	'import json, sys; print(json.load(sys.stdin)["title"])') || t_fail "show on A"
tb=$(AGENTLOGS_HOME=$T_TMP/B "$AGENTLOGS" show --json "$id" | python3 -c \
	'import json, sys; print(json.load(sys.stdin)["title"])') || t_fail "show on B"
t_assert_eq "Offline on A" "$ta" "the title on A"
t_assert_eq "$ta" "$tb" "the titles on A and B"
y_ok A conflicts --json
t_assert_eq "[]" "$(printf '%s' "$t_out" | tr -d ' \n\t')" "open conflicts on A"
echo "PASS: the browser end to end: browse, retitle ↑1, sync ↑0, conflict !1, resolved, both homes agree"
