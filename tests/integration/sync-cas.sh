#!/bin/sh
# Pushes are compare-and-swap (issue 10): each pushed row carries the cloud
# version this machine last merged, and the cloud refuses a row that moved on
# since. The lost update this prevents: A and B in sync, both retitle one
# commit, both pull (nothing new), A pushes, B pushes. Before, B's push simply
# overwrote A's title (its clock was newer) and neither machine recorded a
# conflict. Now B's push is refused for that row; B pulls it, merges it field
# by field (a true conflict: the last write wins, the loser is kept; with
# sync.conflicts = manual it is held) and pushes the result. Then the cloud's
# side on its own: one refused row does not stop the rest of its batch.
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
	# 2 when B held the conflict: its record reaches A, which may decide too.
	y_on A pull
	a_rc=$t_rc
	[ "$a_rc" -le 2 ] || t_fail "A's pull after the race exited $a_rc: $t_err"
}

now=$(date +%s)

# ---- 1. The issue's case: B's edit is the later one, so it wins; A's is kept.
race "$C1" $((now + 100)) $((now + 200))
t_assert_eq 0 "$b_rc" "B's push after A's"
t_assert_eq 0 "$a_rc" "A's pull after the race"
t_assert_contains "$b_out" "1 conflicting edit settled by the last write"
t_assert_eq RB "$(y_title A "$C1")" "C1's title on A"
t_assert_eq RB "$(y_title B "$C1")" "C1's title on B"
t_assert_eq RB "$(y_cloud_title A "$C1")" "C1's title in the cloud"
t_assert_eq "title RB RA local" "$(y_conflicts B "$C1" field local cloud winner)" "the conflict on B"
y_same_rows "A B" "$uid" "after the race"

# ---- 2. A's edit is the later one: B's push learns that and takes it.
race "$C2" $((now + 400)) $((now + 300))
t_assert_eq 0 "$b_rc" "B's push after A's later edit"
t_assert_eq RA "$(y_title A "$C2")" "C2's title on A"
t_assert_eq RA "$(y_title B "$C2")" "C2's title on B"
t_assert_eq "title RB RA cloud" "$(y_conflicts B "$C2" field local cloud winner)" "the conflict on B"
y_same_rows "A B" "$uid" "after the second race"

# ---- 3. Manual on B: B's push holds the conflict; the cloud keeps A's title.
y_ok B config set sync.conflicts manual
race "$C3" $((now + 500)) $((now + 600))
t_assert_eq 2 "$b_rc" "B's push with a held conflict"
t_assert_eq 2 "$a_rc" "A's pull of B's held conflict"
t_assert_contains "$b_out" "1 conflict waits for you"
t_assert_eq RA "$(y_cloud_title A "$C3")" "C3's title in the cloud while held"
t_assert_eq RA "$(y_title A "$C3")" "C3's title on A while held"
t_assert_eq RB "$(y_title B "$C3")" "C3's title on B while held"
t_assert_eq "title RB RA None" "$(y_conflicts B "$C3" field local cloud winner)" "the held conflict on B"
y_ok B resolve "$C3" --keep local
y_ok B push
y_settle
y_ok A pull
t_assert_eq RB "$(y_title A "$C3")" "C3's title on A once resolved"
t_assert_eq RB "$(y_cloud_title A "$C3")" "C3's title in the cloud once resolved"
y_same_rows "A B" "$uid" "after resolving"

# ---- 4. The cloud's side, through REST as A: in one push_batch call, a row at
# its base applies and a row whose base is behind is refused alone, reported
# stale with the cloud's clock; the same row pushed again counts as unchanged;
# a base that is not a whole number is refused with a clear error.
token=$(y_auth A access_token)
y_two_projects "$uid"
# batch NAME1 BASE1_DELTA NAME2 BASE2_DELTA: both projects one version up, renamed,
# each with base_version = the cloud's version + delta.
batch() {
	psql -X -At "$S_DB" -c "SELECT json_agg(to_jsonb(p) - 'user_id' - 'txid' ORDER BY id)
	    FROM projects p WHERE user_id = '$uid' AND id IN ('$P1', '$P2')" |
		python3 -c 'import json, sys
rows = json.load(sys.stdin)
for r, name, delta in zip(rows, sys.argv[1::2], sys.argv[2::2]):
    r["base_version"] = r["version"] + int(delta) if delta != "x" else "x"
    r["version"] += 1
    r["name"] = name
print(json.dumps({"payload": {"projects": rows}}))' "$@"
}
push_as_a() {
	s_http POST /rest/v1/rpc/push_batch "$1" -H "Authorization: Bearer $token"
}
body=$(batch "cas applied" 0 "cas refused" -1)
push_as_a "$body"
t_assert_eq 200 "$s_status" "push_batch with one stale base ($s_body)"
t_assert_eq "1 1 $P2" "$(s_json 'j["applied"]["projects"], j["skipped"]["projects"], j["stale"][0]["id"]')" \
	"applied, refused and the stale row"
t_assert_eq "cas applied" "$(psql -X -At "$S_DB" -c "SELECT name FROM projects WHERE id = '$P1'")" \
	"the project at its base"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM projects WHERE id = '$P2'
    AND name = 'cas refused'")" "the refused project is unchanged"
# A retry of the applied row (its base now behind): already there, unchanged.
push_as_a "$(printf '%s' "$body" | python3 -c 'import json, sys
b = json.load(sys.stdin)
b["payload"]["projects"] = [r for r in b["payload"]["projects"] if r["name"] == "cas applied"]
print(json.dumps(b))')"
t_assert_eq "200 0 1 0" "$s_status $(s_json 'j["applied"]["projects"], j["unchanged"]["projects"], len(j["stale"])')" \
	"a retried push"
push_as_a "$(batch "bad base" x "bad base" x)"
t_assert_eq 400 "$s_status" "a base that is not a number ($s_body)"
t_assert_contains "$s_body" "base_version that is not a whole number"

# ---- 5. push_batch does the row triggers' work itself: they stand aside while
# it writes (20261207000008), so their rules must hold in its own upsert, and
# come back for every other writer. Each call as A, in one transaction.
as_a="SELECT set_config('role', 'authenticated', true),
    set_config('request.jwt.claims', '{\"sub\":\"$uid\",\"role\":\"authenticated\"}', true)"
# pushed P1 CHANGES: push_batch of P1 as the cloud holds it, with CHANGES (a jsonb
# object) applied, as A; prints its result.
pushed() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" -c "BEGIN" -c "$as_a" -c "SELECT public.push_batch(
	    jsonb_build_object('projects', jsonb_build_array((SELECT to_jsonb(p) - 'user_id' - 'txid'
	    FROM public.projects p WHERE id = '$1') || '$2'::jsonb)))" -c "COMMIT" | tail -n 1
}
p1() {
	psql -X -At "$S_DB" -c "SELECT $1 FROM projects WHERE id = '$P1'"
}
v=$(p1 version)
# An older clock without a base (an older client's push): the last write wins, so
# it is refused and reported stale, as agentlogs_lww refused it.
r=$(pushed "$P1" "{\"name\": \"older\", \"version\": $((v - 1))}")
t_assert_eq "0 1" "$(printf '%s' "$r" | python3 -c 'import json, sys; j = json.load(sys.stdin)
print(j["applied"]["projects"], j["skipped"]["projects"])')" "an older clock without a base ($r)"
t_assert_eq "cas applied" "$(p1 name)" "the project after an older clock"
# The same version with a later time: applied, at a new change-feed position.
txid=$(p1 txid)
r=$(pushed "$P1" '{"name": "later", "updated_at": "2099-01-01T00:00:00Z"}')
t_assert_eq "later 1" "$(p1 name) $(p1 "(txid > '$txid')::int")" "a later time without a base ($r)"
# Arriving deleted: deleted_at is the cloud's time, not the machine's; pushed
# deleted again, it keeps the first.
r=$(pushed "$P1" "{\"version\": $((v + 1)), \"base_version\": $v,
    \"deleted_at\": \"2001-01-01T00:00:00Z\"}")
t_assert_eq 1 "$(p1 "(deleted_at > now() - interval '1 hour')::int")" "deleted_at stamped by the cloud ($r)"
deleted=$(p1 deleted_at)
r=$(pushed "$P1" "{\"version\": $((v + 2)), \"base_version\": $((v + 1)),
    \"deleted_at\": \"2002-01-01T00:00:00Z\"}")
t_assert_eq "$((v + 2)) $deleted" "$(p1 version) $(p1 deleted_at)" "a tombstone keeps its first time ($r)"
# After push_batch, in the same transaction, a direct write with an older clock
# meets agentlogs_lww again: the setting that sets it aside is cleared.
t_assert_eq "$((v + 2))" "$(psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" -c "BEGIN" -c "$as_a" \
    -c "SELECT public.push_batch('{}')" \
    -c "UPDATE public.projects SET version = 1, name = 'direct' WHERE id = '$P1'" \
    -c "SELECT version FROM public.projects WHERE id = '$P1'" -c "COMMIT" | tail -n 1)" \
	"a direct older write after push_batch"

echo "PASS: sync-cas"
