#!/bin/sh
# A pasted screenshot in the conversation (headless, AGENTLOGS_TUI_SCRIPT, at
# 80x30): the turn lists it as "▣ image 1 (PNG 64x32, 1 KB; i opens it)" and,
# built with libchafa, draws it below in Unicode blocks: the picture is black
# on its left half and white on its right, so each of its lines is as many
# blanks as full blocks (light where the picture is light), no line wider
# than the pane and at most 12 of them. i on the picture opens the imported
# file where it is ($AGENTLOGS_OPEN: a script noting its argument). At 40x10
# the line still names the image.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
grep -q '^#define HAVE_CHAFA 1' "$(dirname "$AGENTLOGS")/config.h" ||
	t_skip "built without libchafa (apt-get install libchafa-dev libpng-dev)"
python3 - "$CLAUDE_HOME/projects/-home-ann-pic" <<'PY' || t_fail "writing the transcript"
import base64, json, os, struct, sys, zlib
def png(w, h, px):
    raw = b"".join(b"\0" + bytes(px(x, y) for x in range(w) for _ in range(3)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
os.makedirs(sys.argv[1])
data = png(64, 32, lambda x, y: 0 if x < 32 else 255)
sid = "0b5e7c4e-0000-4000-8000-0000000000aa"
base = {"sessionId": sid, "cwd": "/home/ann/pic"}
image = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
         "data": base64.b64encode(data).decode()}}
lines = [dict(base, type="user", uuid="u1", timestamp="2026-03-01T10:00:00.000Z",
              message={"role": "user", "content": [{"type": "text", "text": "see"}, image]}),
         dict(base, type="assistant", uuid="a1", timestamp="2026-03-01T10:00:05.000Z",
              message={"id": "m1", "role": "assistant", "model": "m",
                       "content": [{"type": "text", "text": "Seen."}],
                       "usage": {"input_tokens": 1, "output_tokens": 1}})]
open(os.path.join(sys.argv[1], sid + ".jsonl"), "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"
sha=$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT sha256 FROM visuals")
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >"%s"\n' "$T_TMP/opened" >"$T_TMP/open.sh"
chmod +x "$T_TMP/open.sh"

printf '%s\n' "key Enter" "save-display $T_TMP/screen.txt" "key j" "key j" "key j" "key i" \
	"resize 40 10" "save-display $T_TMP/small.txt" >"$T_TMP/script"
t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x30 \
	AGENTLOGS_OPEN="$T_TMP/open.sh" "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "the browser ($t_err)"
python3 - "$T_TMP/screen.txt" <<'PY' || exit 1
import sys
screen = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
fails = []
at = [i for i, l in enumerate(screen) if l.strip() == "▣ image 1 (PNG 64x32, 1 KB; i opens it)"]
if len(at) != 1:
    fails.append("one image line")
else:
    rows = []
    for l in screen[at[0] + 1:]:
        if l.strip() == "":
            break
        rows.append(l)
    if not 1 <= len(rows) <= 12:
        fails.append(f"1 to 12 picture lines, got {len(rows)}")
    for r in rows:
        body = r[4:].rstrip()
        blanks = len(body) - len(body.lstrip(" "))
        blocks = body.lstrip(" ")
        if not r.startswith("    ") or blanks == 0 or blocks != "█" * blanks or len(r) > 80:
            fails.append(f"a line half blank, half full blocks: {r!r}")
            break
if fails:
    print("FAIL: " + "; ".join(fails) + "\n" + "\n".join(screen))
    sys.exit(1)
PY
t_assert_eq "$AGENTLOGS_HOME/visual-cache/$sha.png" "$(cat "$T_TMP/opened")" "the file i opened"
grep -q "▣ image 1" "$T_TMP/small.txt" || t_fail "no image line at 40x10: $(cat "$T_TMP/small.txt")"
echo "PASS: a screenshot listed, drawn in blocks and opened"
