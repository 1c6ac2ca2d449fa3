#!/usr/bin/env python3
"""bench/live's probes: lines appended to a transcript, timed until they are in a
store and on a browser's screen (a detached tmux, read through its control mode,
so the time is when the browser wrote to its terminal, not when a poll looked).

    live-probe.py session FILE SID CWD               a transcript's first two lines
    live-probe.py latency FILE SID CWD DB SOCK N TAG [GAP_MS]
        N lines appended one at a time, each with a marker of its own; for each,
        the time until DB's turns count grows by one and until SOCK's pane shows
        the marker. Prints shell assignments: TAG_store_p50, ..._p99, TAG_screen_p50,
        ..._p99 (ms), TAG_missed (trials never seen within 20 s); each trial's two
        figures in $BENCH_DIR/TAG.trials.
    live-probe.py burst FILE SID CWD N SECONDS       N lines written within SECONDS
    live-probe.py corpus DIR FOLDERS PER KB          FOLDERS x PER transcripts of KB KiB
"""
import json
import os
import select
import sqlite3
import subprocess
import sys
import time
import uuid

NS = uuid.UUID("6f0c1d3e-1b1a-4f4e-9d1c-0b6c8a1e2f3a")


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


def line(sid, cwd, n, text, ts=None):
    """One transcript line, a turn of its own: prompts and answers in turn."""
    base = {"sessionId": sid, "cwd": cwd, "gitBranch": "main", "version": "2.1.9",
            "timestamp": ts or now_iso(), "uuid": str(uuid.uuid5(NS, "%s-%d" % (sid, n)))}
    if n % 2 == 0:
        return dict(base, type="user", message={"role": "user", "content": text})
    return dict(base, type="assistant", message={
        "id": "msg_%s_%d" % (sid[:8], n), "role": "assistant", "model": "bench",
        "content": [{"type": "text", "text": text}],
        "usage": {"input_tokens": 1, "output_tokens": 1}})


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def append(path, objs):
    with open(path, "a") as f:
        f.write("".join(json.dumps(o) + "\n" for o in objs))


class Pane:
    """A tmux server's pane through a control-mode client."""

    def __init__(self, sock):
        self.p = subprocess.Popen(["tmux", "-L", sock, "-C", "attach"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""
        self.output_at = None   # when the pane last wrote something
        self.block = None       # the lines of a command's answer, while it comes
        self.answer = None
        self.asked = False

    def fileno(self):
        return self.p.stdout.fileno()

    def ask_capture(self):
        self.p.stdin.write(b"capture-pane -p\n")
        self.asked = True

    def read(self):
        """Reads what is there; returns the screen text when an answer completed."""
        data = os.read(self.fileno(), 65536)
        if not data:
            raise SystemExit("tmux control client ended")
        self.buf += data
        done = None
        while b"\n" in self.buf:
            ln, self.buf = self.buf.split(b"\n", 1)
            if self.block is not None:
                if ln.startswith(b"%end ") or ln.startswith(b"%error "):
                    done = b"\n".join(self.block).decode("utf-8", "replace")
                    self.block = None
                    self.asked = False
                else:
                    self.block.append(ln)
            elif ln.startswith(b"%begin "):
                self.block = []
            elif ln.startswith(b"%output "):
                self.output_at = time.monotonic()
        return done

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        self.p.wait()


def pct(v, q):
    v = sorted(v)
    if not v:
        return -1
    k = max(0, min(len(v) - 1, int(round(q / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def latency(path, sid, cwd, db, sock, n, tag, gap_ms):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    count = lambda: con.execute("SELECT count(*) FROM turns WHERE deleted_at IS NULL").fetchone()[0]
    pane = Pane(sock)
    store_ms, screen_ms, missed = [], [], 0
    k = count_lines(path)
    for i in range(n):
        marker = "%s%04dz" % (tag, i)
        before = count()
        # The pane's earlier output is old news.
        while select.select([pane], [], [], 0)[0]:
            pane.read()
        pane.output_at = None
        t0 = time.monotonic()
        append(path, [line(sid, cwd, k, "probe %s" % marker)])
        k += 1
        t_store = t_screen = None
        shown_from = None
        while t_store is None or t_screen is None:
            now = time.monotonic()
            if now - t0 > 20:
                missed += 1
                break
            if t_store is None and count() > before:
                t_store = time.monotonic() - t0
            r = select.select([pane], [], [], 0.001)[0]
            if r:
                text = pane.read()
                if text is not None and t_screen is None and marker in text:
                    t_screen = shown_from - t0
            if t_screen is None and not pane.asked and pane.output_at is not None:
                shown_from = pane.output_at
                pane.output_at = None
                pane.ask_capture()
        else:
            store_ms.append(t_store * 1000)
            screen_ms.append(t_screen * 1000)
        time.sleep(gap_ms / 1000.0)
    pane.close()
    if os.environ.get("BENCH_DIR"):
        with open(os.path.join(os.environ["BENCH_DIR"], tag + ".trials"), "w") as f:
            f.write("".join("%.1f %.1f\n" % v for v in zip(store_ms, screen_ms)))
    print("%s_store_p50=%.1f" % (tag, pct(store_ms, 50)))
    print("%s_store_p99=%.1f" % (tag, pct(store_ms, 99)))
    print("%s_screen_p50=%.1f" % (tag, pct(screen_ms, 50)))
    print("%s_screen_p99=%.1f" % (tag, pct(screen_ms, 99)))
    print("%s_missed=%d" % (tag, missed))


def burst(path, sid, cwd, n, seconds):
    """n lines in 50 writes spread evenly over seconds."""
    k = count_lines(path)
    writes = 50
    t0 = time.monotonic()
    for w in range(writes):
        objs = [line(sid, cwd, k + j, "burst line %d" % (k + j)) for j in range(n // writes)]
        k += len(objs)
        append(path, objs)
        delay = t0 + (w + 1) * seconds / writes - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print("burst_write_s=%.3f" % (time.monotonic() - t0))


def corpus(top, folders, per, kb):
    """folders x per transcripts of about kb KiB each, in lines of about 4 KiB."""
    words = "the quick brown fox jumps over the lazy dog while the build runs again ".split()
    nlines = max(2, kb // 4)
    for f in range(folders):
        d = os.path.join(top, "projects", "-home-bench-p%03d" % f)
        os.makedirs(d, exist_ok=True)
        for s in range(per):
            sid = str(uuid.uuid5(NS, "corpus-%d-%d" % (f, s)))
            ts = "2026-03-01T10:%02d:%02d.000Z" % (s % 60, f % 60)
            out = []
            for j in range(nlines):
                text = " ".join(words[(j + k) % len(words)] for k in range(700))
                out.append(line(sid, "/home/bench/p%03d" % f, j, "turn %d of %s: %s" % (j, sid, text), ts))
            append(os.path.join(d, sid + ".jsonl"), out)


def main(a):
    if a[0] == "session":
        os.makedirs(os.path.dirname(a[1]), exist_ok=True)
        append(a[1], [line(a[2], a[3], j, "live session turn %d" % j) for j in range(2)])
    elif a[0] == "latency":
        latency(a[1], a[2], a[3], a[4], a[5], int(a[6]), a[7], int(a[8]) if len(a) > 8 else 50)
    elif a[0] == "burst":
        burst(a[1], a[2], a[3], int(a[4]), float(a[5]))
    elif a[0] == "corpus":
        corpus(a[1], int(a[2]), int(a[3]), int(a[4]))
    else:
        raise SystemExit("unknown probe " + a[0])


if __name__ == "__main__":
    main(sys.argv[1:])
