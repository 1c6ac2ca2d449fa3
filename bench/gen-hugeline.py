#!/usr/bin/env python3
"""A transcript with one huge line, for bench/import's memory figure.

gen-hugeline.py OUT_DIR MB

Writes OUT_DIR/projects/-bench-huge-line/<session>.jsonl: a prompt, a Bash call,
its result of MB MiB of text (escaped newlines in it) on one line, and a reply.
Prints the length in bytes of the longest line.
"""
import json
import os
import sys

out, mb = sys.argv[1], float(sys.argv[2])
folder = os.path.join(out, "projects", "-bench-huge-line")
os.makedirs(folder, exist_ok=True)
sid = "0b5e55ed-0000-4000-8000-000000000200"
n = 0


def rec(**fields):
    global n
    base = {"sessionId": sid, "cwd": "/bench/huge-line", "gitBranch": "main",
            "version": "2.0.0", "timestamp": "2025-11-01T10:00:%02d.000Z" % n}
    n += 1
    base.update(fields)
    return json.dumps(base)


unit = "0123456789abcdef" * 64 + "\n"
big = unit * int(mb * 1048576 // len(unit))
lines = [
    rec(type="user", uuid="u1", message={"role": "user", "content": "print the big file"}),
    rec(type="assistant", uuid="a1", parentUuid="u1", message={
        "id": "msg_1", "role": "assistant", "model": "bench",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash",
                     "input": {"command": "cat big"}}],
        "usage": {"input_tokens": 1, "output_tokens": 1}}),
    rec(type="user", uuid="u2", parentUuid="a1", message={"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": big, "is_error": False}]}),
    rec(type="assistant", uuid="a2", parentUuid="u2", message={
        "id": "msg_2", "role": "assistant", "model": "bench",
        "content": [{"type": "text", "text": "done"}],
        "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
with open(os.path.join(folder, sid + ".jsonl"), "w") as f:
    for line in lines:
        f.write(line + "\n")
print(max(len(line) for line in lines))
