# Helpers shared by the integration tests: . "$SRCDIR/tests/integration/lib.sh".
# Every name starts with t_. Append; do not change what others rely on.

# t_fail MESSAGE: reports a failure and exits 1.
t_fail() {
	echo "FAIL: $*" >&2
	exit 1
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
