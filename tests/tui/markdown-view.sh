#!/bin/sh
# The conversation shows an answer's Markdown lightly: a heading without its
# marks, **strong** without its stars, list items with bullets, fenced code
# indented without its fences; an unclosed ** and a_snake_case name stay as
# written. The answer is written here; the expected lines follow from it.
# Headless (AGENTLOGS_TUI_SCRIPT).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
f="$CLAUDE_HOME/projects/-home-ann-md/0b5e7c4e-0000-4000-8000-0000000000dd.jsonl"
mkdir -p "$(dirname "$f")"
python3 - "$f" <<'PY'
import json, sys
base = {"sessionId": "0b5e7c4e-0000-4000-8000-0000000000dd", "cwd": "/home/ann/md",
        "gitBranch": "main", "version": "2.1.9"}
answer = ("## The plan\n\nSome **bold** words and a_snake_case name, 2 ** 3 stays.\n\n"
          "- first item\n- second **item**\n\n```c\nint x = 1;\n```\nDone.")
lines = [
    dict(base, type="user", uuid="u1", timestamp="2026-03-01T10:00:00.000Z",
         message={"role": "user", "content": "Plan it"}),
    dict(base, type="assistant", uuid="a1", timestamp="2026-03-01T10:00:05.000Z",
         message={"id": "m1", "role": "assistant", "model": "m",
                  "content": [{"type": "text", "text": answer}],
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
open(sys.argv[1], "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"
printf '%s\n' "key Enter" "save-display $T_TMP/md.txt" >"$T_TMP/script"
t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x30 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser ($t_err)"
python3 - "$T_TMP/md.txt" <<'PY' || exit 1
import sys
screen = [l.rstrip() for l in open(sys.argv[1], encoding="utf-8")]
want = ["  The plan", "  Some bold words and a_snake_case name, 2 ** 3 stays.",
        "  \u2022 first item", "  \u2022 second item", "      int x = 1;", "  Done."]
at = [screen.index(l) if l in screen else -1 for l in want]
fails = []
if -1 in at or at != sorted(at):
    fails.append(f"the lines {want} in order: found at {at}")
if any("```" in l or l.lstrip().startswith("##") for l in screen):
    fails.append("a fence or a heading's marks shown")
if fails:
    print("FAIL: " + "; ".join(fails) + "\n" + "\n".join(screen))
    sys.exit(1)
PY
echo "PASS: light Markdown in the conversation"
