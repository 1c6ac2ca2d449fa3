#!/bin/sh
# bench/live runs to its end in its quick form (BENCH_QUICK=1) and prints every
# figure with its goal. No figure is checked against its goal here: timings
# belong to the benchmark, not the tests; only that each was measured (a number,
# every trial seen).
. "$SRCDIR/tests/integration/lib.sh"
t_need_cmd tmux
t_mktemp
. "$SRCDIR/tests/integration/server-lib.sh"
s_require_pg
trap 'rm -rf "$T_TMP"' EXIT

BENCH_QUICK=1 BENCH_CAPTURE=3 BENCH_M2M=2 BENCH_DIR=$T_TMP/bench BENCH_PG=$AGENTLOGS_TEST_PG \
	AGENTLOGS_SERVER=${AGENTLOGS_SERVER:-$(dirname "$AGENTLOGS")/agentlogs-server} \
	"$SRCDIR/bench/live" >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
[ "$rc" -eq 0 ] || t_fail "bench/live exited $rc: $(cat "$T_TMP/err") $(cat "$T_TMP/out")"
out=$(cat "$T_TMP/out")
for figure in "capture: in the store" "capture: on the browser's screen" \
	"machine to machine: in B's store" "machine to machine: B's screen"; do
	line=$(grep -F -- "$figure" "$T_TMP/out") || t_fail "no '$figure' in: $out"
	echo "$line" | grep -Eq 'p50 +[0-9.]+ ms +p99 +[0-9.]+ ms' || t_fail "'$figure' without figures: $line"
done
grep -Eq '\(3 trials, 0 missed\)' "$T_TMP/out" || t_fail "capture trials missed: $out"
grep -Eq '\(2 trials, 0 missed\)' "$T_TMP/out" || t_fail "machine-to-machine trials missed: $out"
grep -Eq 'burst of 1000 lines +[0-9]+ imports, [0-9]+ pushes, [0-9]+ requests' "$T_TMP/out" ||
	t_fail "no burst figures: $out"
t_assert_eq 2 "$(grep -Ec '^  idle 5 s, daemon [AC] +[0-9]+ ms CPU, [0-9]+ wakeups' "$T_TMP/out")" "idle figures"
grep -Eq 'RSS watching 1,000 transcripts +[0-9.]+ MB' "$T_TMP/out" || t_fail "no RSS figure: $out"
t_assert_eq 7 "$(grep -Ec '^  goal: .*: (PASS|FAIL)$' "$T_TMP/out")" "goals printed"
[ -s "$T_TMP/err" ] && t_fail "stderr: $(cat "$T_TMP/err")"
echo "PASS: bench/live's quick run prints every figure and goal"
