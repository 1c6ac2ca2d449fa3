#!/bin/sh
# Conflicts sync (issue 10): a conflict record goes to the cloud and shows on
# every machine of the account, from that machine's side; acknowledging or
# resolving it on one machine closes it everywhere. Before, a record lived
# only on the machine that merged it: in auto mode that is the machine whose
# value WON, so the one whose edit was replaced (A below) listed nothing.
#   (a) auto: A and B retitle one commit; B's later edit wins; both machines
#       list the conflict with A's lost title, each from its own side.
#   (b) B acknowledges; after both sync, neither lists it.
#   (c) manual on B: B holds a conflict; A resolves it; both clear, converge.
#   (d) a second, different conflict on the same field keeps the first's
#       lost value (it used to overwrite the open record).
#   (e) an order conflict reads as positions ("1st of N, at the top").
# Expected values come from the edits made here.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine B
y_signup A kim@example.com
y_login B kim@example.com
uid=$(y_uid A)
y_import A
y_ok A push
y_settle
y_ok B pull
y_ok A pull
A_ID=$(cat "$(y_home A)/machine-id")
B_ID=$(cat "$(y_home B)/machine-id")

# Five commits of the project with the most commits (the last one for (e)).
set -- $(t_sql "$(y_home A)/data.db" "SELECT id FROM cognitive_commits
    WHERE deleted_at IS NULL AND project_id = (SELECT project_id FROM cognitive_commits
      WHERE deleted_at IS NULL GROUP BY project_id ORDER BY count(*) DESC LIMIT 1)
    ORDER BY started_at, id LIMIT 5")
[ $# -eq 5 ] || t_fail "a project with five commits is needed, found $#"
C1=$1 C2=$2 C3=$3 C4=$4 C5=$5

# status MACHINE: "held settled" of sync --status --json.
status() {
	y_ok "$1" sync --status --json
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
c = json.load(sys.stdin)["conflicts"]
print(c["held"], c["settled"])'
}

# race ID A_VALUE B_VALUE TIME_A TIME_B: A and B retitle ID, A's edit first;
# both pull, A pushes, B pushes (refused: B merges, records), A pulls.
race() {
	y_at "$4" A title "$1" "$2"
	y_at "$5" B title "$1" "$3"
	y_settle
	y_ok A pull
	y_ok B pull
	y_ok A push
	y_settle
	y_on B push
	b_rc=$t_rc b_out=$t_out
	y_settle
	y_on A pull
	a_rc=$t_rc
}

now=$(date +%s)

# ---- (a) auto: B's later title wins; A's lost title shows on both machines.
race "$C1" "title by A" "title by B" $((now + 100)) $((now + 200))
t_assert_eq 0 "$b_rc" "B's push"
t_assert_eq 0 "$a_rc" "A's pull"
t_assert_eq "title by B" "$(y_title A "$C1")" "C1's title on A"
t_assert_eq "title by B" "$(y_title B "$C1")" "C1's title on B"
t_assert_eq "title title by B title by A local $B_ID $A_ID" "$(y_conflicts B "$C1" field local cloud winner local_machine cloud_machine)" \
	"the conflict on B (its value won)"
t_assert_eq "title title by A title by B cloud $A_ID $B_ID" "$(y_conflicts A "$C1" field local cloud winner local_machine cloud_machine)" \
	"the conflict on A (its value lost)"
y_ok A conflicts
t_assert_contains "$t_out" 'local "title by A"  cloud "title by B"  (cloud kept: last write)'
t_assert_eq "0 1" "$(status A)" "A's held and settled conflicts"
t_assert_eq "0 1" "$(status B)" "B's held and settled conflicts"
y_same_rows "A B" "$uid" "after (a)"

# ---- (b) acknowledged on B: gone from both once synced.
y_ok B conflicts --ack
t_assert_contains "$t_out" "Acknowledged 1 settled conflict"
t_assert_eq "" "$(y_conflicts B "$C1" field local cloud winner local_machine cloud_machine)" "B's list after acknowledging"
y_ok B sync
y_settle
y_ok A sync
t_assert_eq "" "$(y_conflicts A "$C1" field local cloud winner local_machine cloud_machine)" "A's list after B acknowledged"
t_assert_eq "0 0" "$(status A)" "A's counts after B acknowledged"
t_assert_eq "acknowledged $B_ID" "$(psql -X -At -F ' ' "$S_DB" -c "SELECT state, resolved_by
    FROM conflicts WHERE user_id = '$uid' AND record_id = '$C1'")" "the record in the cloud"
t_assert_eq "title by B" "$(y_title A "$C1")" "C1's title on A, unchanged by acknowledging"
y_same_rows "A B" "$uid" "after (b)"

# ---- (c) manual on B: held there; A decides for B's value; both clear, converge.
y_ok B config set sync.conflicts manual
race "$C2" "held A" "held B" $((now + 300)) $((now + 400))
t_assert_eq 2 "$b_rc" "B's push with a held conflict"
t_assert_eq 2 "$a_rc" "A's pull of B's held conflict"
t_assert_eq "held A" "$(y_cloud_title A "$C2")" "C2's title in the cloud while held"
t_assert_eq "title held A held B None $A_ID $B_ID" "$(y_conflicts A "$C2" field local cloud winner local_machine cloud_machine)" "the held conflict on A"
t_assert_eq "title held B held A None $B_ID $A_ID" "$(y_conflicts B "$C2" field local cloud winner local_machine cloud_machine)" "the held conflict on B"
t_assert_eq "1 0" "$(status A)" "A's counts while held"
y_ok A resolve "$C2" --keep cloud
y_ok A sync
y_settle
y_ok B sync
y_settle
y_ok A sync
t_assert_eq "" "$(y_conflicts A "$C2" field local cloud winner local_machine cloud_machine)" "A's list once resolved"
t_assert_eq "" "$(y_conflicts B "$C2" field local cloud winner local_machine cloud_machine)" "B's list once A resolved"
t_assert_eq "held B" "$(y_title A "$C2")" "C2's title on A once resolved"
t_assert_eq "held B" "$(y_title B "$C2")" "C2's title on B once resolved"
t_assert_eq "held B" "$(y_cloud_title A "$C2")" "C2's title in the cloud once resolved"
t_assert_eq "resolved $A_ID" "$(psql -X -At -F ' ' "$S_DB" -c "SELECT state, resolved_by
    FROM conflicts WHERE user_id = '$uid' AND record_id = '$C2'")" "the record in the cloud"
y_same_rows "A B" "$uid" "after (c)"
y_ok B config set sync.conflicts auto

# ---- (d) two different conflicts on one field: the first's lost value stays.
race "$C3" "first A" "first B" $((now + 500)) $((now + 600))
y_ok B pull
race "$C3" "second A" "second B" $((now + 700)) $((now + 800))
t_assert_eq 0 "$b_rc" "B's second push"
t_assert_eq "title first B first A local $B_ID $A_ID
title second B second A local $B_ID $A_ID" "$(y_conflicts B "$C3" field local cloud winner local_machine cloud_machine)" "both conflicts on B"
t_assert_eq "title first A first B cloud $A_ID $B_ID
title second A second B cloud $A_ID $B_ID" "$(y_conflicts A "$C3" field local cloud winner local_machine cloud_machine)" "both conflicts on A"
y_same_rows "A B" "$uid" "after (d)"

# ---- (e) an order conflict as positions. A puts C5 first in its project's
# list, B (later) last; every other commit keeps order 0, so the list runs
# newest first and the last one is under the project's oldest commit, C1.
order() {
	python3 - "$(y_home "$1")/data.db" "$C5" "$2" "$3" <<'PY' || t_fail "setting an order"
import sqlite3, sys, datetime
db = sqlite3.connect(sys.argv[1])
at = datetime.datetime.fromtimestamp(int(sys.argv[4]), datetime.timezone.utc)
db.execute("UPDATE cognitive_commits SET display_order = ?, version = version + 1,"
           " updated_at = ?, local_version = local_version + 1, sync_status = 'pending'"
           " WHERE id = ?", (int(sys.argv[3]), at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), sys.argv[2]))
db.commit()
PY
}
# ordinal N: 1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st.
ordinal() {
	case $(($1 % 100)) in
	11|12|13) echo "${1}th" ;;
	*) case $(($1 % 10)) in 1) echo "${1}st" ;; 2) echo "${1}nd" ;; 3) echo "${1}rd" ;;
		*) echo "${1}th" ;; esac ;;
	esac
}
n=$(t_sql "$(y_home A)/data.db" "SELECT count(*) FROM cognitive_commits
    WHERE deleted_at IS NULL AND hidden = 0 AND project_id = (SELECT project_id
      FROM cognitive_commits WHERE id = '$C5')")
order A 1000 $((now + 900))
order B -1000 $((now + 1000))
y_settle
y_ok A pull
y_ok B pull
y_ok A push
y_settle
y_ok B push
y_settle
y_ok A pull
y_ok A conflicts --json
t_assert_eq "1st of $n, at the top|$(ordinal "$n") of $n, after $(y_title A "$C1")" \
	"$(printf '%s\n' "$t_out" | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    if c["commit_id"] == sys.argv[1]:
        print(c["local_position"] + "|" + c["cloud_position"])' "$C5")" \
	"the order conflict on A, as positions"
y_ok A conflicts
t_assert_contains "$t_out" "local 1st of $n, at the top  cloud $(ordinal "$n") of $n, after"

# Bad input: one clear line, exit 2 (usage) or 1 (no such commit), nothing changed.
y_on A conflicts --ack --json
t_assert_eq 2 "$t_rc" "conflicts --ack --json"
t_assert_contains "$t_err" "--ack takes no --json"
y_on A conflicts --ack "$C5" extra
t_assert_eq 2 "$t_rc" "conflicts --ack with two ids"
y_on A conflicts --ack 0000zz
t_assert_eq 1 "$t_rc" "conflicts --ack with a bad id"
t_assert_one_line "$t_err" "the bad id's error"
y_ok A conflicts --ack "$C1"
t_assert_contains "$t_out" "No settled conflict to acknowledge on"
y_ok A conflicts --ack "$C5"
t_assert_contains "$t_out" "Acknowledged 1 settled conflict of"

echo "PASS: sync-conflicts"
