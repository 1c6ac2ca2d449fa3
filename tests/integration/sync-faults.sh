#!/bin/sh
# Sync survives being killed and cut off (ARCHITECTURE §5): pushes SIGKILLed
# at every fault point (before a batch is sent, after the cloud took it,
# before the local commit that marks it synced), in various batches, and
# pulls killed before a page is committed, each run followed by a clean one:
# the cloud and both machines end with exactly the right rows, each at its
# latest version, nothing pending. Then the server goes down (the push fails
# in one line, keeps everything pending, and completes once it is back), the
# access token expires (refreshed without a prompt, also after a 401), and
# four syncs refresh an expired session at once (the lock on auth.json: no
# refresh token is spent twice, the session lives on).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
y_import A
ref=$(y_local_counts A)

# Small batches and pages, so a push and a pull take several of each.
AGENTLOGS_PUSH_BATCH_BYTES=20000
AGENTLOGS_PULL_PAGE_ROWS=50
if [ "$(echo "$ref" | cut -d' ' -f2)" -lt 15 ]; then
	AGENTLOGS_PUSH_BATCH_BYTES=4000	# the samples: fewer, smaller commits
	AGENTLOGS_PULL_PAGE_ROWS=10
fi
export AGENTLOGS_PUSH_BATCH_BYTES AGENTLOGS_PULL_PAGE_ROWS

# pending MACHINE: the number of records sync --status shows pending.
pending() {
	y_ok "$1" sync --status
	printf '%s\n' "$t_out" | sed -n 's/^pending: *//p' |
		awk -F', ' '{ n = 0; for (i = 1; i <= NF; i++) n += $i; print n }'
}

# killed MACHINE FAULT ARG...: agentlogs ARG... dies at FAULT (NAME:N).
killed() {
	k_m=$1
	k_f=$2
	shift 2
	t_run env AGENTLOGS_HOME="$(y_home "$k_m")" AGENTLOGS_FAULT="$k_f" "$AGENTLOGS" "$@"
	t_assert_eq 137 "$t_rc" "agentlogs $* on $k_m with AGENTLOGS_FAULT=$k_f (SIGKILL) ($t_out $t_err)"
}

# ---- The first push and pull, killed halfway.
killed A push-after-send:2 push
[ "$(pending A)" -gt 0 ] || t_fail "nothing pending after a killed first push"
y_ok A push
t_assert_eq 0 "$(pending A)" "pending after the first push"
t_assert_eq "$ref" "$(y_cloud_counts "$uid")" "the cloud's rows after the first push"
y_settle
killed B pull-before-local-commit:3 pull
y_ok B pull
y_same_rows B "$uid" "B after the first pull"

# How many batches a push of every row takes.
y_bump A "round 0"
before=$(grep -cE 'POST /rest/v1/rpc/push_(batch|rows) 200' "$T_TMP/server.log")
y_ok A push
batches=$(($(grep -cE 'POST /rest/v1/rpc/push_(batch|rows) 200' "$T_TMP/server.log") - before))
[ "$batches" -ge 5 ] || t_fail "only $batches push batches: the faults would not vary"

# ---- Twenty rounds: every row gets a new version on A; A's push is killed at
# one of the three points, in batch N; the rerun completes it. B's pull is
# killed at page M; the rerun completes it.
names="push-before-send push-after-send push-before-local-commit"
round=1
while [ $round -le 20 ]; do
	y_bump A "round $round"
	name=$(echo $names | cut -d' ' -f$((round % 3 + 1)))
	n=$(((round - 1) % batches + 1))
	killed A "$name:$n" push
	y_ok A push
	y_settle
	killed B "pull-before-local-commit:$((round % 5 + 1))" pull
	y_ok B pull
	y_same_rows "A B" "$uid" "round $round (push killed at $name:$n)"
	round=$((round + 1))
done
t_assert_eq "$ref" "$(y_cloud_counts "$uid")" "the cloud's rows after the faults"
t_assert_eq "$ref" "$(y_local_counts A)" "A's rows after the faults"
t_assert_eq "$ref" "$(y_local_counts B)" "B's rows after the faults"
t_assert_eq "round 20" "$(psql -X -At "$S_DB" -c "SELECT DISTINCT title FROM cognitive_commits
    WHERE user_id = '$uid'")" "the commits' titles in the cloud"
y_ok A sync
y_settle
y_ok B sync
for m in A B; do
	t_assert_eq 0 "$(pending $m)" "pending on $m"
done
y_ok A log --json --all
a_log=$t_out
y_ok B log --json --all
t_assert_eq "$a_log" "$t_out" "log on A and B after the faults"

# ---- The server is down: the push fails in one line, nothing is lost.
s_stop_server
y_bump A "offline"
t_run env AGENTLOGS_HOME="$(y_home A)" AGENTLOGS_RETRY_BASE_MS=10 "$AGENTLOGS" push
t_assert_eq 1 "$t_rc" "push with the server down"
t_assert_one_line "$t_err" "push's error with the server down"
t_assert_contains "$t_err" "cannot reach $S_URL"
y_ok A sync --status
t_assert_contains "$t_out" "last error: cannot reach"
[ "$(pending A)" -gt 0 ] || t_fail "nothing pending after a push to a server that is down"
s_restart_server
y_ok A push
t_assert_contains "$t_out" "Pushed "
t_assert_eq 0 "$(pending A)" "pending after the server came back"
y_ok A sync --status
case $t_out in *"last error"*) t_fail "the last error outlived a push that worked: $t_out" ;; esac
y_same_rows A "$uid" "A after the server came back"

# ---- Access tokens that expire in 2 seconds. A, B and D (a third machine
# of the same person) log in, and their tokens expire.
S_SERVER_ARGS="--access-token-ttl 2"
s_restart_server
y_machine D
for m in A B D; do
	y_login $m ann@example.com
done
# refresh_token MACHINE
refresh_token() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["refresh_token"])' \
		"$(y_home "$1")/auth.json"
}
rt_a=$(refresh_token A)
rt_d=$(refresh_token D)
# D's auth.json claims a fresh token: the server's 401 has to say otherwise.
python3 - "$(y_home D)/auth.json" <<'PY' || t_fail "editing auth.json"
import json, sys
j = json.load(open(sys.argv[1]))
j["expires_at"] = 4102444800
json.dump(j, open(sys.argv[1], "w"))
PY
# E's session is ended on the server (a logout elsewhere with the same tokens).
y_machine E
y_machine E2
y_login E ann@example.com
cp "$(y_home E)/auth.json" "$(y_home E2)/auth.json"
y_ok E logout
y_bump A "expired"
y_settle
# Until the server refuses the token D got last (so A's and B's too): they
# expire, the server says when.
access_d=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
	"$(y_home D)/auth.json")
i=0
until s_http GET /auth/v1/user -H "Authorization: Bearer $access_d" && [ "$s_status" = 401 ]; do
	i=$((i + 1))
	[ $i -lt 600 ] || t_fail "D's 2-second token was still accepted after 60 s"
	sleep 0.1
done

# A refreshes before pushing, without a prompt.
y_ok A push
t_assert_contains "$t_out" "Pushed "
[ "$(refresh_token A)" != "$rt_a" ] || t_fail "the refresh token did not change"
t_assert_eq 600 "$(stat -c %a "$(y_home A)/auth.json")" "auth.json's mode after a refresh"
y_same_rows A "$uid" "A after a push with an expired token"

# D's first call is refused (401): it refreshes once and repeats the call.
# (A's push settles first: a transaction open elsewhere on the PostgreSQL
# would hold A's rows back from D's pull.)
y_settle
y_ok D pull
grep -q 'POST /rest/v1/rpc/pull_changes 401' "$T_TMP/server.log" ||
	t_fail "the server never refused D's expired token"
[ "$(refresh_token D)" != "$rt_d" ] || t_fail "no refresh after a 401"
y_same_rows D "$uid" "D after a pull refused once"

# A session the server ended: one line, log in again.
y_on E2 sync
t_assert_eq 1 "$t_rc" "sync with a session the server ended"
t_assert_one_line "$t_err" "the error of a session the server ended"
t_assert_contains "$t_err" "log in again"

# Four syncs at once on B with its expired session: one refreshes, the others
# wait for the lock and adopt its tokens; no refresh token is spent twice.
refused=$(grep -c 'POST /auth/v1/token 4' "$T_TMP/server.log")
pids=
for i in 1 2 3 4; do
	env AGENTLOGS_HOME="$(y_home B)" "$AGENTLOGS" sync >"$T_TMP/race.$i.out" 2>"$T_TMP/race.$i.err" &
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || t_fail "sync $i of four at once failed: $(cat "$T_TMP/race.$i.err")"
done
t_assert_eq "$refused" "$(grep -c 'POST /auth/v1/token 4' "$T_TMP/server.log")" \
	"refreshes refused during four syncs at once"
y_ok B sync
y_ok B whoami
y_same_rows B "$uid" "B after four syncs at once"
t_assert_eq 0 "$(pending B)" "pending on B at the end"
echo "PASS: sync-faults"
