#!/bin/sh
# The help screen searches its keys: / finds the first line holding the text
# (any case), n the next, N goes back, and a text no line holds says so.
# The expected lines are read off the whole help, drawn on a screen tall
# enough to hold it. Headless (AGENTLOGS_TUI_SCRIPT).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
d_turns alpha 1 1
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"

# run SIZE SCRIPT-LINES...: the browser headless; the last screen in $T_TMP/screen.txt.
run() {
	rs=$1
	shift
	printf '%s\n' "$@" "save-display $T_TMP/screen.txt" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE="$rs" "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
}
position() {
	tail -n 2 "$T_TMP/screen.txt" | head -n 1 | grep -oE 'help [0-9]+/' | grep -oE '[0-9]+'
}
# The whole help, one line a row from row 1 (the header is row 0).
run 100x300 "key ?"
# matches WORD: the help's line numbers holding WORD, any case.
matches() {
	sed -n '2,$p' "$T_TMP/screen.txt" | grep -n -i -F -e "$1" | cut -d: -f1 | tr '\n' ' '
}
set -- $(matches "clipboard")
[ $# -ge 2 ] || t_fail "fewer than two help lines mention the clipboard: $(cat "$T_TMP/screen.txt")"
first=$1 second=$2

run 100x30 "key ?" "key /" "type CLIPBOARD" "key Enter"
t_assert_eq "$first" "$(position)" "/ CLIPBOARD: the first line holding it"
run 100x30 "key ?" "key /" "type clipboard" "key Enter" "key n"
t_assert_eq "$second" "$(position)" "n: the next"
run 100x30 "key ?" "key /" "type clipboard" "key Enter" "key n" "key N"
t_assert_eq "$first" "$(position)" "N: back"
run 100x30 "key ?" "key /" "type no such words here" "key Enter"
grep -qF "Not found: no such words here" "$T_TMP/screen.txt" || t_fail "no 'Not found' for a missing text"
echo "PASS: the help screen searches its keys"
