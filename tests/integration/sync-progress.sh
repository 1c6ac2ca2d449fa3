#!/bin/sh
# A push or pull that runs more than a second draws a progress bar on a
# terminal (stderr): rows done of the total, MB, rate; its last state names
# every row. Into a pipe, nothing. A push or pull is made to last by holding
# the server (SIGSTOP) until its first request has waited over a second: the
# only wait on the clock here, since the second itself is what is tested.
. "$SRCDIR/tests/integration/sync-lib.sh"
t_need_cmd script ss
y_begin

y_machine A
y_machine B
y_machine C
y_signup A ann@example.com
y_login B ann@example.com
y_login C ann@example.com
uid=$(y_uid A)
y_import A
# The rows the push sends and the pull brings: every row of the store.
total=$(y_local_counts A | awk '{ for (i = 1; i <= NF; i++) s += $i; print s }')
[ "$total" -gt 0 ] || t_fail "nothing imported"

# held CMD...: runs CMD while the server is stopped; lets it go once CMD's
# first connection has waited in the server's accept queue for over a second.
held() {
	kill -STOP "$S_PID" || t_fail "cannot stop the server"
	"$@" &
	h_pid=$!
	until [ "$(ss -ltnH "sport = :$S_PORT" | awk '{ print $2; exit }')" -gt 0 ] 2>/dev/null; do
		if ! kill -0 "$h_pid" 2>/dev/null; then
			kill -CONT "$S_PID"
			t_fail "$* ended without reaching the server"
		fi
		sleep 0.05
	done
	sleep 1.2
	kill -CONT "$S_PID"
	h_rc=0
	wait "$h_pid" || h_rc=$?
}

# The last progress line of a terminal's output: the bar's final state.
last_bar() {
	tr '\r' '\n' <"$1" | grep "^$2 " | sed 's/ *$//' | tail -n 1
}

held script -qec "env AGENTLOGS_HOME='$T_TMP/A' '$AGENTLOGS' push" /dev/null >"$T_TMP/push.tty" 2>&1
t_assert_eq 0 "$h_rc" "push on a terminal: $(cat "$T_TMP/push.tty")"
t_assert_contains "$(cat "$T_TMP/push.tty")" "Pushed "
bar=$(last_bar "$T_TMP/push.tty" push)
t_assert_contains "$bar" "push [########################] 100% $total/$total rows, "
t_assert_contains "$bar" " MB, "
t_assert_contains "$bar" " MB/s"
t_assert_eq "$(y_local_counts A)" "$(y_cloud_counts "$uid")" "the cloud's rows after the push"

y_settle
held script -qec "env AGENTLOGS_HOME='$T_TMP/B' '$AGENTLOGS' pull" /dev/null >"$T_TMP/pull.tty" 2>&1
t_assert_eq 0 "$h_rc" "pull on a terminal: $(cat "$T_TMP/pull.tty")"
t_assert_contains "$(cat "$T_TMP/pull.tty")" "Pulled "
bar=$(last_bar "$T_TMP/pull.tty" pull)
t_assert_contains "$bar" "pull $total rows, "
t_assert_contains "$bar" " MB/s"
t_assert_eq "$(y_local_counts A)" "$(y_local_counts B)" "B's rows after the pull"

# Into a file, as long a pull draws nothing: stderr stays empty.
held env AGENTLOGS_HOME="$T_TMP/C" "$AGENTLOGS" pull >"$T_TMP/pull.out" 2>"$T_TMP/pull.err"
t_assert_eq 0 "$h_rc" "pull into a file: $(cat "$T_TMP/pull.err")"
t_assert_contains "$(cat "$T_TMP/pull.out")" "Pulled "
t_assert_eq "" "$(cat "$T_TMP/pull.err")" "pull's stderr when not a terminal"
t_assert_eq "$(y_local_counts A)" "$(y_local_counts C)" "C's rows after the pull"
