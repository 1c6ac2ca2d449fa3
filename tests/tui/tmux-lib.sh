# Helpers for tests of the browser on a real terminal in a detached tmux:
# . "$SRCDIR/tests/tui/tmux-lib.sh" after lib.sh and t_mktemp. Every name
# starts with x_. The waits poll the screen against a 60 s bound for a broken
# program, never a timing.
#
# x_open ENV...: the browser ($AGENTLOGS, 100x30, ENV as VAR=value) in a tmux
#   server of its own; its exit status lands in $T_TMP/exit, its stderr in
#   $T_TMP/stderr. x_close (call it from the EXIT trap) ends the tmux server.
# x_wait_for TEXT: until the screen ($T_TMP/screen) shows TEXT.
# x_wait_status REGEX: until the status bar (the line above the last) matches REGEX.
# x_status: the status bar, as last captured.
# x_key KEY...: tmux send-keys.
# x_into_turns N: from the commits list, Enter into the conversation (of N
#   turns) of a commit of one session.
# x_quit: Q; the browser must exit 0 with nothing on stderr.

X_SOCK=agentlogs-x-$$

x_open() {
	x_tries=0
	until tmux -L "$X_SOCK" -f /dev/null new-session -d -x 100 -y 30 \
		"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_MACHINE=testbox \
		LSAN_OPTIONS='suppressions=$SRCDIR/tests/tui/lsan.supp:print_suppressions=0' \
		$* '$AGENTLOGS' 2>'$T_TMP/stderr'; echo \$? >'$T_TMP/exit'; sleep 60" \
		2>"$T_TMP/tmux.err"; do
		# Two tmux servers starting at one moment now and then fail: again.
		x_tries=$((x_tries + 1))
		[ $x_tries -lt 5 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
		tmux -L "$X_SOCK" kill-server 2>/dev/null
		sleep 0.5
	done
}

x_close() {
	tmux -L "$X_SOCK" kill-server 2>/dev/null || :
}

x_screen() {
	tmux -L "$X_SOCK" capture-pane -p >"$T_TMP/screen" 2>/dev/null
}

x_status() {
	tail -n 2 "$T_TMP/screen" | head -n 1
}

# x_until TEST WHAT: until the shell test TEST holds on a fresh screen.
x_until() {
	x_end=$(($(date +%s) + 60))
	while :; do
		x_screen
		eval "$1" && return 0
		if [ -f "$T_TMP/exit" ]; then
			cat "$T_TMP/screen" "$T_TMP/stderr" >&2
			t_fail "the browser exited waiting for $2"
		fi
		[ "$(date +%s)" -lt "$x_end" ] || break
		sleep 0.05
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen never showed $2"
}

x_wait_for() {
	x_text=$1
	x_until 'grep -qF -- "$x_text" "$T_TMP/screen"' "'$1'"
}

x_wait_status() {
	x_re=$1
	x_until 'x_status | grep -qE -- "$x_re"' "a status bar matching '$1'"
}

x_key() {
	tmux -L "$X_SOCK" send-keys "$@"
}

x_into_turns() {
	x_key Enter
	x_wait_for "turns 1/$1"
}

x_quit() {
	x_key Q
	t_wait_file "$T_TMP/exit" "" "Q: the browser's exit status"
	t_assert_eq 0 "$(cat "$T_TMP/exit")" "the browser's exit status"
	# Debug lines (AGENTLOGS_DEBUG, asked for by a test) are not complaints.
	grep -v '^agentlogs: debug: ' "$T_TMP/stderr" >"$T_TMP/stderr.said"
	[ -s "$T_TMP/stderr.said" ] && t_fail "the browser's stderr: $(cat "$T_TMP/stderr.said")"
	return 0
}
