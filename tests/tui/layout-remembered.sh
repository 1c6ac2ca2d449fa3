#!/bin/sh
# The browser's layout keys are remembered in the config (ui.preview,
# ui.split, ui.preview-size), so the next browser opens as the last one was
# left: v hides the preview and the next opening has none; V and ] make it
# side by side and wider, and the next opening at 100 columns (stacked when
# automatic) has it beside the list. Headless (AGENTLOGS_TUI_SCRIPT).
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
d_turns alpha 1 2
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"

# browse SCRIPT-LINES...: the browser headless at 100x30 with these lines.
browse() {
	printf '%s\n' "$@" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=100x30 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
}
setting() {
	"$AGENTLOGS" config get "$1"
}

t_assert_eq auto "$(setting ui.split)" "ui.split before any key"
browse "key v"
t_assert_eq false "$(setting ui.preview)" "ui.preview after v"
browse "save-display $T_TMP/hidden.txt"
grep -q "commit   " "$T_TMP/hidden.txt" && t_fail "the preview shows after v in the last browser: $(cat "$T_TMP/hidden.txt")"

browse "key v" "key V" "key ]"
t_assert_eq true "$(setting ui.preview)" "ui.preview after v again"
t_assert_eq side "$(setting ui.split)" "ui.split after V"
t_assert_eq 55 "$(setting ui.preview-size)" "ui.preview-size after ]"
browse "save-display $T_TMP/side.txt"
# Side by side: the preview's "commit" line is on a list row's line, after the separator.
grep -q "│ commit   " "$T_TMP/side.txt" || t_fail "no preview beside the list: $(cat "$T_TMP/side.txt")"
echo "PASS: layout keys are remembered in the config and the next browser opens with them"
