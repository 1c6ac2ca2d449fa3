#!/bin/sh
# The mouse in the headless browser (scripts' "mouse EVENT COL ROW", what a
# terminal's report becomes): at 100x30 the list is the lines from row 1 (the
# header is row 0), so a click on row 3 puts the cursor on the third commit;
# a double click on row 1 opens the first commit's conversation (six turns);
# a wheel notch moves three lines; a click below the last commit or on the
# header moves nothing. Five projects of one commit each, written here.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
for p in p1 p2 p3 p4 p5; do
	d_turns $p 1 3
done
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"

at() {
	printf '%s\n' "$@" "save-display $T_TMP/screen.txt" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=100x30 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
	tail -n 2 "$T_TMP/screen.txt" | head -n 1 | grep -oE '[a-z]+ [0-9]+/[0-9]+' | tail -n 1
}
t_assert_eq "commits 3/5" "$(at "mouse click 10 3")" "a click on the third line"
t_assert_eq "turns 1/6" "$(at "mouse double-click 10 1")" "a double click on the first"
t_assert_eq "commits 4/5" "$(at "mouse wheel-down 10 2")" "a wheel notch down"
t_assert_eq "commits 1/5" "$(at "key G" "mouse wheel-up 10 2" "mouse wheel-up 10 2")" "two notches up from the last"
t_assert_eq "commits 2/5" "$(at "key j" "mouse click 10 8")" "a click below the last commit"
t_assert_eq "commits 2/5" "$(at "key j" "mouse click 10 0")" "a click on the header"
echo "PASS: clicks, double clicks and the wheel"
