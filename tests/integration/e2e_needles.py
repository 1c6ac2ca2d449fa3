#!/usr/bin/env python3
"""The prompts and answers of Claude Code transcripts, for sync-e2e.sh to look
for in a dump of the cloud's database: read from the JSONL directly (glued
lines split with transcript_facts.objects), independently of agentlogs.

  e2e_needles.py list CLAUDE_DIR > needles   one needle a line
  e2e_needles.py find NEEDLES DUMP           the needles found in DUMP, one a line

A needle is the longest line (cut to 60 characters) of each user prompt and
each assistant text block, at least 24 characters long and free of
characters a dump would escape (backslash, tab), so it appears verbatim in
`pg_dump --data-only` wherever the text is stored in the clear."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from transcript_facts import objects  # noqa: E402


def texts(rec):
    msg = rec.get("message") or {}
    content = msg.get("content")
    if rec.get("type") == "user" and isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "text" and \
                    rec.get("type") in ("user", "assistant"):
                yield block.get("text") or ""


def needle(text):
    lines = [l.strip() for l in text.split("\n")]
    lines = [l for l in lines if len(l) >= 24 and "\\" not in l and "\t" not in l]
    if not lines:
        return None
    return max(lines, key=len)[:60].strip()


def listing(root):
    seen = set()
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "projects"))):
        for name in sorted(files):
            if not name.endswith(".jsonl"):
                continue
            for line in open(os.path.join(dirpath, name), encoding="utf-8"):
                try:
                    recs = objects(line)
                except ValueError:
                    continue
                for rec in recs:
                    for t in texts(rec):
                        n = needle(t)
                        if n and n not in seen:
                            seen.add(n)
                            print(n)


def find(needles, dump):
    text = open(dump, encoding="utf-8", errors="replace").read()
    for n in open(needles, encoding="utf-8").read().split("\n"):
        if n and n in text:
            print(n)


if __name__ == "__main__":
    if sys.argv[1] == "list":
        listing(sys.argv[2])
    else:
        find(sys.argv[2], sys.argv[3])
