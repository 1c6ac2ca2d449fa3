"""Load for bench/server: an attack runs until stdin closes.

    attack.py PORT ANON logins N   N clients, each from its own 127.0.6.x/127.0.7.x
                                   address, sign in with a wrong password for a
                                   new random account, once a second or as soon
                                   as the answer comes (every attempt costs an
                                   Argon2 hash unless refused): N a second is far
                                   beyond what hashing serves, and an attacker
                                   looping on fast refusals would only measure
                                   the two of them sharing the CPU
    attack.py PORT ANON idle N     N connections from 100 addresses that send
                                   nothing, reopened as soon as the server
                                   closes one
Prints "ready" once the load is in place, and on exit the answers it got.
"""
import json, os, select, socket, sys, threading, time, uuid

PORT, ANON, KIND, N = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
stop = threading.Event()
counts = {}
lock = threading.Lock()


def address(i):
    return "127.0.%d.%d" % (6 + i // 250, 1 + i % 250)


def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", PORT))
    return s


def login_loop(i):
    while not stop.is_set():
        started = time.monotonic()
        body = json.dumps({"email": "%s@example.com" % uuid.uuid4().hex, "password": "wrong password"})
        req = ("POST /auth/v1/token?grant_type=password HTTP/1.1\r\nHost: x\r\napikey: %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (ANON, len(body), body))
        try:
            s = connect(address(i))
            s.settimeout(120)
            s.sendall(req.encode())
            status = s.recv(4096).split(b" ", 2)[1].decode()
            s.close()
        except (OSError, IndexError):
            status = "error"
        with lock:
            counts[status] = counts.get(status, 0) + 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))


def idle():
    socks = {connect(address(i % 100)): i for i in range(N)}
    print("ready", flush=True)
    while not stop.is_set():
        r, _, _ = select.select(list(socks), [], [], 0.5)
        for s in r:
            i = socks.pop(s)
            s.close()
            with lock:
                counts["closed"] = counts.get("closed", 0) + 1
            try:
                socks[connect(address(i % 100))] = i
            except OSError:
                pass
    for s in socks:
        s.close()


if KIND == "logins":
    threads = [threading.Thread(target=login_loop, args=(i,), daemon=True) for i in range(N)]
    for t in threads:
        t.start()
    print("ready", flush=True)
else:
    threading.Thread(target=idle, daemon=True).start()
sys.stdin.read()
stop.set()
print("answers: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())), flush=True)
os._exit(0)
