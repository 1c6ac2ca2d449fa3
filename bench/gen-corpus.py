#!/usr/bin/env python3
"""Build a large Claude Code transcript corpus for benchmarks by replicating fixtures.

    gen-corpus.py --src DIR --out DIR [--mb N]

--src holds projects/<encoded cwd>/**/*.jsonl (a ~/.claude look-alike); --out receives the
same layout, the fixture set copied as many times as needed to reach --mb MiB (1 MiB =
1,048,576 bytes).  Every copy gets fresh ids, so an importer sees distinct sessions:

  * UUID-shaped strings (sessionId, uuid, parentUuid, messageId, toolUseID, ... and the
    file and directory names that are session ids),
  * msg_..., toolu_..., srvtoolu_..., req_... ids (message.id, tool_use id / tool_use_id,
    requestId),
  * the short hash in git commit output ("[branch 1a2b3c4] subject"),

are rewritten by a keyed hash of (seed, copy number, original): consistent within a copy
(parentUuid still points at its parent, tool_result at its tool_use), different between
copies, and of the same length and alphabet, so no JSON string changes shape.  Dates in ISO
timestamps ("2026-01-21T...") move back one day per copy, so copies do not all overlap.

The rewrite is textual (regular expressions over the raw bytes), never parse-and-dump: each
line keeps its exact bytes apart from the ids, lines holding two glued JSON objects stay
glued, and a file without a final newline stays without one.  Small files are tokenised once
and written out per copy; files over --cache-mb are streamed line by line for every copy.

If --out already holds a corpus made from the same source with the same size and seed
(recorded in --out/.corpus-stamp), nothing is rewritten.  Standard library only.
"""

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import sys
import time

STAMP = ".corpus-stamp"
VERSION = 1
B62 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = b"0123456789abcdef"

ID_RE = re.compile(
    rb"(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    rb"|(?<![0-9A-Za-z_])(?P<pfx>(?:msg|toolu|srvtoolu|req)_)(?P<pid>[0-9A-Za-z]{16,64})"
    rb"|(?<=\")(?P<date>\d{4}-\d\d-\d\d)(?=T\d\d:\d\d:\d\d)"
    rb"|(?P<cpre>\[[^\]\s\"\\]+(?: \(root-commit\))? )(?P<sha>[0-9a-f]{7,12})(?=\] )")
UUID_FILE_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Rewriter:
    """The id mapping of one copy."""

    def __init__(self, seed, copy):
        self.key = hashlib.sha256(("%s:%d" % (seed, copy)).encode()).digest()[:32]
        self.days = copy
        self.cache = {}

    def _h(self, b):
        return hashlib.blake2b(b, key=self.key, digest_size=32).digest()

    def uuid(self, u):
        h = bytearray(self._h(u.lower().encode())[:16])
        h[6] = (h[6] & 0x0F) | 0x40  # version 4
        h[8] = (h[8] & 0x3F) | 0x80  # RFC 4122 variant
        x = h.hex()
        s = "%s-%s-%s-%s-%s" % (x[:8], x[8:12], x[12:16], x[16:20], x[20:])
        return s.upper() if u.isupper() else s

    def sub(self, m):
        whole = m.group(0)
        r = self.cache.get(whole)
        if r is not None:
            return r
        if m.group("uuid"):
            r = self.uuid(whole.decode()).encode()
        elif m.group("pfx"):
            pid = m.group("pid")
            h = self._h(whole)
            keep = 2 if pid[:2] == b"01" else 0  # Anthropic ids start with 01
            body = bytes(B62[b % 62] for b in (h * 3)[:len(pid) - keep])
            r = m.group("pfx") + pid[:keep] + body
        elif m.group("date"):
            d = dt.date.fromisoformat(whole.decode()) - dt.timedelta(days=self.days)
            r = d.isoformat().encode()
            if len(r) != len(whole):  # a year outside 1000..9999: leave it
                r = whole
        else:
            sha = m.group("sha")
            h = self._h(sha)
            r = m.group("cpre") + bytes(HEX[b & 15] for b in h[:len(sha)])
        self.cache[whole] = r
        return r

    def name(self, rel):
        """Map the UUID-shaped parts of a relative path (session-id file and dir names)."""
        return UUID_FILE_RE.sub(lambda m: self.uuid(m.group(0)), rel)


def fixture_files(src):
    root = os.path.join(src, "projects")
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".jsonl"):
                p = os.path.join(d, f)
                out.append((os.path.relpath(p, src), os.path.getsize(p)))
    return out


def tokenise(data):
    """[literal, match, literal, match, ..., literal] with match objects."""
    toks, pos = [], 0
    for m in ID_RE.finditer(data):
        toks.append(data[pos:m.start()])
        toks.append(m)
        pos = m.end()
    toks.append(data[pos:])
    return toks


def write_tokens(path, toks, rw):
    parts = [t if i % 2 == 0 else rw.sub(t) for i, t in enumerate(toks)]
    with open(path, "wb") as f:
        f.write(b"".join(parts))


def write_streamed(path, src_path, rw):
    with open(src_path, "rb") as fin, open(path, "wb", buffering=1 << 20) as fout:
        for line in fin:  # keeps the line's own '\n', or its absence on the last line
            fout.write(ID_RE.sub(rw.sub, line))


def main():
    ap = argparse.ArgumentParser(description="Replicate Claude Code fixtures into a large corpus.")
    ap.add_argument("--src", required=True, help="directory holding projects/ (fixtures)")
    ap.add_argument("--out", required=True, help="corpus directory to create (gets projects/)")
    ap.add_argument("--mb", type=float, default=512, help="target size in MiB (default 512)")
    ap.add_argument("--seed", default="agentlogs-bench", help="id mapping seed")
    ap.add_argument("--cache-mb", type=float, default=64,
                    help="fixture files up to this size are tokenised once (default 64)")
    ap.add_argument("--force", action="store_true", help="rebuild even if the corpus matches")
    args = ap.parse_args()

    files = fixture_files(args.src)
    if not files:
        sys.exit("gen-corpus: no projects/**/*.jsonl under %s" % args.src)
    src_bytes = sum(s for _, s in files)
    copies = max(1, math.ceil(args.mb * 1048576 / src_bytes))
    want = {"version": VERSION, "src": os.path.abspath(args.src), "src_files": len(files),
            "src_bytes": src_bytes, "mb": args.mb, "seed": args.seed, "copies": copies,
            "files": copies * len(files), "bytes": copies * src_bytes}

    stamp = os.path.join(args.out, STAMP)
    if not args.force and os.path.exists(stamp):
        try:
            with open(stamp) as f:
                have = json.load(f)
        except (OSError, ValueError):
            have = None
        if have == want:
            print("gen-corpus: reusing %s (%d copies, %.1f MiB)" %
                  (args.out, copies, want["bytes"] / 1048576), file=sys.stderr)
            return

    print("gen-corpus: %d fixture files (%.1f MiB) x %d copies -> %s" %
          (len(files), src_bytes / 1048576, copies, args.out), file=sys.stderr)
    if os.path.exists(stamp):
        os.remove(stamp)
    shutil.rmtree(os.path.join(args.out, "projects"), ignore_errors=True)
    os.makedirs(args.out, exist_ok=True)

    t0 = time.monotonic()
    cache_limit = args.cache_mb * 1048576
    written = 0
    for rel, size in files:
        src_path = os.path.join(args.src, rel)
        toks = None
        if size <= cache_limit:
            with open(src_path, "rb") as f:
                toks = tokenise(f.read())
        for c in range(copies):
            rw = Rewriter(args.seed, c)  # deterministic: same ids across this copy's files
            out = os.path.join(args.out, rw.name(rel))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if os.path.exists(out):
                sys.exit("gen-corpus: id collision on %s" % out)
            if toks is not None:
                write_tokens(out, toks, rw)
            else:
                write_streamed(out, src_path, rw)
            written += size

    with open(stamp, "w") as f:
        json.dump(want, f, indent=1, sort_keys=True)
        f.write("\n")
    print("gen-corpus: wrote %d files, %.1f MiB in %.1f s" %
          (want["files"], written / 1048576, time.monotonic() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
