#!/usr/bin/env python3
"""A synthetic local store for bench/sync, and the same rows as CSV for psql \\copy.

gen-store.py DATA_DB CSV_DIR USER_ID COMMITS TURNS

DATA_DB must already hold agentlogs' schema (run any agentlogs command on the
home first). Writes one project per 100 commits, one session per commit, and
TURNS turns spread over the commits, all pending, with content sized like real
turns. CSV_DIR receives projects.csv, cognitive_commits.csv, sessions.csv and
turns.csv with the cloud's columns (user_id first) for the floor.
"""
import csv
import os
import random
import sqlite3
import sys
import uuid

db_path, csv_dir, user_id = sys.argv[1], sys.argv[2], sys.argv[3]
ncommits, nturns = int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(7)
words = ("the a function test file error build fix parser server commit sync row "
         "table query index cursor token socket thread memory buffer page").split()


def ts(i):
    s = 1764000000 + i
    return "2025-11-24T%02d:%02d:%02d.%03dZ" % ((s // 3600) % 24, (s // 60) % 60, s % 60, i % 1000)


def text(lo, hi):
    return " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))


con = sqlite3.connect(db_path)
con.execute("PRAGMA foreign_keys = OFF")
os.makedirs(csv_dir, exist_ok=True)
out = {t: csv.writer(open(os.path.join(csv_dir, t + ".csv"), "w", newline=""))
       for t in ("projects", "cognitive_commits", "sessions", "turns")}
stamp = "2025-11-24T00:00:00.000Z"

projects = []
for p in range((ncommits + 99) // 100):
    pid, name = str(uuid.uuid4()), "bench-%d" % p
    projects.append((pid, name))
    con.execute("INSERT INTO projects (id, name, local_path, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?)", (pid, name, "/src/" + name, stamp, stamp))
    out["projects"].writerow([user_id, pid, name, "/src/" + name, stamp, 1, stamp])

per = nturns // ncommits
extra = nturns - per * ncommits
turn_no = 0
for c in range(ncommits):
    cid, sid = str(uuid.uuid4()), str(uuid.uuid4())
    pid, pname = projects[c // 100]
    n = per + (1 if c < extra else 0)
    start, end = ts(turn_no), ts(turn_no + n)
    prompt = text(5, 20)
    con.execute("INSERT INTO cognitive_commits (id, project_id, project_name, git_hash,"
                " git_subject, started_at, closed_at, closed_by, files_read, files_changed,"
                " first_prompt, turn_count, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (cid, pid, pname, "%040x" % rng.getrandbits(160), "bench commit %d" % c,
                 start, end, "git_commit", '["src/a.c"]', '["src/b.c"]', prompt, n, stamp))
    out["cognitive_commits"].writerow([user_id, cid, pid, "%040x" % 0, "bench commit %d" % c,
                                       start, end, "git_commit", '["src/a.c"]', '["src/b.c"]',
                                       pname, prompt, n, 1, stamp])
    con.execute("INSERT INTO sessions (id, commit_id, claude_session_id, started_at, ended_at,"
                " cwd, git_branch, cli_version, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (sid, cid, str(uuid.uuid4()), start, end, "/src/" + pname, "main", "2.0.0", stamp))
    out["sessions"].writerow([user_id, sid, cid, sid, start, end, "/src/" + pname, "main",
                              "2.0.0", 1, stamp])
    rows = []
    for k in range(n):
        role = "user" if k % 2 == 0 else "assistant"
        content = text(20, 120)
        calls = "[]" if role == "user" else '[{"name":"Bash","input":{"command":"make check"}}]'
        tid = str(uuid.uuid4())
        rows.append((tid, sid, k, role, content, ts(turn_no), calls, "claude-sonnet-4-5",
                     rng.randint(0, 5000), rng.randint(0, 2000), stamp))
        out["turns"].writerow([user_id, tid, sid, k, role, content, ts(turn_no), calls,
                               "claude-sonnet-4-5", rows[-1][8], rows[-1][9], 1, stamp])
        turn_no += 1
    con.executemany("INSERT INTO turns (id, session_id, seq, role, content, timestamp,"
                    " tool_calls, model, input_tokens, output_tokens, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
con.commit()
con.close()
