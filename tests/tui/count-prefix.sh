#!/bin/sh
# Counts before keys, as in vim and less, in the headless browser on five
# commits: 3j moves three down (4/5), 2G goes to the second, 99j stops at the
# last, a count dropped by Esc moves nothing more than one j, and in the
# conversation 2} goes two turns on. Positions come from what the test made:
# five projects of one commit each, a conversation of six turns.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
for p in p1 p2 p3 p4 p5; do
	d_turns $p 1 3
done
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"

# at SCRIPT-LINES...: the status bar's position after these keys.
at() {
	printf '%s\n' "$@" "save-display $T_TMP/screen.txt" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=100x30 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
	tail -n 2 "$T_TMP/screen.txt" | head -n 1 | grep -oE '[a-z]+ [0-9]+/[0-9]+' | tail -n 1
}
t_assert_eq "commits 4/5" "$(at "key 3" "key j")" "3j"
t_assert_eq "commits 2/5" "$(at "key 2" "key G")" "2G"
t_assert_eq "commits 5/5" "$(at "key 9" "key 9" "key j")" "99j"
t_assert_eq "commits 2/5" "$(at "key 3" "key Esc" "key j")" "3, Esc, j"
t_assert_eq "commits 3/5" "$(at "key 1" "key 0" "key k" "key 2" "key j")" "10k at the top, then 2j"
t_assert_eq "turns 5/6" "$(at "key Enter" "key 2" "key }" "key 2" "key }")" "2} twice in a conversation"
echo "PASS: counts before movement keys"
