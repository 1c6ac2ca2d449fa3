#!/bin/sh
# agentlogs search: on the fixture transcripts, each word finds exactly the
# turns that hold it (counted from the JSONL by search_facts.py); the index
# follows an import of appended lines (a tool result arriving later too), rm,
# a purge's deletes and samples --remove, and --rebuild; the first real import
# after the samples were searched is found (its turns take the samples' rowids,
# which were indexed when they were deleted); the output, the
# filters, and one clear line (exit 2) for a query FTS5 cannot read.
. "$SRCDIR/tests/integration/lib.sh"
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
export AGENTLOGS_HOME

# hits WORD [OPTION...]: how many turns `search --json` finds.
hits() {
	t_run "$AGENTLOGS" search --json --limit 1000000 --all "$@"
	t_assert_eq 0 "$t_rc" "search $*: $t_err"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(sum(1 for h in json.load(sys.stdin) if h["kind"] == "turn"))'
}
# sql_write SQL: runs SQL on the store and commits (t_sql only reads).
sql_write() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(sys.argv[2])
db.commit()' "$AGENTLOGS_HOME/data.db" "$1" || t_fail "sql_write: $1"
}
index_ok() {
	t_search_index_ok "$AGENTLOGS_HOME/data.db" "$1"
}

# 1. The fixtures (else the samples): every word's hits, counted independently,
# after an import and after the migration that indexes a v15 store.
FIX=${AGENTLOGS_FIXTURES:-$SRCDIR/../shared/fixtures/claude-code}
[ -d "$FIX/projects" ] || FIX=$AGENTLOGS_SAMPLES
"$AGENTLOGS" import --claude-dir "$FIX" >/dev/null || t_fail "import of $FIX"
# The import leaves its turns for the first search to index (search_batch).
t_assert_eq 1 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM search_batch")" \
	"turns pending after the import"
# Words; contractions, whole words of their own ("don't" holds neither "don"
# nor "t"); phrases of common words, and words with an apostrophe that stay
# phrases ("it's": "it s"); prefixes.
python3 "$SRCDIR/tests/integration/search_facts.py" "$FIX" commit test session the error \
	file trailer checkpoint sample "can't" "don't" "doesn't" "won't" don can "it's" \
	"let's" '"of the"' '"it is"' '"in the file"' 'comm*' 'don*' 'th*' >"$T_TMP/expected" ||
	t_fail "search_facts.py"
found=0
while read -r count word; do
	t_assert_eq "$count" "$(hits "$word")" "turns holding '$word'"
	[ "$count" -gt 0 ] && found=$((found + 1))
done <"$T_TMP/expected"
[ "$found" -ge 15 ] || t_fail "fewer than 15 of the queries occur in $FIX: a test of nothing"
# Any case, and several words must all be in a turn.
word=$(sort -n -r "$T_TMP/expected" | head -n 1 | cut -d' ' -f2)
t_assert_eq "$(hits "$word")" "$(hits "$(echo "$word" | tr a-z A-Z)")" "upper case"
index_ok "after the import"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM search_batch")" \
	"turns pending once searched"
# The same store as a version before search left it (v15): opening it builds the
# index (migrations v16 and v18), with the same hits.
t_undo_search "$AGENTLOGS_HOME/data.db"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM sqlite_master
    WHERE name LIKE '%search%'")" "search objects left in the v15 store"
while read -r count word; do
	t_assert_eq "$count" "$(hits "$word")" "turns holding '$word' after migrations v16-v18"
done <"$T_TMP/expected"
index_ok "after migrations v16-v18"

# 2. A session of our own, imported in two pieces: the tool result of a call
# arrives with the second, and words in it are found only then.
rm -rf "$AGENTLOGS_HOME"
CLAUDE=$T_TMP/claude
DIR=$CLAUDE/projects/-home-ann-src-app
mkdir -p "$DIR"
F=$DIR/5a1b2c3d-1111-4222-8333-444455556666.jsonl	# named after its session
gen() {
	python3 "$SRCDIR/tests/integration/search_session.py" "$1"
}
gen 3 >"$F"
"$AGENTLOGS" import --claude-dir "$CLAUDE" >/dev/null || t_fail "first import"
t_assert_eq 1 "$(hits zanzibar)" "the prompt's word"
t_assert_eq 1 "$(hits quokka)" "the answer's word"
t_assert_eq 1 "$(hits periwinkle)" "the tool input's word"
t_assert_eq 0 "$(hits marmalade)" "the result, not yet imported"
# Two imports with no search between: the turns stay pending from where the
# first began, one row (an import's later batches add none).
last=$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT max(rowid) FROM turns")
gen 4 >"$F"
"$AGENTLOGS" import --claude-dir "$CLAUDE" >/dev/null || t_fail "second import"
gen 5 >"$F"
"$AGENTLOGS" import --claude-dir "$CLAUDE" >/dev/null || t_fail "third import"
t_assert_eq "$last" "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT group_concat(since)
    FROM search_batch")" "pending since the first of two imports"
t_assert_eq 1 "$(hits marmalade)" "the result, imported with the appended lines"
t_assert_eq 1 "$(hits defined)" "a word after a tab in the result"
t_assert_eq 2 "$(hits zanzibar)" "the appended prompt"
t_assert_eq 1 "$(hits cafe)" "accents ignored"
t_assert_eq 1 "$(hits 'zanzibar parser')" "two words in one turn"
t_assert_eq 0 "$(hits 'zanzibar quokka')" "two words in two turns"
t_assert_eq 2 "$(hits 'quokka OR periwinkle')" "OR"
t_assert_eq 1 "$(hits 'zanzibar NOT parser')" "NOT"
t_assert_eq 1 "$(hits '"the quokka"')" "a phrase"
t_assert_eq 1 "$(hits 'periwink*')" "a prefix"
# Punctuation in a word makes it a phrase, never an error.
t_assert_eq 1 "$(hits foo.bar)" "foo.bar"
t_assert_eq 1 "$(hits "can't")" "can't"
t_assert_eq 1 "$(hits "CAN’T")" "can't with a typographic apostrophe, in capitals"
t_assert_eq 0 "$(hits can)" "can, which only can't holds"
t_assert_eq 0 "$(hits '"can t"')" "the phrase can t"
t_assert_eq 0 "$(hits 'bar.foo')" "bar.foo"
t_assert_eq 0 "$(hits '...')" "punctuation alone"
t_assert_eq 1 "$(hits zanzibar --since 2026-03-02)" "--since a date"
t_assert_eq 2 "$(hits zanzibar --since 2026-03-01T10:00)" "--since a time"
t_assert_eq 2 "$(hits zanzibar --project app)" "--project"
t_assert_eq 1 "$(hits zanzibar --limit 1)" "--limit"
index_ok "after appended lines"

# The lines: where, then the words around the match between « », nothing else.
t_run "$AGENTLOGS" search quokka
t_assert_eq 0 "$t_rc" "search quokka"
t_assert_eq 2 "$(printf '%s\n' "$t_out" | wc -l)" "lines of one hit"
printf '%s\n' "$t_out" | head -n 1 | grep -Eq '^[0-9a-f]{8} 2026-03-01 10:00 app session [0-9a-f]{8} turn [0-9]+ assistant$' ||
	t_fail "the hit's first line: $t_out"
t_assert_contains "$t_out" "the «quokka» module reads foo.bar first."
case $t_out in *"$(printf '\033')"*) t_fail "colours into a pipe: $t_out" ;; esac
# A contraction's snippet: its apostrophe as the text has it.
t_run "$AGENTLOGS" search "can't"
t_assert_contains "$t_out" "I «can't» tell yet; the quokka module"
# On a terminal (script(1) gives it one) the match is coloured instead.
if command -v script >/dev/null 2>&1; then
	out=$(TERM=xterm script -qec "$AGENTLOGS search quokka" /dev/null) || t_fail "search on a tty"
	t_assert_contains "$out" "$(printf '\033[1m\033[31mquokka\033[m')" "the coloured match"
	case $out in *«*) t_fail "plain marks on a terminal: $out" ;; esac
fi

# 3. Queries FTS5 cannot read: one line, exit 2.
for q in 'zanzibar AND' '"zanzibar' '(zanzibar' 'NEAR(zanzibar'; do
	t_run "$AGENTLOGS" search "$q"
	t_assert_eq 2 "$t_rc" "exit status of search '$q'"
	t_assert_one_line "$t_err" "the error of '$q'"
	t_assert_contains "$t_err" "agentlogs search: cannot read the query '$q'"
	t_assert_eq "" "$t_out" "output of search '$q'"
done
for args in "" "--since yesterday zanzibar" "--limit 0 zanzibar" "a b"; do
	t_run "$AGENTLOGS" search $args
	t_assert_eq 2 "$t_rc" "exit status of search $args"
done
t_run "$AGENTLOGS" search " "
t_assert_eq 2 "$t_rc" "exit status of a search for blanks"
t_run "$AGENTLOGS" search zanzibar --project nosuch
t_assert_eq 1 "$t_rc" "an unknown project"

# 4. rm: the commit's turns are hits no more; its title neither.
id=$("$AGENTLOGS" log --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"])')
"$AGENTLOGS" title "$id" "Gazpacho investigation" >/dev/null || t_fail "title"
t_run "$AGENTLOGS" search gazpacho --json
t_assert_contains "$t_out" '"kind":"title"' "a title hit"
t_assert_contains "$t_out" "«Gazpacho» investigation"
t_assert_eq 1 "$(hits periwinkle)" "before rm"
"$AGENTLOGS" rm "$id" >/dev/null || t_fail "rm"
t_assert_eq 0 "$(hits periwinkle)" "after rm"
t_run "$AGENTLOGS" search gazpacho --json
t_assert_eq "[]" "$t_out" "the title after rm"
index_ok "after rm"
# A purge deletes the rows under the tombstone (as store/curate.c does): the
# index loses them too.
sql_write "DELETE FROM turns WHERE session_id IN
    (SELECT id FROM sessions WHERE commit_id = '$id')"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turns
    WHERE content LIKE '%quokka%'")" "turns left by the purge"
index_ok "after a purge"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turn_search
    WHERE turn_search MATCH 'periwinkle'")" "purged turns in the index"

# 5. --rebuild makes the same index again.
before=$(hits zanzibar)
t_run "$AGENTLOGS" search --rebuild
t_assert_eq 0 "$t_rc" "search --rebuild: $t_err"
t_assert_contains "$t_out" "Rebuilt the search index"
t_assert_eq "$before" "$(hits zanzibar)" "hits after --rebuild"
index_ok "after --rebuild"

# 6. samples --remove deletes the samples' turns: none stays in the index.
rm -rf "$AGENTLOGS_HOME"
"$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES" >/dev/null || t_fail "samples"
sql_write "INSERT INTO sample_projects SELECT id FROM projects"
[ "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turns")" -gt 0 ] ||
	t_fail "no samples imported"
"$AGENTLOGS" samples --remove >/dev/null || t_fail "samples --remove"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turns")" "turns left"
t_assert_eq 0 "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM turn_search
    WHERE turn_search MATCH 'the OR a OR commit'")" "removed samples in the index"
index_ok "after samples --remove"

# 7. The samples searched, then replaced by the first real import: the new
# turns reuse the samples' rowids (SQLite gives a new row the largest rowid
# plus one), rowids the index had already seen, and must still be found.
rm -rf "$AGENTLOGS_HOME"
"$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES" >/dev/null || t_fail "samples"
sql_write "INSERT INTO sample_projects SELECT id FROM projects"
[ "$(hits the)" -gt 0 ] || t_fail "no samples found"
REAL=$T_TMP/real/projects/-home-ann-src-app
mkdir -p "$REAL"
python3 "$SRCDIR/tests/integration/search_session.py" 5 \
	>"$REAL/5a1b2c3d-1111-4222-8333-444455556666.jsonl"
t_run "$AGENTLOGS" import --claude-dir "$T_TMP/real"
t_assert_contains "$t_out" "Removed the bundled samples" "the real import"
t_assert_eq 2 "$(hits zanzibar)" "the real import's prompts"
t_assert_eq 1 "$(hits periwinkle)" "the real import's call"
index_ok "after the samples' removal by an import"
exit 0
