#!/bin/sh
# Screenshots against the real server, machine A talking to it through a small
# forwarding proxy that can hold an upload or answer once with a Retry-After:
# - an upload is recorded although another process wrote to the same store
#   while it was under way (it used to fail "database is locked");
# - a pull does not download screenshots (sync-visuals-view.sh: on view), so
#   objects missing from storage (HTTP 400 with "statusCode":"404", as hosted
#   Storage answers) disturb neither pull nor sync, and the machine's edits
#   reach the cloud; opening one says in one line that it is missing;
# - a download that gets no answer gives up after its timeout
#   (AGENTLOGS_FETCH_TIMEOUT_MS, short here) and says so in one line; on a
#   real terminal (tmux) the browser's keys work while it waits (screenshots
#   are fetched on a thread of their own);
# - a Retry-After too large for milliseconds in a long waits the longest
#   backoff and retries (it used to overflow).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

# The proxy: forwards every request to the server. A word in ctl/mode changes
# the next matching request, once: "hold-upload" (or "hold-download") holds a
# screenshot upload (download) until a line is written to the FIFO ctl/release; "retry-after" answers 503
# with a Retry-After of 10^20 seconds.
mkdir "$T_TMP/ctl"
mkfifo "$T_TMP/ctl/release"
cat >"$T_TMP/proxy.py" <<'PY'
import http.client, http.server, os, sys

upstream, ctl = int(sys.argv[1]), sys.argv[2]
HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}

def take(mode):
    try:
        if open(os.path.join(ctl, "mode")).read().strip() != mode:
            return False
        os.unlink(os.path.join(ctl, "mode"))
        return True
    except FileNotFoundError:
        return False

class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP | {"date", "server"}:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        if take("retry-after"):
            print("retry-after", self.path, flush=True)
            self.answer(503, [("Content-Type", "application/json"),
                              ("Retry-After", "100000000000000000000")], b'{"message":"busy"}')
            return
        if (self.path.startswith("/storage/v1/object/visuals/") and take("hold-upload")) or \
                (self.path.startswith("/storage/v1/object/authenticated/") and take("hold-download")):
            print("holding", self.path, flush=True)
            with open(os.path.join(ctl, "release")) as f:
                f.read()
        conn = http.client.HTTPConnection("127.0.0.1", upstream)
        conn.request(self.command, self.path, body=body,
                     headers={k: v for k, v in self.headers.items() if k.lower() not in HOP})
        r = conn.getresponse()
        self.answer(r.status, r.getheaders(), r.read())
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

    def log_message(self, *args):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(srv.server_address[1], flush=True)
srv.serve_forever()
PY
python3 -u "$T_TMP/proxy.py" "$S_PORT" "$T_TMP/ctl" >"$T_TMP/proxy.out" 2>&1 &
proxy_pid=$!
trap 'rc=$?; kill "$proxy_pid" 2>/dev/null; (exit $rc); s_cleanup' EXIT

# await FILE TEXT: waits until FILE holds TEXT (a minute at most).
await() {
	a_i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		a_i=$((a_i + 1))
		[ $a_i -lt 600 ] || t_fail "no '$2' in $1 after a minute: $(cat "$1")"
		sleep 0.1
	done
}
await "$T_TMP/proxy.out" '^[0-9]'
P_URL="http://127.0.0.1:$(head -n 1 "$T_TMP/proxy.out")"

y_machine A
AGENTLOGS_HOME=$(y_home A) "$AGENTLOGS" config set cloud.url "$P_URL" >/dev/null ||
	t_fail "pointing A at the proxy"
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)

# A transcript pasting three screenshots (distinct bytes, so three files).
python3 - "$T_TMP/claude/projects/-home-ann-src-shots" <<'PY' || t_fail "writing the transcript"
import base64, json, os, sys
os.makedirs(sys.argv[1])
sid = "5c4e2a10-0000-4000-8000-000000000001"
head = {"sessionId": sid, "cwd": "/home/ann/src/shots"}
shots = [{"type": "image", "source": {"type": "base64", "media_type": "image/png",
          "data": base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 5000).decode()}}
         for i in range(3)]
lines = [
    dict(head, type="user", uuid="5c4e2a10-0000-4000-8000-0000000000a1",
         timestamp="2026-03-10T10:00:00.000Z",
         message={"role": "user", "content": [{"type": "text", "text": "look"}] + shots}),
    dict(head, type="assistant", uuid="5c4e2a10-0000-4000-8000-0000000000a2",
         timestamp="2026-03-10T10:00:05.000Z",
         message={"id": "msg_1", "model": "m", "role": "assistant",
                  "content": [{"type": "text", "text": "Seen."}],
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
with open(os.path.join(sys.argv[1], sid + ".jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
y_ok A import --claude-dir "$T_TMP/claude"
t_assert_eq 3 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM visuals")" "A's screenshots"
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits LIMIT 1")

# ---- A push whose upload is held while another process writes A's store.
echo hold-upload >"$T_TMP/ctl/mode"
(
	rc=0
	env AGENTLOGS_HOME="$(y_home A)" "$AGENTLOGS" push >"$T_TMP/push.out" 2>"$T_TMP/push.err" ||
		rc=$?
	echo $rc >"$T_TMP/push.rc"
) &
push_pid=$!
await "$T_TMP/proxy.out" '^holding '
y_ok A title "$id" "written during the upload"
echo go >"$T_TMP/ctl/release"
wait "$push_pid"
t_assert_eq 0 "$(cat "$T_TMP/push.rc")" "push beside a writer ($(cat "$T_TMP/push.err"))"
t_assert_eq 0 "$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM visuals
	WHERE cloud_path IS NULL")" "screenshots not recorded as uploaded"
t_assert_eq 3 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM storage.objects
	WHERE bucket_id = 'visuals' AND name LIKE '$uid/%'")" "screenshots in storage"
y_settle
y_ok B pull
t_assert_eq 0 "$(ls "$(y_home B)/visual-cache" 2>/dev/null | wc -l)" "screenshots downloaded on B"

# ---- The bytes vanish from storage: a new machine pulls and goes on.
find "$T_TMP/storage" -type f -delete
t_assert_eq 400 "$(curl -s -o /dev/null -w '%{http_code}' \
	-H "apikey: $S_ANON" -H "Authorization: Bearer $(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["access_token"])' "$(y_home B)/auth.json")" \
	"$S_URL/storage/v1/object/authenticated/visuals/$(t_sql "$(y_home A)/data.db" \
	"SELECT cloud_path FROM visuals LIMIT 1")")" "storage's answer for a missing object"
y_machine C
y_login C ann@example.com
mark=$(wc -l <"$T_TMP/server.log")
y_on C pull
t_assert_eq 0 "$t_rc" "pull with screenshots missing from storage ($t_err)"
t_assert_eq "" "$t_err" "a pull's warnings"
t_assert_eq 1 "$(t_sql "$(y_home C)/data.db" "SELECT count(*) FROM cognitive_commits
	WHERE id = '$id'")" "the commit pulled despite its missing screenshots"
y_ok C title "$id" "edited on C"
y_on C sync
t_assert_eq 0 "$t_rc" "sync with screenshots missing from storage ($t_err)"
t_assert_eq 0 "$(tail -n +"$((mark + 1))" "$T_TMP/server.log" | grep -c 'GET /storage/')" \
	"screenshots asked of storage by pull and sync"
# Opened in the browser, a missing one is named in one line and nothing is written.
printf '%s\n' "key Enter" "key j" "key j" "key i" "save-display $T_TMP/missing.txt" \
	>"$T_TMP/script"
t_run env AGENTLOGS_HOME="$(y_home C)" AGENTLOGS_OPEN=false AGENTLOGS_TUI_SCRIPT="$T_TMP/script" \
	AGENTLOGS_TUI_SIZE=100x24 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser on C ($t_err)"
grep -q "Cannot fetch image 1: screenshot [0-9a-f]* is missing from cloud storage" \
	"$T_TMP/missing.txt" || t_fail "no message about the missing screenshot: $(cat "$T_TMP/missing.txt")"
t_assert_eq 0 "$(find "$(y_home C)" -name '*.png' | wc -l)" "files written for missing screenshots"
# D talks through the proxy, which holds the download: the browser gives up and says so.
y_machine D
AGENTLOGS_HOME=$(y_home D) "$AGENTLOGS" config set cloud.url "$P_URL" >/dev/null ||
	t_fail "pointing D at the proxy"
y_login D ann@example.com
y_settle
y_ok D pull
t_assert_eq 3 "$(t_sql "$(y_home D)/data.db" "SELECT count(*) FROM visuals")" "visuals pulled on D"
echo hold-download >"$T_TMP/ctl/mode"
printf '%s\n' "key Enter" "key j" "key j" "key i" "save-display $T_TMP/held.txt" >"$T_TMP/script"
t_run env AGENTLOGS_HOME="$(y_home D)" AGENTLOGS_OPEN=false AGENTLOGS_TUI_SCRIPT="$T_TMP/script" \
	AGENTLOGS_TUI_SIZE=100x24 AGENTLOGS_FETCH_TIMEOUT_MS=3000 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser on D with the download held ($t_err)"
grep -q '^holding /storage/v1/object/authenticated/' "$T_TMP/proxy.out" ||
	t_fail "the proxy never held the download: $(cat "$T_TMP/held.txt")"
echo go >"$T_TMP/ctl/release"
grep -q "Cannot fetch image 1: no answer from the cloud within 3 s" "$T_TMP/held.txt" ||
	t_fail "no message about the held download: $(cat "$T_TMP/held.txt")"
t_assert_eq "edited on C" "$(psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits
	WHERE user_id = '$uid' AND id = '$id'")" "C's edit in the cloud"

# ---- On a real terminal (tmux), a download held for good holds nothing else:
# the screenshots of the turn on screen are asked for by themselves ("fetching…"),
# and while the proxy holds one, keys still work (T answers); released, the
# fetches end and each line says what came of it. (curl drops a request that
# hears nothing for 30 s, then asks again: the checks come long before.)
command -v tmux >/dev/null || t_skip "tmux is not installed"
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'rc=$?; x_close; kill "$proxy_pid" 2>/dev/null; (exit $rc); s_cleanup' EXIT
rm -rf "$(y_home D)/visual-cache/fetched"
held=$(grep -c '^holding ' "$T_TMP/proxy.out")
echo hold-download >"$T_TMP/ctl/mode"
x_open AGENTLOGS_HOME="$(y_home D)" AGENTLOGS_FETCH_TIMEOUT_MS=600000
x_wait_for "turns    2 in 1 session"	# the commits list and its preview
x_into_turns 2
x_wait_for "fetching"
await_count() {
	a_i=0
	until [ "$(grep -c "$2" "$1")" -gt "$3" ]; do
		a_i=$((a_i + 1))
		[ $a_i -lt 600 ] || t_fail "no new '$2' in $1 after a minute: $(cat "$1")"
		sleep 0.1
	done
}
await_count "$T_TMP/proxy.out" '^holding ' "$held"
x_key T
x_wait_for "Thinking shown."
t_assert_eq $((held + 1)) "$(grep -c '^holding ' "$T_TMP/proxy.out")" "downloads held (still one)"
echo go >"$T_TMP/ctl/release"
# The bytes are gone from storage (above): each line says so once fetched.
x_until '[ "$(grep -c "in the cloud, not fetched; i tries again" "$T_TMP/screen")" -eq 3 ]' \
	"three screenshots not fetched"
x_quit

# ---- A Retry-After of 10^20 seconds: A waits the longest backoff, then retries.
y_ok A title "$id" "after a long Retry-After"
echo retry-after >"$T_TMP/ctl/mode"
y_on A push
t_assert_eq 0 "$t_rc" "push after a huge Retry-After ($t_err)"
grep -q '^retry-after ' "$T_TMP/proxy.out" || t_fail "the proxy never asked A to wait"
t_assert_eq "after a long Retry-After" "$(psql -X -At "$S_DB" -c "SELECT title
	FROM cognitive_commits WHERE user_id = '$uid' AND id = '$id'")" "A's edit in the cloud"

echo "PASS: sync-visuals"
