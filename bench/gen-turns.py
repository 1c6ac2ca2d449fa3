#!/usr/bin/env python3
"""Rows for bench/server: the same turns three ways.

gen-turns.py OUTDIR USER_ID TURNS BATCH

Writes into OUTDIR:
  parents.json      push_batch arguments: one project, one commit, its sessions
  turns.csv         every turn, for psql \\copy (with user_id: \\copy bypasses the API)
  rest/NNNNN.json   JSON arrays of BATCH turns, for POST /rest/v1/turns
  push/NNNNN.json   the same batches as push_batch arguments {"payload": {"turns": [...]}}
Content is sized like real turns (a few hundred bytes, some tool calls).
"""
import csv
import json
import os
import random
import sys
import uuid

out, user_id, total, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
ns = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
per_session = 1000
words = ("the a function test file error build fix parser server commit sync row "
         "table query index cursor token socket thread memory buffer page").split()

project = str(uuid.uuid5(ns, "bench-project"))
commit = str(uuid.uuid5(ns, "bench-commit"))
nsessions = (total + per_session - 1) // per_session
sessions = [str(uuid.uuid5(ns, f"bench-session-{i}")) for i in range(nsessions)]
stamp = "2026-11-25T12:00:00Z"
parents = {
    "projects": [{"id": project, "name": "bench", "local_path": "/src/bench",
                  "updated_at": stamp}],
    "cognitive_commits": [{"id": commit, "project_id": project, "started_at": stamp,
                           "closed_at": stamp, "closed_by": "git_commit",
                           "git_subject": "bench", "updated_at": stamp}],
    "sessions": [{"id": s, "commit_id": commit, "claude_session_id": s,
                  "started_at": stamp, "ended_at": stamp, "updated_at": stamp}
                 for s in sessions],
}
with open(os.path.join(out, "parents.json"), "w") as f:
    json.dump({"payload": parents}, f)

cols = ["user_id", "id", "session_id", "seq", "role", "content", "timestamp", "tool_calls",
        "model", "input_tokens", "output_tokens", "version", "updated_at"]
os.makedirs(os.path.join(out, "rest"), exist_ok=True)
os.makedirs(os.path.join(out, "push"), exist_ok=True)
rows = []


def flush(n):
    name = f"{n:05d}.json"
    with open(os.path.join(out, "rest", name), "w") as f:
        json.dump(rows, f)
    with open(os.path.join(out, "push", name), "w") as f:
        json.dump({"payload": {"turns": rows}}, f)


with open(os.path.join(out, "turns.csv"), "w", newline="") as f:
    w = csv.writer(f)
    nbatch = 0
    for i in range(total):
        role = "user" if i % 2 == 0 else "assistant"
        content = " ".join(rng.choice(words) for _ in range(rng.randint(20, 120)))
        calls = [] if role == "user" else [
            {"name": "Bash", "input": {"command": "make -j2 check"}}]
        row = {"id": str(uuid.uuid5(ns, f"bench-turn-{i}")),
               "session_id": sessions[i // per_session], "seq": i % per_session,
               "role": role, "content": content, "timestamp": stamp,
               "tool_calls": calls, "model": "claude-sonnet-4-5",
               "input_tokens": rng.randint(0, 5000), "output_tokens": rng.randint(0, 2000),
               "version": 1, "updated_at": stamp}
        w.writerow([user_id] + [json.dumps(row[c]) if c == "tool_calls" else row[c]
                                for c in cols[1:]])
        rows.append(row)
        if len(rows) == batch:
            flush(nbatch)
            nbatch += 1
            rows = []
    if rows:
        flush(nbatch)
print(",".join('"timestamp"' if c == "timestamp" else c for c in cols))
