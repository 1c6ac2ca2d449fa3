#!/bin/sh
# Curation edited on two machines of one person, merged field by field
# (ARCHITECTURE §5): different fields merge silently; the same field edited
# differently is settled by the last write, the losing value kept in
# `conflicts` on the machine where the two edits met (the one that syncs
# second: it pulls the other's edit while its own is still pending); with
# sync.conflicts = manual the conflict is held until `resolve`. move and
# publish round-trip; a delete meets a retitle; a push alone meets a newer
# version; two edits tie.
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

# C1..C4: four commits of one project (the biggest, for move), oldest first;
# then the others.
y_ok A log --json --all
printf '%s\n' "$t_out" >"$T_TMP/log.json"
set -- $(python3 -c 'import collections, json, sys
log = json.load(open(sys.argv[1]))
by = collections.defaultdict(list)
for c in log:
    by[c["project"]].append(c["id"])
p = max(by, key=lambda k: len(by[k]))
four = [c["id"] for c in sorted(log, key=lambda c: c["started_at"]) if c["project"] == p][:4]
if len(four) == 4:
    print(" ".join(four + [c["id"] for c in log if c["id"] not in four]))' "$T_TMP/log.json")
[ $# -ge 7 ] || t_fail "no project with four commits and three more commits in the import"
C1=$1 C2=$2 C3=$3 C4=$4 C5=$5 C6=$6 C7=$7

# field MACHINE ID NAME: a field of a commit as `show --json` has it (JSON).
field() {
	y_ok "$1" show --json "$2"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(json.dumps((j.get("commit") or j)[sys.argv[1]]))' "$3" || t_fail "show --json $2 has no $3"
}

# cloud ID COLUMNS: the cloud's values (opened with A's key when end-to-end encrypted).
cloud() {
	y_cloud_row "$uid" cognitive_commits "$1" "$2" A
}

# sync_all MACHINE...: each machine syncs, in turn, after the cloud settled.
sync_all() {
	for m; do
		y_settle
		y_ok "$m" sync
	done
}

# conflicts MACHINE: the open conflicts as "field local cloud winner" lines.
conflicts() {
	y_ok "$1" conflicts --json
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
for c in json.load(sys.stdin):
    print(c["commit_id"], c["field"], json.dumps(c["local"]), json.dumps(c["cloud"]), c["winner"])'
}

same_log() {
	y_ok A log --json --all
	a_log=$t_out
	y_ok B log --json --all
	t_assert_eq "$a_log" "$t_out" "${1:-log} on A and B"
}

now=$(date +%s)

# ---- 1. Different fields: B retitles while A hides. Both survive, no conflict.
y_ok B title "$C1" "Retitled on B"
y_ok A hide "$C1"
sync_all A B A
for m in A B; do
	t_assert_eq '"Retitled on B"' "$(field $m "$C1" title)" "title on $m"
	t_assert_eq true "$(field $m "$C1" hidden)" "hidden on $m"
	t_assert_eq "" "$(conflicts $m)" "conflicts on $m after edits of different fields"
done
t_assert_eq "Retitled on B|t" "$(cloud "$C1" "title, hidden")" "the cloud's C1"
same_log "log after merging different fields"

# ---- 2. The same field, differently. The last write wins by (version, time):
# both edits are one version up, so the time decides; AGENTLOGS_NOW makes it
# unambiguous. C2: A's edit is the later one (and A syncs first); C3: B's is.
# B syncs second, so the edits meet on B: B records both conflicts, and A
# lists them too once it syncs, from its own side (local is A's value).
y_at $((now + 100)) B title "$C2" "B early"
y_at $((now + 200)) A title "$C2" "A late"
y_at $((now + 100)) A title "$C3" "A early"
y_at $((now + 200)) B title "$C3" "B late"
y_settle
y_ok A sync
y_settle
y_ok B sync
t_assert_contains "$t_out" "2 conflicting edits settled by the last write"
y_settle
y_ok A sync
for m in A B; do
	t_assert_eq '"A late"' "$(field $m "$C2" title)" "C2's title on $m"
	t_assert_eq '"B late"' "$(field $m "$C3" title)" "C3's title on $m"
done
t_assert_eq "A late" "$(cloud "$C2" title)" "the cloud's C2 title"
t_assert_eq "B late" "$(cloud "$C3" title)" "the cloud's C3 title"
expect=$(printf '%s\n' "$C2 title \"B early\" \"A late\" cloud" \
	"$C3 title \"B late\" \"A early\" local" | sort)
t_assert_eq "$expect" "$(conflicts B | sort)" "conflicts on B"
expect=$(printf '%s\n' "$C2 title \"A late\" \"B early\" local" \
	"$C3 title \"A early\" \"B late\" cloud" | sort)
t_assert_eq "$expect" "$(conflicts A | sort)" "conflicts on A"
y_ok B sync --status
t_assert_contains "$t_out" "conflicts:  0 waiting for you, 2 settled by the last write to review"
same_log "log after a settled conflict"

# ---- 3. Manual mode: the conflict is held on B until resolved.
y_ok B config set sync.conflicts manual
y_at $((now + 300)) A title "$C2" "manual A"
y_at $((now + 400)) B title "$C2" "manual B"
y_at $((now + 300)) A title "$C3" "manual A3"
y_at $((now + 400)) B title "$C3" "manual B3"
sync_all A
y_settle
y_on B sync
t_assert_eq 2 "$t_rc" "sync with held conflicts ($t_err)"
t_assert_contains "$t_out" "2 conflicts wait for you"
t_assert_eq '"manual B"' "$(field B "$C2" title)" "B's title while held"
t_assert_eq "manual A" "$(cloud "$C2" title)" "the cloud's title while held"
t_assert_eq "manual A3" "$(cloud "$C3" title)" "the cloud's C3 title while held"
mkdir -p "$T_TMP/no-claude/projects"
t_run env AGENTLOGS_HOME="$(y_home B)" CLAUDE_HOME="$T_TMP/no-claude" "$AGENTLOGS" --sync-once
t_assert_eq 2 "$t_rc" "--sync-once with held conflicts ($t_err)"
t_assert_eq "manual A" "$(cloud "$C2" title)" "the cloud's title after --sync-once"
held=$(conflicts B | grep ' None$' | sort)
expect=$(printf '%s\n' "$C2 title \"manual B\" \"manual A\" None" \
	"$C3 title \"manual B3\" \"manual A3\" None" | sort)
t_assert_eq "$expect" "$held" "held conflicts on B"
y_ok B sync --status
t_assert_contains "$t_out" "conflicts:  2 waiting for you"
# --json counts what conflicts --json lists: held (no winner) and settled.
expect="$(conflicts B | grep -c ' None$') $(conflicts B | grep -vc ' None$')"
y_ok B sync --status --json
t_assert_eq "$expect" "$(printf '%s\n' "$t_out" | python3 -c 'import json, sys
c = json.load(sys.stdin)["conflicts"]; print(c["held"], c["settled"])')" "sync --status --json conflicts"
# Another edit of a held commit, on the other machine, in another field: it
# merges in, and the conflict stays held (nothing of B's held title goes up).
y_ok A hide "$C2"
y_settle
# B's held conflicts reached A too: A may decide them, so its sync says so.
y_on A sync
t_assert_eq 2 "$t_rc" "A's sync with B's held conflicts ($t_err)"
t_assert_eq 2 "$(conflicts A | grep -c ' None$')" "B's held conflicts on A"
y_settle
y_on B sync
t_assert_eq 2 "$t_rc" "sync with held conflicts after another edit ($t_err)"
t_assert_eq true "$(field B "$C2" hidden)" "hidden merged into the held commit"
t_assert_eq '"manual B"' "$(field B "$C2" title)" "B's title still held"
t_assert_eq "manual A" "$(cloud "$C2" title)" "the cloud's title while still held"
y_on B resolve "$C2" --keep sideways
t_assert_eq 1 "$t_rc" "resolve --keep sideways"
t_assert_one_line "$t_err" "resolve's error"

y_ok B resolve "$C2" --keep cloud
t_assert_eq '"manual A"' "$(field B "$C2" title)" "B's title after --keep cloud"
y_on B sync
t_assert_eq 2 "$t_rc" "sync with one conflict still held ($t_err)"
y_ok B resolve "$C3" --field title=local
t_assert_eq '"manual B3"' "$(field B "$C3" title)" "B's title after --field title=local"
sync_all B A
for m in A B; do
	t_assert_eq '"manual A"' "$(field $m "$C2" title)" "C2's title on $m after resolve"
	t_assert_eq '"manual B3"' "$(field $m "$C3" title)" "C3's title on $m after resolve"
done
t_assert_eq "manual B3" "$(cloud "$C3" title)" "the cloud's C3 title after resolve"
t_assert_eq "" "$(conflicts B | grep ' None$')" "held conflicts after resolve"
y_ok B sync --status
t_assert_contains "$t_out" "conflicts:  0 waiting for you"
same_log "log after resolving"

# ---- 4. publish and move round-trip.
y_ok A publish "$C4"
y_ok A move "$C4" --before "$C1"
sync_all A B
t_assert_eq true "$(field B "$C4" published)" "published on B"
t_assert_eq t "$(cloud "$C4" published)" "published in the cloud"
o1=$(field B "$C1" display_order)
o4=$(field B "$C4" display_order)
[ "$o4" -lt "$o1" ] || t_fail "C4 ($o4) is not before C1 ($o1) on B"
y_ok B unpublish "$C4"
y_ok B move "$C1" --before "$C4"
sync_all B A
t_assert_eq false "$(field A "$C4" published)" "unpublished on A"
o1=$(field A "$C1" display_order)
o4=$(field A "$C4" display_order)
[ "$o1" -lt "$o4" ] || t_fail "C1 ($o1) is not before C4 ($o4) on A"
same_log "log after publish and move"
t_assert_eq "" "$(conflicts A)" "conflicts on A at the end"
# ---- 5. A deletes what B retitles: the tombstone and the title both survive.
y_ok B config set sync.conflicts auto
y_ok A rm "$C5"
y_ok B title "$C5" "title of a deleted commit"
sync_all A B A
for m in A B; do
	y_on $m show "$C5"
	t_assert_eq 1 "$t_rc" "show of the deleted commit on $m"
done
t_assert_eq "title of a deleted commit|t" "$(cloud "$C5" "title, deleted_at IS NOT NULL")" \
	"the cloud's C5"
same_log "log after a delete and a retitle"

# ---- 6. A push alone meets a newer version in the cloud: the cloud refuses
# it (compare-and-swap), the push pulls and merges it (the newer version wins
# the title) and has nothing left to send.
y_ok A title "$C6" "A once"
y_ok A title "$C6" "A twice"
y_ok B title "$C6" "B once"
sync_all A
y_settle
y_ok B push
t_assert_contains "$t_out" "1 conflicting edit settled by the last write"
t_assert_eq "A twice" "$(cloud "$C6" title)" "the cloud's C6 after a refused push"
y_ok B sync --status
t_assert_contains "$t_out" "pending:    0 projects, 0 commits"
sync_all B A
for m in A B; do
	t_assert_eq '"A twice"' "$(field $m "$C6" title)" "C6's title on $m"
done
conflicts B | grep -q "^$C6 title \"B once\" \"A twice\" cloud\$" ||
	t_fail "the stale title is not in B's conflicts: $(conflicts B)"
y_ok B sync --status
t_assert_contains "$t_out" "pending:    0 projects, 0 commits"
same_log "log after a stale push"

# ---- 7. A tie: both edits one version up in the same second, each pushed
# without a pull. The cloud keeps one by origin machine id; both machines
# must end with that one.
y_at $((now + 500)) A title "$C7" "tie A"
y_at $((now + 500)) B title "$C7" "tie B"
y_ok A push
y_ok B push
sync_all A B A B
kept=$(cloud "$C7" title)
case $kept in "tie A" | "tie B") ;; *) t_fail "the cloud's C7 title: $kept" ;; esac
for m in A B; do
	t_assert_eq "\"$kept\"" "$(field $m "$C7" title)" "C7's title on $m after a tie"
done
same_log "log after a tie"
echo "PASS: sync-merge"
