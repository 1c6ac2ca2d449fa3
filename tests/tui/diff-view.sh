#!/bin/sh
# The conversation shows an Edit as a unified diff and a Write as the lines
# it added, not as raw old_string/new_string fields; models' blank lines
# around their text are not drawn; o on a turn's header unfolds, then folds,
# all its calls. The transcript is written here; the
# expected lines follow from it (b replaced by B between kept a and c).
# Headless (AGENTLOGS_TUI_SCRIPT).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
f="$CLAUDE_HOME/projects/-home-ann-diff/0b5e7c4e-0000-4000-8000-00000000d1ff.jsonl"
mkdir -p "$(dirname "$f")"
python3 - "$f" <<'PY'
import json, sys
base = {"sessionId": "0b5e7c4e-0000-4000-8000-00000000d1ff", "cwd": "/home/ann/diff",
        "gitBranch": "main", "version": "2.1.9"}
tools = [{"type": "tool_use", "id": "e1", "name": "Edit",
          "input": {"file_path": "/home/ann/diff/f.txt", "old_string": "a\nb\nc",
                    "new_string": "a\nB\nc"}},
         {"type": "tool_use", "id": "w1", "name": "Write",
          "input": {"file_path": "/home/ann/diff/new.txt", "content": "first\nsecond\n"}}]
lines = [
    dict(base, type="user", uuid="u1", timestamp="2026-03-01T10:00:00.000Z",
         message={"role": "user", "content": "Change b"}),
    dict(base, type="assistant", uuid="a1", timestamp="2026-03-01T10:00:05.000Z",
         message={"id": "m1", "role": "assistant", "model": "m",
                  "content": [{"type": "text", "text": "\n\n\n\nOn it."}] + tools,
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
    dict(base, type="user", uuid="u2", timestamp="2026-03-01T10:00:06.000Z",
         message={"role": "user", "content": [
             {"type": "tool_result", "tool_use_id": "e1", "content": "updated"},
             {"type": "tool_result", "tool_use_id": "w1", "content": "written"}]}),
]
open(sys.argv[1], "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"
printf '%s\n' "key Enter" "key O" "save-display $T_TMP/diff.txt" >"$T_TMP/script"
t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x30 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser ($t_err)"
python3 - "$T_TMP/diff.txt" <<'PY' || exit 1
import sys
screen = [l.rstrip() for l in open(sys.argv[1], encoding="utf-8")]
want = ["       a", "      -b", "      +B", "       c", "      +first", "      +second"]
at = [screen.index(l) if l in screen else -1 for l in want]
fails = []
if -1 in at or at != sorted(at):
    fails.append(f"the diff lines {want} in order: found at {at}")
if any("old_string" in l or "new_string" in l or "content:" in l for l in screen):
    fails.append("raw old_string/new_string/content fields shown")
answer = [i for i, l in enumerate(screen) if l.strip() == "On it."]
if not answer or screen[answer[0] - 1].strip() == "":
    fails.append("a blank line before the answer's text")
if fails:
    print("FAIL: " + "; ".join(fails) + "\n" + "\n".join(screen))
    sys.exit(1)
PY

# o on the assistant turn's header (} goes there): both calls unfold at
# once; o again folds them both.
printf '%s\n' "key Enter" "key }" "key o" "save-display $T_TMP/open.txt" "key o" \
	"save-display $T_TMP/folded.txt" >"$T_TMP/script"
t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x30 "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser ($t_err)"
t_assert_eq 2 "$(grep -cE '^  ▾ (Edit|Write)' "$T_TMP/open.txt")" "calls unfolded by o on the turn's header"
t_assert_eq 2 "$(grep -cE '^  ▸ (Edit|Write)' "$T_TMP/folded.txt")" "calls folded by o again"
echo "PASS: an Edit as a unified diff, a Write as added lines, no blank lines around the text; o on a turn"
