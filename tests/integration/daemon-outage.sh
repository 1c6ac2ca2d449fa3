#!/bin/sh
# agentlogs daemon while its server is down, then back (issue 12: "server down
# for a minute then back"). Home A runs the daemon, logged in. The server stops;
# in its place a listener on the same port takes each connection, notes its
# request line and hangs up, so every attempt is counted (a port that refuses
# would leave no trace). Lines and transcripts written meanwhile are imported,
# pending grows in daemon.json, and the daemon keeps to its backoff: new
# transcripts, each waited for until daemon.json counts it pending, make no
# round of requests of their own. The outage lasts until three rounds of sync
# requests have failed (5 + 10 s of backoff between them, the retries within
# each round on top): what a minute's outage brings in order of events,
# without waiting out the minute. Then the server comes back on the same port:
# everything is pushed (home B pulls every commit and turn written, counted
# from the lines the test wrote), and realtime is back: a change B pushes
# reaches A's store with no command run on A.
. "$SRCDIR/tests/integration/sync-lib.sh"
. "$SRCDIR/tests/integration/daemon-lib.sh"
y_begin
T0=$(date +%s)
# phase WHAT: a line in the log with the seconds since the start.
phase() {
	echo "$(($(date +%s) - T0)) s: $*"
}
STUB_PID=
trap 'rc=$?; d_kill; [ -z "$STUB_PID" ] || kill "$STUB_PID" 2>/dev/null; (exit $rc); s_cleanup' EXIT

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
AGENTLOGS_HOME=$(y_home A)
CLAUDE_HOME=$T_TMP/claude
export AGENTLOGS_HOME CLAUDE_HOME
mkdir -p "$CLAUDE_HOME/projects"

# What the test wrote, counted here: every exchange is two turns, every
# transcript (one session, minutes long) one commit.
turns=0
commits=0
write() {	# write NAME FIRST N: N exchanges; a new NAME is a new transcript
	[ -f "$(d_transcript "$1")" ] || commits=$((commits + 1))
	d_turns "$1" "$2" "$3"
	turns=$((turns + 2 * $3))
}
# Requests the stand-in took: sync's (REST and auth), and realtime's.
stub_sync() {
	grep -vc ' GET /realtime/' "$T_TMP/stub.log"
}
stub_realtime() {
	grep -c ' GET /realtime/' "$T_TMP/stub.log"
}

write alpha 1 2
d_start
d_cloud_turns "$uid" $turns
d_wait_status is sync live "the realtime channel before the outage"
d_wait_status is pending 0 "nothing pending before the outage"

phase "The server goes down"
# ---- The server goes down; the stand-in takes its port.
s_stop_server
: >"$T_TMP/stub.log"
python3 - "$S_PORT" "$T_TMP/stub.log" "$T_TMP/stub.ready" <<'PY' &
import socket, sys, time
port, log, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
for _ in range(200):	# the server's socket may linger a moment
    try:
        s.bind(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.05)
s.listen(64)
with open(ready, "w") as f:
    f.write("ready\n")
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        line = c.recv(8192).split(b"\r\n", 1)[0].decode("latin-1") or "-"
    except OSError:
        line = "-"
    with open(log, "a") as f:
        f.write("%.3f %s\n" % (time.monotonic(), line))
    c.close()
PY
STUB_PID=$!
t_wait_file "$T_TMP/stub.ready" ready "the stand-in listening"

phase "Lines appended and a new"
# Lines appended and a new transcript: imported, pending, not pushed.
write alpha 3 2
write beta 1 1
d_wait_turns $turns "imported while the server is down"
d_wait_status is pending 2 "alpha's commit and beta's, pending"
# Three rounds of sync requests fail (each request of a round tried up to 5
# times): the backoff lets the daemon try again, slower each time.
t_wait_count "$T_TMP/stub.log" "/rest/v1/" 1 "a first sync attempt at the stand-in"
d_wait_status is sync offline "daemon.json while the server is down"
t_assert_contains "$(d_status_field last_error)" "$S_URL" "daemon.json's last error"

phase "New transcripts one after"
# New transcripts one after the other, each waited for until daemon.json
# counts it pending: none makes a round of requests of its own (the retry
# after the backoff carries them all). Rounds of the backoff's own may fall
# within these waits (5 and 10 s apart, each up to 5 requests): two at most.
# A round per transcript would be 25 requests.
before=$(stub_sync)
for p in gamma delta epsilon zeta eta; do
	write $p 1 1
	d_wait_turns $turns "$p imported while the server is down"
	d_wait_status is pending $commits "$p pending"
done
during=$(($(stub_sync) - before))
echo "sync requests while 5 transcripts were imported one by one: $during"
[ "$during" -le 10 ] || t_fail "5 transcripts imported during the outage made $during sync requests (each one a round of retries of its own: the backoff was not kept)"

phase "Until three rounds"
# Until three rounds have failed, each of 5 requests (a request and its
# retries: the first failing request ends a round).
t_wait_count "$T_TMP/stub.log" "/rest/v1/" 15 "three rounds of sync attempts"
echo "the stand-in took $(stub_sync) sync and $(stub_realtime) realtime connections"
t_assert_eq $turns "$(d_count)" "turns imported during the outage"
[ "$(y_cloud_counts "$uid" | cut -d' ' -f4)" -lt $turns ] || t_fail "the cloud got turns while down"

phase "The server is back"
# ---- The server is back on the same port.
kill "$STUB_PID"
wait "$STUB_PID" 2>/dev/null
STUB_PID=
log_lines=$(wc -l <"$T_TMP/server.log")
s_restart_server
d_cloud_turns "$uid" $turns
d_wait_status is pending 0 "everything pushed after the outage"
d_wait_status is sync live "realtime after the outage"
d_wait_status is last_error "" "daemon.json's last error once the server is back"
y_settle
y_ok B pull
t_assert_eq "$commits $turns" "$(y_local_counts B | cut -d' ' -f2,4)" "commits and turns B pulled"
tail -n "+$((log_lines + 1))" "$T_TMP/server.log" | grep -q 'GET /realtime/v1/websocket[^ ]* 101' ||
	t_fail "no realtime connection from A after the restart"

phase "Realtime"
# Realtime: B renames every commit and pushes; A's store gets the titles with
# no command run there (its periodic pull is 10 minutes away while live).
y_bump B "renamed-by-B"
y_ok B push
i=0
until [ "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM cognitive_commits WHERE title = 'renamed-by-B'")" = $commits ]; do
	i=$((i + 1))
	[ $i -lt 1200 ] || t_fail "B's titles did not reach A within 60 s; A: $(cat "$AGENTLOGS_HOME/daemon.json")"
	sleep 0.05
done
t_run "$AGENTLOGS" daemon stop
t_assert_eq 0 "$t_rc" "daemon stop: $t_err"
D_PID=
echo "daemon outage: ok"
