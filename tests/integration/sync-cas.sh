#!/bin/sh
# Pushes are compare-and-swap (issue 10): each pushed row carries the cloud
# version this machine last merged, and the cloud refuses a row that moved on
# since. The lost update this prevents: A and B in sync, both retitle one
# commit, both pull (nothing new), A pushes, B pushes. Before, B's push simply
# overwrote A's title (its clock was newer) and neither machine recorded a
# conflict. Now B's push is refused for that row; B pulls it, merges it field
# by field (a true conflict: the last write wins, the loser is kept; with
# sync.conflicts = manual it is held) and pushes the result.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)
y_import A
y_ok A push
y_settle
y_ok B pull
# A's own rows come back once: past them, A's pulls below bring nothing.
y_ok A pull

y_ok A log --json --all
set -- $(printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(" ".join(c["id"] for c in json.load(sys.stdin)[:3]))')
[ $# -eq 3 ] || t_fail "fewer than three commits imported"
C1=$1 C2=$2 C3=$3

title() {
	y_ok "$1" show --json "$2"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
print((j.get("commit") or j)["title"])'
}

cloud_title() {
	psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits
	    WHERE user_id = '$uid' AND id = '$1'"
}

# conflicts MACHINE ID: "field local cloud winner" of the commit's conflicts.
conflicts() {
	y_ok "$1" conflicts --json
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    if c["commit_id"] == sys.argv[1]:
        print(c["field"], c["local"], c["cloud"], c["winner"])' "$2"
}

# race ID TIME_A TIME_B: A and B retitle ID (at those clocks), pull, A pushes, B pushes.
race() {
	y_at "$2" A title "$1" RA
	y_at "$3" B title "$1" RB
	y_settle
	y_ok A pull
	y_ok B pull
	y_ok A push
	y_settle
	y_on B push
	b_rc=$t_rc b_out=$t_out
	y_settle
	y_ok A pull
}

now=$(date +%s)

# ---- 1. The issue's case: B's edit is the later one, so it wins; A's is kept.
race "$C1" $((now + 100)) $((now + 200))
t_assert_eq 0 "$b_rc" "B's push after A's"
t_assert_contains "$b_out" "1 conflicting edit settled by the last write"
t_assert_eq RB "$(title A "$C1")" "C1's title on A"
t_assert_eq RB "$(title B "$C1")" "C1's title on B"
t_assert_eq RB "$(cloud_title "$C1")" "C1's title in the cloud"
t_assert_eq "title RB RA local" "$(conflicts B "$C1")" "the conflict on B"
y_same_rows "A B" "$uid" "after the race"

# ---- 2. A's edit is the later one: B's push learns that and takes it.
race "$C2" $((now + 400)) $((now + 300))
t_assert_eq 0 "$b_rc" "B's push after A's later edit"
t_assert_eq RA "$(title A "$C2")" "C2's title on A"
t_assert_eq RA "$(title B "$C2")" "C2's title on B"
t_assert_eq "title RB RA cloud" "$(conflicts B "$C2")" "the conflict on B"
y_same_rows "A B" "$uid" "after the second race"

# ---- 3. Manual on B: B's push holds the conflict; the cloud keeps A's title.
y_ok B config set sync.conflicts manual
race "$C3" $((now + 500)) $((now + 600))
t_assert_eq 2 "$b_rc" "B's push with a held conflict"
t_assert_contains "$b_out" "1 conflict waits for you"
t_assert_eq RA "$(cloud_title "$C3")" "C3's title in the cloud while held"
t_assert_eq RA "$(title A "$C3")" "C3's title on A while held"
t_assert_eq RB "$(title B "$C3")" "C3's title on B while held"
t_assert_eq "title RB RA None" "$(conflicts B "$C3")" "the held conflict on B"
y_ok B resolve "$C3" --keep local
y_ok B push
y_settle
y_ok A pull
t_assert_eq RB "$(title A "$C3")" "C3's title on A once resolved"
t_assert_eq RB "$(cloud_title "$C3")" "C3's title in the cloud once resolved"
y_same_rows "A B" "$uid" "after resolving"

echo "PASS: sync-cas"
