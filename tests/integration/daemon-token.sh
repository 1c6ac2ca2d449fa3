#!/bin/sh
# agentlogs daemon and its access token (issue 12: "token expiry while
# running"), against agentlogs-server --access-token-ttl 8. The daemon logs in
# nowhere itself: it refreshes the token it was given. Past the expiry of the
# token it started with (awaited: until the server refuses that token), a line
# appended is pushed; the server log shows refresh grants, a bounded number of
# them (no refresh loop) and no 401 answered over and over; daemon.json ends
# with no error. Then the session is ended on the server (the way an admin
# signs a user out): daemon.json and `daemon status` say to log in again, the
# daemon keeps running and importing lines. The same with continuous-sync off,
# when only the refused refresh can tell.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
TTL=8
S_SERVER_ARGS="--access-token-ttl $TTL"
y_begin
trap 'rc=$?; d_kill; (exit $rc); s_cleanup' EXIT

y_machine A
y_signup A ann@example.com
uid=$(y_uid A)
AGENTLOGS_HOME=$(y_home A)
CLAUDE_HOME=$T_TMP/claude
export AGENTLOGS_HOME CLAUDE_HOME
mkdir -p "$CLAUDE_HOME/projects"

# since LINE PATTERN: lines of the server log after line LINE matching PATTERN.
since() {
	tail -n "+$(($1 + 1))" "$T_TMP/server.log" | grep -c -e "$2"
}

first_token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
	"$AGENTLOGS_HOME/auth.json")
log_start=$(wc -l <"$T_TMP/server.log")
t_start=$(date +%s)
d_turns alpha 1 1
d_start
d_cloud_turns "$uid" 2

# Past the expiry of the token the daemon started with.
i=0
until s_http GET /auth/v1/user -H "Authorization: Bearer $first_token" && [ "$s_status" = 401 ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || t_fail "a $TTL-second token was still accepted after 60 s"
	sleep 0.1
done
d_turns alpha 2 1
d_cloud_turns "$uid" 4
d_wait_status has sync live "realtime with refreshed tokens"
t_assert_eq "" "$(d_status_field last_error)" "daemon.json's last error after the refreshes"
kill -0 "$D_PID" || t_fail "the daemon died"

elapsed=$(($(date +%s) - t_start + 1))
refreshes=$(since "$log_start" 'POST /auth/v1/token ')
# (the test's own probes of the first token left out)
unauthorized=$(tail -n "+$((log_start + 1))" "$T_TMP/server.log" | grep -v ' /auth/v1/user ' | grep -c ' 401 ')
echo "over $elapsed s with $TTL-second tokens: $refreshes token requests, $unauthorized answered 401"
# The daemon never signs in with a password: each token request is a refresh.
[ "$refreshes" -ge 1 ] || t_fail "no refresh grant in the server log"
# A refresh every half lifetime is 1 every 2 s; a loop would be hundreds.
[ "$refreshes" -le $((elapsed + 5)) ] || t_fail "$refreshes refreshes in $elapsed s: a refresh loop"
# A 401 is met by one refresh and the request again: a few at most.
[ "$unauthorized" -le 3 ] || t_fail "$unauthorized requests answered 401: the token was not refreshed in time"

# ---- The session ends on the server: every refresh token of ann's is void.
log_start=$(wc -l <"$T_TMP/server.log")
t_start=$(date +%s)
psql -X -q -At "$S_DB" -c "DELETE FROM auth.sessions WHERE user_id = '$uid'" >/dev/null ||
	t_fail "ending the session"
# The first error daemon.json shows says to log in again (not a refused
# request's 401 first, until a later sync finds out why).
i=0
until [ -n "$(d_status_field last_error)" ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "daemon.json shows no error 60 s after the session ended: $(cat "$AGENTLOGS_HOME/daemon.json")"
	sleep 0.05
done
t_assert_contains "$(d_status_field last_error)" "log in again" "daemon.json's first error once the session ended"
echo "daemon.json once the session ended: $(d_status_field last_error)"
t_run "$AGENTLOGS" daemon status
t_assert_contains "$t_out" "log in again" "daemon status once the session ended"
# No crash; local import goes on.
d_turns alpha 3 1
d_wait_turns 6 "imported after the session ended"
kill -0 "$D_PID" || t_fail "the daemon died once the session ended"
# Refused refreshes are not tried again and again.
elapsed=$(($(date +%s) - t_start + 1))
refreshes=$(since "$log_start" 'POST /auth/v1/token ')
echo "over $elapsed s after the session ended: $refreshes token requests"
[ "$refreshes" -le $((elapsed + 5)) ] || t_fail "$refreshes refused refreshes in $elapsed s: a loop"
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=

# ---- Again, with no sync to find it out: continuous-sync off, the daemon
# only keeps its token fresh. The refused refresh itself must say so.
y_login A ann@example.com
"$AGENTLOGS" config set continuous-sync false >/dev/null || t_fail "config set continuous-sync"
log_start=$(wc -l <"$T_TMP/server.log")
d_start
t_assert_eq "" "$(d_status_field last_error)" "daemon.json after logging in again"
# A refresh that worked first: the session is in use.
t_wait_count "$T_TMP/server.log" 'POST /auth/v1/token 200' $(($(grep -c 'POST /auth/v1/token 200' "$T_TMP/server.log") + 1)) "a refresh"
psql -X -q -At "$S_DB" -c "DELETE FROM auth.sessions WHERE user_id = '$uid'" >/dev/null ||
	t_fail "ending the session"
d_wait_status has last_error "log in again" "daemon.json once the session ended, without syncs"
[ "$(since "$log_start" '/rest/v1/')" = 0 ] || t_fail "a sync request with continuous-sync off"
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=
echo "daemon token: ok"
