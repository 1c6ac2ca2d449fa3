#!/usr/bin/env python3
"""Checks an analytics upload for anything of the person's.

Usage: analytics_strings.py CLAUDE_DIR UPLOAD.json...

From the transcripts under CLAUDE_DIR/projects it collects, on its own, every
string that must never leave the machine in an aggregate: project folder
names and their parts, working directories and their parts, session ids,
message and tool-call ids, file names and paths touched by tools, git
branches, and every word of the prompts and answers. Then, for each upload:
- with the public vocabulary of keys removed (VOCABULARY: the documented
  figures, tool names, model families, buckets), only JSON punctuation and
  digits may remain;
- no collected string with a letter in it (3 characters or more,
  case-insensitively) occurs in it, unless it occurs in the vocabulary's keys
  themselves (say "Read" or "input"). Strings of digits alone are left to
  the first check: the figures are numbers, some equal to numbers in a
  transcript.
Prints "checked N strings (M part of the vocabulary)".
"""
import json
import os
import re
import sys

VOCABULARY = """version epsilon figures sessions commits turns turns_per_commit
tools models tokens 0-1 2-3 4-7 8-15 16-31 32-63 64+ AskUserQuestion Bash
BashOutput Edit ExitPlanMode Glob Grep KillShell LS MultiEdit NotebookEdit
NotebookRead Read Skill SlashCommand Task TaskCreate TaskUpdate TodoWrite
WebFetch WebSearch mcp other opus sonnet haiku input output cache_read
cache_creation""".split()


def words(text, into):
    for w in re.split(r"[^0-9A-Za-z_]+", text):
        if len(w) >= 3:
            into.add(w)


def collect(obj, into):
    """Every string value in obj, whole (when short) and as words."""
    if isinstance(obj, str):
        if len(obj) <= 200:
            into.add(obj)
        words(obj, into)
        for part in re.split(r"[/\\]", obj):
            if len(part) >= 3:
                into.add(part)
    elif isinstance(obj, dict):
        for v in obj.values():
            collect(v, into)
    elif isinstance(obj, list):
        for v in obj:
            collect(v, into)


def fixture_strings(claude_dir):
    found = set()
    root = os.path.join(claude_dir, "projects")
    for project in os.listdir(root):
        found.add(project)
        words(project, found)
        for name in os.listdir(os.path.join(root, project)):
            found.add(name)
            found.add(name.rsplit(".", 1)[0])
            with open(os.path.join(root, project, name), encoding="utf-8",
                      errors="replace") as f:
                for line in f:
                    # Glued objects and broken lines: take what parses, words of the rest.
                    try:
                        collect(json.loads(line), found)
                    except ValueError:
                        words(line, found)
    return found


def main():
    found = fixture_strings(sys.argv[1])
    keys = " ".join('"%s":' % v for v in VOCABULARY).lower()
    checked = [s for s in found
               if len(s) >= 3 and re.search(r"[A-Za-z]", s) and s.lower() not in keys]
    for path in sys.argv[2:]:
        text = open(path, encoding="utf-8").read().strip()
        json.loads(text)
        rest = text
        for v in sorted(VOCABULARY, key=len, reverse=True):
            rest = rest.replace('"%s"' % v, "")
        odd = set(re.sub(r'[{}":,0-9.]', "", rest))
        if odd:
            sys.exit(f"{path}: characters beyond the vocabulary: {sorted(odd)} in {rest[:200]}")
        low = text.lower()
        leaked = [s for s in checked if s.lower() in low]
        if leaked:
            sys.exit(f"{path}: fixture strings in the upload: {leaked[:20]}")
    print(f"checked {len(checked)} strings (of {len(found)}: the others are in the"
          " vocabulary, shorter than 3 or digits)")


main()
