#!/bin/sh
# The command line as a whole: the first run (no transcripts yet: the bundled
# samples), --help and --version everywhere, one-line errors and exit codes,
# and every command documented in the man page.
. "$SRCDIR/tests/integration/lib.sh"
t_mktemp
AGENTLOGS_HOME=$T_TMP/home
CLAUDE_HOME=$T_TMP/empty-claude
export AGENTLOGS_HOME CLAUDE_HOME
mkdir -p "$CLAUDE_HOME"

# First run: nothing of the person's own, so the samples are imported and shown.
t_run "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "first run exit status ($t_err)"
t_assert_contains "$t_err" "bundled samples"
t_assert_contains "$t_out" "Imported"
n_samples=$(find "$AGENTLOGS_SAMPLES/projects" -name '*.jsonl' | wc -l)
t_assert_contains "$t_out" "Imported $n_samples files"
logged=$(printf '%s\n' "$t_out" | sed 1d | grep -c .)
commits=$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM cognitive_commits WHERE hidden = 0 AND deleted_at IS NULL")
[ "$commits" -gt 0 ] || t_fail "the samples gave no commits"
expect=$commits
[ "$expect" -gt 30 ] && expect=30
t_assert_eq "$expect" "$logged" "log lines on the first run"
# The samples' git commits are there, hash and all.
for hash in $(grep -ho '\[[^]]* \([0-9a-f]\{7\}\)\]' "$AGENTLOGS_SAMPLES"/projects/*/*.jsonl |
    sed 's/.* \([0-9a-f]*\)\]/\1/' | sort -u); do
	t_assert_contains "$t_out" "$hash" "first-run log"
done
# A second run: the store is not new, so no samples again; it only shows the log.
t_run "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "second run exit status ($t_err)"
case $t_err$t_out in *"bundled samples"*|*Imported*) t_fail "the second run imported: $t_err $t_out" ;; esac
t_assert_eq "$expect" "$(printf '%s\n' "$t_out" | grep -c .)" "log lines on the second run"
t_assert_eq "$commits" "$(t_sql "$AGENTLOGS_HOME/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE hidden = 0 AND deleted_at IS NULL")" "commits after the second run"

# With transcripts of one's own, those are imported instead of the samples.
mkdir -p "$CLAUDE_HOME/projects/-tmp-mine"
head -n 3 "$(find "$AGENTLOGS_SAMPLES/projects" -name '*.jsonl' | sort | head -n 1)" |
	sed 's/"sessionId": *"[^"]*"/"sessionId":"mine-1"/' >"$CLAUDE_HOME/projects/-tmp-mine/mine-1.jsonl"
t_run env AGENTLOGS_HOME="$T_TMP/home2" "$AGENTLOGS"
t_assert_eq 0 "$t_rc" "run with own transcripts"
case $t_err in *"bundled samples"*) t_fail "samples imported although transcripts exist" ;; esac
t_assert_contains "$t_out" "Imported 1 file"

# Without CLAUDE_HOME: ~/.claude, else ~/.config/claude.
mkdir -p "$T_TMP/fakehome/.config/claude"
cp -R "$CLAUDE_HOME/projects" "$T_TMP/fakehome/.config/claude/"
t_run env -u CLAUDE_HOME HOME="$T_TMP/fakehome" AGENTLOGS_HOME="$T_TMP/home3" "$AGENTLOGS" import
t_assert_eq 0 "$t_rc" "import from ~/.config/claude"
t_assert_contains "$t_out" "Imported 1 file"
mkdir -p "$T_TMP/fakehome/.claude/projects"
t_run env -u CLAUDE_HOME HOME="$T_TMP/fakehome" AGENTLOGS_HOME="$T_TMP/home4" "$AGENTLOGS" import
t_assert_contains "$t_out" "Imported 0 files" "~/.claude is preferred once it exists"

# On a terminal, import draws a progress bar (files, MB, commits) on stderr and
# still ends with its summary line.
t_need_cmd script
script -qec "env AGENTLOGS_HOME='$T_TMP/home5' '$AGENTLOGS' import --claude-dir '$AGENTLOGS_SAMPLES'" \
	/dev/null >"$T_TMP/tty.out" 2>&1 || t_fail "import on a terminal"
tty_out=$(tr '\r' '\n' <"$T_TMP/tty.out")
t_assert_contains "$tty_out" "Importing ["
t_assert_contains "$tty_out" "files $n_samples/$n_samples"
t_assert_contains "$tty_out" " MB, "
t_assert_contains "$tty_out" "Imported $n_samples files"
# Into a pipe, no progress bar: the summary alone.
t_run env AGENTLOGS_HOME="$T_TMP/home6" "$AGENTLOGS" import --claude-dir "$AGENTLOGS_SAMPLES"
case $t_err in *Importing*) t_fail "progress bar drawn into a pipe" ;; esac
t_assert_eq 1 "$(printf '%s\n' "$t_out" | wc -l)" "summary lines"

# Parallel: commits of one project whose spans overlap, computed here from the store.
expect=$(t_sql "$T_TMP/home6/data.db" "SELECT group_concat(id) FROM (SELECT a.id FROM
    cognitive_commits a WHERE EXISTS (SELECT 1 FROM cognitive_commits b WHERE
    b.project_id = a.project_id AND b.id != a.id AND b.started_at < a.closed_at AND
    a.started_at < b.closed_at) ORDER BY a.id)")
got=$(t_sql "$T_TMP/home6/data.db" "SELECT group_concat(id) FROM (SELECT id FROM
    cognitive_commits WHERE parallel = 1 ORDER BY id)")
[ -n "$expect" ] || t_fail "the samples hold no overlapping commits"
t_assert_eq "$expect" "$got" "parallel commits"

t_run "$AGENTLOGS" --version
t_assert_eq 0 "$t_rc" "--version"
t_assert_contains "$t_out" "agentlogs 0."
t_run "$AGENTLOGS" --help
t_assert_eq 0 "$t_rc" "--help"
commands=$(printf '%s\n' "$t_out" | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$commands" ] || t_fail "--help lists no commands"
for cmd in $commands; do
	t_run "$AGENTLOGS" "$cmd" --help
	t_assert_eq 0 "$t_rc" "$cmd --help"
	t_assert_contains "$t_out" "usage: agentlogs $cmd"
	t_run "$AGENTLOGS" help "$cmd"
	t_assert_contains "$t_out" "usage: agentlogs $cmd"
	grep -q "^\.B $cmd\b" "$SRCDIR/man/agentlogs.1" || t_fail "$cmd is not in man/agentlogs.1"
	t_run "$AGENTLOGS" "$cmd" --no-such-option
	t_assert_eq 2 "$t_rc" "$cmd with an unknown option"
	t_assert_contains "$t_err" "no-such-option"
done

t_run "$AGENTLOGS" frobnicate
t_assert_eq 2 "$t_rc" "unknown command"
t_assert_eq "agentlogs: 'frobnicate' is not a command; see 'agentlogs --help'" "$t_err"
t_run "$AGENTLOGS" --frobnicate
t_assert_eq 2 "$t_rc" "unknown global option"

# An unusable home is one clear line and exit 1.
: >"$T_TMP/afile"
t_run env AGENTLOGS_HOME="$T_TMP/afile" "$AGENTLOGS" log
t_assert_eq 1 "$t_rc" "home that is a file"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of error"
t_assert_contains "$t_err" "not a directory"
echo "PASS: first run, help, version, errors and exit codes"
