#!/bin/sh
# The read-only views (log, show, projects, analytics) over the imported
# samples. Their figures are checked against ones derived independently: from
# the JSONL transcripts with python3 (projects, sessions, tool calls, git
# commits, prompts, turns, tokens) and from data.db with python3's sqlite3
# (which commits exist, their order, flags and turn counts).
. "$SRCDIR/tests/integration/lib.sh"

[ -d "$AGENTLOGS_SAMPLES/projects" ] || t_skip "no samples at $AGENTLOGS_SAMPLES"
t_need_cmd python3
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME
DB=$AGENTLOGS_HOME/data.db
OUT=$T_TMP/out
mkdir "$OUT"

t_run "$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES"
t_assert_eq 0 "$t_rc" "import exit status ($t_err)"

# ---------------------------------------------------------------- facts
# From the transcripts alone: turns and tokens per session (transcript_facts.py),
# and here the projects with their sessions, tool calls by name and their
# failures, prompts, and each successful git commit's hash and subject.
python3 "$SRCDIR/tests/integration/transcript_facts.py" "$AGENTLOGS_SAMPLES" \
	>"$T_TMP/facts.json" || t_fail "transcript_facts.py"
python3 - "$AGENTLOGS_SAMPLES" >"$T_TMP/more-facts.json" <<'PY' || t_fail "JSONL facts"
import json, os, re, sys
SUMMARY = re.compile(r"^\[[^\]\n]+ ([0-9a-f]{7,40})\] (.*)$", re.M)
projects, tools, errors, names, git, prompts = {}, {}, {}, {}, [], 0
dec = json.JSONDecoder()
for dirpath, _, files in sorted(os.walk(os.path.join(sys.argv[1], "projects"))):
    for f in sorted(files):
        if not f.endswith(".jsonl"):
            continue
        seen = set()
        for line in open(os.path.join(dirpath, f), encoding="utf-8"):
            s, pos = line.strip(), 0
            while pos < len(s):
                obj, pos = dec.raw_decode(s, pos)
                while pos < len(s) and s[pos].isspace():
                    pos += 1
                if obj.get("type") not in ("user", "assistant"):
                    continue
                cwd = obj["cwd"].rstrip("/")
                projects.setdefault(os.path.basename(cwd), set()).add(obj["sessionId"])
                content = obj.get("message", {}).get("content")
                if obj["type"] == "user" and not obj.get("isMeta"):
                    if isinstance(content, str) and content:
                        prompts += 1
                    elif isinstance(content, list) and any(
                            (b.get("type") == "text" and b.get("text")) or
                            b.get("type") == "image" for b in content):
                        prompts += 1
                for b in content if isinstance(content, list) else []:
                    if b.get("type") == "tool_use" and b["id"] not in seen:
                        seen.add(b["id"])
                        names[b["id"]] = b["name"]
                        tools[b["name"]] = tools.get(b["name"], 0) + 1
                    if b.get("type") == "tool_result":
                        name = names.get(b["tool_use_id"], "?")
                        if b.get("is_error"):
                            errors[name] = errors.get(name, 0) + 1
                        text = b.get("content")
                        if isinstance(text, list):
                            text = "\n".join(x.get("text", "") for x in text)
                        m = SUMMARY.search(text or "")
                        if name == "Bash" and m and not b.get("is_error"):
                            git.append([m.group(1), m.group(2)])
json.dump({"projects": {k: sorted(v) for k, v in projects.items()}, "tools": tools,
           "tool_errors": errors, "git": git, "prompts": prompts}, sys.stdout)
PY

# ---------------------------------------------------------------- log
t_run "$AGENTLOGS" log
t_assert_eq 0 "$t_rc" "log exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/log"
case $t_out in
*"$(printf '\033')"*) t_fail "log wrote colour codes to a pipe" ;;
esac
t_run "$AGENTLOGS" log --json
t_assert_eq 0 "$t_rc" "log --json exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/log.json"
t_assert_json "$OUT/log.json" "log --json"
t_run "$AGENTLOGS" log --limit 2
t_assert_eq 0 "$t_rc" "log --limit exit status ($t_err)"
t_assert_eq "$(head -n 2 "$OUT/log")" "$t_out" "log --limit 2"
t_run "$AGENTLOGS" log --project weatherbot
t_assert_eq 0 "$t_rc" "log --project exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/log-weatherbot"

python3 - "$DB" "$OUT" "$T_TMP/more-facts.json" <<'PY' || exit 1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out, facts = sys.argv[2], json.load(open(sys.argv[3]))
fail = []
def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected!r}, got {actual!r}")

live = db.execute("""SELECT id, started_at, closed_by, git_hash, turn_count,
    (SELECT count(*) FROM sessions s WHERE s.commit_id = c.id)
    FROM cognitive_commits c WHERE deleted_at IS NULL AND hidden = 0
    ORDER BY started_at DESC, id DESC""").fetchall()
lines = open(f"{out}/log").read().splitlines()
check("log lines", len(live), len(lines))
check("log ids, newest first", [r[0][:8] for r in live], [l[:8] for l in lines])
for r, l in zip(live, lines):
    if f" {r[4]} turn" not in l:
        fail.append(f"log line for {r[0]} lacks its {r[4]} turns: {l}")
    closed = f"git {r[3][:7]}" if r[2] == "git_commit" else r[2]
    if f" {closed} " not in l:
        fail.append(f"log line for {r[0]} lacks '{closed}': {l}")
# Each successful git commit in the transcripts is a line with its hash and subject.
check("git commits in the log", len(facts["git"]),
      sum(1 for l in lines if " git " in l))
for h, subject in facts["git"]:
    if not any(f"git {h[:7]} " in l and l.endswith(subject) for l in lines):
        fail.append(f"no log line shows git commit {h[:7]} '{subject}'")

arr = json.load(open(f"{out}/log.json"))
keys = ["id", "project", "title", "first_prompt", "git_subject", "git_hash", "started_at",
        "closed_at", "closed_by", "parallel", "published", "hidden", "display_order",
        "turns", "sessions", "files_read", "files_changed", "git_elsewhere"]
check("log --json length", len(live), len(arr))
for r, o in zip(live, arr):
    check("log --json keys", keys, list(o))
    check("log --json id", r[0], o["id"])
    check(f"log --json {r[0]} turns", r[4], o["turns"])
    check(f"log --json {r[0]} sessions", r[5], o["sessions"])
    check(f"log --json {r[0]} closed_by", r[2], o["closed_by"])
    for k in ("files_read", "files_changed", "git_elsewhere"):
        if not isinstance(o[k], list):
            fail.append(f"log --json {k} is not an array: {o[k]!r}")
starts = [o["started_at"] for o in arr]
check("log --json order", sorted(starts, reverse=True), starts)

wb = db.execute("""SELECT count(*) FROM cognitive_commits c JOIN projects p
    ON p.id = c.project_id WHERE p.name = 'weatherbot' AND c.deleted_at IS NULL
    AND c.hidden = 0""").fetchone()[0]
wl = open(f"{out}/log-weatherbot").read().splitlines()
check("log --project weatherbot lines", wb, len(wl))
check("log --project weatherbot only", [], [l for l in wl if " weatherbot " not in l])
if fail:
    print("FAIL: " + "\nFAIL: ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

t_run "$AGENTLOGS" log --project no-such-project
t_assert_eq 1 "$t_rc" "log --project unknown exit status"
t_assert_one_line "$t_err" "log --project unknown error"
t_run "$AGENTLOGS" log --limit 0
t_assert_eq 2 "$t_rc" "log --limit 0 exit status"

# On a terminal (script(1) gives one, 60 columns wide): ids in yellow unless
# NO_COLOR is set, and every line fits the width.
t_need_cmd script
script -qc true /dev/null >/dev/null 2>&1 || t_fail "script(1) gives no terminal"
script -qc "stty cols 60 2>/dev/null; \"\$AGENTLOGS\" log" /dev/null \
	>"$OUT/log-tty" 2>&1 || t_fail "log on a terminal"
NO_COLOR=1 script -qc "stty cols 60 2>/dev/null; \"\$AGENTLOGS\" log" /dev/null \
	>"$OUT/log-nocolor" 2>&1 || t_fail "log on a terminal with NO_COLOR"
python3 - "$OUT" <<'PY' || exit 1
import re, sys
out = sys.argv[1]
tty = open(f"{out}/log-tty", encoding="utf-8").read().replace("\r", "").splitlines()
plain = open(f"{out}/log-nocolor", encoding="utf-8").read().replace("\r", "").splitlines()
full = open(f"{out}/log").read().splitlines()
fail = []
if len(tty) != len(full) or len(plain) != len(full):
    fail.append(f"terminal log has {len(tty)}/{len(plain)} lines, not {len(full)}")
for l, f in zip(tty, full):
    if not l.startswith("\033[33m" + f[:8] + "\033[m "):
        fail.append(f"id not in yellow: {l!r}")
    if len(re.sub("\033\\[[0-9;]*m", "", l)) > 59:
        fail.append(f"line wider than 59 columns: {l!r}")
for l in plain:
    if "\033" in l:
        fail.append(f"colour despite NO_COLOR: {l!r}")
if fail:
    print("FAIL: " + "\nFAIL: ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

# ---------------------------------------------------------------- show
# A commit closed by a git commit, shown by the 8-character prefix log prints.
ID=$(t_sql "$DB" "SELECT id FROM cognitive_commits WHERE closed_by = 'git_commit'
	AND deleted_at IS NULL ORDER BY turn_count DESC, id LIMIT 1")
[ -n "$ID" ] || t_fail "no commit closed by a git commit"
PREFIX=$(printf '%s' "$ID" | cut -c1-8)
t_run "$AGENTLOGS" show "$PREFIX"
t_assert_eq 0 "$t_rc" "show $PREFIX exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/show"
t_run "$AGENTLOGS" show --json "$PREFIX"
t_assert_eq 0 "$t_rc" "show --json exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/show.json"
t_assert_json "$OUT/show.json" "show --json"
t_run "$AGENTLOGS" show "$ID"
t_assert_eq 0 "$t_rc" "show by full id ($t_err)"
t_assert_eq "$(cat "$OUT/show")" "$t_out" "show by full id"
t_run "$AGENTLOGS" show "$(printf '%s' "$PREFIX" | tr a-f A-F)" --json
t_assert_eq 0 "$t_rc" "show by upper-case prefix, option last ($t_err)"
t_assert_eq "$(cat "$OUT/show.json")" "$t_out" "show by upper-case prefix"

python3 - "$DB" "$OUT" "$ID" <<'PY' || exit 1
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out, cid = sys.argv[2], sys.argv[3]
fail = []
def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected!r}, got {actual!r}")

text = open(f"{out}/show").read()
lines = text.splitlines()
check("show first line", f"commit {cid}", lines[0])
gh, subject = db.execute("SELECT git_hash, git_subject FROM cognitive_commits WHERE id = ?",
                         (cid,)).fetchone()
if gh not in text or subject not in text:
    fail.append(f"show lacks the git commit {gh} {subject}")
turns = db.execute("""SELECT t.role, t.content, t.tool_calls, t.thinking FROM turns t
    JOIN sessions s ON s.id = t.session_id WHERE s.commit_id = ?
    ORDER BY s.started_at, s.id, t.seq""", (cid,)).fetchall()
calls = sum(len(json.loads(t[2])) for t in turns)
shown = [t for t in turns if t[0] == "assistant" or t[1].strip() or json.loads(t[2])]
check("show turn headings", [t[0] for t in shown],
      [l.split()[0] for l in lines if l.startswith("  user ") or l.startswith("  assistant ")])
check("show tool call lines", calls, sum(1 for l in lines if l.startswith("    \u23fa ")))
for t in turns:
    if t[3] and len(t[3]) > 20 and t[3] in text:
        fail.append("show printed a turn's thinking")
sessions = db.execute("SELECT claude_session_id FROM sessions WHERE commit_id = ?",
                      (cid,)).fetchall()
for (sid,) in sessions:
    if f"Session {sid}" not in text:
        fail.append(f"show lacks session {sid}")

o = json.load(open(f"{out}/show.json"))
check("show --json id", cid, o["id"])
check("show --json sessions", len(sessions), len(o["sessions"]))
got = [t for s in o["sessions"] for t in s["turns"]]
check("show --json turns", len(turns), len(got))
check("show --json turn count", len(turns), o["turns"])
check("show --json roles", [t[0] for t in turns], [t["role"] for t in got])
check("show --json tool calls", calls, sum(len(t["tool_calls"]) for t in got))
for t in got:
    for k in ("id", "seq", "timestamp", "content", "thinking", "model", "input_tokens",
              "output_tokens", "cache_read_tokens", "cache_creation_tokens"):
        if k not in t:
            fail.append(f"show --json turn lacks {k}")
    for c in t["tool_calls"]:
        check("tool call keys", ["id", "name", "input", "result", "is_error"], list(c))
if fail:
    print("FAIL: " + "\nFAIL: ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

# The shortest prefix two live commits share is ambiguous; a hex prefix no
# commit has is unknown.
AMBIG=$(python3 - "$DB" <<'PY'
import sqlite3, sys
ids = sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "SELECT id FROM cognitive_commits WHERE deleted_at IS NULL"))
best = None
for a, b in zip(ids, ids[1:]):
    n = 0
    while a[n] == b[n]:
        n += 1
    if n > 0 and (best is None or n < len(best)):
        best = a[:n]
print(best or "")
PY
)
[ -n "$AMBIG" ] || t_fail "no two commits share a prefix (too few commits?)"
t_run "$AGENTLOGS" show "$AMBIG"
t_assert_eq 1 "$t_rc" "show ambiguous prefix '$AMBIG' exit status"
t_assert_one_line "$t_err" "ambiguous prefix error"
t_assert_contains "$t_err" "ambiguous" "ambiguous prefix error"
t_assert_eq "" "$t_out" "show ambiguous prefix stdout"
UNKNOWN=$(python3 - "$DB" <<'PY'
import sqlite3, sys
ids = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM cognitive_commits")]
print(next(p for p in (f"{n:04x}" for n in range(65536))
           if not any(i.startswith(p) for i in ids)))
PY
)
t_run "$AGENTLOGS" show "$UNKNOWN"
t_assert_eq 1 "$t_rc" "show unknown prefix exit status"
t_assert_one_line "$t_err" "unknown prefix error"
t_assert_contains "$t_err" "no commit matches" "unknown prefix error"
t_run "$AGENTLOGS" show 'zz%'
t_assert_eq 1 "$t_rc" "show invalid id exit status"
t_assert_one_line "$t_err" "invalid id error"
t_run "$AGENTLOGS" show
t_assert_eq 2 "$t_rc" "show without an id exit status"

# ---------------------------------------------------------------- projects
t_run "$AGENTLOGS" projects
t_assert_eq 0 "$t_rc" "projects exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/projects"
t_run "$AGENTLOGS" projects --json
t_assert_eq 0 "$t_rc" "projects --json exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/projects.json"
t_assert_json "$OUT/projects.json" "projects --json"

# ---------------------------------------------------------------- analytics
t_run "$AGENTLOGS" analytics
t_assert_eq 0 "$t_rc" "analytics exit status ($t_err)"
t_assert_contains "$t_out" "nothing leaves the machine" "analytics"
printf '%s\n' "$t_out" >"$OUT/analytics"
t_run "$AGENTLOGS" analytics --json
t_assert_eq 0 "$t_rc" "analytics --json exit status ($t_err)"
printf '%s\n' "$t_out" >"$OUT/analytics.json"
t_assert_json "$OUT/analytics.json" "analytics --json"

python3 - "$DB" "$OUT" "$T_TMP/facts.json" "$T_TMP/more-facts.json" <<'PY' || exit 1
import json, sqlite3, statistics, sys
db = sqlite3.connect(sys.argv[1])
out = sys.argv[2]
facts = json.load(open(sys.argv[3]))
more = json.load(open(sys.argv[4]))
fail = []
def check(what, expected, actual):
    if expected != actual:
        fail.append(f"{what}: expected {expected!r}, got {actual!r}")

# projects: names and sessions from the transcripts; commits and turns per project
# from the store.
per = {r[0]: r[1:] for r in db.execute("""SELECT p.name, count(c.id), sum(c.turn_count)
    FROM projects p JOIN cognitive_commits c ON c.project_id = p.id
    WHERE c.deleted_at IS NULL GROUP BY p.name""")}
arr = json.load(open(f"{out}/projects.json"))
check("projects", sorted(more["projects"]), sorted(p["name"] for p in arr))
lines = open(f"{out}/projects").read().splitlines()
check("projects lines", len(more["projects"]) + 1, len(lines))
for p in arr:
    name = p["name"]
    check(f"{name} sessions", len(more["projects"].get(name, [])), p["sessions"])
    check(f"{name} commits", per[name][0], p["commits"])
    check(f"{name} turns", per[name][1], p["turns"])
    row = [l for l in lines if l.split()[0] == name]
    check(f"{name} text row", [name, str(p["commits"]), str(p["sessions"]), str(p["turns"])],
          row[0].split()[:4] if row else None)
last = [p["last_activity"] for p in arr]
check("projects order", sorted(last, reverse=True), last)

a = json.load(open(f"{out}/analytics.json"))
sessions = facts["sessions"].values()
check("analytics projects", len(more["projects"]), a["projects"])
check("analytics sessions", len(facts["sessions"]), a["sessions"])
check("analytics turns", sum(s["turns"] for s in sessions), a["turns"])
check("analytics prompts", more["prompts"], a["prompts"])
for k in ("input", "output", "cache_read", "cache_creation"):
    check(f"analytics tokens {k}", sum(s[k] for s in sessions), a["tokens"][k])
check("analytics git commits", len(more["git"]), a["commits"]["git_commit"])
by = dict(db.execute("""SELECT closed_by, count(*) FROM cognitive_commits
    WHERE deleted_at IS NULL GROUP BY 1""").fetchall())
for k in ("git_commit", "session_end", "open"):
    check(f"analytics commits {k}", by.get(k, 0), a["commits"][k])
check("analytics commits total", sum(by.values()), a["commits"]["total"])
top = sorted(more["tools"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
check("analytics top tools", [[n, c, more["tool_errors"].get(n, 0)] for n, c in top],
      [[t["name"], t["calls"], t["errors"]] for t in a["top_tools"]])
check("analytics tool calls", sum(more["tools"].values()), a["tool_calls"])
tc = [r[0] for r in db.execute(
    "SELECT turn_count FROM cognitive_commits WHERE deleted_at IS NULL")]
check("analytics turns per commit max", max(tc), a["turns_per_commit"]["max"])
check("analytics turns per commit median", statistics.median(tc),
      a["turns_per_commit"]["median"])
if abs(statistics.mean(tc) - a["turns_per_commit"]["mean"]) > 1e-9:
    fail.append(f"turns per commit mean: {statistics.mean(tc)} != {a['turns_per_commit']['mean']}")
text = open(f"{out}/analytics").read()
check("analytics text turns line", True,
      f"Turns           {a['turns']} (prompts {a['prompts']})" in text)
if fail:
    print("FAIL: " + "\nFAIL: ".join(fail), file=sys.stderr)
    sys.exit(1)
PY

t_run "$AGENTLOGS" analytics --opt-in
t_assert_eq 0 "$t_rc" "analytics --opt-in exit status ($t_err)"
t_assert_contains "$(cat "$AGENTLOGS_HOME/config")" "analytics.opt-in = true" "config after --opt-in"
t_run "$AGENTLOGS" analytics --json
t_assert_eq True "$(printf '%s' "$t_out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["opt_in"])')" \
	"analytics --json opt_in after --opt-in"
t_run "$AGENTLOGS" analytics --opt-out
t_assert_eq 0 "$t_rc" "analytics --opt-out exit status ($t_err)"
t_assert_contains "$(cat "$AGENTLOGS_HOME/config")" "analytics.opt-in = false" "config after --opt-out"
t_run "$AGENTLOGS" analytics --opt-in --opt-out
t_assert_eq 2 "$t_rc" "analytics --opt-in --opt-out exit status"

# ---------------------------------------------------------------- help, usage
for cmd in log show projects analytics; do
	t_run "$AGENTLOGS" "$cmd" --help
	t_assert_eq 0 "$t_rc" "$cmd --help exit status"
	t_assert_contains "$t_out" "usage: agentlogs $cmd" "$cmd --help"
	t_run "$AGENTLOGS" "$cmd" --no-such-option
	t_assert_eq 2 "$t_rc" "$cmd --no-such-option exit status"
	t_assert_contains "$t_err" "unknown option '--no-such-option'" "$cmd --no-such-option"
	t_run "$AGENTLOGS" "$cmd" -Z
	t_assert_eq 2 "$t_rc" "$cmd -Z exit status"
done
t_assert_contains "$("$AGENTLOGS" analytics --help)" "nothing leaves the" "analytics --help"

# ---------------------------------------------------------------- curation
# A hidden commit leaves the log unless --all; a tombstoned one is gone everywhere.
HIDDEN=$(sed -n 1p "$OUT/log" | cut -c1-8)
GONE=$(sed -n 2p "$OUT/log" | cut -c1-8)
python3 - "$DB" "$HIDDEN" "$GONE" <<'PY' || t_fail "curating commits"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE cognitive_commits SET hidden = 1 WHERE id LIKE ? || '%'", (sys.argv[2],))
db.execute("UPDATE cognitive_commits SET deleted_at = '2026-03-10T00:00:00.000Z'"
           " WHERE id LIKE ? || '%'", (sys.argv[3],))
db.commit()
PY
N=$(wc -l <"$OUT/log")
t_run "$AGENTLOGS" log
t_assert_eq $((N - 2)) "$(printf '%s\n' "$t_out" | wc -l)" "log lines without hidden and tombstoned"
case $t_out in *"$HIDDEN"* | *"$GONE"*) t_fail "log shows a hidden or tombstoned commit" ;; esac
t_run "$AGENTLOGS" log --all
t_assert_eq $((N - 1)) "$(printf '%s\n' "$t_out" | wc -l)" "log --all lines"
t_assert_contains "$t_out" "$HIDDEN" "log --all"
case $t_out in *"$GONE"*) t_fail "log --all shows a tombstoned commit" ;; esac
t_run "$AGENTLOGS" log --all --json
t_assert_eq "$HIDDEN" "$(printf '%s' "$t_out" | python3 -c 'import json, sys
print(" ".join(o["id"][:8] for o in json.load(sys.stdin) if o["hidden"]))')" "log --all --json hidden"
t_run "$AGENTLOGS" show "$HIDDEN"
t_assert_eq 0 "$t_rc" "show a hidden commit ($t_err)"
t_run "$AGENTLOGS" show "$GONE"
t_assert_eq 1 "$t_rc" "show a tombstoned commit"
t_assert_contains "$t_err" "no commit matches" "show a tombstoned commit"

# An empty store: no lines, an empty JSON array.
AGENTLOGS_HOME=$T_TMP/empty
export AGENTLOGS_HOME
t_run "$AGENTLOGS" log
t_assert_eq 0 "$t_rc" "log on an empty store ($t_err)"
t_assert_eq "" "$t_out" "log on an empty store"
t_run "$AGENTLOGS" log --json
t_assert_eq "[]" "$t_out" "log --json on an empty store"
t_run "$AGENTLOGS" analytics --json
t_assert_eq 0 "$t_rc" "analytics on an empty store ($t_err)"
exit 0
