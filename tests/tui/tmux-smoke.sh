#!/bin/sh
# The browser on a real terminal, in a detached tmux (tmux's own tests do
# this): it opens on the commits with the theme's colours, goes down to a
# conversation, follows a resize, honours NO_COLOR, and q from the first view
# quits with status 0. The headless screens (screens.sh) check the text; this
# checks what only a terminal shows. Skipped without tmux.
. "$SRCDIR/tests/integration/lib.sh"
t_need_cmd tmux
t_mktemp
AGENTLOGS_HOME=$T_TMP/home "$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES" >/dev/null ||
	t_fail "importing the samples"
sock=agentlogs-test-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$T_TMP"' EXIT

# start [ENV...]: the browser in a new 80x24 tmux, its exit status in $T_TMP/exit.
start() {
	rm -f "$T_TMP/exit"
	# A tmux server killed just before may still be going away: retry.
	tries=0
	until tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 \
		"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$T_TMP/home' \
		CLAUDE_HOME='$AGENTLOGS_SAMPLES' AGENTLOGS_MACHINE=testbox $* '$AGENTLOGS' \
		2>'$T_TMP/stderr'; echo \$? >'$T_TMP/exit'; sleep 60" 2>"$T_TMP/tmux.err"; do
		tries=$((tries + 1))
		[ $tries -lt 20 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
		tmux -L "$sock" kill-server 2>/dev/null
		sleep 0.2
	done
}

# wait_for TEXT: until the screen shows TEXT (10 s at most).
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p >"$T_TMP/screen" 2>/dev/null
		grep -qF -- "$1" "$T_TMP/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen never showed '$1'"
}

# quit_and_check: q until it exits; the status must be 0, stderr empty.
quit_and_check() {
	i=0
	while [ ! -f "$T_TMP/exit" ] && [ $i -lt 100 ]; do
		[ $((i % 10)) -eq 0 ] && tmux -L "$sock" send-keys q
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$T_TMP/exit" ] || t_fail "q did not quit"
	t_assert_eq 0 "$(cat "$T_TMP/exit")" "exit status"
	[ -s "$T_TMP/stderr" ] && t_fail "stderr: $(cat "$T_TMP/stderr")"
	tmux -L "$sock" kill-server 2>/dev/null
	return 0
}

start
wait_for "Weekly summary 2026-W10"
wait_for "commits 1/8"
# The default theme: a white on blue header (SGR 37 and 44).
tmux -L "$sock" capture-pane -e -p >"$T_TMP/ansi"
head -n 1 "$T_TMP/ansi" | grep -q '44m' || t_fail "the header is not blue: $(head -n 1 "$T_TMP/ansi" | od -c | head -3)"
tmux -L "$sock" send-keys j Enter
wait_for "turns 1/7"
tmux -L "$sock" resize-window -x 40 -y 10
wait_for "turns 1/7"
[ "$(LC_ALL=C.UTF-8 wc -L <"$T_TMP/screen")" -le 40 ] || t_fail "lines wider than 40 columns after the resize"
tmux -L "$sock" send-keys q
wait_for "commits 2/8"
quit_and_check

start NO_COLOR=1
wait_for "commits 1/8"
tmux -L "$sock" capture-pane -e -p >"$T_TMP/ansi"
grep -q '4[0-7]m' "$T_TMP/ansi" && t_fail "NO_COLOR is set, yet there are colours"
head -n 1 "$T_TMP/ansi" | grep -q '7m' || t_fail "without colours the header is not reverse video"
quit_and_check
echo "PASS: the browser on a terminal in tmux"
