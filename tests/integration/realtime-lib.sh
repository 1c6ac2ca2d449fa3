# Helpers for tests that drive /realtime/v1/websocket with tests/tools/ws-client.
# Source after server-lib.sh. Sockets connect to ${WS_URL:-$S_URL}.
#
# frames NAME EXPR: a Python expression over ws-client NAME's output lines.
# ws NAME ARGS...: a ws-client in the background; ws_wait NAME: waits for it.
# heartbeats NAME: its heartbeat replies so far; ws_settle NAME: all the
#   server had queued for it has arrived, then it is stopped.
# signup EMAIL: a new user (s_json reads the session); uuid: a random one.
# $joined: a join answered ok on realtime:agentlogs, as frames print it.

WS=${AGENTLOGS_WS_CLIENT:-$(dirname "$AGENTLOGS")/tests/tools/ws-client}
[ -x "$WS" ] || t_fail "no ws-client at $WS (make builds it)"

# frames NAME EXPR: a Python expression over ws-client NAME's output lines,
# parsed as f (a list of dicts); j is the join's reply (ref "1"), ch the
# postgres_changes frames, sys and cl the system and phx_close frames.
frames() {
	python3 - "$T_TMP/$1.out" "$2" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
j = next((m for m in f if m.get("ref") == "1"), None)
ch = [m for m in f if m.get("event") == "postgres_changes"]
sy = [m for m in f if m.get("event") == "system"]
cl = [m for m in f if m.get("event") == "phx_close"]
print(eval(sys.argv[2]))
PY
}

# ws NAME ARGS...: a ws-client in the background (heartbeat every 0.5 s
# unless ARGS say otherwise); frames in $T_TMP/NAME.out, status in NAME.rc,
# its pid in NAME.pid. A --timeout in ARGS is only a bound for a broken server.
ws() {
	n=$1
	shift
	("$WS" --url "${WS_URL:-$S_URL}" --apikey "$S_ANON" --heartbeat 0.5 "$@" \
		>"$T_TMP/$n.out" 2>"$T_TMP/$n.err" </dev/null &
	echo $! >"$T_TMP/$n.pid"
	wait $!
	echo $? >"$T_TMP/$n.rc") 2>/dev/null &
}
# ws_wait NAME: waits for a background ws-client; its exit status in $ws_rc.
ws_wait() {
	i=0
	until [ -s "$T_TMP/$1.rc" ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || t_fail "ws-client $1 did not finish: $(cat "$T_TMP/$1.err")"
		sleep 0.05
	done
	ws_rc=$(cat "$T_TMP/$1.rc")
}
# heartbeats NAME: how many heartbeat replies ws-client NAME has received.
heartbeats() {
	grep -c '"topic":"phoenix","event":"phx_reply"' "$T_TMP/$1.out" 2>/dev/null || true
}
# ws_settle NAME: every frame the server had queued for NAME's socket has
# arrived (two more heartbeat replies came after this call: the second was
# sent after the call, and the server answers a socket in order); then stops
# the client.
ws_settle() {
	want=$(($(heartbeats "$1") + 2))
	i=0
	until [ "$(heartbeats "$1")" -ge "$want" ]; do
		[ ! -s "$T_TMP/$1.rc" ] || t_fail "ws-client $1 ended before it settled: $(cat "$T_TMP/$1.out")"
		i=$((i + 1))
		[ $i -lt 1200 ] || t_fail "ws-client $1: no heartbeat replies for 60 s"
		sleep 0.05
	done
	kill -TERM "$(cat "$T_TMP/$1.pid")" 2>/dev/null
	ws_wait "$1"
}
# A join answered ok, as the frames print it.
joined='"topic":"realtime:agentlogs","event":"phx_reply","payload":{"status":"ok"'

uuid() {
	python3 -c 'import uuid; print(uuid.uuid4())'
}

# signup EMAIL: a user with a password, signed in: the session in $s_body.
signup() {
	s_http POST /auth/v1/signup "{\"email\":\"$1\",\"password\":\"password $1\"}"
	t_assert_eq 200 "$s_status" "signup $1"
}
