#!/bin/sh
# push_rows (20261207000014): push_batch with positional rows, each table's
# column names once and each row an array. agentlogs pushes through it, and
# falls back to push_batch when the cloud answers that it has none (a hosted
# project without the migration). Checked here:
# 1. A's push goes through push_rows alone.
# 2. Without push_rows in the database, C (a copy of A's store, another
#    account) pushes through push_batch after one refused push_rows; every
#    row C's push stored equals the one A's stored (all columns but the
#    owner's, the change-feed position and the machine): push_batch is the
#    reference for what push_rows writes.
# 3. push_rows itself, as A through REST: compare-and-swap (a stale base
#    refused alone and listed with the cloud's clock, a retry unchanged), the
#    same answer as push_batch's, bad bases, another user's row, rows of the
#    wrong shape, columns the table lacks ignored.
# 4. The row triggers' rules hold inside it, as sync-cas.sh checks them for
#    push_batch: an older clock refused, a later time applied at a new txid,
#    a tombstone's time the cloud's and kept.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine C
y_signup A ann@example.com
y_signup C cat@example.com
uid=$(y_uid A)
uid_c=$(y_uid C)
y_import A
# C's store is A's before A pushes: the same rows, all pending, and screenshots.
t_sql "$(y_home A)/data.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$(y_home A)/data.db" "$(y_home C)/data.db" || t_fail "copying A's store"
if [ -d "$(y_home A)/visual-cache" ]; then
	cp -R "$(y_home A)/visual-cache" "$(y_home C)/" || t_fail "copying A's screenshots"
fi

# pushes FUNCTION STATUS: the requests to FUNCTION that the server answered with STATUS.
pushes() {
	grep -c "POST /rest/v1/rpc/$1 $2" "$T_TMP/server.log"
}

# ---- 1. Through push_rows.
y_ok A push
t_assert_eq "0 0" "$(pushes push_batch '') $(pushes push_rows 404)" "A's push: no push_batch, no refusal"
[ "$(pushes push_rows 200)" -ge 1 ] || t_fail "A's push made no push_rows request"
y_same_rows A "$uid" "after A's push through push_rows"

# ---- 2. A cloud without push_rows: C falls back to push_batch.
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" -c "DROP FUNCTION public.push_rows(jsonb)" ||
	t_fail "dropping push_rows"
y_ok C push
t_assert_eq "1 1" "$(pushes push_rows 404) $(pushes push_rows 200)" \
	"C's push: one push_rows refused (A's still the only one taken)"
[ "$(pushes push_batch 200)" -ge 1 ] || t_fail "C's push made no push_batch request"
y_same_rows C "$uid_c" "after C's push through push_batch"
# cloud_rows UID: "table count md5" of every synced table's rows of UID (the
# user's id in a screenshot's storage path written USER; a screenshot's
# updated_at is the clock of its upload, each machine's own).
cloud_rows() {
	for t in $Y_SYNCED; do
		psql -X -At "$S_DB" -c "SELECT '$t', count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), ''))
		    FROM (SELECT replace((to_jsonb(x) - 'user_id' - 'txid' - 'origin_machine_id'
		                          - CASE '$t' WHEN 'visuals' THEN 'updated_at' ELSE '' END)::text,
		                         x.user_id::text, 'USER') r
		          FROM public.$t x WHERE user_id = '$1') s"
	done
}
cloud_rows "$uid" >"$T_TMP/rows.a"
cloud_rows "$uid_c" >"$T_TMP/rows.c"
t_assert_eq "$(cat "$T_TMP/rows.c")" "$(cat "$T_TMP/rows.a")" "the rows push_rows and push_batch stored"
[ "$(grep '^turns|' "$T_TMP/rows.a" | cut -d'|' -f2)" -gt 0 ] ||
	t_fail "no turns pushed: $(cat "$T_TMP/rows.a")"
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" -f "$SRCDIR/supabase/migrations/20261207000014_push_speed.sql" ||
	t_fail "restoring push_rows"

# ---- 3. push_rows through REST, as A.
token=$(y_auth A access_token)
y_two_projects "$uid"
# batch FORM NAME1 BASE1 NAME2 BASE2 [JSON-PATCH]: both projects one version up,
# renamed, each with base_version = the cloud's version + BASE (or =JSON: that
# value itself), JSON-PATCH merged into each row; as
# push_batch's objects (FORM objects) or push_rows' positional rows.
batch() {
	psql -X -At "$S_DB" -c "SELECT json_agg(to_jsonb(p) - 'user_id' - 'txid' ORDER BY id)
	    FROM projects p WHERE user_id = '$uid' AND id IN ('$P1', '$P2')" |
		python3 -c 'import json, sys
form, rows = sys.argv[1], json.load(sys.stdin)
patch = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
for r, name, base in zip(rows, sys.argv[2:6:2], sys.argv[3:6:2]):
    r["base_version"] = json.loads(base[1:]) if base[0] == "=" else r["version"] + int(base)
    r["version"] += 1
    r["name"] = name
    r.update(patch)
if form != "objects":
    cols = list(rows[0])
    rows = {"columns": cols, "rows": [[r[c] for c in cols] for r in rows]}
print(json.dumps({"payload": {"projects": rows}}))' "$@"
}
call() {
	s_http POST "/rest/v1/rpc/$1" "$2" -H "Authorization: Bearer $token"
}
project() {
	psql -X -At "$S_DB" -c "SELECT $2 FROM projects WHERE user_id = '$uid' AND id = '$1'"
}
p2_name=$(project "$P2" name)
body=$(batch rows "cas applied" 0 "cas refused" -1)
call push_rows "$body"
t_assert_eq 200 "$s_status" "push_rows with one stale base ($s_body)"
t_assert_eq "1 1 $P2 $(project "$P2" version)" \
	"$(s_json 'j["applied"]["projects"], j["skipped"]["projects"], j["stale"][0]["id"], j["stale"][0]["version"]')" \
	"applied, refused and the stale row with the cloud's version"
answer_keys=$(s_json 'sorted(j)') stale_keys=$(s_json 'sorted(j["stale"][0])')
t_assert_eq "cas applied|$p2_name" "$(project "$P1" name)|$(project "$P2" name)" \
	"the project at its base applied, the other not"
# A retry of the applied row (its base now behind, its clock the cloud's): unchanged.
call push_rows "$(printf '%s' "$body" | python3 -c 'import json, sys
b = json.load(sys.stdin)
p = b["payload"]["projects"]
p["rows"] = [r for r in p["rows"] if "cas applied" in r]
print(json.dumps(b))')"
t_assert_eq "200 0 1 0" "$s_status $(s_json 'j["applied"]["projects"], j["unchanged"]["projects"], len(j["stale"])')" \
	"a retried push"
# push_batch answers the same kind of batch with the same fields, a stale row's too.
call push_batch "$(batch objects "cas applied 2" 0 "cas refused 2" -1)"
t_assert_eq "200 1 1 $answer_keys $stale_keys" \
	"$s_status $(s_json 'j["applied"]["projects"], j["skipped"]["projects"], sorted(j), sorted(j["stale"][0])')" \
	"push_batch's answer to the same kind of batch"
for base in '="x"' =1.5 =-1 =null =2147483648; do
	call push_rows "$(batch rows "bad base" "$base" "bad base" 0)"
	t_assert_eq 400 "$s_status" "a base of $base ($s_body)"
	t_assert_contains "$s_body" "base_version that is not a whole number"
done
call push_rows "$(batch rows "other" 0 "other" 0 '{"user_id": "00000000-0000-4000-8000-000000000001"}')"
t_assert_eq "403 42501" "$s_status $(s_json 'j["code"]')" "a row naming another user ($s_body)"
t_assert_contains "$s_body" "names another user"
call push_rows "$(batch objects "objects" 0 "objects" 0)"
t_assert_eq 400 "$s_status" "push_batch's objects sent to push_rows ($s_body)"
t_assert_contains "$s_body" 'must be {'

call push_rows '{"payload": {"projects": {"columns": ["id", "name"], "rows": [["'"$P1"'"]]}}}'
t_assert_eq 400 "$s_status" "a row shorter than its columns ($s_body)"
t_assert_contains "$s_body" "must be an array of its 2 columns"
call push_rows '{"payload": {"projects": {"columns": ["id", "id"], "rows": []}}}'
t_assert_eq 400 "$s_status" "a column named twice ($s_body)"
call push_rows '{"payload": {"turnz": {"columns": [], "rows": []}}}'
t_assert_eq 400 "$s_status" "an unknown table ($s_body)"
t_assert_eq "cas applied 2|$p2_name" "$(project "$P1" name)|$(project "$P2" name)" \
	"the projects after the refused calls"
# A column the table lacks is ignored, as push_batch ignores an unknown key.
call push_rows "$(batch rows "with extra" 0 "with extra" 0 '{"no_such_column": 1}')"
t_assert_eq "200 2" "$s_status $(s_json 'j["applied"]["projects"]')" "a column the table lacks ($s_body)"
t_assert_eq "with extra" "$(project "$P1" name)" "the project after a column the table lacks"

# ---- 4. The triggers' rules inside push_rows, each call as A in one transaction.
as_a="SELECT set_config('role', 'authenticated', true),
    set_config('request.jwt.claims', '{\"sub\":\"$uid\",\"role\":\"authenticated\"}', true)"
# pushed CHANGES: push_rows of P1 as the cloud holds it with CHANGES (a jsonb
# object) applied, as A; prints its result.
pushed() {
	psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" -c "BEGIN" -c "$as_a" -c "SELECT public.push_rows(
	    jsonb_build_object('projects', jsonb_build_object(
	      'columns', (SELECT jsonb_agg(k ORDER BY k) FROM jsonb_object_keys(r) k),
	      'rows', jsonb_build_array((SELECT jsonb_agg(r -> k ORDER BY k) FROM jsonb_object_keys(r) k)))))
	    FROM (SELECT (to_jsonb(p) - 'user_id' - 'txid') || '$1'::jsonb AS r
	          FROM public.projects p WHERE id = '$P1') s" -c "COMMIT" | tail -n 1
}
v=$(project "$P1" version)
r=$(pushed "{\"name\": \"older\", \"version\": $((v - 1))}")
t_assert_eq "0 1" "$(printf '%s' "$r" | python3 -c 'import json, sys; j = json.load(sys.stdin)
print(j["applied"]["projects"], j["skipped"]["projects"])')" "an older clock without a base ($r)"
t_assert_eq "with extra" "$(project "$P1" name)" "the project after an older clock"
txid=$(project "$P1" txid)
r=$(pushed '{"name": "later", "updated_at": "2099-01-01T00:00:00Z"}')
t_assert_eq "later 1" "$(project "$P1" name) $(project "$P1" "(txid > '$txid')::int")" \
	"a later time without a base ($r)"
r=$(pushed "{\"version\": $((v + 1)), \"base_version\": $v, \"deleted_at\": \"2001-01-01T00:00:00Z\"}")
t_assert_eq 1 "$(project "$P1" "(deleted_at > now() - interval '1 hour')::int")" \
	"deleted_at stamped by the cloud ($r)"
deleted=$(project "$P1" deleted_at)
r=$(pushed "{\"version\": $((v + 2)), \"base_version\": $((v + 1)), \"deleted_at\": \"2002-01-01T00:00:00Z\"}")
t_assert_eq "$((v + 2)) $deleted" "$(project "$P1" version) $(project "$P1" deleted_at)" \
	"a tombstone keeps its first time ($r)"
t_assert_eq "$((v + 2))" "$(psql -X -q -At -v ON_ERROR_STOP=1 "$S_DB" -c "BEGIN" -c "$as_a" \
    -c "SELECT public.push_rows('{}')" \
    -c "UPDATE public.projects SET version = 1, name = 'direct' WHERE id = '$P1'" \
    -c "SELECT version FROM public.projects WHERE id = '$P1'" -c "COMMIT" | tail -n 1)" \
	"a direct older write after push_rows"

echo "PASS: sync-push-rows"
