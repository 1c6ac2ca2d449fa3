#!/bin/sh
# The commits list filtered (f) and sorted (s, r) in the headless browser, on
# five commits written by filter-sort-gen.py with their own days, projects,
# turns, tokens, durations and tools, and states set below (bravo published,
# delta hidden, echo synced: the others wait to go up). For each filter and
# order, the list's rows, its count (commits 1/N) and the header are checked
# against what the generator works out from its own figures.
. "$SRCDIR/tests/integration/daemon-lib.sh"
d_begin
GEN="$SRCDIR/tests/tui/filter-sort-gen.py"
python3 "$GEN" "$CLAUDE_HOME" || t_fail "writing the transcripts"
t_run "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import ($t_err)"
python3 "$GEN" --states "$AGENTLOGS_HOME/data.db" || t_fail "setting the states"
"$AGENTLOGS" config set ui.preview false >/dev/null || t_fail "config set ui.preview"

# browse SCRIPT-LINES...: the screen after these keys, in $T_TMP/screen.txt.
browse() {
	printf '%s\n' "$@" "save-display $T_TMP/screen.txt" >"$T_TMP/script"
	t_run env AGENTLOGS_TUI_SCRIPT="$T_TMP/script" AGENTLOGS_TUI_SIZE=120x20 "$AGENTLOGS"
	t_assert_eq 0 "$t_rc" "the browser ($t_err)"
}
# The commits the list shows, top to bottom (each row's title starts with its name).
rows() {
	sed '1d' "$T_TMP/screen.txt" | grep -oE '(alpha|bravo|charlie|delta|echo): ' | tr -d ': ' |
		tr '\n' ' ' | sed 's/ $//'
}
position() {
	tail -n 2 "$T_TMP/screen.txt" | head -n 1 | grep -oE 'commits [0-9]+/[0-9]+'
}
# check FILTER SORT DIR WHAT KEYS...: the list after KEYS is what the generator expects.
check() {
	c_filter=$1 c_sort=$2 c_dir=$3 c_what=$4
	shift 4
	browse "$@"
	c_want=$(python3 "$GEN" --expect "$c_filter" "$c_sort" "$c_dir")
	t_assert_eq "$c_want" "$(rows)" "$c_what: rows"
	c_n=$(printf '%s\n' "$c_want" | wc -w)
	if [ "$c_n" -gt 0 ]; then
		t_assert_eq "commits 1/$c_n" "$(position)" "$c_what: position"
	else
		grep -q "No commits match the filter" "$T_TMP/screen.txt" ||
			t_fail "$c_what: no empty-list message: $(cat "$T_TMP/screen.txt")"
	fi
}
check "" date desc "no filter, newest first"
check "trailer" date desc "a word in any case" "key f" "type trailer" "key Enter"
head -n 1 "$T_TMP/screen.txt" | grep -q "filter: trailer" ||
	t_fail "the header does not show the filter: $(head -n 1 "$T_TMP/screen.txt")"
check "project:notes" date desc "project: a part of the name" "key f" "type project:notes" "key Enter"
check "since:2026-03-02 until:2026-03-08" date desc "since and until, both days in" \
	"key f" "type since:2026-03-02 until:2026-03-08" "key Enter"
check "tool:bash" date desc "tool: any case" "key f" "type tool:bash" "key Enter"
check "tool:Bash trailer" date desc "tool and word together" "key f" "type tool:Bash trailer" "key Enter"
check "is:published" date desc "is:published" "key f" "type is:published" "key Enter"
check "is:hidden" date desc "is:hidden lists hidden ones without a" "key f" "type is:hidden" "key Enter"
check "is:pending" date desc "is:pending" "key f" "type is:pending" "key Enter"
check "zulu" date desc "nothing matches" "key f" "type zulu" "key Enter"

check "" turns desc "s: by turns, most first" "key s"
head -n 1 "$T_TMP/screen.txt" | grep -q "sort: turns ↓" ||
	t_fail "the header does not show the order: $(head -n 1 "$T_TMP/screen.txt")"
check "" tokens desc "s s: by tokens" "key s" "key s"
check "" duration desc "s s s: by duration" "key s" "key s" "key s"
check "" duration asc "r: shortest first" "key s" "key s" "key s" "key r"
check "" date asc "r alone: oldest first" "key r"
check "" date desc "s four times: back to the date" "key s" "key s" "key s" "key s"
check "trailer" tokens asc "filtered and sorted" "key f" "type trailer" "key Enter" "key s" "key s" "key r"

# Paging: the cursor walks the filtered, sorted list to its end and back.
browse "key s" "key G"
t_assert_eq "commits 4/4" "$(position)" "G: the last of the four"
browse "key s" "key G" "key g"
t_assert_eq "commits 1/4" "$(position)" "g after G"

# A bad term: a one-line message, and the list as it was.
browse "key f" "type since:yesterday" "key Enter"
grep -q "filter: since:yesterday: not a day (YYYY-MM-DD)" "$T_TMP/screen.txt" ||
	t_fail "no message for a bad term: $(cat "$T_TMP/screen.txt")"
t_assert_eq "commits 1/4" "$(position)" "a bad term leaves the list unfiltered"
# An empty filter clears it.
check "" date desc "an empty filter" "key f" "type trailer" "key Enter" "key f" "key BS" "key Enter"
# K and J move a commit in the curated order only: in another (s in a
# project's list goes from the curated order to the date), they refuse.
browse "key P" "key j" "key Enter" "key s" "key J"
grep -q "Commits move in the curated order, as listed first (s and r change the order)." \
	"$T_TMP/screen.txt" || t_fail "J in a project list sorted by date: $(cat "$T_TMP/screen.txt")"
head -n 1 "$T_TMP/screen.txt" | grep -q "web · sort: date ↓" ||
	t_fail "s in a project's list: $(head -n 1 "$T_TMP/screen.txt")"
echo "PASS: the commits list filtered and sorted as the transcripts say"
