#!/bin/sh
# agentlogs export against the real Claude Code transcripts in
# ../shared/fixtures (read in place) and a transcript of our own with odd
# content. What each document must hold comes from the transcripts
# themselves, read here with Python: every prompt and answer (Markdown and
# HTML), every line an Edit added (Markdown's diffs), the turns of each
# session (JSON, against transcript_facts.py). Then the files: HTML is self-
# contained (nothing fetched) and well nested; -o writes whole files only,
# picks the format from the extension; errors are one line with the usual
# exit statuses; no escape sequence from a transcript reaches the output.
. "$SRCDIR/tests/integration/lib.sh"

t_need_fixtures
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME

t_run "$AGENTLOGS" import --claude-dir "$FIXTURES"
t_assert_eq 0 "$t_rc" "import of the fixtures ($t_err)"
ids=$("$AGENTLOGS" log --all --json | python3 -c 'import json, sys; print(" ".join(c["id"] for c in json.load(sys.stdin)))')
[ -n "$ids" ] || t_fail "no commits imported"

# ---- Markdown: every prompt and answer, every line an Edit added.
# shellcheck disable=SC2086
t_run "$AGENTLOGS" export $ids
t_assert_eq 0 "$t_rc" "export as Markdown ($t_err)"
printf '%s\n' "$t_out" >"$T_TMP/all.md"
cat >"$T_TMP/texts.py" <<'PY'
"""The prompts and answers of transcripts, and the lines their Edit calls add."""
import json, os


def clean(s):
    # What a reader gets: no control characters but tab and newline, no blank lines around.
    return "".join(ch for ch in s if ch >= " " or ch in "\n\t").strip()


def clean_lines(s):
    # A diff's lines: the first keeps its indentation, blank lines around go.
    lines = "".join(ch for ch in s if ch >= " " or ch in "\n\t").rstrip().split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def transcripts(root):
    for dirpath, _, files in sorted(os.walk(os.path.join(root, "projects"))):
        for name in sorted(files):
            if name.endswith(".jsonl"):
                for line in open(os.path.join(dirpath, name), encoding="utf-8"):
                    try:
                        yield json.loads(line)
                    except ValueError:
                        pass


def texts(root):
    for o in transcripts(root):
        if o.get("type") not in ("user", "assistant") or o.get("isMeta"):
            continue
        c = o.get("message", {}).get("content")
        blocks = [c] if isinstance(c, str) else \
            [b.get("text", "") for b in c or [] if isinstance(b, dict) and b.get("type") == "text"]
        for t in blocks:
            if clean(t):
                yield clean(t)


def added_lines(root):
    """Lines added by Edit calls that worked (a failed edit changed nothing)."""
    edits, failed = {}, set()
    for o in transcripts(root):
        c = o.get("message", {}).get("content")
        for b in c if isinstance(c, list) else []:
            if o.get("type") == "assistant" and b.get("type") == "tool_use" and b.get("name") == "Edit":
                edits[b["id"]] = b.get("input", {}).get("new_string", "")
            elif b.get("type") == "tool_result" and b.get("is_error"):
                failed.add(b.get("tool_use_id"))
    for tid, new in edits.items():
        if tid not in failed:
            yield from clean_lines(new)
PY
python3 - "$FIXTURES" "$T_TMP/all.md" "$T_TMP" <<'PY' || exit 1
import sys
sys.path.insert(0, sys.argv[3])
from texts import texts, added_lines
md = open(sys.argv[2], encoding="utf-8").read()
want = list(texts(sys.argv[1]))
missing = [t for t in want if t not in md]
lines = set(md.split("\n"))
edits = list(added_lines(sys.argv[1]))
# Unified: a line of new_string is added ("+") or kept (" ").
no_diff = [l for l in edits if "+" + l not in lines and " " + l not in lines]
if len(want) < 100 or missing or not edits or no_diff:
    print(f"FAIL: {len(want)} prompts and answers, {len(missing)} missing: {missing[:3]}; "
          f"{len(edits)} added lines, {len(no_diff)} not in a diff: {no_diff[:3]}")
    sys.exit(1)
PY

# ---- JSON: each session's turns, as transcript_facts.py counts them.
python3 "$SRCDIR/tests/integration/transcript_facts.py" "$FIXTURES" >"$T_TMP/facts.json" ||
	t_fail "transcript_facts.py"
# shellcheck disable=SC2086
t_run "$AGENTLOGS" export --format json $ids
t_assert_eq 0 "$t_rc" "export as JSON ($t_err)"
printf '%s\n' "$t_out" >"$T_TMP/all.json"
python3 - "$T_TMP/facts.json" "$T_TMP/all.json" "$(printf '%s\n' $ids | wc -l)" <<'PY' || exit 1
import json, sys
facts = json.load(open(sys.argv[1]))["sessions"]
doc = json.load(open(sys.argv[2]))
turns = {}
for c in doc["commits"]:
    for s in c["sessions"]:
        turns[s["claude_session_id"]] = turns.get(s["claude_session_id"], 0) + len(s["turns"])
want = {sid: f["turns"] for sid, f in facts.items()}
if doc["agentlogs_export"] != 1 or len(doc["commits"]) != int(sys.argv[3]) or turns != want:
    print(f"FAIL: {len(doc['commits'])} commits, turns per session {turns} != {want}")
    sys.exit(1)
PY

# ---- HTML: -o with the format from the extension; whole, nested, self-contained.
# shellcheck disable=SC2086
t_run "$AGENTLOGS" export -o "$T_TMP/all.html" $ids
t_assert_eq 0 "$t_rc" "export -o all.html ($t_err)"
t_assert_eq "" "$t_out" "stdout with -o"
python3 - "$FIXTURES" "$T_TMP/all.html" "$T_TMP" <<'PY' || exit 1
import html, html.parser, sys
sys.path.insert(0, sys.argv[3])
from texts import texts
doc = open(sys.argv[2], encoding="utf-8").read()
VOID = {"meta", "br", "hr", "img", "link", "input"}

class Nesting(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.external = [], [], []

    def handle_starttag(self, tag, attrs):
        self.external += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("#")]
        if tag in ("script", "link", "iframe", "object"):
            self.external.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()

p = Nesting()
p.feed(doc)
missing = [t for t in texts(sys.argv[1]) if html.escape(t, quote=True).replace("&#x27;", "&#39;") not in doc]
fails = []
if not doc.startswith("<!DOCTYPE html>"):
    fails.append("no doctype")
if p.stack or p.errors:
    fails.append(f"nesting: {p.errors[:3]} open {p.stack}")
if p.external or "@import" in doc or "url(" in doc:
    fails.append(f"fetches {p.external[:3]}")
if missing:
    fails.append(f"{len(missing)} texts missing: {missing[:2]}")
if fails:
    print("FAIL: " + "; ".join(fails))
    sys.exit(1)
PY
ls "$T_TMP" | grep -q 'all\.html\.' && t_fail "a temporary file was left: $(ls "$T_TMP")"

# ---- A project, oldest first; .json picks JSON.
project=$("$AGENTLOGS" log --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["project"])')
t_run "$AGENTLOGS" export --project "$project" -o "$T_TMP/project.json"
t_assert_eq 0 "$t_rc" "export --project ($t_err)"
"$AGENTLOGS" log --project "$project" --json >"$T_TMP/project-log.json"
python3 - "$T_TMP/project.json" "$T_TMP/project-log.json" <<'PY' || exit 1
import json, sys
doc, log = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
got = [c["id"] for c in doc["commits"]]
want = [c["id"] for c in sorted(log, key=lambda c: (c["started_at"], c["id"]))]
if got != want:
    print(f"FAIL: --project gave {got}, not the project's commits oldest first {want}")
    sys.exit(1)
PY

# ---- Odd content of our own: escape sequences, backticks, a fence inside an edit.
CLAUDE=$T_TMP/claude
mkdir -p "$CLAUDE/projects/-home-ann-odd"
python3 - "$CLAUDE/projects/-home-ann-odd/0b5e7c4e-0000-4000-8000-000000000001.jsonl" <<'PY'
import json, sys
sid = "0b5e7c4e-0000-4000-8000-000000000001"
base = {"sessionId": sid, "cwd": "/home/ann/odd", "gitBranch": "main", "version": "2.1.9"}
lines = [
    dict(base, type="user", uuid="u1", timestamp="2026-03-01T10:00:00.000Z",
         message={"role": "user", "content": "\n\n\nred \x1b[31malert\x1b[0m and a bell\x07 ``x``\n\n"}),
    dict(base, type="assistant", uuid="a1", timestamp="2026-03-01T10:00:05.000Z",
         message={"id": "msg_odd_1", "role": "assistant", "model": "m",
                  "content": [{"type": "text", "text": "Fixing the README."},
                              {"type": "tool_use", "id": "tu1", "name": "Edit",
                               "input": {"file_path": "/home/ann/odd/README.md",
                                         "old_string": "old", "new_string": "```sh\nmake\n```"}},
                              {"type": "tool_use", "id": "tu2", "name": "Bash",
                               "input": {"command": "echo `date`"}}],
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
open(sys.argv[1], "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import --claude-dir "$CLAUDE"
t_assert_eq 0 "$t_rc" "import of the odd transcript ($t_err)"
odd=$("$AGENTLOGS" log --project odd --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
t_run "$AGENTLOGS" export "$odd"
t_assert_eq 0 "$t_rc" "export of the odd commit ($t_err)"
printf '%s\n' "$t_out" >"$T_TMP/odd.md"
python3 - "$T_TMP/odd.md" <<'PY' || exit 1
import sys
md = open(sys.argv[1], encoding="utf-8").read()
fails = []
if any(ord(ch) < 32 and ch not in "\n\t" for ch in md):
    fails.append("a control character is in the output")
if "red [31malert[0m and a bell ``x``" not in md:
    fails.append("the prompt, without its control characters and blank lines")
# The edit adds a ``` line: its fence must be longer, so nothing closes it early.
if "````diff\n-old\n+```sh\n+make\n+```\n````\n" not in md:
    fails.append("the diff in a fence longer than the ``` it holds")
if "- **Bash**: `` echo `date` ``" not in md:
    fails.append("the command with a backtick in a double-backtick span")
if fails:
    print("FAIL: " + "; ".join(fails) + "\n" + md)
    sys.exit(1)
PY

# ---- Errors: one line each, the usual exit statuses, nothing left behind.
t_run "$AGENTLOGS" export
t_assert_eq 2 "$t_rc" "export without commits"
t_run "$AGENTLOGS" export --format pdf "$odd"
t_assert_eq 2 "$t_rc" "export --format pdf"
t_assert_contains "$t_err" "markdown, json or html"
t_run "$AGENTLOGS" export --project odd "$odd"
t_assert_eq 2 "$t_rc" "ids and --project together"
t_run "$AGENTLOGS" export ffffffff
t_assert_eq 1 "$t_rc" "an unknown id"
t_run "$AGENTLOGS" export --project nosuch
t_assert_eq 1 "$t_rc" "an unknown project"
t_assert_contains "$t_err" "no project named 'nosuch'"
t_run "$AGENTLOGS" export -o "$T_TMP/missing/dir/x.md" "$odd"
t_assert_eq 1 "$t_rc" "-o into a missing directory"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of the error ($t_err)"
echo "PASS: export as Markdown, JSON and HTML holds every prompt, answer and edit; files whole; errors clear"
