#!/usr/bin/env python3
"""The race test of issue 10: two machines, A and B, each doing a sequence of
steps from {E: edit the shared field (title), O: edit a field of its own (A:
hidden, B: published), L: pull, P: push}, in every interleaving of the two
sequences, on one commit the two machines hold in sync. After each
interleaving both machines sync twice (A, B, A, B) and the outcome is checked
against a model that knows nothing of the sync code, only of who had seen what
(vector clocks: an edit knows what its machine had pulled; a push makes the
cloud know what its machine knows, a pull the reverse):

  * A, B and the cloud agree on the row, and nothing is pending;
  * a field of one machine's own ends with that machine's last value;
  * the title ends with the causally later of the two machines' last titles;
    when neither had seen the other's (concurrent), it ends with one of them
    and a conflict record (on either machine) holds both.

Cases run one after another on the same commit, server and homes: a case
starts from where the last one ended (both in sync), its values are unique to
it, so there is nothing to reset.

usage: sync_race.py TMP COMMIT_ID (--all | --sample N --seed S | --case SPEC...)
  TMP holds the homes A and B; AGENTLOGS and S_DB come from the environment.
  A case SPEC is the interleaving as machine+step pairs, e.g. "AE,BE,AL,BL,AP,BP".
"""
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

STEPS = "EOLP"
MACHINES = "AB"
OWN_FIELD = {"A": ("hidden", "hide", "unhide"), "B": ("published", "publish", "unpublish")}
SETTLE_SQL = """SELECT bool_and(x < pg_snapshot_xmin(pg_current_snapshot())) FROM (
    SELECT max(txid) x FROM projects UNION ALL SELECT max(txid) FROM cognitive_commits
    UNION ALL SELECT max(txid) FROM sessions UNION ALL SELECT max(txid) FROM turns
    UNION ALL SELECT max(txid) FROM visuals) m WHERE x IS NOT NULL"""


class Failure(Exception):
    pass


class World:
    def __init__(self, tmp, commit):
        self.tmp = tmp
        self.commit = commit
        self.agentlogs = os.environ["AGENTLOGS"]
        self.db = os.environ["S_DB"]

    def run(self, m, *args):
        env = dict(os.environ, AGENTLOGS_HOME=os.path.join(self.tmp, m))
        p = subprocess.run([self.agentlogs, *args], env=env, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"on {m}: agentlogs {' '.join(args)} exited {p.returncode}:"
                          f" {p.stderr.strip()}")
        return p.stdout

    def psql(self, sql):
        return subprocess.run(["psql", "-X", "-At", self.db, "-c", sql], check=True,
                              capture_output=True, text=True).stdout.strip()

    def settle(self):
        """Every write has ended cluster-wide, so a pull sees all pushed so far."""
        for _ in range(600):
            if self.psql(SETTLE_SQL) != "f":
                return
            time.sleep(0.1)
        raise Failure("a transaction elsewhere on the PostgreSQL stayed open for a minute")

    def local(self, m):
        with sqlite3.connect(os.path.join(self.tmp, m, "data.db")) as db:
            row = db.execute("SELECT title, hidden, published, version, sync_status"
                             " FROM cognitive_commits WHERE id = ?", (self.commit,)).fetchone()
            conflicts = db.execute("SELECT local_value, cloud_value FROM conflicts"
                                   " WHERE record_id = ? AND field = 'title'",
                                   (self.commit,)).fetchall()
        return ((row[0], bool(row[1]), bool(row[2]), row[3]), row[4],
                [tuple(json.loads(v) for v in c) for c in conflicts])

    def cloud(self):
        out = self.psql("SELECT json_build_array(title, hidden, published, version)"
                        f" FROM cognitive_commits WHERE id = '{self.commit}'")
        return tuple(json.loads(out))


def leq(x, y):
    return all(x[k] <= y[k] for k in MACHINES)


def join(x, y):
    return {k: max(x[k], y[k]) for k in MACHINES}


def run_case(w, n, case):
    """case: [(machine, step)...]. Raises Failure when the outcome breaks the model."""
    start, _, _ = w.local("A")
    own = {"A": start[1], "B": start[2]}
    vc = {m: {k: 0 for k in MACHINES} for m in MACHINES}
    cloud_vc = {k: 0 for k in MACHINES}
    pending = {m: False for m in MACHINES}
    last_title = {}
    edits = {m: 0 for m in MACHINES}
    for m, step in case:
        if step in "EO":
            vc[m][m] += 1
            pending[m] = True
        if step == "E":
            edits[m] += 1
            value = f"c{n}-{m}{edits[m]}"
            w.run(m, "title", w.commit, value)
            last_title[m] = (value, dict(vc[m]))
        elif step == "O":
            own[m] = not own[m]
            field, on, off = OWN_FIELD[m]
            w.run(m, on if own[m] else off, w.commit)
        elif step == "L":
            w.settle()
            w.run(m, "pull")
            vc[m] = join(vc[m], cloud_vc)
        else:
            w.settle()
            w.run(m, "push")
            if pending[m]:
                # A refused push pulls first; either way the cloud then knows
                # what m knows.
                vc[m] = join(vc[m], cloud_vc)
                cloud_vc = dict(vc[m])
                pending[m] = False
    for m in "ABAB":
        w.settle()
        w.run(m, "sync")

    (a, a_status, a_conf), (b, b_status, b_conf) = w.local("A"), w.local("B")
    c = w.cloud()
    if not (a == b == c) or a_status != "synced" or b_status != "synced":
        raise Failure(f"disagree: A {a} {a_status}, B {b} {b_status}, cloud {c}")
    if a[1] != own["A"] or a[2] != own["B"]:
        raise Failure(f"an own field lost: hidden {a[1]} (A's last {own['A']}),"
                      f" published {a[2]} (B's last {own['B']})")
    if not last_title:
        return
    if len(last_title) == 1:
        (want, _), = last_title.values()
        if a[0] != want:
            raise Failure(f"title {a[0]!r}, not the only edit {want!r}")
        return
    (ta, ca), (tb, cb) = last_title["A"], last_title["B"]
    if leq(ca, cb) or leq(cb, ca):
        want = tb if leq(ca, cb) else ta
        if a[0] != want:
            raise Failure(f"title {a[0]!r}, not the causally later edit {want!r}")
        return
    if a[0] not in (ta, tb):
        raise Failure(f"title {a[0]!r}, neither of the concurrent edits {ta!r}, {tb!r}")
    if not any({ta, tb} == set(pair) for pair in a_conf + b_conf):
        raise Failure(f"concurrent titles {ta!r} and {tb!r} are in no conflict record"
                      f" (A: {a_conf}, B: {b_conf})")


def interleavings(sa, sb):
    n = len(sa) + len(sb)
    for pos in itertools.combinations(range(n), len(sa)):
        ia, ib, out = iter(sa), iter(sb), []
        for i in range(n):
            out.append(("A", next(ia)) if i in pos else ("B", next(ib)))
        yield out


def all_cases(max_steps=3):
    seqs = [s for k in range(max_steps + 1) for s in itertools.product(STEPS, repeat=k)]
    for sa in seqs:
        for sb in seqs:
            yield from interleavings(sa, sb)


def spec(case):
    return ",".join(m + s for m, s in case)


def parse(text):
    case = [(p[0], p[1]) for p in text.split(",") if p]
    if any(m not in MACHINES or s not in STEPS for m, s in case):
        sys.exit(f"sync_race.py: a bad case {text!r} (pairs like AE,BP)")
    return case


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    w = World(sys.argv[1], sys.argv[2])
    mode = sys.argv[3]
    if mode == "--all":
        cases = list(all_cases())
    elif mode == "--sample":
        every = list(all_cases())
        cases = random.Random(int(sys.argv[6])).sample(every, int(sys.argv[4]))
    elif mode == "--case":
        cases = [parse(t) for t in sys.argv[4:]]
    else:
        sys.exit(__doc__)
    failed = 0
    t0 = time.monotonic()
    for n, case in enumerate(cases):
        try:
            run_case(w, n, case)
        except Failure as e:
            failed += 1
            print(f"FAIL: {spec(case)}: {e}", flush=True)
            # The next case needs both in sync again.
            for m in "ABAB":
                w.settle()
                w.run(m, "sync")
    took = time.monotonic() - t0
    print(f"{len(cases) - failed} of {len(cases)} interleavings as the model says"
          f" ({took:.1f} s, {took / max(len(cases), 1):.2f} s each)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
