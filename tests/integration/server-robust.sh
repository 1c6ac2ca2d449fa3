#!/bin/sh
# Bad input never crashes agentlogs-server, and what reaches it gets a 4xx
# JSON error: malformed HTTP (garbage request lines, bad and huge headers,
# bodies cut short), malformed JSON bodies, broken query strings, an oversized
# body (413), bad Content-Length and chunked bodies, expired, forged and
# alg:none tokens. The server answers after each. Then 200 connections at
# once, each an authenticated GET, and the same 200 held open idle and used
# again; the request log has one line per request and no secret; SIGTERM with
# connections open ends the server with status 0 (and, under ASan, no leak).
#
# Requests libwebsockets itself refuses before the server sees them (an
# unknown method, a %zz or %00 in the URI, headers beyond its 8 KiB) get its
# own 4xx or a closed connection: never a 2xx, never a crash.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
S_SERVER_ARGS="--max-body 65536"
s_start_server

s_http POST /auth/v1/signup '{"email":"a@example.com","password":"password a"}'
t_assert_eq 200 "$s_status" "signup"
A=$(s_json 'j["access_token"]')
A_REFRESH=$(s_json 'j["refresh_token"]')
A_ID=$(s_json 'j["user"]["id"]')

# alive: the server process runs and answers.
alive() {
	kill -0 "$S_PID" 2>/dev/null || t_fail "the server died ($1)"
	s_http GET /health
	t_assert_eq 200 "$s_status" "health after $1"
}

# jwt CLAIMS_JSON [SECRET_FILE]: an HS256 token minted here.
jwt() {
	python3 - "$1" "${2:-$T_TMP/jwt-secret}" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
secret = open(sys.argv[2], "rb").read().strip()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(sys.argv[1].encode())
sig = b(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
print(head + "." + body + "." + sig)
PY
}

# ------------------------------------------------------------ raw HTTP
# Each case: bytes sent on a fresh connection, then what may come back:
#   json:N   HTTP status N with a JSON body (the server's own answer)
#   4xx      any 4xx, or the connection closed (or left) unanswered: a request
#            libwebsockets refuses before the server sees it
#   none     no answer: the client gave up half way
cat >"$T_TMP/raw.py" <<'PY'
import json, os, socket, sys, time

port, anon, token = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
H = b"Host: 127.0.0.1\r\napikey: " + anon + b"\r\n"
AUTH = H + b"Authorization: Bearer " + token + b"\r\n"

def exchange(data, close_write=False, close_early=False, wait=3.0):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(wait)
    out = b""
    try:
        s.sendall(data)
        if close_early:
            s.close()
            return None
        if close_write:
            s.shutdown(socket.SHUT_WR)
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
            if b"\r\n\r\n" in out:
                head, body = out.split(b"\r\n\r\n", 1)
                n = [int(l.split(b":", 1)[1]) for l in head.split(b"\r\n")
                     if l.lower().startswith(b"content-length:")]
                if n and len(body) >= n[0]:
                    break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    s.close()
    return out

cases = [
    # (name, bytes, expected, options)
    ("garbage request line", b"GARBAGE\r\n\r\n", "4xx", {}),
    ("binary junk", os.urandom(4096), "4xx", {}),
    ("control bytes in the path", b"GET /\x01\x02\x7f HTTP/1.1\r\n" + H + b"\r\n", "4xx", {}),
    ("relative path", b"GET health HTTP/1.1\r\n" + H + b"\r\n", "4xx", {}),
    ("header without a colon", b"GET /health HTTP/1.1\r\n" + H + b"BadHeader\r\n\r\n", "4xx", {}),
    ("empty header name", b"GET /health HTTP/1.1\r\n" + H + b": x\r\n\r\n", "4xx", {}),
    ("huge header", b"GET /rest/v1/projects HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 20000 +
     b"\r\n\r\n", "4xx", {}),
    ("many headers", b"GET /rest/v1/projects HTTP/1.1\r\n" + H +
     b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n", "4xx", {}),
    ("huge request line", b"GET /rest/v1/projects?" + b"a" * 20000 + b" HTTP/1.1\r\n" + H +
     b"\r\n", "4xx", {}),
    ("%zz in the query", b"GET /rest/v1/projects?name=eq.%zz HTTP/1.1\r\n" + AUTH + b"\r\n",
     "4xx", {}),
    ("%zz in the path", b"GET /rest/v1/pro%zzjects HTTP/1.1\r\n" + AUTH + b"\r\n", "4xx", {}),
    ("%00 in the query", b"GET /rest/v1/projects?name=eq.a%00b HTTP/1.1\r\n" + AUTH + b"\r\n",
     "4xx", {}),
    ("Content-Length not a number", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Length: abc\r\n\r\n{}", "json:400", {}),
    ("negative Content-Length", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Length: -1\r\n\r\n{}", "json:400", {}),
    ("Content-Length beyond 64 bits", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Length: 99999999999999999999999\r\n\r\n{}", "json:400", {}),
    ("declared body over --max-body", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Length: 1000000\r\n\r\n{}", "json:413", {}),
    # Chunked bodies are decoded (POST, PUT, PATCH); no other coding is.
    ("chunked body on a GET", b"GET /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "json:411", {}),
    ("gzip-coded body", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "json:411", {}),
    ("malformed chunked body", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "json:400", {}),
    ("chunked body over --max-body", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Transfer-Encoding: chunked\r\n\r\nFFFFF\r\n" + b"x" * 70000, "json:413", {}),
    ("body cut short, then close", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":", "none",
     {"close_early": True}),
    ("body cut short, then half-close", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH +
     b"Content-Length: 100\r\n\r\n[1,2", "4xx", {"close_write": True}),
    ("headers cut short, then close", b"GET /rest/v1/projects HTTP/1.1\r\nHost: x\r\napik",
     "none", {"close_early": True}),
    ("a body on GET", b"GET /rest/v1/projects?select=id HTTP/1.1\r\n" + AUTH +
     b"Content-Length: 5\r\n\r\n[1,2]", "json:200", {}),
    ("a body on DELETE", b"DELETE /rest/v1/projects?id=eq.00000000-0000-0000-0000-000000000000"
     b" HTTP/1.1\r\n" + AUTH + b"Content-Length: 2\r\n\r\n{}", "json:204", {}),
    ("POST without Content-Length", b"POST /rest/v1/projects HTTP/1.1\r\n" + AUTH + b"\r\n",
     "json:400", {}),
    ("space and tab in the path", b"GET /rest/v1/a%20b%09c HTTP/1.1\r\n" + AUTH + b"\r\n",
     "json:404", {}),
    ("CR LF in the path", b"GET /rest/v1/a%0D%0Ainjected HTTP/1.1\r\n" + AUTH + b"\r\n",
     "4xx", {}),
]

failed = []
for name, data, want, opt in cases:
    got = exchange(data, **opt)
    status = int(got.split(b" ", 2)[1]) if got and got.startswith(b"HTTP/1.") else None
    body = got.split(b"\r\n\r\n", 1)[1] if got and b"\r\n\r\n" in got else b""
    if want == "none":
        ok = True
    elif want == "4xx":
        ok = status is None or 400 <= status < 500
    else:
        code = int(want.split(":")[1])
        ok = status == code
        if ok and code != 204:
            try:
                json.loads(body)
            except ValueError:
                ok = False
    if not ok:
        failed.append("%s: wanted %s, got %r" % (name, want, got[:200]))
    # The server is still there after each.
    if not exchange(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200"):
        failed.append("no answer to /health after: " + name)
        break
    print("ok", name, status)
if failed:
    sys.exit("\n".join(failed))
PY
python3 "$T_TMP/raw.py" "$S_PORT" "$S_ANON" "$A" >"$T_TMP/raw.out" ||
	t_fail "malformed HTTP: $(cat "$T_TMP/raw.out")"
alive "malformed HTTP"

# ------------------------------------------------------------ what reaches the server: 4xx JSON
# bad STATUS METHOD PATH BODY [curl args]: a 4xx with a JSON error object.
bad() {
	_want=$1
	shift
	s_http "$@"
	t_assert_eq "$_want" "$s_status" "$2 $3 ($s_body)"
	printf '%s' "$s_body" | python3 -c 'import json, sys
j = json.load(sys.stdin)
assert isinstance(j, dict) and "code" in j and ("message" in j or "msg" in j)' ||
		t_fail "$2 $3: not a JSON error: $s_body"
}
BEARER="Authorization: Bearer $A"
for body in '{' '[1,' '"a string"' 'null' '42' '{"id":1}{"x":2}' '[{"id":"x"},7]' \
	'{"id":"\ud800"}' "$(printf '{"name":"\377\376"}')"; do
	bad 400 POST /rest/v1/projects "$body" -H "$BEARER"
done
python3 -c 'print("[" * 100000 + "]" * 100000)' >"$T_TMP/deep.json"
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST -H "apikey: $S_ANON" -H "$BEARER" \
	-H 'Content-Type: application/json' --data-binary "@$T_TMP/deep.json" "$S_URL/rest/v1/projects")
t_assert_eq 413 "$(printf '%s\n' "$s_body" | tail -n 1)" "200 KB of nesting over --max-body"
python3 -c 'print("[" * 30000 + "]" * 30000)' >"$T_TMP/deep.json"
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST -H "apikey: $S_ANON" -H "$BEARER" \
	-H 'Content-Type: application/json' --data-binary "@$T_TMP/deep.json" "$S_URL/rest/v1/projects")
t_assert_eq 400 "$(printf '%s\n' "$s_body" | tail -n 1)" "30000 levels of nesting"
printf '{"name":"a\000b","id":"00000000-0000-4000-8000-000000000001"}' >"$T_TMP/nul.json"
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST -H "apikey: $S_ANON" -H "$BEARER" \
	-H 'Content-Type: application/json' --data-binary "@$T_TMP/nul.json" "$S_URL/rest/v1/projects")
t_assert_eq 400 "$(printf '%s\n' "$s_body" | tail -n 1)" "a NUL byte in a JSON body"
bad 400 PATCH '/rest/v1/projects?id=eq.00000000-0000-4000-8000-000000000001' '[]' -H "$BEARER"
bad 400 PATCH '/rest/v1/projects?id=eq.00000000-0000-4000-8000-000000000001' '{' -H "$BEARER"
bad 400 POST /rest/v1/rpc/push_batch '{"payload":' -H "$BEARER"
bad 400 POST /rest/v1/rpc/push_batch '[]' -H "$BEARER"
bad 400 POST /rest/v1/rpc/push_batch '{"payload":{"projects":[{"id":"not a uuid"}]}}' -H "$BEARER"
bad 400 POST /rest/v1/rpc/pull_changes '{"page_size":"many"}' -H "$BEARER"
bad 400 POST /auth/v1/signup '{"email":'
bad 400 POST '/auth/v1/token?grant_type=password' '[]'

# Broken query strings.
for q in 'select=((' 'select=' 'select=id,,name' 'order=' 'order=id.up' '=' '=1' 'a=b=c' \
	'id=in.(' 'id=in.(%22a' 'id=eq' 'limit=99999999999999999' 'offset=1e3' \
	"$(python3 -c 'print("x" * 3000 + "=eq.1")')" \
	"select=$(python3 -c 'print(",".join(["id"] * 2000))')" \
	"id=in.($(python3 -c 'print(",".join(["a"] * 3000))'))"; do
	bad 400 GET "/rest/v1/projects?$q" -H "$BEARER"
done
s_http GET '/rest/v1/projects?&&&select=id&&' -H "$BEARER"
t_assert_eq 200 "$s_status" "empty query parameters ($s_body)"

# Oversized bodies: 413, JSON, and the connection's next request still served.
head -c 70000 /dev/zero | tr '\0' 'x' >"$T_TMP/big"
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST -H "apikey: $S_ANON" -H "$BEARER" \
	-H 'Content-Type: application/json' --data-binary "@$T_TMP/big" "$S_URL/rest/v1/projects")
t_assert_eq 413 "$(printf '%s\n' "$s_body" | tail -n 1)" "a body over --max-body"
printf '%s\n' "$s_body" | sed '$d' | python3 -c 'import json, sys; json.load(sys.stdin)' ||
	t_fail "the 413 is not JSON: $s_body"

# Tokens: expired, forged, alg:none, garbage, empty, long.
now=$(date +%s)
claims="{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"aud\":\"authenticated\""
echo "not the server's secret, but long enough to sign with" >"$T_TMP/wrong-secret"
expired=$(jwt "$claims,\"exp\":$((now - 5))}")
forged=$(jwt "$claims,\"exp\":$((now + 600))}" "$T_TMP/wrong-secret")
alg_none=$(printf '%s' "$A" | python3 -c 'import base64, json, sys
t = sys.stdin.read().split(".")
h = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
print(h + "." + t[1] + ".")')
no_sub=$(jwt '{"role":"authenticated","exp":4102444800}')
bad_role=$(jwt "{\"sub\":\"$A_ID\",\"role\":\"postgres\",\"exp\":4102444800}")
long=$(python3 -c 'print("e" * 5000)')
for tok in "$expired" "$forged" "$alg_none" "$no_sub" "$bad_role" garbage "a.b.c" "$long"; do
	bad 401 GET /rest/v1/projects -H "Authorization: Bearer $tok"
	bad 401 GET /auth/v1/user -H "Authorization: Bearer $tok"
	# The token as the apikey, with no other.
	s_body=$(curl -s -o - -w '\n%{http_code}' -H "apikey: $tok" "$S_URL/rest/v1/projects")
	s_status=$(printf '%s\n' "$s_body" | tail -n 1)
	s_body=$(printf '%s\n' "$s_body" | sed '$d')
	t_assert_eq 401 "$s_status" "apikey $tok"
	t_assert_contains "$s_body" '"code":"PGRST30' "apikey $tok"
done
alive "bad input"

# ------------------------------------------------------------ 200 connections at once
grep -c ' GET /rest/v1/projects 200 ' "$T_TMP/server.log" >"$T_TMP/before" || :
python3 - "$S_PORT" "$S_ANON" "$A" <<'PY' || t_fail "200 concurrent connections"
import socket, sys, threading, time

port, anon, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
N = 200
req = ("GET /rest/v1/projects?select=id&limit=1&apikey=%s HTTP/1.1\r\nHost: x\r\n"
       "Authorization: Bearer %s\r\n\r\n" % (anon, token)).encode()

def response(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed")
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    n = [int(l.split(b":", 1)[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    while n and len(body) < n[0]:
        d = s.recv(65536)
        if not d:
            raise EOFError("closed in the body")
        body += d
    return int(head.split(b" ")[1])

socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(N)]

def round_trip(name):
    barrier = threading.Barrier(N)
    got = [None] * N
    def one(i):
        try:
            barrier.wait()
            socks[i].sendall(req)
            got[i] = response(socks[i])
        except Exception as e:
            got[i] = repr(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = [g for g in got if g != 200]
    if bad:
        sys.exit("%s: %d of %d failed: %s" % (name, len(bad), N, sorted(set(map(str, bad)))[:5]))

round_trip("200 at once")
# All 200 stay open, idle, and serve a second request each.
time.sleep(1)
round_trip("200 kept alive")
for s in socks:
    s.close()
PY
alive "200 connections"
before=$(cat "$T_TMP/before")
t_wait_count "$T_TMP/server.log" ' GET /rest/v1/projects 200 ' $((before + 400)) "the request log"
after=$(grep -c ' GET /rest/v1/projects 200 ' "$T_TMP/server.log")
t_assert_eq 400 "$((after - before))" "request log lines for 400 requests"

# ------------------------------------------------------------ the request log
# One line per request: peer method path status bytes time, nothing more.
grep -v -e '^agentlogs-server: ' "$T_TMP/server.log" |
	awk 'NF != 6 || $6 !~ /^[0-9]+ms$/ { print; bad = 1 } END { exit bad }' >"$T_TMP/odd" || {
	# libwebsockets' own complaints (huge headers) are the only other lines allowed.
	if grep -v -e '] E: Ran out of header data space' -e '] E: ' "$T_TMP/odd" | grep -q .; then
		t_fail "odd request log lines: $(head -5 "$T_TMP/odd")"
	fi
}
for secret in "$A" "$A_REFRESH" "$S_ANON" "$expired" "$forged" "password a"; do
	if grep -q -F -e "$secret" "$T_TMP/server.log"; then
		t_fail "a secret reached the server log"
	fi
done

# ------------------------------------------------------------ SIGTERM with connections open
python3 - "$S_PORT" "$S_ANON" "$A" "$S_PID" <<'PY' || t_fail "SIGTERM with connections open"
import os, signal, socket, sys, time

port, anon, token, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
for s in idle[:25]:
    # served once, then idle on keep-alive
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(4096)
busy = []
for _ in range(5):
    # a request whose body never comes
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("POST /rest/v1/projects HTTP/1.1\r\nHost: x\r\napikey: %s\r\n"
               "Authorization: Bearer %s\r\nContent-Length: 500\r\n\r\n{" % (anon, token)).encode())
    busy.append(s)
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
PY
i=0
while kill -0 "$S_PID" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || t_fail "the server still runs 5 s after SIGTERM"
	sleep 0.1
done
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
if grep -q -e 'Sanitizer' -e 'runtime error' "$T_TMP/server.log"; then
	t_fail "sanitizer report: $(grep -A5 -e Sanitizer -e 'runtime error' "$T_TMP/server.log" | head -20)"
fi

# A port another process listens on: one clear line, exit status 1, never
# "serving on" first, and (under ASan) nothing leaked on the way out.
mkfifo "$T_TMP/holder.in"
python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.read()' <"$T_TMP/holder.in" >"$T_TMP/holder.port" &
holder=$!
exec 5>"$T_TMP/holder.in"
t_wait_file "$T_TMP/holder.port" "" "the port holder"
port=$(cat "$T_TMP/holder.port")
"$SERVER" serve --db "$S_DB" --listen "127.0.0.1:$port" --jwt-secret-file "$T_TMP/jwt-secret" \
	--storage-dir "$T_TMP/storage" >"$T_TMP/taken.out" 2>&1
rc=$?
exec 5>&-
wait "$holder"
t_assert_eq 1 "$rc" "exit status on a taken port"
t_assert_contains "$(cat "$T_TMP/taken.out")" "agentlogs-server: cannot listen on 127.0.0.1:$port"
grep -q "serving on" "$T_TMP/taken.out" && t_fail "said serving on a taken port: $(cat "$T_TMP/taken.out")"
grep -q -e Sanitizer -e 'runtime error' "$T_TMP/taken.out" &&
	t_fail "sanitizer report on a taken port: $(cat "$T_TMP/taken.out")"
echo "PASS: bad input answered 4xx, 200 concurrent and 200 idle connections, clean request log, SIGTERM exit 0, a taken port refused cleanly"
