"""check-pixels.py PROTOCOL RAW SCREEN1 SCREEN2: the escapes image-pixels.sh expects.

RAW is what the headless browser sent its terminal: curses' output with the
pictures' escapes among it. SCREEN1 shows the picture's turn, SCREEN2 (after G)
does not. Prints each failure and exits 1 on any.
"""
import math
import re
import sys

protocol, raw_path, screen1, screen2 = sys.argv[1:5]
raw = open(raw_path, "rb").read()
s1 = [l.rstrip("\n") for l in open(screen1, encoding="utf-8")]
s2 = [l.rstrip("\n") for l in open(screen2, encoding="utf-8")]
fails = []

at = [i for i, l in enumerate(s1) if "▣ image 1 (PNG 64x32, 1 KB; i opens it)" in l]
if len(at) != 1:
    sys.exit("no single image line on the first screen:\n" + "\n".join(s1))
if any("▣ image" in l for l in s2):
    fails.append("the image is still on screen after G")

# ESC 7, ESC [ row ; col H, the picture, ESC 8.
placed = [(m.start(), int(m.group(1)), int(m.group(2)), m.group(3))
          for m in re.finditer(rb"\x1b7\x1b\[(\d+);(\d+)H(.*?)\x1b8", raw, re.S)]
if protocol == "kitty":
    gone = [m.start() for m in re.finditer(rb"\x1b_Ga=d,d=A(,q=2)?\x1b\\", raw)]
else:
    # xterm-256color's clear: curses repaints the whole screen, wiping the sixel.
    gone = [m.start() for m in re.finditer(rb"\x1b\[H\x1b\[2J", raw)]

if len(placed) != 2:
    fails.append("placed %d times, expected 2 (first screen, then after g)" % len(placed))
else:
    for pos, row, col, seq in placed:
        # 1-based: the line below "▣ image 1", past the 4-column indent.
        if (row, col) != (at[0] + 2, 5):
            fails.append("placed at %d;%d, expected %d;5" % (row, col, at[0] + 2))
    between = [g for g in gone if placed[0][0] < g < placed[1][0]]
    if not between:
        fails.append("nothing removed the picture when G scrolled it away")
    if protocol == "kitty" and not [g for g in gone if g > placed[1][0]]:
        fails.append("the placements outlive the browser")

rows = 0
for _, _, _, seq in placed[:1]:
    if protocol == "kitty":
        chunks = re.findall(rb"\x1b_G([^\x1b]*)\x1b\\", seq)
        if b"".join(b"\x1b_G" + c + b"\x1b\\" for c in chunks) != seq or not chunks:
            fails.append("not a run of kitty APCs (ESC _G ... ESC \\)")
            continue
        keys = [dict(kv.split(b"=", 1) for kv in c.split(b";", 1)[0].split(b",")) for c in chunks]
        first = keys[0]
        if first.get(b"a") != b"T" or first.get(b"f") != b"32":
            fails.append("first chunk without a=T,f=32: %r" % chunks[0][:60])
        if not all(k in first for k in (b"s", b"v", b"c", b"r")):
            fails.append("first chunk without s, v, c, r: %r" % chunks[0][:60])
        if [k.get(b"m") for k in keys] != [b"1"] * (len(keys) - 1) + [b"0"]:
            fails.append("m is not 1 on every chunk but the last")
        rows = int(first.get(b"r", b"0"))
    else:
        m = re.fullmatch(rb"\x1bP[0-9;]*q(\"\d+;\d+;(\d+);(\d+))[\x20-\x7e]*\x1b\\", seq, re.S)
        if m is None:
            fails.append("not one sixel DCS (ESC P ... q ... ESC \\): %r" % seq[:60])
            continue
        rows = math.ceil(int(m.group(3)) / 16)	# headless cells: 8x16 pixels
if rows < 1:
    fails.append("the picture takes no rows")
for l in s1[at[0] + 1:at[0] + 1 + rows]:
    if l.strip() != "":
        fails.append("a cell under the picture is not blank: %r" % l)
for f in fails:
    print("%s: %s" % (protocol, f))
sys.exit(1 if fails else 0)
