#!/usr/bin/env python3
"""The plain-Python floor for bench/import: json.loads of every line of every file.

json-pass.py FILE_LIST

Reads the transcripts named in FILE_LIST (one path a line) line by line and
decodes every JSON value on each line with the standard json module (a line
holding several glued objects is decoded object by object; a malformed one
is counted). Prints "seconds S lines L objects O errors E".
"""
import json
import sys
import time

decoder = json.JSONDecoder()
t0 = time.monotonic()
lines = objects = errors = 0
with open(sys.argv[1]) as listing:
    paths = [p.rstrip("\n") for p in listing if p.strip()]
for path in paths:
    with open(path, "rb") as f:
        for raw in f:
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            lines += 1
            try:
                objects += 1
                json.loads(text)
            except ValueError:
                # Glued objects: decode them one by one.
                objects -= 1
                at = 0
                try:
                    while at < len(text):
                        _, at = decoder.raw_decode(text, at)
                        objects += 1
                        while at < len(text) and text[at] in " \t\r":
                            at += 1
                except ValueError:
                    errors += 1
print("seconds %.3f lines %d objects %d errors %d" % (time.monotonic() - t0, lines, objects, errors))
