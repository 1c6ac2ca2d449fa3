"""Attack shapes against agentlogs-server for tests/integration/server-dos.sh.

Each command is bounded in connections and time, talks only to 127.0.0.1 and
waits for events (an answer, a close) with deadlines rather than sleeping.
Usage: dos.py PORT ANON COMMAND [ARGS]; exit status 0 when what the command
checks holds, else 1 with one line on stderr.
"""
import json, socket, sys, threading, time

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


def health(src="127.0.0.1", timeout=5.0):
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
COMMANDS[CMD](*ARGS)
