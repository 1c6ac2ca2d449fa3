#!/bin/sh
# A machine whose clock runs an hour ahead (the AGENTLOGS_CLOCK_SKEW fault)
# does not win every tie for an hour. The version decides first; updated_at
# only breaks a tie between equal versions, and each machine stamps it with
# its clock set back by how far it runs ahead of the cloud's (measured from
# the token answers at login). Here A, an hour fast, retitles a commit, then
# B, later in true time but an hour earlier by A's clock, retitles it too,
# from the same version: B's is the last write, and wins on both machines.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

SKEW=3600
# fast CMD...: runs CMD with this process tree's clock SKEW seconds ahead.
fast() {
	AGENTLOGS_CLOCK_SKEW=$SKEW
	export AGENTLOGS_CLOCK_SKEW
	"$@"
	unset AGENTLOGS_CLOCK_SKEW
}
# title MACHINE ID: the commit's title there.
title() {
	t_sql "$(y_home "$1")/data.db" "SELECT title FROM cognitive_commits WHERE id = '$2'"
}
# ahead MACHINE: how far its clock runs ahead of the cloud's, as its login measured it.
ahead() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["clock_ahead"])' \
		"$(y_home "$1")/auth.json"
}

y_machine A
y_machine B
fast y_signup A ann@example.com
y_login B ann@example.com
# The login measured it, to the second (the cloud answers in whole seconds).
a=$(ahead A)
[ "$a" -ge $((SKEW - 1)) ] && [ "$a" -le $((SKEW + 1)) ] || t_fail "A runs $a s ahead, not $SKEW"
b=$(ahead B)
[ "$b" -ge -1 ] && [ "$b" -le 1 ] || t_fail "B runs $b s ahead, not 0"

fast y_import A
fast y_ok A push
y_settle
y_ok B pull
id=$(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits ORDER BY started_at, id LIMIT 1")

# ---- One edit each from the same version: the later one in true time wins.
now=$(date +%s)
fast y_at $((now + 100)) A title "$id" "A first"
fast y_ok A push
y_settle
y_at $((now + 200)) B title "$id" "B later"
y_ok B sync
y_settle
fast y_ok A sync
t_assert_eq "B later" "$(title A "$id")" "A's title after both synced"
t_assert_eq "B later" "$(title B "$id")" "B's title after both synced"
y_ok B conflicts --json
t_assert_contains "$t_out" '"A first"' "the losing title, kept on B"

# ---- The version first: two edits on B (a higher version) win over A's
# one later edit, whatever the clocks say.
y_settle
y_ok B pull
y_at $((now + 300)) B title "$id" "B one"
y_at $((now + 310)) B title "$id" "B two"
y_ok B push
fast y_at $((now + 400)) A title "$id" "A once"
y_settle
fast y_ok A sync
y_settle
y_ok B sync
t_assert_eq "B two" "$(title B "$id")" "B's title: the higher version"
t_assert_eq "B two" "$(title A "$id")" "A's title: the higher version"
echo "PASS: sync-ties"
