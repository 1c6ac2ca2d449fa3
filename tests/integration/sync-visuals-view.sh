#!/bin/sh
# Screenshots are downloaded when viewed, not when pulled, against the real
# server with two homes: A imports a conversation pasting three screenshots
# (about 400 KB each) and pushes;
# - B's pull downloads none of them (every pull used to download all) and asks
#   storage for nothing;
# - B's browser lists them in the turn ("▣ image 1 (PNG, in the cloud ...)")
#   and, with visuals.protocol = none (nothing fetched on view), i on one
#   downloads exactly that one into visual-cache/fetched (on the fetcher's
#   thread) and opens it ($AGENTLOGS_OPEN: a script copying it), byte-identical to A's;
# - with visuals.cache-mb = 1, a third download evicts the least recently
#   viewed; a file not viewed for more than visuals.cache-days goes at the
#   next download (views are dated with AGENTLOGS_NOW, in the past so the
#   login stays valid);
# - on A, i opens the imported file where it is: nothing fetched.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com

# Three PNGs of random bytes (distinct, incompressible); shaN are their sha256.
python3 - "$T_TMP/claude/projects/-home-ann-src-shots" "$T_TMP/shots" <<'PY' || t_fail "writing the transcript"
import base64, hashlib, json, os, struct, sys
os.makedirs(sys.argv[1])
os.makedirs(sys.argv[2])
sid = "5c4e2a10-0000-4000-8000-000000000002"
head = {"sessionId": sid, "cwd": "/home/ann/src/shots"}
pngs = []
for i in range(3):
    ihdr = struct.pack(">II", 1280 + i, 720) + b"\x08\x02\x00\x00\x00"
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0" + os.urandom(400 * 1024)
    pngs.append(png)
    open(os.path.join(sys.argv[2], "sha%d" % (i + 1)), "w").write(hashlib.sha256(png).hexdigest())
shots = [{"type": "image", "source": {"type": "base64", "media_type": "image/png",
          "data": base64.b64encode(p).decode()}} for p in pngs]
lines = [
    dict(head, type="user", uuid="5c4e2a10-0000-4000-8000-0000000000b1",
         timestamp="2026-03-10T10:00:00.000Z",
         message={"role": "user", "content": [{"type": "text", "text": "look"}] + shots}),
    dict(head, type="assistant", uuid="5c4e2a10-0000-4000-8000-0000000000b2",
         timestamp="2026-03-10T10:00:05.000Z",
         message={"id": "msg_1", "model": "m", "role": "assistant",
                  "content": [{"type": "text", "text": "Seen."}],
                  "usage": {"input_tokens": 1, "output_tokens": 1}}),
]
with open(os.path.join(sys.argv[1], sid + ".jsonl"), "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
PY
y_ok A import --claude-dir "$T_TMP/claude"
y_ok A push
y_settle

# ---- The pull downloads nothing.
mark=$(wc -l <"$T_TMP/server.log")
y_ok B pull
t_assert_eq 3 "$(t_sql "$(y_home B)/data.db" "SELECT count(*) FROM visuals")" "visuals pulled"
t_assert_eq 0 "$(find "$(y_home B)" -name '*.png' | wc -l)" "screenshots downloaded by the pull"
t_assert_eq 0 "$(tail -n +"$((mark + 1))" "$T_TMP/server.log" | grep -c 'GET /storage/')" \
	"requests to storage during the pull"
y_ok B config set visuals.cache-mb 1
# Screenshots coming on screen are fetched by themselves (sync-visuals-scroll.sh):
# none draws none, so here i alone fetches.
y_ok B config set visuals.protocol none
# Image K is the K-th of the turn's screenshots in the order the browser lists
# them (by time pasted, then id: one turn's are pasted at once); shaK is its sha256.
t_sql "$(y_home B)/data.db" "SELECT sha256 FROM visuals ORDER BY captured_at, id" >"$T_TMP/order"
t_assert_eq "$(for f in "$T_TMP/shots/sha"*; do cat "$f"; echo; done | sort)" "$(sort "$T_TMP/order")" "the pulled screenshots"
sha1=$(sed -n 1p "$T_TMP/order") sha2=$(sed -n 2p "$T_TMP/order") sha3=$(sed -n 3p "$T_TMP/order")

# The viewer: copies the file it is given to $T_TMP/opened/N (N counting up).
mkdir "$T_TMP/opened"
cat >"$T_TMP/open.sh" <<EOF2
#!/bin/sh
n=\$(ls "$T_TMP/opened" | wc -l)
cp "\$1" "$T_TMP/opened/\$n"
printf '%s\n' "\$1" >>"$T_TMP/opened.list"
EOF2
chmod +x "$T_TMP/open.sh"

# view HOME NOW K SCREEN: the browser opens the conversation, goes to image K
# (line K+1 of the first turn: the header, "look", then the images) and
# presses i, dated NOW; the screen goes to SCREEN.
view() {
	{
		echo "key Enter"
		i=0
		while [ $i -le "$3" ]; do echo "key j"; i=$((i + 1)); done
		echo "key i"
		echo "save-display $4"
	} >"$T_TMP/script"
	t_run env AGENTLOGS_HOME="$1" AGENTLOGS_NOW="$2" AGENTLOGS_OPEN="$T_TMP/open.sh" \
		AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=80x24 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
	cat "$4"
}
fetched() {
	ls "$(y_home B)/visual-cache/fetched" 2>/dev/null | tr '\n' ' '
}
gets() {
	tail -n +"$((mark + 1))" "$T_TMP/server.log" | grep 'GET /storage/' | grep -o '[0-9a-f]\{64\}' |
		tr '\n' ' '
}
now=$(date +%s)

# ---- Viewing image 1 downloads it, and only it.
mark=$(wc -l <"$T_TMP/server.log")
view "$(y_home B)" $((now - 3000)) 1 "$T_TMP/screen1.txt"
t_assert_eq 3 "$(grep -c '▣ image [123] (PNG' "$T_TMP/screen1.txt")" \
	"image lines on screen: $(cat "$T_TMP/screen1.txt")"
grep -q 'Opened ' "$T_TMP/screen1.txt" || t_fail "no 'Opened' message: $(cat "$T_TMP/screen1.txt")"
t_assert_eq "$sha1 " "$(gets)" "storage requests of the first view"
t_assert_eq "$sha1.png " "$(fetched)" "the cache after the first view"
t_assert_eq "$sha1" "$(sha256sum <"$T_TMP/opened/0" | cut -d' ' -f1)" "the opened image's sha256"
t_assert_eq "$sha1" "$(sha256sum <"$(y_home A)/visual-cache/$sha1.png" | cut -d' ' -f1)" \
	"A's image's sha256"

# ---- Image 2, then image 3: 1.2 MB past the 1 MB bound, image 1 (the oldest view) goes.
view "$(y_home B)" $((now - 2000)) 2 "$T_TMP/screen2.txt"
t_assert_eq "$(printf '%s\n' "$sha1.png" "$sha2.png" | sort | tr '\n' ' ')" "$(fetched)" \
	"the cache after the second view"
grep -q "▣ image 1 (PNG 128[0-2]x720, 401 KB" "$T_TMP/screen2.txt" ||
	t_fail "image 1 not described from its file: $(cat "$T_TMP/screen2.txt")"
view "$(y_home B)" $((now - 1000)) 3 "$T_TMP/screen3.txt"
t_assert_eq "$(printf '%s\n' "$sha2.png" "$sha3.png" | sort | tr '\n' ' ')" "$(fetched)" \
	"the cache after the third view (the oldest evicted)"
t_assert_eq "$sha3" "$(sha256sum <"$T_TMP/opened/2" | cut -d' ' -f1)" "the third opened image"

# ---- TTL: image 2 last viewed 40 days ago goes when image 1 is fetched again.
touch -d "@$((now - 40 * 86400))" "$(y_home B)/visual-cache/fetched/$sha2.png"
mark=$(wc -l <"$T_TMP/server.log")
view "$(y_home B)" "$now" 1 "$T_TMP/screen4.txt"
t_assert_eq "$sha1 " "$(gets)" "storage requests of the view after eviction"
t_assert_eq "$(printf '%s\n' "$sha1.png" "$sha3.png" | sort | tr '\n' ' ')" "$(fetched)" \
	"the cache after the stale image went"

# ---- On A, the imported file opens where it is: nothing fetched, nothing asked.
mark=$(wc -l <"$T_TMP/server.log")
view "$(y_home A)" "$now" 2 "$T_TMP/screen5.txt"
t_assert_eq "" "$(gets)" "storage requests on A"
t_assert_eq "$(y_home A)/visual-cache/$sha2.png" "$(tail -n 1 "$T_TMP/opened.list")" \
	"the file A opened"
[ ! -e "$(y_home A)/visual-cache/fetched" ] || t_fail "A fetched a screenshot it imported"

echo "PASS: sync-visuals-view"
