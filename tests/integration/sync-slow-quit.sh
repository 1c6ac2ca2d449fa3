#!/bin/sh
# The browser never waits on the network: against a cloud that answers every
# request (REST, auth and the realtime upgrade alike) only after 10 seconds,
# the browser, on a real terminal in a detached tmux, moves at once on each
# key while its sync thread is stuck in a request, and q quits within a
# second: the request under way is given up (cloud_set_abort), the realtime
# connection closed, and every pending commit is still pending afterwards.
# Skipped without tmux.
. "$SRCDIR/tests/integration/lib.sh"
t_need_cmd tmux
t_mktemp
sock=agentlogs-slow-$$
slow_pid=
trap 'tmux -L "$sock" kill-server 2>/dev/null; [ -n "$slow_pid" ] && kill "$slow_pid" 2>/dev/null; rm -rf "$T_TMP"' EXIT

# A cloud that takes 10 s to say anything; it prints its port, then logs each request.
python3 -u - >"$T_TMP/slow.out" 2>&1 <<'PY' &
import http.server, sys, time

class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        print("request", self.command, self.path.split("?")[0], flush=True)
        time.sleep(10)
        body = b'{"message":"slow"}'
        try:
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = answer

    def log_message(self, *args):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
srv.daemon_threads = True
print("port", srv.server_address[1], flush=True)
srv.serve_forever()
PY
slow_pid=$!
i=0
until grep -q '^port ' "$T_TMP/slow.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || t_fail "the slow server did not start: $(cat "$T_TMP/slow.out")"
	sleep 0.05
done
url="http://127.0.0.1:$(sed -n 's/^port //p' "$T_TMP/slow.out")"

# A home with the samples (all pending), configured for the slow cloud and
# logged in there with a session that needs no refresh.
home=$T_TMP/home
AGENTLOGS_HOME=$home "$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES" >/dev/null ||
	t_fail "importing the samples"
AGENTLOGS_HOME=$home "$AGENTLOGS" config set cloud.url "$url" >/dev/null || t_fail "config"
AGENTLOGS_HOME=$home "$AGENTLOGS" config set cloud.anon-key anon-key-for-the-test >/dev/null ||
	t_fail "config"
python3 - "$home/auth.json" "$url" <<'PY' || t_fail "writing auth.json"
import json, os, sys, time
json.dump({"url": sys.argv[2], "user_id": "00000000-0000-4000-8000-00000000000a",
           "email": "slow@example.com", "access_token": "header.payload.signature",
           "refresh_token": "refresh", "expires_at": int(time.time()) + 3600},
          open(sys.argv[1], "w"))
os.chmod(sys.argv[1], 0o600)
PY
pending() {
	t_sql "$home/data.db" "SELECT count(*) FROM cognitive_commits WHERE sync_status = 'pending'"
}
before=$(pending)
[ "$before" -gt 0 ] || t_fail "nothing pending to begin with"
mkdir -p "$T_TMP/none/projects/none"

# Retried: two tmux servers starting at the same moment (a parallel make check)
# now and then fail with "server exited unexpectedly".
tries=0
until tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 24 \
	"env TERM=xterm-256color LC_ALL=C.UTF-8 AGENTLOGS_HOME='$home' \
	CLAUDE_HOME='$T_TMP/none' AGENTLOGS_MACHINE=testbox '$AGENTLOGS' \
	2>'$T_TMP/stderr'; echo \$? >'$T_TMP/exit'; sleep 60" 2>"$T_TMP/tmux.err"; do
	tries=$((tries + 1))
	[ $tries -lt 5 ] || t_fail "cannot start tmux: $(cat "$T_TMP/tmux.err")"
	tmux -L "$sock" kill-server 2>/dev/null
	sleep 0.5
done

# wait_for TEXT MS: until the screen shows TEXT, at most MS milliseconds.
wait_for() {
	wf_end=$(($(date +%s%3N) + $2))
	while :; do
		tmux -L "$sock" capture-pane -p >"$T_TMP/screen" 2>/dev/null
		grep -qF -- "$1" "$T_TMP/screen" && return 0
		[ "$(date +%s%3N)" -lt "$wf_end" ] || break
		sleep 0.02
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen did not show '$1' within $2 ms"
}

wait_for "commits 1/8" 5000
# The sync thread is now waiting on the slow cloud (its first sync).
wait_for " syncing " 5000
i=0
until grep -q '^request POST /rest/v1/rpc/pull_changes' "$T_TMP/slow.out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || t_fail "the browser never asked the slow cloud for changes: $(cat "$T_TMP/slow.out")"
	sleep 0.05
done
# Every key answers at once.
for n in 2 3 4; do
	tmux -L "$sock" send-keys j
	wait_for "commits $n/8" 500
done
tmux -L "$sock" send-keys k
wait_for "commits 3/8" 500
tmux -L "$sock" send-keys Enter
wait_for "sessions 1/1" 500
tmux -L "$sock" send-keys q
wait_for "commits 3/8" 500

# q from the first view quits within a second, the request under way given up.
t0=$(date +%s%3N)
tmux -L "$sock" send-keys q
while [ ! -f "$T_TMP/exit" ] && [ $(($(date +%s%3N) - t0)) -lt 5000 ]; do
	sleep 0.02
done
took=$(($(date +%s%3N) - t0))
[ -f "$T_TMP/exit" ] || t_fail "q did not quit within 5 s"
echo "q quit $took ms after the key, with a request to the slow cloud under way"
[ "$took" -lt 1000 ] || t_fail "q took $took ms to quit (the limit is 1000)"
t_assert_eq 0 "$(cat "$T_TMP/exit")" "exit status"
# The TUI may say it gave up the sync under way; nothing else belongs on stderr.
grep -v 'finishing the sync under way' "$T_TMP/stderr" >"$T_TMP/stderr.rest"
[ -s "$T_TMP/stderr.rest" ] && t_fail "stderr: $(cat "$T_TMP/stderr.rest")"
t_assert_eq "$before" "$(pending)" "pending commits after quitting during a sync"
echo "PASS: a cloud that answers after 10 s: every key at once, q within a second, nothing pending lost"
