"""Attack shapes against agentlogs-server for tests/integration/server-dos.sh.

Each command is bounded in connections and time, talks only to 127.0.0.1 and
waits for events (an answer, a close) with deadlines rather than sleeping.
Usage: dos.py PORT ANON COMMAND [ARGS]; exit status 0 when what the command
checks holds, else 1 with one line on stderr.
"""
import json, select, socket, sys, threading, time

PORT, ANON = int(sys.argv[1]), sys.argv[2]
CMD, ARGS = sys.argv[3], sys.argv[4:]


def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)


def connect(src="127.0.0.1", timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", PORT))
    return s


def read_response(s, buf):
    """One response from s: (status, headers dict, body, rest of buf); None at EOF."""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    n = int(headers.get("content-length", "0"))
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    return status, headers, buf[:n], buf[n:]


def health(src="127.0.0.1", timeout=10.0):
    """Status of GET /health on a fresh connection from src, or the error."""
    try:
        s = connect(src, timeout)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        r = read_response(s, b"")
        s.close()
        return r[0] if r else "closed"
    except OSError as e:
        return repr(e)


def req(method, path, body=None, headers=""):
    h = "%s %s HTTP/1.1\r\nHost: x\r\n%s" % (method, path, headers)
    if body is not None:
        h += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return (h + "\r\n").encode() + (body or "").encode()


# ------------------------------------------------------------ pipelining
def pipelined():
    """Shapes of requests sent back to back on one connection before any answer.

    Each must be answered in order (the statuses are what each request gets
    alone), or the connection closed after the answers it gave; either way
    /health answers at once afterwards, on a new connection.
    """
    key = "apikey: %s\r\n" % ANON
    get = (req("GET", "/health"), 200)
    post = (req("POST", "/health", "{}"), 200)
    nope = (req("POST", "/nope", '{"a":1}'), 404)
    rpc = (req("POST", "/rest/v1/rpc/pull_changes", "{}", key), 401)
    noauth = (req("POST", "/auth/v1/token?grant_type=password", '{"email":"x"}'), 401)
    login = (req("POST", "/auth/v1/token?grant_type=password",
                 '{"email":"nobody@example.com","password":"wrong password"}', key), 400)
    shapes = {
        "GET+POST": [get, post], "POST+POST": [post, nope],
        "POST+GET+POST": [post, get, nope], "GET+GET+POST": [get, get, post],
        "rpc+GET+rpc": [rpc, get, rpc], "GET+GET": [get, get],
        "POST+noauth+POST": [post, noauth, post], "login+POST": [login, post],
        "8 mixed": [get, post, nope, rpc, get, noauth, post, get],
    }
    for name, shape in shapes.items():
        # lws 4.1 cannot read a pipelined body: the server may close there,
        # after answering every request before it. Without one, all are served.
        has_body = any(b"Content-Length" in d for d, _ in shape[1:])
        for split in ("whole", "bytes"):
            s = connect()
            data = b"".join(d for d, _ in shape)
            try:
                if split == "whole":
                    s.sendall(data)
                else:
                    # Every byte in its own segment: the parser sees each boundary.
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    for i in range(len(data)):
                        s.send(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                pass    # closed while sending: what was answered is read below
            got, buf = [], b""
            try:
                while len(got) < len(shape):
                    r = read_response(s, buf)
                    if r is None:
                        break
                    got.append(r[0])
                    buf = r[3]
            except ConnectionResetError:
                pass
            except socket.timeout:
                fail("%s (%s): neither answered nor closed after %s within 10 s" %
                     (name, split, got))
            want = [w for _, w in shape]
            if not got or got != want[:len(got)] or (not has_body and got != want):
                fail("%s (%s): answered %s, wanted %s in order" % (name, split, got, want))
            s.close()
            h = health()
            if h != 200:
                fail("after %s (%s): /health answered %s" % (name, split, h))
        print("ok pipelined", name)


# ------------------------------------------------------------ the reproduction
def pipelined_then_leave():
    """The attacker sends GET + POST and leaves at once; the server still answers."""
    s = connect()
    s.sendall(req("GET", "/health") + req("POST", "/health", "{}"))
    s.close()
    for _ in range(3):
        h = health()
        if h != 200:
            fail("after a pipelined GET+POST and a close: /health answered %s" % h)
    print("ok pipelined then leave")


COMMANDS = {"pipelined": pipelined, "pipelined-then-leave": pipelined_then_leave}

# ------------------------------------------------------------ slow and many clients
def await_closed(socks, deadline):
    """The sockets in the order the server closed them (EOF or reset)."""
    order, open_ = [], list(socks)
    end = time.monotonic() + deadline
    while open_ and time.monotonic() < end:
        r, _, _ = select.select(open_, [], [], 1.0)
        for s in r:
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                order.append(s)
                open_.remove(s)
    return order, open_


def per_ip(limit):
    """limit + 8 idle connections from 127.0.0.1: the 8 beyond the limit are
    closed first (at once), the others by the header timeout; meanwhile
    127.0.0.2 is served, and 127.0.0.1 again once they are gone."""
    limit = int(limit)
    socks = [connect() for _ in range(limit + 8)]
    other = []
    t = threading.Thread(target=lambda: other.append(health("127.0.0.2", timeout=30)))
    t.start()
    order, left = await_closed(socks, 60)
    t.join()
    if other != [200]:
        fail("with %d idle connections from 127.0.0.1, 127.0.0.2 got %s" % (limit + 8, other))
    if left:
        fail("%d idle connections still open after 60 s" % len(left))
    first = set(order[:8])
    if first != set(socks[limit:]):
        fail("the first 8 closed were not the 8 beyond the per-IP limit")
    h = health()
    if h != 200:
        fail("127.0.0.1 after its idle connections: /health answered %s" % h)
    print("ok per-IP limit and header timeout")


def trickle(n):
    """n clients from n addresses each send a body one byte every 0.5 s: each
    gets 408 (or is closed), never holds its slot forever, and a normal request
    from 127.0.0.2 is answered while they trickle."""
    n = int(n)
    head = req("POST", "/rest/v1/projects", None,
               "apikey: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n" % ANON)
    socks = []
    for i in range(n):
        s = connect("127.0.1.%d" % (i + 1))
        s.sendall(head)
        socks.append(s)
    stop = threading.Event()

    def drip():
        while not stop.is_set():
            for s in socks:
                try:
                    s.send(b" ")
                except OSError:
                    pass
            stop.wait(0.5)
    t = threading.Thread(target=drip, daemon=True)
    t.start()
    try:
        h = health("127.0.0.2", timeout=60)
        if h != 200:
            fail("while %d clients trickle bodies, /health answered %s" % (n, h))
        statuses = []
        for s in socks:
            s.settimeout(60)
            try:
                r = read_response(s, b"")
                statuses.append(r[0] if r else "closed")
            except socket.timeout:
                fail("a trickling client still holds its connection after 60 s")
            except OSError:
                statuses.append("closed")
    finally:
        stop.set()
    if any(st not in (408, "closed") for st in statuses) or 408 not in statuses:
        fail("trickling clients got %s, wanted 408" % sorted(set(map(str, statuses))))
    print("ok trickled bodies: %d of %d answered 408" % (statuses.count(408), n))


# ------------------------------------------------------------ sign-in limits and workers
def call(method, path, body=None, src="127.0.0.1", headers=""):
    s = connect(src, 60)
    s.sendall(req(method, path, body, "apikey: %s\r\n%s" % (ANON, headers)))
    r = read_response(s, b"")
    s.close()
    if r is None:
        fail("%s %s from %s: closed without an answer" % (method, path, src))
    return r[0], r[1], json.loads(r[2] or b"null")


def login(email, password, src):
    return call("POST", "/auth/v1/token?grant_type=password",
                json.dumps({"email": email, "password": password}), src)


def signup(email, src):
    return call("POST", "/auth/v1/signup",
                json.dumps({"email": email, "password": "password " + email}), src)


def expect_429(r, what):
    st, headers, body = r
    if st != 429 or body.get("error_code") != "over_request_rate_limit":
        fail("%s: wanted 429 over_request_rate_limit, got %s %s" % (what, st, body))
    if not headers.get("retry-after", "").isdigit() or int(headers["retry-after"]) < 1:
        fail("%s: Retry-After is %r" % (what, headers.get("retry-after")))


def rate_limits(per_ip, per_account):
    """Sign-in limits as configured: per account across addresses, per address
    across accounts; a 429 carries Retry-After."""
    per_ip, per_account = int(per_ip), int(per_account)
    st = signup("victim@example.com", "127.0.3.1")[0]
    if st != 200:
        fail("signup: %s" % st)
    # Wrong passwords for one account, each from its own address.
    for i in range(per_account):
        st = login("victim@example.com", "wrong %d" % i, "127.0.3.%d" % (i + 2))[0]
        if st != 400:
            fail("wrong password %d: wanted 400, got %s" % (i + 1, st))
    expect_429(login("Victim@example.com", "wrong again", "127.0.3.100"),
               "password sign-in %d for one account" % (per_account + 1))
    expect_429(login("victim@example.com", "password victim@example.com", "127.0.3.101"),
               "even the right password once the account is limited")
    # Another account is not limited by that one.
    st = login("other@example.com", "wrong", "127.0.3.102")[0]
    if st != 400:
        fail("another account: wanted 400, got %s" % st)
    # One address: per_ip sign-ups and sign-ins, then 429 for either.
    for i in range(per_ip):
        st = signup("user%d@example.com" % i, "127.0.4.1")[0]
        if st != 200:
            fail("sign-up %d from one address: wanted 200, got %s" % (i + 1, st))
    expect_429(signup("one-more@example.com", "127.0.4.1"), "sign-up %d from one address" % (per_ip + 1))
    expect_429(login("user0@example.com", "password user0@example.com", "127.0.4.1"),
               "a sign-in from that address")
    st = login("user0@example.com", "password user0@example.com", "127.0.4.2")[0]
    if st != 200:
        fail("the same sign-in from another address: wanted 200, got %s" % st)
    print("ok rate limits: %d per address, %d per account" % (per_ip, per_account))


def starvation(n, token):
    """n password sign-ins at once (one hash worker), then a REST read (one
    general worker): the read is answered before the last sign-in."""
    n = int(n)
    socks = []
    for i in range(n):
        s = connect("127.0.5.%d" % (i + 1), 120)
        s.sendall(req("POST", "/auth/v1/token?grant_type=password",
                      json.dumps({"email": "victim@example.com", "password": "wrong"}),
                      "apikey: %s\r\n" % ANON))
        socks.append(("login", s))
    s = connect("127.0.5.200", 120)
    s.sendall(req("GET", "/rest/v1/projects?select=id", None,
                  "apikey: %s\r\nAuthorization: Bearer %s\r\n" % (ANON, token)))
    socks.append(("read", s))
    order = []
    pending = {s: name for name, s in socks}
    while pending:
        r, _, _ = select.select(list(pending), [], [], 120)
        if not r:
            fail("no answer within 120 s: %s" % sorted(pending.values()))
        for s in r:
            resp = read_response(s, b"")
            order.append((pending.pop(s), resp[0] if resp else "closed"))
    if ("read", 200) not in order:
        fail("the read was not answered 200: %s" % order)
    if order[-1][0] == "read":
        fail("the read waited behind all %d sign-ins: %s" % (n, order))
    print("ok read answered %d of %d answers in, before the last sign-in" %
          (order.index(("read", 200)) + 1, len(order)))


COMMANDS.update({"per-ip": per_ip, "trickle": trickle, "rate-limits": rate_limits,
                 "starvation": starvation})
COMMANDS[CMD](*ARGS)
