# Helpers shared by the integration tests: . "$SRCDIR/tests/integration/lib.sh".
# Every name starts with t_. Append; do not change what others rely on.

# t_fail MESSAGE: reports a failure and exits 1.
t_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# t_skip REASON: the test cannot run here: skipped (77, counted as skipped by
# tests/run), except under CI=true, where everything must run: a failure.
t_skip() {
	[ "${CI:-}" != true ] || t_fail "cannot run under CI: $*"
	echo "SKIP: $*"
	exit 77
}

# t_need_fixtures: $FIXTURES, the real Claude Code transcripts (read in
# place, never copied); skips (fails under CI) without them.
t_need_fixtures() {
	FIXTURES=${AGENTLOGS_FIXTURES:-$SRCDIR/../shared/fixtures/claude-code}
	[ -d "$FIXTURES/projects" ] || t_skip "no fixtures at $FIXTURES (set AGENTLOGS_FIXTURES)"
}

# t_need_cmd CMD...: skips (fails under CI) unless every CMD is installed.
t_need_cmd() {
	for t_nc in "$@"; do
		command -v "$t_nc" >/dev/null 2>&1 || t_skip "$t_nc is not installed"
	done
}

# t_mktemp: makes $T_TMP, a fresh directory removed when the script exits.
t_mktemp() {
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/agentlogs-test.XXXXXX") || t_fail "mktemp -d"
	trap 'rm -rf "$T_TMP"' EXIT
	trap 'exit 1' HUP INT TERM
}

# t_run CMD [ARG...]: runs CMD, leaving its exit status, stdout and stderr in
# $t_rc, $t_out and $t_err (trailing newlines removed). Needs t_mktemp.
t_run() {
	t_rc=0
	"$@" >"$T_TMP/.t_out" 2>"$T_TMP/.t_err" || t_rc=$?
	t_out=$(cat "$T_TMP/.t_out")
	t_err=$(cat "$T_TMP/.t_err")
}

# t_assert_eq EXPECTED ACTUAL [WHAT]
t_assert_eq() {
	[ "$1" = "$2" ] || t_fail "${3:-value}: expected '$1', got '$2'"
}

# t_assert_contains HAYSTACK NEEDLE [WHAT]
t_assert_contains() {
	case $1 in
	*"$2"*) ;;
	*) t_fail "${3:-output} lacks '$2' in: $1" ;;
	esac
}

# t_sql DB SQL: prints each row SQL returns from the SQLite database DB, columns
# joined by '|', NULL as empty (python3's sqlite3: the sqlite3 CLI is not a build
# dependency).
t_sql() {
	python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in r))' "$1" "$2" ||
		t_fail "t_sql: $2"
}

# t_assert_json FILE [WHAT]: FILE holds valid JSON.
t_assert_json() {
	python3 -m json.tool "$1" >/dev/null 2>&1 || t_fail "${2:-$1}: invalid JSON"
}

# t_assert_one_line TEXT [WHAT]: TEXT is exactly one non-empty line.
t_assert_one_line() {
	[ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] ||
		t_fail "${2:-message} is not one line: $1"
}

# t_wait_file FILE TEXT [WHAT]: waits until FILE holds TEXT. The 60 s limit is
# a bound for a program that is broken, never a timing: the tests wait on
# events so that they pass on a loaded machine.
t_wait_file() {
	t_wf_i=0
	until grep -q -F -e "$2" "$1" 2>/dev/null; do
		t_wf_i=$((t_wf_i + 1))
		[ $t_wf_i -lt 1200 ] || t_fail "${3:-$1}: no '$2' after 60 s: $(tail -n 5 "$1" 2>/dev/null)"
		sleep 0.05
	done
}

# t_wait_count FILE TEXT N [WHAT]: waits until FILE holds N lines with TEXT.
t_wait_count() {
	t_wc_i=0
	until [ "$(grep -c -F -e "$2" "$1" 2>/dev/null)" -ge "$3" ]; do
		t_wc_i=$((t_wc_i + 1))
		[ $t_wc_i -lt 1200 ] || t_fail "${4:-$1}: fewer than $3 lines with '$2' after 60 s"
		sleep 0.05
	done
}

# t_undo_search DB: takes what local store migrations v16 and later made (the
# search index: its triggers, tables and views; v19's index of pending turns)
# out of the store DB, for a test that takes a store back to v15.
t_undo_search() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("turns", "cognitive_commits"):
    for op in ("insert", "delete", "update"):
        db.execute("DROP TRIGGER %s_search_%s" % (t, op))
db.executescript("""DROP TABLE turn_search; DROP TABLE commit_search;
    DROP VIEW turn_search_text; DROP VIEW commit_search_text; DROP TABLE search_batch;
    DROP INDEX idx_turns_pending;
    DELETE FROM schema_migrations WHERE version >= 16; PRAGMA user_version = 15;""")
db.commit()' "$1" || t_fail "taking v16 out of $1"
}

# t_search_index_ok DB WHAT: the search index of the store DB (v18) holds
# exactly what a fresh index of its rows would: every word, in the same rows,
# as many times (FTS5's integrity-check does not compare an external-content
# index with its rows). Fails with WHAT otherwise.
t_search_index_ok() {
	# The index a search sees: it indexes what imports left pending first.
	AGENTLOGS_HOME=$(dirname "$1") "$AGENTLOGS" search --limit 1 zqxjkv >/dev/null 2>&1
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for fts, cols, src in (("turn_search", "content, tools", "turn_search_text"),
                       ("commit_search", "title, git_subject", "commit_search_text")):
    db.execute("CREATE VIRTUAL TABLE temp.fresh USING fts5(%s, tokenize = %s)" % (cols,
               "\"unicode61 remove_diacritics 2\""))
    db.execute("INSERT INTO temp.fresh(rowid, %s) SELECT * FROM %s" % (cols, src))
    db.execute("CREATE VIRTUAL TABLE temp.have USING fts5vocab(main, %s, instance)" % fts)
    db.execute("CREATE VIRTUAL TABLE temp.want USING fts5vocab(temp, fresh, instance)")
    diff = sum(db.execute("SELECT count(*) FROM (SELECT * FROM temp.%s EXCEPT SELECT * FROM"
                          " temp.%s)" % pair).fetchone()[0] for pair in (("have", "want"),
                                                                        ("want", "have")))
    n = db.execute("SELECT count(*) FROM temp.want").fetchone()[0]
    if diff:
        sys.exit("%s differs from its rows in %d of %d word places" % (fts, diff, n))
    for t in ("have", "want", "fresh"):
        db.execute("DROP TABLE temp.%s" % t)' "$1" || t_fail "the search index $2"
}
