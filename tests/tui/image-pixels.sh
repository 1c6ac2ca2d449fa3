#!/bin/sh
# A screenshot in the terminal's pixels, headless (AGENTLOGS_TUI_SCRIPT at
# 80x24, AGENTLOGS_TUI_OUTPUT catching what the terminal would get), with
# visuals.protocol = kitty, then sixel. The conversation pastes a 64x32 PNG in
# its first turn, then 40 more turns. Checked in the raw output:
# - the picture goes out once while it stays put (frames redrawn meanwhile
#   send nothing), wrapped in DECSC (ESC 7) / DECRC (ESC 8) so curses' cursor
#   stays true, at the cell right below its "▣ image 1" line, column 5; the
#   cells under it are blank on the screen;
# - kitty: "ESC _G a=T,f=32,...,c=C,r=R" then m=1 chunks, the last m=0, each
#   ended by ESC \; G (the picture scrolled away) deletes kitty's placements
#   (a=d,d=A) and places nothing; g places it again;
# - sixel: "ESC P ... q ... ESC \"; G makes curses clear and repaint the
#   screen (its clear sequence after the picture), g draws it again;
# - leaving the browser deletes kitty's placements.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
grep -q '^#define HAVE_CHAFA 1' "$(dirname "$AGENTLOGS")/config.h" ||
	t_skip "built without libchafa (apt-get install libchafa-dev libpng-dev)"
python3 - "$CLAUDE_HOME/projects/-home-ann-pix" <<'PY' || t_fail "writing the transcript"
import base64, json, os, struct, sys, zlib
def png(w, h, px):
    raw = b"".join(b"\0" + bytes(px(x, y) for x in range(w) for _ in range(3)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
os.makedirs(sys.argv[1])
sid = "0b5e7c4e-0000-4000-8000-0000000000bb"
base = {"sessionId": sid, "cwd": "/home/ann/pix"}
image = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
         "data": base64.b64encode(png(64, 32, lambda x, y: 0 if x < 32 else 255)).decode()}}
lines = [dict(base, type="user", uuid="u0", timestamp="2026-03-01T10:00:00.000Z",
              message={"role": "user", "content": [{"type": "text", "text": "see"}, image]})]
for n in range(1, 41):
    lines.append(dict(base, type="user", uuid="u%d" % n, timestamp="2026-03-01T10:%02d:00.000Z" % n,
                      message={"role": "user", "content": [{"type": "text", "text": "more %d" % n}]}))
open(os.path.join(sys.argv[1], sid + ".jsonl"), "w").write("".join(json.dumps(l) + "\n" for l in lines))
PY
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"

# run PROTOCOL: the browser on the conversation: its screen, G, g; raw output in $T_TMP/PROTOCOL.raw.
run() {
	t_run "$AGENTLOGS" config set visuals.protocol "$1"
	t_assert_eq 0 "$t_rc" "config set visuals.protocol $1 ($t_err)"
	printf '%s\n' "key Enter" "save-display $T_TMP/$1-1.txt" "key G" "save-display $T_TMP/$1-2.txt" \
		"key g" "save-display $T_TMP/$1-3.txt" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x24 \
		AGENTLOGS_TUI_OUTPUT="$T_TMP/$1.raw" "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser with $1 ($t_err)"
	python3 "$SRCDIR/tests/tui/check-pixels.py" "$1" "$T_TMP/$1.raw" "$T_TMP/$1-1.txt" \
		"$T_TMP/$1-2.txt" || t_fail "$1's escapes (screens in $T_TMP)"
}
run kitty
run sixel
echo "PASS: image-pixels"
