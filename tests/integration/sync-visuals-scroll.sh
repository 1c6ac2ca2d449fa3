#!/bin/sh
# Screenshots are fetched when their turn comes on screen in the browser, on
# the fetcher's thread, against the real server with two homes: A imports a
# conversation of 60 short turns, then one pasting a screenshot (a 64x32 PNG,
# black left, white right), and pushes; B pulls (nothing fetched).
# - B's browser on the conversation's first screen asks storage for nothing:
#   the screenshot is three screens down (the next screen alone is asked for);
# - G brings it on screen: exactly one GET of it, the file lands in
#   visual-cache/fetched byte-identical to A's, and the picture is drawn in
#   Unicode blocks (visuals.protocol auto on a headless xterm: symbols);
# - g, G again in the same browser, then a second browser, G: no GET more;
# - with the server stopped and the cache emptied, G leaves a one-line note,
#   the image's line says it was not fetched, and the browser exits 0;
# - with visuals.protocol none, G fetches nothing (i alone does).
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin
grep -q '^#define HAVE_CHAFA 1' "$(dirname "$AGENTLOGS")/config.h" ||
	t_skip "built without libchafa (apt-get install libchafa-dev libpng-dev)"

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com

python3 - "$T_TMP/claude/projects/-home-ann-src-scroll" "$T_TMP/sha" <<'PY' || t_fail "writing the transcript"
import base64, hashlib, json, os, struct, sys, zlib
def png(w, h, px):
    raw = b"".join(b"\0" + bytes(px(x, y) for x in range(w) for _ in range(3)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
os.makedirs(sys.argv[1])
data = png(64, 32, lambda x, y: 0 if x < 32 else 255)
open(sys.argv[2], "w").write(hashlib.sha256(data).hexdigest())
sid = "5c4e2a10-0000-4000-8000-000000000003"
head = {"sessionId": sid, "cwd": "/home/ann/src/scroll"}
lines = []
def turn(n, content):
    lines.append(dict(head, type="user", uuid="5c4e2a10-0000-4000-8000-1%011d" % n,
                      timestamp="2026-03-10T10:%02d:%02d.000Z" % (n // 60, n % 60),
                      message={"role": "user", "content": content}))
for n in range(60):
    turn(n, [{"type": "text", "text": "filler %d" % n}])
turn(60, [{"type": "text", "text": "look"},
          {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                       "data": base64.b64encode(data).decode()}}])
lines.append(dict(head, type="assistant", uuid="5c4e2a10-0000-4000-8000-2%011d" % 60,
                  timestamp="2026-03-10T11:05:00.000Z",
                  message={"id": "msg_1", "model": "m", "role": "assistant",
                           "content": [{"type": "text", "text": "Seen."}],
                           "usage": {"input_tokens": 1, "output_tokens": 1}}))
with open(os.path.join(sys.argv[1], sid + ".jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
sha=$(cat "$T_TMP/sha")
y_ok A import --claude-dir "$T_TMP/claude"
y_ok A push
y_settle
y_ok B pull
t_assert_eq 1 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM visuals")" "visuals pulled"

# browse NAME KEYS...: B's browser opens the conversation, presses KEYS (a
# save-display after each, in $T_TMP/NAME-N.txt, N from 1).
browse() {
	b_name=$1
	shift
	{
		echo "key Enter"
		b_n=0
		for k in "$@"; do
			b_n=$((b_n + 1))
			echo "key $k"
			echo "save-display $T_TMP/$b_name-$b_n.txt"
		done
	} >"$T_TMP/script"
	t_run env AGENTLOGS_HOME="$(y_home B)" AGENTLOGS_TUI_SCRIPT="$T_TMP/script" \
		AGENTLOGS_TUI_SIZE=80x24 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
}
gets() {
	tail -n +"$((mark + 1))" "$T_TMP/server.log" | grep -c "GET /storage/.*$sha"
}
fetched() {
	ls "$(y_home B)/visual-cache/fetched" 2>/dev/null | tr '\n' ' '
}
# picture FILE: the image's line, then at least one line of block characters.
picture() {
	python3 - "$1" <<'PY'
import sys
s = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
at = [i for i, l in enumerate(s) if "▣ image 1 (PNG 64x32, 1 KB; i opens it)" in l]
blocks = [l for l in s[at[0] + 1:] if any(c in l for c in "█▌▐▀▄")] if at else []
sys.exit(0 if at and blocks else 1)
PY
}

# ---- The first screen: the screenshot is far below, nothing is asked.
mark=$(wc -l <"$T_TMP/server.log")
browse first "Home"
grep -q 'filler 0' "$T_TMP/first-1.txt" || t_fail "not the first screen: $(cat "$T_TMP/first-1.txt")"
! grep -q '▣ image' "$T_TMP/first-1.txt" || t_fail "the screenshot is on the first screen"
t_assert_eq 0 "$(gets)" "storage requests on the first screen"
t_assert_eq "" "$(fetched)" "the cache on the first screen"

# ---- G: on screen, fetched once, drawn; g and G again fetch nothing more.
browse scroll G g G
t_assert_eq 1 "$(gets)" "storage requests after scrolling to it, away and back"
t_assert_eq "$sha.png " "$(fetched)" "the cache after the view"
t_assert_eq "$sha" "$(sha256sum <"$(y_home B)/visual-cache/fetched/$sha.png" | cut -d' ' -f1)" \
	"the fetched file's sha256"
picture "$T_TMP/scroll-1.txt" || t_fail "no picture after G: $(cat "$T_TMP/scroll-1.txt")"
picture "$T_TMP/scroll-3.txt" || t_fail "no picture after G g G: $(cat "$T_TMP/scroll-3.txt")"

# ---- A second browser draws it from the cache.
browse again G
t_assert_eq 1 "$(gets)" "storage requests after a second browser"
picture "$T_TMP/again-1.txt" || t_fail "no picture from the cache: $(cat "$T_TMP/again-1.txt")"

# ---- visuals.protocol none: nothing drawn, nothing fetched on view.
rm -f "$(y_home B)/visual-cache/fetched/$sha.png"
y_ok B config set visuals.protocol none
mark=$(wc -l <"$T_TMP/server.log")
browse none G
t_assert_eq 0 "$(gets)" "storage requests with visuals.protocol none"
grep -q '▣ image 1 (PNG, in the cloud; i fetches and opens it)' "$T_TMP/none-1.txt" ||
	t_fail "the image's line with none: $(cat "$T_TMP/none-1.txt")"
y_ok B config unset visuals.protocol

# ---- The server is gone: a note, the line says so, no crash.
s_stop_server
browse dead G
grep -q 'Screenshots not fetched: ' "$T_TMP/dead-1.txt" ||
	t_fail "no note with the server gone: $(cat "$T_TMP/dead-1.txt")"
grep -q '▣ image 1 (PNG, in the cloud, not fetched; i tries again)' "$T_TMP/dead-1.txt" ||
	t_fail "the image's line with the server gone: $(cat "$T_TMP/dead-1.txt")"
t_assert_eq "" "$(fetched)" "the cache with the server gone"

echo "PASS: sync-visuals-scroll"
