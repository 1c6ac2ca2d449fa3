#!/bin/sh
# Getting a commit out of the browser, on a real terminal in a detached tmux
# (set-clipboard on, so tmux keeps what an application copies with OSC 52):
# y copies the commit's id and c its first prompt (tmux's buffer holds
# exactly them, read from the store and the transcript); e opens a Markdown
# copy in $EDITOR and | pipes it to a command (both get the prompt and the
# answer the transcript holds, and the same document); E exports to a file
# whose name replaces the one offered, as HTML by its extension. The
# temporary copies are gone afterwards. Skipped without tmux.
. "$SRCDIR/tests/integration/daemon-lib.sh"
t_need_cmd tmux
d_begin
. "$SRCDIR/tests/tui/tmux-lib.sh"
trap 'x_close; rm -rf "$T_TMP"' EXIT

d_turns alpha 1 1
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"
id=$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT id FROM cognitive_commits")
mkdir -p "$T_TMP/tmp"
cat >"$T_TMP/editor.sh" <<EOF2
#!/bin/sh
cp "\$1" "$T_TMP/edited.md"
EOF2
chmod +x "$T_TMP/editor.sh"

x_open TMPDIR="'$T_TMP/tmp'" EDITOR="'$T_TMP/editor.sh'" VISUAL= \
	AGENTLOGS_HOME="'$AGENTLOGS_HOME'" CLAUDE_HOME="'$CLAUDE_HOME'"
tmux -L "$X_SOCK" set-option -g set-clipboard on
x_wait_for "commits 1/1"

# buffer: what tmux holds from the last OSC 52, once it holds something new.
buffer() {
	tmux -L "$X_SOCK" show-buffer 2>/dev/null
}
x_key y
x_wait_for "Copied the id"
t_assert_eq "$id" "$(buffer)" "the copied id"
x_key c
x_wait_for "Copied the first prompt"
t_assert_eq "prompt 1" "$(buffer)" "the copied first prompt"

x_key e
x_wait_for "done."
grep -qxF "prompt 1" "$T_TMP/edited.md" || t_fail "the editor's copy lacks the prompt: $(cat "$T_TMP/edited.md")"
grep -qxF "answer 1" "$T_TMP/edited.md" || t_fail "the editor's copy lacks the answer"
grep -qF "$id" "$T_TMP/edited.md" || t_fail "the editor's copy lacks the commit's id"

x_key '|'
x_wait_for "Pipe the commit to:"
x_key -l "cat > '$T_TMP/piped.md'"
x_key Enter
x_wait_for "press Enter to go back"
x_key Enter
x_wait_for "commits 1/1"
cmp -s "$T_TMP/edited.md" "$T_TMP/piped.md" || t_fail "the piped document differs from the editor's"

x_key E
x_wait_for "agentlogs-$(printf '%.8s' "$id").md"
x_key -l "$T_TMP/out.html"
x_key Enter
x_wait_for "Exported to"
head -n 1 "$T_TMP/out.html" | grep -qxF "<!DOCTYPE html>" || t_fail "E with .html: not HTML"
grep -qF "prompt 1" "$T_TMP/out.html" || t_fail "the exported file lacks the prompt"
ls "$T_TMP"/agentlogs-*.md 2>/dev/null && t_fail "E wrote the name offered, not the one typed"
t_assert_eq "" "$(ls "$T_TMP/tmp")" "temporary copies left"
x_quit
echo "PASS: y and c copy through OSC 52; e, | and E hand the commit over as Markdown and HTML"
