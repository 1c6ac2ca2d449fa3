#!/bin/sh
# The browser never waits on the network: against a cloud that never answers
# (REST, auth and the realtime upgrade alike: each request is held until the
# test ends), the browser, on a real terminal in a detached tmux, moves on each
# key while its sync thread is stuck in a request, and q quits although the
# request is still unanswered: it is given up (cloud_set_abort), the realtime
# connection closed, and every pending commit is still pending afterwards.
# Nothing is timed (a loaded machine is slow, not wrong): that the request
# was still held when the screen moved and when the browser quit is what
# proves nothing waited on it; the time q took is printed.
# Skipped without tmux.
. "$SRCDIR/tests/integration/lib.sh"
t_need_cmd tmux
t_mktemp
sock=agentlogs-slow-$$
slow_pid=
trap 'tmux -L "$sock" kill-server 2>/dev/null; [ -n "$slow_pid" ] && kill "$slow_pid" 2>/dev/null; rm -rf "$T_TMP"' EXIT

# A cloud that holds every request; it prints its port, then logs each request.
python3 -u - >"$T_TMP/slow.out" 2>&1 <<'PY' &
import http.server, threading

never = threading.Event()
said = threading.Lock()	# one line at a time: print() writes its parts apart

class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        with said:
            print("request", self.command, self.path.split("?")[0], flush=True)
        never.wait()

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

# wait_for TEXT: until the screen shows TEXT (a failure after 60 s: a bound
# for a broken browser, not a timing).
wait_for() {
	wf_end=$(($(date +%s%3N) + 60000))
	while :; do
		tmux -L "$sock" capture-pane -p >"$T_TMP/screen" 2>/dev/null
		grep -qF -- "$1" "$T_TMP/screen" && return 0
		[ "$(date +%s%3N)" -lt "$wf_end" ] || break
		sleep 0.02
	done
	cat "$T_TMP/screen" >&2
	t_fail "the screen did not show '$1'"
}

wait_for "commits 1/8"
# The sync thread is now waiting on the cloud (its first sync), for good.
wait_for " syncing "
i=0
until grep -q '^request POST /rest/v1/rpc/pull_changes' "$T_TMP/slow.out"; do
	i=$((i + 1))
	[ $i -lt 300 ] || t_fail "the browser never asked the slow cloud for changes: $(cat "$T_TMP/slow.out")"
	sleep 0.05
done
# Every key answers while the request is held.
for n in 2 3 4; do
	tmux -L "$sock" send-keys j
	wait_for "commits $n/8"
done
tmux -L "$sock" send-keys k
wait_for "commits 3/8"
tmux -L "$sock" send-keys Enter
wait_for "turns 1/"
tmux -L "$sock" send-keys q
wait_for "commits 3/8"
wait_for " syncing "

# q from the first view quits, the request under way (never to be answered)
# given up.
t0=$(date +%s%3N)
tmux -L "$sock" send-keys q
t_wait_file "$T_TMP/exit" "" "q: the browser's exit status"
echo "q quit $(($(date +%s%3N) - t0)) ms after the key, with a request to the cloud under way"
t_assert_eq 0 "$(cat "$T_TMP/exit")" "exit status"
# The TUI may say it gave up the sync under way; nothing else belongs on stderr.
grep -v 'finishing the sync under way' "$T_TMP/stderr" >"$T_TMP/stderr.rest"
[ -s "$T_TMP/stderr.rest" ] && t_fail "stderr: $(cat "$T_TMP/stderr.rest")"
t_assert_eq "$before" "$(pending)" "pending commits after quitting during a sync"
echo "PASS: a cloud that never answers: every key answered, q quits, nothing pending lost"
