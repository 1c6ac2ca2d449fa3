#!/usr/bin/env python3
"""Generate the bundled sample transcripts (samples/projects/...).

The samples are small, invented Claude Code sessions written in Claude Code's
JSONL transcript format (as of Claude Code 2.1.3x), so that a first run of
agentlogs with no ~/.claude/projects has something to show.

Everything is deterministic: ids (session ids, uuids, message ids, tool-use ids,
request ids, git hashes) are derived from SEED, timestamps are fixed, and the
output is byte-for-byte identical on every run.  Standard library only.

Usage:
    python3 samples/generate.py            # rewrite samples/projects/
    python3 samples/generate.py --out DIR  # write DIR/projects/ instead
    python3 samples/generate.py --list     # print the Makefile.am file list
"""

import argparse
import base64
import datetime as dt
import difflib
import hashlib
import json
import os
import random
import re
import sys
import uuid

SEED = "agentlogs-samples-v1"
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# ----------------------------------------------------------------------------- ids

def _digest(*parts):
    return hashlib.sha256(":".join((SEED,) + tuple(str(p) for p in parts)).encode()).digest()


def make_uuid(*parts):
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def _b62(nchars, *parts):
    n = int.from_bytes(_digest(*parts), "big")
    out = []
    for _ in range(nchars):
        n, r = divmod(n, 62)
        out.append(B62[r])
    return "".join(out)


def git_hash(*parts):
    return _digest("git", *parts).hex()[:7]


def encode_cwd(cwd):
    """Claude Code's project directory name: every non-alphanumeric becomes '-'."""
    return re.sub(r"[^A-Za-z0-9]", "-", cwd)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def dumps(obj):
    # Claude Code writes JSON.stringify output: compact, raw UTF-8.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------- tool results

def numbered(content, offset=1, limit=None):
    """The Read tool's cat -n style rendering."""
    lines = content.split("\n")
    start = offset - 1
    sel = lines[start:start + limit] if limit else lines[start:]
    text = "\n".join("%6d\u2192%s" % (start + 1 + i, l) for i, l in enumerate(sel))
    return text, "\n".join(sel), len(sel), len(lines)


def structured_patch(old, new):
    a, b = old.split("\n"), new.split("\n")
    hunks = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        lines = []
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [" " + l for l in a[a1:a2]]
                continue
            if tag in ("replace", "delete"):
                lines += ["-" + l for l in a[a1:a2]]
            if tag in ("replace", "insert"):
                lines += ["+" + l for l in b[b1:b2]]
        hunks.append({"oldStart": i1 + 1, "oldLines": i2 - i1, "newStart": j1 + 1,
                      "newLines": j2 - j1, "lines": lines})
    return hunks


class Tool:
    """One tool call: its input, the tool_result text, and Claude Code's toolUseResult."""

    def __init__(self, name, input, content, result, is_error=False, progress=0):
        self.name, self.input, self.content, self.result = name, input, content, result
        self.is_error, self.progress = is_error, progress


def bash(command, description, stdout, progress=0, error=False, code=1):
    if error:
        text = "Exit code %d\n%s" % (code, stdout)
        return Tool("Bash", {"command": command, "description": description}, text,
                    "Error: " + text, is_error=True, progress=progress)
    return Tool("Bash", {"command": command, "description": description}, stdout,
                {"stdout": stdout, "stderr": "", "interrupted": False, "isImage": False,
                 "noOutputExpected": False}, progress=progress)


class Workspace:
    """The files a session sees, so Read/Edit/Write results are consistent."""

    def __init__(self, cwd, files=None):
        self.cwd, self.files = cwd, dict(files or {})

    def path(self, rel):
        return self.cwd + "/" + rel

    def write(self, rel, content):
        path = self.path(rel)
        old = self.files.get(rel)
        self.files[rel] = content
        if old is None:
            return Tool("Write", {"file_path": path, "content": content},
                        "File created successfully at: " + path,
                        {"type": "create", "filePath": path, "content": content,
                         "structuredPatch": [], "originalFile": None})
        return Tool("Write", {"file_path": path, "content": content},
                    "The file %s has been updated. Here's the result of running `cat -n` "
                    "on a snippet of the edited file:\n%s" % (path, numbered(content)[0]),
                    {"type": "update", "filePath": path, "content": content,
                     "structuredPatch": structured_patch(old, content), "originalFile": old})

    def read(self, rel, offset=None, limit=None):
        path = self.path(rel)
        inp = {"file_path": path}
        if offset is not None:
            inp["offset"], inp["limit"] = offset, limit
        text, sel, n, total = numbered(self.files[rel], offset or 1, limit)
        return Tool("Read", inp, text,
                    {"type": "text", "file": {"filePath": path, "content": sel, "numLines": n,
                                              "startLine": offset or 1, "totalLines": total}})

    def edit(self, rel, old, new):
        path = self.path(rel)
        orig = self.files[rel]
        assert orig.count(old) == 1, (rel, old)
        self.files[rel] = orig.replace(old, new)
        return Tool("Edit", {"replace_all": False, "file_path": path, "old_string": old,
                             "new_string": new},
                    "The file %s has been updated successfully." % path,
                    {"filePath": path, "oldString": old, "newString": new, "originalFile": orig,
                     "structuredPatch": structured_patch(orig, self.files[rel]),
                     "userModified": False, "replaceAll": False})


def grep(cwd, pattern, path, hits):
    """Grep in content mode; hits is a list of 'file:line:text' strings."""
    text = "\n".join(hits) if hits else "No matches found"
    return Tool("Grep", {"pattern": pattern, "path": cwd + "/" + path, "output_mode": "content"},
                text, {"mode": "content", "numFiles": 0, "filenames": [],
                       "content": "\n".join(hits), "numLines": len(hits)})


# ----------------------------------------------------------------------------- session writer

class Session:
    def __init__(self, key, cwd, branch, start, slug, model="claude-opus-4-6",
                 version="2.1.39", permission_mode="default"):
        self.key, self.cwd, self.branch, self.slug = key, cwd, branch, slug
        self.model, self.version, self.permission_mode = model, version, permission_mode
        self.id = make_uuid("session", key)
        self.t = start
        self.rng = random.Random(SEED + key)
        self.lines = []
        self.parent = None
        self.n = 0
        self.context = 14000 + self.rng.randrange(4000)  # tokens already in the cache
        self.backups = {}  # file-history: rel path -> version
        self.turn_start = None
        self.prompt_uuid = None

    # ids and clock
    def _id(self, kind):
        self.n += 1
        return kind, self.n

    def uuid(self):
        return make_uuid(self.key, *self._id("uuid"))

    def tick(self, lo=0.2, hi=2.5):
        self.t += dt.timedelta(milliseconds=self.rng.randrange(int(lo * 1000), int(hi * 1000)))
        return iso(self.t)

    def base(self, with_slug=True):
        d = {"parentUuid": self.parent, "isSidechain": False, "userType": "external",
             "cwd": self.cwd, "sessionId": self.id, "version": self.version,
             "gitBranch": self.branch}
        if with_slug and self.prompt_uuid is not None:
            d["slug"] = self.slug
        return d

    def emit(self, rec):
        self.lines.append(dumps(rec))

    # records
    def snapshot(self, message_id, update=False, ts=None):
        tracked = {rel: {"backupFileName": ("%s@v%d" % (_digest("bk", self.key, rel).hex()[:16], v)
                                            if v > 1 else None),
                         "version": v, "backupTime": ts or iso(self.t)}
                   for rel, v in self.backups.items()}
        self.emit({"type": "file-history-snapshot", "messageId": message_id,
                   "snapshot": {"messageId": self.prompt_uuid if update else message_id,
                                "trackedFileBackups": tracked, "timestamp": ts or iso(self.t)},
                   "isSnapshotUpdate": update})

    def prompt(self, text, gap_s=20):
        self.t += dt.timedelta(seconds=gap_s)
        u = self.uuid()
        first = self.prompt_uuid is None
        self.snapshot(u, ts=iso(self.t + dt.timedelta(milliseconds=400)))
        rec = self.base(with_slug=not first)
        rec.update({"type": "user", "message": {"role": "user", "content": text}, "uuid": u,
                    "timestamp": iso(self.t), "thinkingMetadata": {"maxThinkingTokens": 31999},
                    "todos": [], "permissionMode": self.permission_mode})
        self.emit(rec)
        self.parent, self.prompt_uuid, self.turn_start = u, u, self.t

    def respond(self, *blocks, think_s=None):
        """One API response: several lines sharing message.id, one content block each.

        blocks: ("thinking", text) | ("text", text) | Tool.  Each tool_use line is
        followed by its progress records and its tool_result user record.
        """
        msg_id = "msg_01" + _b62(22, self.key, "msg", self.n)
        req_id = "req_011C" + _b62(20, self.key, "req", self.n)
        created = 20 + self.rng.randrange(600)
        inp = 1 + self.rng.randrange(3)
        partial_out = 8 + self.rng.randrange(20)
        final_out = 0
        if think_s is None:
            think_s = 2.5 + self.rng.random() * 6
        self.t += dt.timedelta(seconds=think_s)
        for i, b in enumerate(blocks):
            last = i == len(blocks) - 1
            if isinstance(b, Tool):
                tid = "toolu_01" + _b62(22, self.key, "toolu", self.n)
                block = {"type": "tool_use", "id": tid, "name": b.name, "input": b.input}
                final_out += 30 + len(dumps(b.input)) // 4
            elif b[0] == "thinking":
                block = {"type": "thinking", "thinking": b[1],
                         "signature": base64.b64encode(b"".join(
                             _digest("sig", self.key, self.n, k) for k in range(6))).decode()}
                final_out += 20 + len(b[1]) // 4
            else:
                block = {"type": "text", "text": b[1]}
                final_out += 5 + len(b[1]) // 4
            if last:
                usage = {"input_tokens": inp, "cache_creation_input_tokens": created,
                         "cache_read_input_tokens": self.context, "output_tokens": final_out,
                         "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
                         "service_tier": "standard",
                         "cache_creation": {"ephemeral_1h_input_tokens": created,
                                            "ephemeral_5m_input_tokens": 0},
                         "inference_geo": "", "iterations": []}
            else:
                usage = {"input_tokens": inp, "cache_creation_input_tokens": created,
                         "cache_read_input_tokens": self.context,
                         "cache_creation": {"ephemeral_5m_input_tokens": 0,
                                            "ephemeral_1h_input_tokens": created},
                         "output_tokens": partial_out, "service_tier": "standard",
                         "inference_geo": "not_available"}
            u = self.uuid()
            rec = self.base()
            rec.update({"message": {"model": self.model, "id": msg_id, "type": "message",
                                    "role": "assistant", "content": [block], "stop_reason": None,
                                    "stop_sequence": None, "usage": usage},
                        "requestId": req_id, "type": "assistant", "uuid": u,
                        "timestamp": self.tick(0.3, 1.0 + len(dumps(block)) / 60.0)})
            self.emit(rec)
            self.parent = u
            if isinstance(b, Tool):
                self._tool_result(b, tid, u)
        self.context += created + final_out

    def _tool_result(self, tool, tid, assistant_uuid):
        progress_parent = assistant_uuid
        for k in range(tool.progress):
            p = self.uuid()
            rec = self.base()
            rec.update({"type": "progress",
                        "data": {"type": "bash_progress", "output": "", "fullOutput": "",
                                 "elapsedTimeSeconds": k + 2, "totalLines": 0},
                        "toolUseID": "bash-progress-%d" % k, "parentToolUseID": tid, "uuid": p,
                        "timestamp": self.tick(1.0, 1.1)})
            rec["parentUuid"] = progress_parent
            self.emit(rec)
            progress_parent = p
        u = self.uuid()
        if tool.is_error:
            block = {"type": "tool_result", "content": tool.content, "is_error": True,
                     "tool_use_id": tid}
        else:
            block = {"tool_use_id": tid, "type": "tool_result", "content": tool.content,
                     "is_error": False}
        rec = self.base()
        rec.update({"type": "user", "message": {"role": "user", "content": [block]}, "uuid": u,
                    "timestamp": self.tick(0.1, 2.0), "toolUseResult": tool.result,
                    "sourceToolAssistantUUID": assistant_uuid})
        rec["parentUuid"] = assistant_uuid
        self.emit(rec)
        self.parent = u
        if tool.name in ("Write", "Edit") and not tool.is_error:
            rel = os.path.relpath(tool.input["file_path"], self.cwd)
            self.backups[rel] = self.backups.get(rel, 0) + 1

    def end_turn(self):
        u = self.uuid()
        ts = self.tick(0.0, 0.05)
        rec = self.base()
        rec.update({"type": "system", "subtype": "turn_duration",
                    "durationMs": int((self.t - self.turn_start).total_seconds() * 1000),
                    "timestamp": ts, "uuid": u, "isMeta": False})
        self.emit(rec)
        self.parent = u

    def file_changed_snapshot(self):
        """The isSnapshotUpdate record Claude Code appends after a turn that edited files."""
        self.snapshot(self.parent, update=True)

    def text(self):
        return "".join(l + "\n" for l in self.lines)


def T(*a):
    return dt.datetime(*a, tzinfo=dt.timezone.utc)


# ----------------------------------------------------------------------------- the sessions

WEATHERBOT = "/home/sam/src/weatherbot"
TINYHTTP = "/home/sam/src/tinyhttp"
NOTES = "/home/sam/notes"

CLI_PY_V1 = '''"""weatherbot: the weather, from the command line."""
import argparse
import json
import sys
import urllib.parse
import urllib.request

GEOCODE = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST = "https://api.open-meteo.com/v1/forecast"
CODES = {0: "clear", 1: "mostly clear", 2: "partly cloudy", 3: "overcast",
         45: "fog", 61: "light rain", 63: "rain", 71: "snow", 95: "thunderstorm"}


def get(url, **params):
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=10) as r:
        return json.load(r)


def locate(city):
    hits = get(GEOCODE, name=city, count=1).get("results") or []
    if not hits:
        sys.exit("weatherbot: no such place: %s" % city)
    return hits[0]["latitude"], hits[0]["longitude"]


def current(city):
    lat, lon = locate(city)
    cur = get(FORECAST, latitude=lat, longitude=lon, current_weather="true")["current_weather"]
    sky = CODES.get(cur["weathercode"], "code %d" % cur["weathercode"])
    return "%s: %.1f\\u00b0C, %s (wind %d km/h)" % (city, cur["temperature"], sky, cur["windspeed"])


def main(argv=None):
    ap = argparse.ArgumentParser(prog="weatherbot")
    ap.add_argument("city")
    args = ap.parse_args(argv)
    print(current(args.city))


if __name__ == "__main__":
    main()
'''

PYPROJECT = '''[project]
name = "weatherbot"
version = "0.1.0"
description = "The weather, from the command line"
requires-python = ">=3.9"

[project.scripts]
weatherbot = "weatherbot.cli:main"
'''

README_V1 = '''# weatherbot

The weather, from the command line. Uses the free Open-Meteo API (no key).

    weatherbot Lisbon
'''

FORECAST_OLD = '''def main(argv=None):
    ap = argparse.ArgumentParser(prog="weatherbot")
    ap.add_argument("city")
    args = ap.parse_args(argv)
    print(current(args.city))
'''

FORECAST_NEW = '''def forecast(city, days=3):
    lat, lon = locate(city)
    daily = get(FORECAST, latitude=lat, longitude=lon, timezone="auto", forecast_days=days,
                daily="temperature_2m_max,temperature_2m_min,weathercode")["daily"]
    rows = zip(daily["time"], daily["temperature_2m_min"], daily["temperature_2m_max"],
               daily["weathercode"])
    return ["%s  %5.1f .. %5.1f\\u00b0C  %s" % (day, lo, hi, CODES.get(code, "code %d" % code))
            for day, lo, hi, code in rows]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="weatherbot")
    sub = ap.add_subparsers(dest="cmd")
    now = sub.add_parser("now", help="current conditions")
    now.add_argument("city")
    fc = sub.add_parser("forecast", help="the next days")
    fc.add_argument("city")
    fc.add_argument("-d", "--days", type=int, default=3)
    args = ap.parse_args(argv)
    if args.cmd == "forecast":
        print("\\n".join(forecast(args.city, args.days)))
    else:
        print(current(args.city))
'''

TEST_CLI = '''import unittest
from unittest import mock

from weatherbot import cli

DAILY = {"daily": {"time": ["2026-03-02", "2026-03-03"], "temperature_2m_min": [9.0, 10.5],
                   "temperature_2m_max": [17.2, 18.0], "weathercode": [2, 61]}}


class ForecastTest(unittest.TestCase):
    @mock.patch.object(cli, "locate", return_value=(38.7, -9.1))
    @mock.patch.object(cli, "get", return_value=DAILY)
    def test_rows(self, get, locate):
        rows = cli.forecast("Lisbon", days=2)
        self.assertEqual(len(rows), 2)
        self.assertIn("light rain", rows[1])

    @mock.patch.object(cli, "locate", return_value=(38.7, -9.1))
    @mock.patch.object(cli, "get", return_value=DAILY)
    def test_days_passed(self, get, locate):
        cli.forecast("Lisbon", days=2)
        self.assertEqual(get.call_args.kwargs["forecast_days"], 2)


if __name__ == "__main__":
    unittest.main()
'''


def weatherbot_first():
    """Starts the project: root commit, a second commit, then more uncommitted work."""
    s = Session("weatherbot-1", WEATHERBOT, "main", T(2026, 3, 2, 9, 14, 3, 512000),
                "sunny-wandering-kettle")
    ws = Workspace(WEATHERBOT)

    s.prompt("Start a tiny Python CLI called weatherbot that prints the current temperature "
             "for a city using the Open-Meteo API (no API key needed). Standard library only. "
             "Commit when it works.", gap_s=0)
    s.respond(("thinking", "New project. Check what is already in the directory before writing "
                           "anything: is it a git repo, any existing files?"),
              ("text", "I'll check what's in the directory first."),
              bash("ls -la && git status", "List files and git status",
                   "total 12\ndrwxr-xr-x  3 sam sam 4096 Mar  2 09:13 .\n"
                   "drwxr-xr-x 11 sam sam 4096 Mar  2 09:12 ..\n"
                   "drwxr-xr-x  7 sam sam 4096 Mar  2 09:13 .git\n"
                   "On branch main\n\nNo commits yet\n\n"
                   "nothing to commit (create/copy files and use \"git add\" to track)"))
    s.respond(("text", "An empty repository. I'll write the package: geocode the city name, "
                       "then ask the forecast API for the current weather."),
              ws.write("weatherbot/cli.py", CLI_PY_V1))
    s.respond(ws.write("weatherbot/__init__.py", ""),
              ws.write("pyproject.toml", PYPROJECT),
              ws.write("README.md", README_V1))
    s.respond(bash("python3 -m weatherbot.cli Lisbon", "Try the CLI",
                   "Lisbon: 17.4\u00b0C, partly cloudy (wind 12 km/h)"))
    h1 = git_hash("weatherbot", 1)
    s.respond(bash("git add -A && git commit -m \"Initial weather CLI\"", "Create the first commit",
                   "[main (root-commit) %s] Initial weather CLI\n"
                   " 4 files changed, 59 insertions(+)\n"
                   " create mode 100644 README.md\n create mode 100644 pyproject.toml\n"
                   " create mode 100644 weatherbot/__init__.py\n"
                   " create mode 100644 weatherbot/cli.py" % h1, progress=1))
    s.respond(("text", "Done. `python3 -m weatherbot.cli Lisbon` prints the current temperature, "
                       "sky and wind, e.g. `Lisbon: 17.4°C, partly cloudy (wind 12 km/h)`.\n\n"
                       "Committed as `%s` (root commit). `pip install -e .` gives you a "
                       "`weatherbot` command." % h1))
    s.end_turn()
    s.file_changed_snapshot()

    s.prompt("Nice. Add a `forecast` subcommand that prints the next 3 days, with a test.",
             gap_s=95)
    s.respond(("thinking", "I need to turn the single positional argument into subcommands: "
                           "`now CITY` and `forecast CITY [-d N]`. Re-read cli.py first."),
              ws.read("weatherbot/cli.py"))
    s.respond(ws.edit("weatherbot/cli.py", FORECAST_OLD, FORECAST_NEW))
    s.respond(ws.write("tests/test_cli.py", TEST_CLI))
    s.respond(bash("python3 -m unittest discover -s tests -q", "Run the tests",
                   "----------------------------------------------------------------------\n"
                   "Ran 2 tests in 0.004s\n\nOK"))
    h2 = git_hash("weatherbot", 2)
    s.respond(bash("git add -A && git commit -m \"Add forecast command\"", "Commit the forecast command",
                   "[main %s] Add forecast command\n 2 files changed, 40 insertions(+), 3 deletions(-)\n"
                   " create mode 100644 tests/test_cli.py" % h2))
    s.respond(("text", "Added `weatherbot forecast CITY [-d DAYS]` (default 3 days): one line per day "
                       "with min/max temperature and the sky. Current conditions moved to "
                       "`weatherbot now CITY`. Two unit tests mock the HTTP calls. "
                       "Committed as `%s`." % h2))
    s.end_turn()
    s.file_changed_snapshot()

    s.prompt("Let's make the units configurable: a --fahrenheit flag on both commands.", gap_s=240)
    s.respond(("thinking", "Open-Meteo accepts temperature_unit=fahrenheit, so no conversion needed; "
                           "just pass it through and change the degree suffix."),
              ws.edit("weatherbot/cli.py",
                      '    ap = argparse.ArgumentParser(prog="weatherbot")\n',
                      '    ap = argparse.ArgumentParser(prog="weatherbot")\n'
                      '    ap.add_argument("-F", "--fahrenheit", action="store_true",\n'
                      '                    help="temperatures in \\u00b0F")\n'))
    s.respond(bash("python3 -m unittest discover -s tests -q", "Run the tests",
                   "----------------------------------------------------------------------\n"
                   "Ran 2 tests in 0.004s\n\nOK"))
    s.respond(("text", "Added the `-F/--fahrenheit` flag to the parser; the tests still pass. "
                       "I haven't threaded it through to the API calls yet, and nothing is "
                       "committed: say if you want me to finish it and commit."))
    s.end_turn()
    return s


def weatherbot_docs():
    """Runs at the same time as weatherbot_offline (two terminals, same checkout)."""
    s = Session("weatherbot-2", WEATHERBOT, "main", T(2026, 3, 3, 14, 2, 11, 87000),
                "brisk-folding-meadow")
    ws = Workspace(WEATHERBOT, {"README.md": README_V1})
    s.prompt("The README is thin. Document install, `now` and `forecast` with example output.",
             gap_s=0)
    s.respond(("text", "Let me look at the current README."), ws.read("README.md"))
    s.respond(ws.write("README.md", README_V1.replace(
        "    weatherbot Lisbon\n",
        "## Install\n\n    pip install -e .\n\n## Usage\n\n"
        "    $ weatherbot now Lisbon\n    Lisbon: 17.4°C, partly cloudy (wind 12 km/h)\n\n"
        "    $ weatherbot forecast Lisbon --days 2\n"
        "    2026-03-03    9.0 ..  17.2°C  partly cloudy\n"
        "    2026-03-04   10.5 ..  18.0°C  light rain\n")))
    s.respond(("text", "README.md now has Install and Usage sections with sample output for both "
                       "commands. Want me to commit it?"))
    s.end_turn()
    s.file_changed_snapshot()

    s.prompt("Mention that it needs Python 3.9 or newer, then commit.", gap_s=85)
    s.respond(ws.edit("README.md", "## Install\n\n", "## Install\n\nNeeds Python 3.9 or newer.\n\n"))
    h = git_hash("weatherbot", 3)
    s.respond(bash("git add README.md && git commit -m \"Document install and usage\"",
                   "Commit the README", "[main %s] Document install and usage\n"
                   " 1 file changed, 19 insertions(+), 1 deletion(-)" % h))
    s.respond(("text", "Added the Python requirement and committed the README as `%s`." % h))
    s.end_turn()
    return s


def weatherbot_offline():
    s = Session("weatherbot-3", WEATHERBOT, "main", T(2026, 3, 3, 14, 2, 38, 902000),
                "tangled-quiet-harbor")
    ws = Workspace(WEATHERBOT, {"weatherbot/cli.py": CLI_PY_V1.replace(FORECAST_OLD, FORECAST_NEW)})
    s.prompt("Why does `weatherbot forecast Lisbon` print a huge traceback when I'm offline? "
             "Don't change anything yet, just explain.", gap_s=0)
    s.respond(("thinking", "Probably urllib raising URLError out of get(). Find the call sites."),
              grep(WEATHERBOT, "urlopen|except", "weatherbot",
                   ["weatherbot/cli.py:15:    with urllib.request.urlopen(url + \"?\" + "
                    "urllib.parse.urlencode(params), timeout=10) as r:"]))
    s.respond(("text", "Let me reproduce it with networking unavailable."),
              bash("unshare -rn python3 -m weatherbot.cli forecast Lisbon 2>&1 | tail -4",
                   "Run without network access",
                   "  File \"/usr/lib/python3.12/urllib/request.py\", line 1347, in do_open\n"
                   "    raise URLError(err)\n"
                   "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name "
                   "resolution>"))
    s.respond(ws.read("weatherbot/cli.py", offset=14, limit=12))
    s.respond(("text", "`get()` (cli.py:14) calls `urllib.request.urlopen` with no error handling, "
                       "and nothing up the stack catches anything either. Offline, `urlopen` raises "
                       "`urllib.error.URLError` (a DNS failure: `[Errno -3] Temporary failure in name "
                       "resolution`), which propagates out of `main()` as a traceback.\n\n"
                       "A small fix: catch `urllib.error.URLError` (and `TimeoutError`) in `get()` and "
                       "call `sys.exit(\"weatherbot: cannot reach %s: %s\" % (host, e.reason))`. "
                       "I haven't changed anything."))
    s.end_turn()
    return s


SERVER_C = '''#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"
#include "server.h"

/* Serve one connection until the client closes it or asks us to. */
static void
serve_conn(int fd)
{
	struct request req;
	int keep_alive = 1;

	while (keep_alive) {
		if (http_read_request(fd, &req) != 0)
			break;
		keep_alive = req.keep_alive;
		http_respond(fd, &req);
		http_request_free(&req);
	}
	close(fd);
}

int
server_run(int listen_fd, const struct server_opts *opts)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			perror("accept");
			return -1;
		}
		if (opts->verbose)
			fprintf(stderr, "tinyhttp: connection %d\\n", fd);
		serve_conn(fd);
	}
}
'''

MAIN_C_OPTS = '''	while ((c = getopt(argc, argv, "p:v")) != -1) {
		switch (c) {
		case 'p':
			opts.port = atoi(optarg);
			break;
'''


def tinyhttp_keepalive():
    s = Session("tinyhttp-1", TINYHTTP, "fix/keep-alive-timeout", T(2026, 3, 4, 20, 31, 9, 301000),
                "patient-copper-lantern", version="2.1.37")
    ws = Workspace(TINYHTTP, {"src/server.c": SERVER_C, "src/main.c": MAIN_C_OPTS})
    s.prompt("Idle keep-alive connections in tinyhttp are never closed, so after a while we run "
             "out of file descriptors. Add an idle timeout: 5 seconds by default, configurable "
             "with -t. Commit on this branch.", gap_s=0)
    s.respond(("thinking", "Find where keep-alive is handled. The simplest robust fix is "
                           "SO_RCVTIMEO on the accepted socket: the blocking read then fails with "
                           "EAGAIN after the timeout and the loop ends."),
              grep(TINYHTTP, "keep_alive", "src",
                   ["src/server.c:16:\tint keep_alive = 1;",
                    "src/server.c:18:\twhile (keep_alive) {",
                    "src/server.c:21:\t\tkeep_alive = req.keep_alive;",
                    "src/http.c:57:\treq->keep_alive = !header_eq(req, \"Connection\", \"close\");"]))
    s.respond(ws.read("src/server.c", offset=10, limit=20))
    s.respond(("text", "`serve_conn` blocks in `http_read_request` forever when an idle client keeps "
                       "the socket open. I'll set a receive timeout on each accepted socket."),
              ws.edit("src/server.c",
                      "static void\nserve_conn(int fd)\n{\n\tstruct request req;\n\tint keep_alive = 1;\n",
                      "static void\nserve_conn(int fd, int idle_secs)\n{\n\tstruct request req;\n"
                      "\tstruct timeval tv = { .tv_sec = idle_secs, .tv_usec = 0 };\n"
                      "\tint keep_alive = 1;\n\n"
                      "\t/* An idle client must not hold the descriptor forever. */\n"
                      "\tif (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)\n"
                      "\t\tperror(\"setsockopt\");\n"))
    s.respond(ws.edit("src/server.c", "\t\tserve_conn(fd);\n",
                      "\t\tserve_conn(fd, opts->idle_secs);\n"))
    s.respond(ws.edit("src/main.c",
                      "\twhile ((c = getopt(argc, argv, \"p:v\")) != -1) {\n\t\tswitch (c) {\n",
                      "\twhile ((c = getopt(argc, argv, \"p:t:v\")) != -1) {\n\t\tswitch (c) {\n"
                      "\t\tcase 't':\n\t\t\topts.idle_secs = atoi(optarg);\n\t\t\tbreak;\n"))
    s.respond(bash("make && ./tests/run.sh", "Build and run the tests",
                   "cc -O2 -Wall -Wextra -c src/server.c -o src/server.o\n"
                   "cc -O2 -Wall -Wextra -c src/main.c -o src/main.o\n"
                   "cc -o tinyhttp src/main.o src/server.o src/http.o\n"
                   "PASS get_index\nPASS keep_alive_reuse\nPASS idle_timeout (5.0s)\n"
                   "3/3 tests passed", progress=3))
    h1 = git_hash("tinyhttp", 1)
    s.respond(bash("git commit -am \"Close idle keep-alive connections after a timeout\"",
                   "Commit the idle timeout",
                   "[fix/keep-alive-timeout %s] Close idle keep-alive connections after a timeout\n"
                   " 2 files changed, 31 insertions(+), 4 deletions(-)" % h1))
    s.respond(("text", "Idle connections now close after 5 s (`-t SECS` to change it): each accepted "
                       "socket gets `SO_RCVTIMEO`, so the blocking read returns `EAGAIN` and "
                       "`serve_conn` closes the descriptor. The build is warning-free and the new "
                       "`idle_timeout` test passes. Committed as `%s` on `fix/keep-alive-timeout`." % h1))
    s.end_turn()
    s.file_changed_snapshot()

    s.prompt("Also commit the README note about -t.", gap_s=60)
    s.respond(bash("git add README.md && git commit -m \"Document -t\"", "Commit the README",
                   "On branch fix/keep-alive-timeout\nnothing to commit, working tree clean",
                   error=True))
    s.respond(("text", "There's nothing to commit: README.md has no note about `-t` yet (I only "
                       "changed the C sources). Shall I add one?"))
    s.end_turn()

    s.prompt("yes please", gap_s=15)
    readme = "# tinyhttp\n\nA small HTTP/1.1 server.\n\n    tinyhttp [-p PORT] [-v]\n"
    ws.files["README.md"] = readme
    s.respond(ws.edit("README.md", "    tinyhttp [-p PORT] [-v]\n",
                      "    tinyhttp [-p PORT] [-t SECS] [-v]\n\n"
                      "`-t SECS` closes keep-alive connections idle for SECS seconds "
                      "(default 5).\n"))
    h2 = git_hash("tinyhttp", 2)
    s.respond(bash("git add README.md && git commit -m \"Document the -t idle timeout\"",
                   "Commit the README",
                   "[fix/keep-alive-timeout %s] Document the -t idle timeout\n"
                   " 1 file changed, 4 insertions(+), 1 deletion(-)" % h2))
    s.respond(("text", "Added the `-t SECS` usage line and a sentence about it to README.md; "
                       "committed as `%s`." % h2))
    s.end_turn()
    return s


DAILY = {
    "daily/2026-03-02.md": "# Mon 2 March\n\n- weatherbot: first version, current weather works\n"
                           "- dentist moved to Thursday\n- read: 'A Philosophy of Software Design' ch. 4\n",
    "daily/2026-03-04.md": "# Wed 4 March\n\n- tinyhttp: idle keep-alive fds leak, fixed with SO_RCVTIMEO\n"
                           "- call with Ana about the May trip: book trains before the 20th\n",
}

WEEKLY = """# Week 10 (2 to 6 March 2026)

## Projects
- **weatherbot**: first version (current weather), then a `forecast` command with tests;
  README with install and usage. Open: offline runs print a traceback.
- **tinyhttp**: idle keep-alive connections leaked descriptors; now closed after
  5 s (`-t` to change), documented in the README.

## Life
- Dentist moved to Thursday.
- May trip: book the trains before the 20th.

## Reading
- *A Philosophy of Software Design*, chapter 4 (deep modules).
"""


def notes_weekly():
    s = Session("notes-1", NOTES, "main", T(2026, 3, 6, 17, 40, 22, 650000),
                "gentle-paper-orchard", model="claude-sonnet-4-5-20250929")
    ws = Workspace(NOTES, DAILY)
    s.prompt("Summarise this week's daily notes into weekly/2026-W10.md, then commit it.", gap_s=0)
    s.respond(bash("ls daily/ | tail -5", "List recent daily notes",
                   "2026-02-24.md\n2026-02-26.md\n2026-02-27.md\n2026-03-02.md\n2026-03-04.md"))
    s.respond(("text", "Reading this week's notes."),
              ws.read("daily/2026-03-02.md"),
              ws.read("daily/2026-03-04.md"))
    s.respond(("text", "There is no note for Thursday; let me check whether today's exists."),
              Tool("Read", {"file_path": NOTES + "/daily/2026-03-06.md"},
                   "<tool_use_error>File does not exist.</tool_use_error>",
                   "Error: File does not exist.", is_error=True))
    s.respond(ws.write("weekly/2026-W10.md", WEEKLY))
    h = git_hash("notes", 1)
    s.respond(bash("git add weekly/2026-W10.md && git commit -m \"Weekly summary 2026-W10\"",
                   "Commit the weekly summary",
                   "[main %s] Weekly summary 2026-W10\n 1 file changed, 15 insertions(+)\n"
                   " create mode 100644 weekly/2026-W10.md" % h))
    s.respond(("text", "Wrote weekly/2026-W10.md (projects, life, reading) from the Monday and "
                       "Wednesday notes (there are none for Thursday or today). Committed as `%s`." % h))
    s.end_turn()
    return s


SESSIONS = [weatherbot_first, weatherbot_docs, weatherbot_offline, tinyhttp_keepalive, notes_weekly]


# ----------------------------------------------------------------------------- main

def build():
    out = {}
    for make in SESSIONS:
        s = make()
        out[os.path.join("projects", encode_cwd(s.cwd), s.id + ".jsonl")] = s.text()
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=here, help="directory to write projects/ into (default: %(default)s)")
    ap.add_argument("--list", action="store_true", help="print the Makefile.am list and exit")
    args = ap.parse_args()
    files = build()
    if args.list:
        print(" \\\n".join("\tsamples/" + p for p in sorted(files)))
        return
    projects = os.path.join(args.out, "projects")
    # Drop transcripts from earlier runs (only *.jsonl under projects/, then empty dirs).
    if os.path.isdir(projects):
        for d in os.listdir(projects):
            dp = os.path.join(projects, d)
            if not os.path.isdir(dp):
                continue
            for f in os.listdir(dp):
                if f.endswith(".jsonl"):
                    os.remove(os.path.join(dp, f))
            if not os.listdir(dp):
                os.rmdir(dp)
    for rel, text in sorted(files.items()):
        path = os.path.join(args.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print("%4d lines  %s" % (text.count("\n"), os.path.relpath(path)), file=sys.stderr)


if __name__ == "__main__":
    main()
