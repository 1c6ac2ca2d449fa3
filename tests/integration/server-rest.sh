#!/bin/sh
# /rest/v1 through HTTP against a real agentlogs-server on a real PostgreSQL,
# as two users A and B (signed up through /auth/v1) and as the bare anon key:
# - every table, every verb: A creates (POST, bulk upsert), reads (eq, in, gt,
#   order, limit, offset, select with aliases), updates and deletes their own
#   rows; B reads nothing of A's, changes and deletes nothing of A's (0 rows,
#   A's rows verified unchanged), cannot insert or upsert a row naming A
#   (403, 42501); an upsert by B with A's ids makes B's own row; anon reads
#   nothing;
# - the RPCs: push_batch as B naming A is refused, pull_changes as B never
#   returns A's rows; pull_changes takes every argument of its signature;
# - errors in PostgREST's shape with its statuses: unknown or forbidden table
#   404, bad column 400, bad filter 400 PGRST100, unique and foreign-key
#   violations 409, missing or bad JWT 401;
# - last-write-wins through a REST upsert and PATCH;
# - Prefer: count=exact and Content-Range, HEAD, and the 1000-row cap with
#   paging through 1200 rows;
# - query-string encoding: '+', %2B, %26, and a %00 that must never cut a
#   filter off.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server

# req TOKEN METHOD PATH [BODY [PREFER]]: one request with the anon key and, when
# TOKEN is not empty, "Authorization: Bearer TOKEN"; a BODY "@FILE" is read from
# FILE. Sets $s_status and $s_body;
# the response headers are in $T_TMP/headers.
req() {
	_tok=$1 _m=$2 _p=$3 _b=${4-} _pref=${5-}
	set -- -s -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' -X "$_m" \
		-H "apikey: $S_ANON"
	[ -z "$_tok" ] || set -- "$@" -H "Authorization: Bearer $_tok"
	[ -z "$_pref" ] || set -- "$@" -H "Prefer: $_pref"
	[ -z "$_b" ] || set -- "$@" -H 'Content-Type: application/json' --data-binary "$_b"
	s_status=$(curl "$@" "$S_URL$_p")
	s_body=$(cat "$T_TMP/body")
}

# header NAME: a response header's value from the last req.
header() {
	tr -d '\r' <"$T_TMP/headers" | sed -n "s/^$1: *//Ip" | head -n 1
}

# expect STATUS WHAT: the last response's status.
expect() {
	[ "$s_status" = "$1" ] || t_fail "$2: expected HTTP $1, got $s_status: $s_body"
	checks=$((checks + 1))
}

# expect_error STATUS CODE WHAT: an error in PostgREST's shape.
expect_error() {
	expect "$1" "$3"
	got=$(s_json 'sorted(j.keys()) == ["code", "details", "hint", "message"] and j["code"]')
	t_assert_eq "$2" "$got" "$3: error code"
}

# json_eq EXPR EXPECTED WHAT
json_eq() {
	t_assert_eq "$2" "$(s_json "$1")" "$3"
	checks=$((checks + 1))
}
checks=0

signup() {
	req "" POST /auth/v1/signup "{\"email\":\"$1\",\"password\":\"password $1\"}"
	expect 200 "signup $1"
}
signup a@example.com
A=$(s_json 'j["access_token"]')
A_ID=$(s_json 'j["user"]["id"]')
signup b@example.com
B=$(s_json 'j["access_token"]')
B_ID=$(s_json 'j["user"]["id"]')

# uuid T N: a fixed id, ordered by N.
uuid() {
	printf '%08d-0000-4000-8000-%012d\n' "$1" "$2"
}
P0=$(uuid 9 1)
C0=$(uuid 9 2)
S0=$(uuid 9 3)

# row TABLE ID N [VERSION [EXTRA_JSON_OBJECT]]: one row of TABLE, its parents
# the base chain P0 / C0 / S0; EXTRA's keys are added (user_id, say).
cat >"$T_TMP/row.py" <<'PY'
import json, sys
t, id_, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
version = int(sys.argv[4]) if len(sys.argv) > 4 else 1
extra = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
P0, C0, S0 = sys.argv[6:9]
ts = "2026-01-01T00:00:%02d+00:00" % (n % 60)
rows = {
    "machines": {"id": id_, "machine_id": "machine-%d" % n, "name": "m%d" % n},
    "projects": {"id": id_, "name": "project %d" % n, "local_path": "/src/%d" % n},
    "cognitive_commits": {"id": id_, "project_id": P0, "started_at": ts, "closed_at": ts,
                          "closed_by": "git_commit", "title": "commit %d" % n},
    "sessions": {"id": id_, "commit_id": C0, "claude_session_id": "cs-%d" % n,
                 "started_at": ts, "ended_at": ts, "cwd": "/src/%d" % n},
    "turns": {"id": id_, "session_id": S0, "seq": n, "role": "user", "timestamp": ts,
              "content": "turn %d" % n},
    "visuals": {"id": id_, "commit_id": C0, "type": "screenshot", "sha256": "ab" * 32,
                "captured_at": ts, "caption": "visual %d" % n},
}
r = rows[t]
if t != "machines":
    r["version"] = version
r.update(extra)
print(json.dumps(r))
PY
row() {
	_extra=${5:-}
	[ -n "$_extra" ] || _extra='{}'
	python3 "$T_TMP/row.py" "$1" "$2" "$3" "${4:-1}" "$_extra" "$P0" "$C0" "$S0"
}

# The base chain each user's child rows hang from: the same ids for A and B,
# as two people importing one transcript compute them (ARCHITECTURE §2).
for tok in "$A" "$B"; do
	req "$tok" POST /rest/v1/projects "$(row projects "$P0" 90)"
	expect 201 "base project"
	req "$tok" POST /rest/v1/cognitive_commits "$(row cognitive_commits "$C0" 91)"
	expect 201 "base commit"
	req "$tok" POST /rest/v1/sessions "$(row sessions "$S0" 92)"
	expect 201 "base session"
done

# snapshot TABLE: A's rows of TABLE, the whole of each, in id order.
snapshot() {
	req "$A" GET "/rest/v1/$1?order=id.asc"
	expect 200 "A reads $1"
	printf '%s' "$s_body"
}

# ------------------------------------------------------------ every table
# table INDEX TEXT_COLUMN: the verbs on one table of (user_id, id) rows.
table_checks() {
	t=$1 col=$3
	i1=$(uuid "$2" 1) i2=$(uuid "$2" 2) i3=$(uuid "$2" 3) i4=$(uuid "$2" 4)
	synced=1
	[ "$t" = machines ] && synced=0
	# The table's own rows, without the base chain's.
	own="id=lt.$(uuid 8 0)"

	# Create one, return=representation: the row as stored, user_id the caller's.
	req "$A" POST "/rest/v1/$t" "$(row "$t" "$i1" 1)" return=representation
	expect 201 "$t: A creates a row"
	json_eq 'len(j), j[0]["id"], j[0]["user_id"]' "1 $i1 $A_ID" "$t: representation"
	req "$A" POST "/rest/v1/$t" "$(row "$t" "$i1" 1)"
	expect_error 409 23505 "$t: the same id again"

	# Bulk upsert on the primary key: i1 replaced (a newer version), i2 and i3 new.
	r1=$(row "$t" "$i1" 11 2)
	r2=$(row "$t" "$i2" 2)
	r3=$(row "$t" "$i3" 3)
	req "$A" POST "/rest/v1/$t?on_conflict=user_id,id" "[$r1,$r2,$r3]" \
		"resolution=merge-duplicates,return=minimal"
	expect 201 "$t: bulk upsert"
	t_assert_eq "" "$s_body" "$t: return=minimal"
	# The primary key is (user_id, id): PostgREST itself refuses on_conflict=id
	# here (42P10), so clients name both columns or leave on_conflict out.
	req "$A" POST "/rest/v1/$t?on_conflict=id" "[$r1]" "resolution=merge-duplicates"
	expect_error 400 42P10 "$t: on_conflict=id without a unique index on id"
	req "$A" POST "/rest/v1/$t" "[$r1,$r2]" "resolution=merge-duplicates,return=minimal"
	expect 201 "$t: upsert on the default conflict target (the primary key)"

	# Read: select with an alias, eq, in, gt, order, limit, offset.
	req "$A" GET "/rest/v1/$t?select=key:id,$col&order=id.asc&$own"
	expect 200 "$t: A reads"
	json_eq 'len(j), sorted(j[0]) == sorted(["key", "'"$col"'"]), [r["key"] for r in j]' \
		"3 True ['$i1', '$i2', '$i3']" "$t: select with an alias"
	want=$(printf '%s' "$r1" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$col")
	json_eq 'j[0]["'"$col"'"]' "$want" "$t: the upsert replaced i1"
	req "$A" GET "/rest/v1/$t?id=eq.$i2&select=id"
	json_eq '[r["id"] for r in j]' "['$i2']" "$t: eq"
	req "$A" GET "/rest/v1/$t?id=in.($i1,$i3)&select=id&order=id.asc"
	json_eq '[r["id"] for r in j]' "['$i1', '$i3']" "$t: in"
	req "$A" GET "/rest/v1/$t?id=gt.$i1&select=id&order=id.desc&$own"
	json_eq '[r["id"] for r in j]' "['$i3', '$i2']" "$t: gt, order desc"
	req "$A" GET "/rest/v1/$t?select=id&order=id.asc&limit=1&offset=1&$own"
	json_eq '[r["id"] for r in j]' "['$i2']" "$t: limit, offset"
	t_assert_eq "1-1/*" "$(header Content-Range)" "$t: Content-Range"
	req "$A" GET "/rest/v1/$t?select=id&id=neq.$i2&id=lte.$i3&order=id.asc"
	json_eq '[r["id"] for r in j]' "['$i1', '$i3']" "$t: two filters on one column"

	# Update one row (a synced row needs a newer version to win), delete one.
	if [ $synced = 1 ]; then
		patch="{\"$col\":\"patched\",\"version\":5}"
	else
		patch="{\"$col\":\"patched\"}"
	fi
	req "$A" PATCH "/rest/v1/$t?id=eq.$i2" "$patch" return=representation
	expect 200 "$t: A updates"
	json_eq '[(r["id"], r["'"$col"'"]) for r in j]' "[('$i2', 'patched')]" "$t: PATCH"
	req "$A" PATCH "/rest/v1/$t" "$patch"
	expect_error 400 21000 "$t: PATCH without a filter"
	req "$A" DELETE "/rest/v1/$t?id=eq.$i3"
	expect 204 "$t: A deletes"
	req "$A" GET "/rest/v1/$t?select=id&order=id.asc&$own"
	json_eq '[r["id"] for r in j]' "['$i1', '$i2']" "$t: after the delete"

	# B: sees nothing of A's, changes nothing, deletes nothing.
	before=$(snapshot "$t")
	req "$B" GET "/rest/v1/$t?id=in.($i1,$i2,$i3)"
	expect 200 "$t: B reads"
	t_assert_eq "[]" "$s_body" "$t: B reads none of A's rows"
	req "$B" GET "/rest/v1/$t?id=eq.$i1&select=id,user_id"
	t_assert_eq "[]" "$s_body" "$t: B reads A's row by id"
	if [ $synced = 1 ]; then
		evil="{\"$col\":\"evil\",\"version\":99}"
	else
		evil="{\"$col\":\"evil\"}"
	fi
	req "$B" PATCH "/rest/v1/$t?id=eq.$i1" "$evil" return=representation
	expect 200 "$t: B updates A's row"
	t_assert_eq "[]" "$s_body" "$t: B's PATCH touched no row"
	req "$B" PATCH "/rest/v1/$t?user_id=eq.$A_ID" "$evil"
	expect 204 "$t: B updates by A's user_id"
	req "$B" DELETE "/rest/v1/$t?id=eq.$i1" "" return=representation
	expect 200 "$t: B deletes A's row"
	t_assert_eq "[]" "$s_body" "$t: B's DELETE touched no row"
	req "$B" DELETE "/rest/v1/$t?user_id=eq.$A_ID"
	expect 204 "$t: B deletes by A's user_id"
	req "$B" POST "/rest/v1/$t" "$(row "$t" "$i4" 4 1 "{\"user_id\":\"$A_ID\"}")"
	expect_error 403 42501 "$t: B inserts a row naming A"
	req "$B" POST "/rest/v1/$t?on_conflict=user_id,id" \
		"[$(row "$t" "$i1" 7 99 "{\"user_id\":\"$A_ID\"}")]" "resolution=merge-duplicates"
	expect_error 403 42501 "$t: B upserts over A's row naming A"
	# The same id without user_id: B's own row, beside A's.
	req "$B" POST "/rest/v1/$t?on_conflict=user_id,id" "[$(row "$t" "$i1" 7 99)]" \
		"resolution=merge-duplicates,return=representation"
	expect 201 "$t: B upserts A's id as their own"
	json_eq '[(r["id"], r["user_id"]) for r in j]' "[('$i1', '$B_ID')]" "$t: B's own copy"
	t_assert_eq "$before" "$(snapshot "$t")" "$t: A's rows after B's attempts"
	req "$B" GET "/rest/v1/$t?select=id,user_id&id=in.($i1,$i2,$i3)"
	json_eq '[(r["id"], r["user_id"]) for r in j]' "[('$i1', '$B_ID')]" "$t: B sees only their copy"

	# The anon key alone reaches nothing (PostgREST: 401 when no role is granted).
	req "" GET "/rest/v1/$t?select=id"
	expect_error 401 42501 "$t: anon reads"
	req "" POST "/rest/v1/$t" "$(row "$t" "$i4" 4)"
	expect_error 401 42501 "$t: anon inserts"
	req "" DELETE "/rest/v1/$t?id=eq.$i1"
	expect_error 401 42501 "$t: anon deletes"
	t_assert_eq "$before" "$(snapshot "$t")" "$t: A's rows after anon's attempts"
}

table_checks machines 1 name
table_checks projects 2 local_path
table_checks cognitive_commits 3 title
table_checks sessions 4 cwd
table_checks turns 5 content
table_checks visuals 6 caption

# user_profiles: keyed by the user's own id, one row each.
req "$A" POST /rest/v1/user_profiles "{\"id\":\"$A_ID\",\"github_username\":\"ann\"}" \
	return=representation
expect 201 "user_profiles: A creates their profile"
json_eq 'j[0]["id"], j[0]["analytics_opt_in"]' "$A_ID False" "user_profiles: representation"
req "$A" POST /rest/v1/user_profiles "{\"id\":\"$A_ID\"}"
expect_error 409 23505 "user_profiles: a second profile"
req "$A" POST "/rest/v1/user_profiles?on_conflict=id" \
	"[{\"id\":\"$A_ID\",\"github_username\":\"ann2\",\"analytics_opt_in\":true}]" \
	"resolution=merge-duplicates,return=minimal"
expect 201 "user_profiles: bulk upsert on id"
req "$A" GET "/rest/v1/user_profiles?id=in.($A_ID,$B_ID)&select=id,github_username,analytics_opt_in"
json_eq '[(r["id"], r["github_username"], r["analytics_opt_in"]) for r in j]' \
	"[('$A_ID', 'ann2', True)]" "user_profiles: in, upserted"
req "$A" GET "/rest/v1/user_profiles?analytics_opt_in=is.true&id=gt.00000000-0000-0000-0000-000000000000&order=created_at.desc&limit=5&offset=0&select=u:github_username"
json_eq 'j' "[{'u': 'ann2'}]" "user_profiles: is, gt, order, limit, offset"
req "$A" PATCH "/rest/v1/user_profiles?id=eq.$A_ID" '{"github_username":"ann3"}'
expect 204 "user_profiles: A updates"
before=$(snapshot user_profiles)
t_assert_contains "$before" '"ann3"' "user_profiles: after PATCH"
req "$B" GET /rest/v1/user_profiles
t_assert_eq "[]" "$s_body" "user_profiles: B reads A's profile"
req "$B" PATCH "/rest/v1/user_profiles?id=eq.$A_ID" '{"github_username":"evil"}' return=representation
t_assert_eq "200 []" "$s_status $s_body" "user_profiles: B updates A's profile"
req "$B" DELETE "/rest/v1/user_profiles?id=eq.$A_ID" "" return=representation
t_assert_eq "200 []" "$s_status $s_body" "user_profiles: B deletes A's profile"
req "$B" POST /rest/v1/user_profiles "{\"id\":\"$A_ID\",\"github_username\":\"evil\"}"
expect_error 403 42501 "user_profiles: B creates A's profile"
req "$B" POST "/rest/v1/user_profiles?on_conflict=id" "[{\"id\":\"$A_ID\",\"github_username\":\"evil\"}]" \
	"resolution=merge-duplicates"
expect_error 403 42501 "user_profiles: B upserts over A's profile"
req "" GET /rest/v1/user_profiles
expect_error 401 42501 "user_profiles: anon reads"
t_assert_eq "$before" "$(snapshot user_profiles)" "user_profiles: A's profile after B and anon"
req "$A" DELETE "/rest/v1/user_profiles?id=eq.$A_ID"
expect 204 "user_profiles: A deletes"
req "$A" GET /rest/v1/user_profiles
t_assert_eq "[]" "$s_body" "user_profiles: after the delete"

# ------------------------------------------------------------ last write wins
T1=$(uuid 5 1)
req "$A" GET "/rest/v1/turns?id=eq.$T1&select=version,content"
json_eq 'j[0]["version"]' 2 "turns: the stored version"
stored=$s_body
req "$A" POST "/rest/v1/turns?on_conflict=user_id,id" "[$(row turns "$T1" 31 1)]" \
	"resolution=merge-duplicates,return=minimal"
expect 201 "an upsert with a lower version"
req "$A" GET "/rest/v1/turns?id=eq.$T1&select=version,content"
t_assert_eq "$stored" "$s_body" "a lower version does not overwrite"
req "$A" PATCH "/rest/v1/turns?id=eq.$T1" '{"content":"stale","version":2}' return=representation
t_assert_eq "200 []" "$s_status $s_body" "a PATCH with the same version is a no-op"
req "$A" POST "/rest/v1/turns?on_conflict=user_id,id" "[$(row turns "$T1" 32 3)]" \
	"resolution=merge-duplicates,return=representation"
json_eq '[(r["version"], r["content"]) for r in j]' "[(3, 'turn 32')]" "a higher version wins"

# ------------------------------------------------------------ errors
req "$A" GET /rest/v1/no_such_table
expect_error 404 PGRST205 "an unknown table"
for t in users pg_roles refresh_tokens objects schema_migrations; do
	req "$A" GET "/rest/v1/$t"
	expect_error 404 PGRST205 "$t is not in the allow-list"
done
req "$A" GET "/rest/v1/auth.users"
expect_error 404 PGRST205 "a schema-qualified name"
req "$A" GET "/rest/v1/turns?select=id,no_such_column"
expect_error 400 42703 "an unknown column in select"
req "$A" GET "/rest/v1/turns?no_such_column=eq.1"
expect_error 400 42703 "an unknown column in a filter"
req "$A" GET "/rest/v1/turns?order=no_such_column.asc"
expect_error 400 42703 "an unknown column in order"
req "$A" POST /rest/v1/turns "{\"id\":\"$(uuid 5 50)\",\"no_such_column\":1}"
expect_error 400 42703 "an unknown column in a body"
for q in 'id=zz.1' 'id=eq' 'order=id.sideways' 'limit=ten' 'offset=-1' 'select=((' \
	'id=in.(a' 'id=is.maybe' 'or=(id.eq.1,' 'and=id.eq.1' 'limit=1&limit=2' 'bad%20name=eq.1'; do
	req "$A" GET "/rest/v1/turns?$q"
	expect_error 400 PGRST100 "bad query $q"
done
req "$A" GET "/rest/v1/turns?id=eq.not-a-uuid"
expect_error 400 22P02 "a value of the wrong type"
req "$A" POST /rest/v1/turns '{"id":'
expect_error 400 PGRST102 "malformed JSON"
req "$A" POST /rest/v1/turns '[{"id":"x"},{"seq":1}]'
expect_error 400 PGRST102 "objects with different keys"
req "$A" POST /rest/v1/sessions "$(row sessions "$(uuid 4 60)" 60 1 "{\"commit_id\":\"$(uuid 8 8)\"}")"
expect_error 409 23503 "a foreign-key violation"
req "$A" POST /rest/v1/turns "$(row turns "$(uuid 5 61)" 61 1 '{"role":"robot"}')"
expect_error 400 23514 "a check violation"
req "$A" PUT "/rest/v1/turns?id=eq.$T1" '{}'
expect_error 405 PGRST105 "PUT without the whole primary key"
req "$A" POST /rest/v1/rpc/no_such_function '{}'
expect_error 404 PGRST202 "an unknown function"
req "$A" POST /rest/v1/rpc/pull_changes '{"no_such_argument":1}'
expect_error 404 PGRST202 "an unknown argument"

# Authentication: no key, a forged key, a bad, forged, expired or alg:none token.
s_body=$(curl -s -o - -w '\n%{http_code}' "$S_URL/rest/v1/turns")
s_status=$(printf '%s\n' "$s_body" | tail -n 1)
s_body=$(printf '%s\n' "$s_body" | sed '$d')
expect_error 401 PGRST302 "no apikey"
jwt() {
	python3 - "$1" "${2:-$T_TMP/jwt-secret}" <<'PY'
import base64, hashlib, hmac, json, sys
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
secret = open(sys.argv[2], "rb").read().strip()
head = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b(sys.argv[1].encode())
sig = b(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest())
print(head + "." + body + "." + sig)
PY
}
echo "not the server's secret, but long enough to sign with" >"$T_TMP/wrong-secret"
now=$(date +%s)
forged_key=$(jwt '{"role":"anon","exp":4102444800}' "$T_TMP/wrong-secret")
s_body=$(curl -s -o - -w '\n%{http_code}' -H "apikey: $forged_key" "$S_URL/rest/v1/turns")
s_status=$(printf '%s\n' "$s_body" | tail -n 1)
s_body=$(printf '%s\n' "$s_body" | sed '$d')
expect_error 401 PGRST301 "a forged apikey"
claims="{\"sub\":\"$A_ID\",\"role\":\"authenticated\",\"aud\":\"authenticated\""
req garbage GET /rest/v1/turns
expect_error 401 PGRST301 "a malformed token"
req "$(jwt "$claims,\"exp\":$((now + 600))}" "$T_TMP/wrong-secret")" GET /rest/v1/turns
expect_error 401 PGRST301 "a forged token"
req "$(jwt "$claims,\"exp\":$((now - 10))}")" GET /rest/v1/turns
expect_error 401 PGRST303 "an expired token"
t_assert_contains "$(header WWW-Authenticate)" 'invalid_token' "WWW-Authenticate"
alg_none=$(printf '%s' "$A" | python3 -c 'import base64, json, sys
t = sys.stdin.read().split(".")
h = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
print(h + "." + t[1] + ".")')
req "$alg_none" GET /rest/v1/turns
expect_error 401 PGRST301 "alg none"
s_body=$(curl -s -o - -w '\n%{http_code}' -H "apikey: $S_ANON" -H 'Authorization: Bearer' \
	"$S_URL/rest/v1/turns")
s_status=$(printf '%s\n' "$s_body" | tail -n 1)
s_body=$(printf '%s\n' "$s_body" | sed '$d')
expect_error 401 PGRST301 "an empty bearer token"
req "$(jwt "$claims,\"exp\":$((now + 600))}")" GET "/rest/v1/turns?select=id&limit=1"
expect 200 "a token minted with the server's secret"

# ------------------------------------------------------------ query-string encoding
P_PLUS=$(uuid 2 70) P_AMP=$(uuid 2 71) P_SPACE=$(uuid 2 72)
req "$A" POST /rest/v1/projects "[{\"id\":\"$P_PLUS\",\"name\":\"a+b\"},{\"id\":\"$P_AMP\",\"name\":\"x&y=z\"},{\"id\":\"$P_SPACE\",\"name\":\"a b\"}]"
expect 201 "projects with + & and space in their names"
req "$A" GET '/rest/v1/projects?name=eq.a%2Bb&select=id'
json_eq '[r["id"] for r in j]' "['$P_PLUS']" "%2B is a plus"
req "$A" GET '/rest/v1/projects?name=eq.a+b&select=id'
json_eq '[r["id"] for r in j]' "['$P_SPACE']" "+ is a space"
req "$A" GET '/rest/v1/projects?name=eq.x%26y%3Dz&select=id'
json_eq '[r["id"] for r in j]' "['$P_AMP']" "%26 stays in the value"
req "$A" GET '/rest/v1/projects?name=in.(%22x%26y%3Dz%22,a%2Bb)&select=id&order=id'
json_eq '[r["id"] for r in j]' "['$P_PLUS', '$P_AMP']" "in with quoted items"
req "$A" GET "/rest/v1/projects?select=id&id=eq.$P_PLUS&"
json_eq '[r["id"] for r in j]' "['$P_PLUS']" "a trailing &"
req "$A" GET "/rest/v1/projects?&&select=id&&id=eq.$P_PLUS&&"
json_eq '[r["id"] for r in j]' "['$P_PLUS']" "empty parameters"
req "$A" GET "/rest/v1/projects?select=id&id=eq.$P_PLUS&apikey=$S_ANON"
json_eq '[r["id"] for r in j]' "['$P_PLUS']" "an apikey parameter is no filter"
s_body=$(curl -s -o - -w '\n%{http_code}' -H "Authorization: Bearer $A" \
	"$S_URL/rest/v1/projects?select=id&apikey=$S_ANON&id=eq.$P_PLUS")
t_assert_eq "[{\"id\":\"$P_PLUS\"}]
200" "$s_body" "the apikey as a parameter only"
# A NUL must never cut a query short: the filter after it would be lost and
# the DELETE would take every row of the first filter. (libwebsockets drops
# such a request unanswered; request.c would refuse it with 400.)
req "$A" GET "/rest/v1/turns?session_id=eq.$S0&select=id"
nturns=$(s_json 'len(j)')
for q in "session_id=eq.$S0%00&id=eq.$T1" "session_id=eq.$S0&id=eq.$T1%00x" \
	"session_id=eq.$S0&id%00=eq.$T1"; do
	req "$A" DELETE "/rest/v1/turns?$q"
	case $s_status in
	000 | 400) ;;
	*) t_fail "DELETE ?$q: HTTP $s_status $s_body" ;;
	esac
done
req "$A" GET "/rest/v1/turns?session_id=eq.$S0&select=id"
json_eq 'len(j)' "$nturns" "no turn deleted by the %00 requests"

# ------------------------------------------------------------ the 1000-row cap, paging, counts
python3 - "$(uuid 7 0)" "$S0" >"$T_TMP/bulk.json" <<'PY'
import json, sys
prefix = sys.argv[1][:-12]
print(json.dumps([{"id": "%s%012d" % (prefix, n), "session_id": sys.argv[2], "seq": n,
                   "role": "assistant", "timestamp": "2026-01-02T00:00:00+00:00",
                   "content": "bulk %d" % n} for n in range(1, 1201)]))
PY
req "$A" POST "/rest/v1/turns?on_conflict=user_id,id" "@$T_TMP/bulk.json" \
	"resolution=merge-duplicates,return=minimal"
expect 201 "1200 turns in one bulk upsert"
req "$A" GET "/rest/v1/turns?role=eq.assistant&select=seq&order=seq.asc"
expect 200 "an uncapped read"
json_eq 'len(j), j[0]["seq"], j[-1]["seq"]' "1000 1 1000" "a read is capped at 1000 rows"
t_assert_eq "0-999/*" "$(header Content-Range)" "Content-Range of a capped read"
req "$A" GET "/rest/v1/turns?role=eq.assistant&select=seq&order=seq.asc&limit=5000"
json_eq 'len(j)' 1000 "limit above the cap"
req "$A" GET "/rest/v1/turns?role=eq.assistant&select=seq&order=seq.asc&limit=10&offset=5" "" \
	count=exact
expect 206 "count=exact on part of the rows"
json_eq '[r["seq"] for r in j]' "[6, 7, 8, 9, 10, 11, 12, 13, 14, 15]" "limit=10 offset=5"
t_assert_eq "5-14/1200" "$(header Content-Range)" "Content-Range with count=exact"
req "$A" GET "/rest/v1/turns?role=eq.assistant&seq=gt.1190&select=seq" "" count=exact
expect 200 "count=exact on all of the rows"
t_assert_eq "0-9/10" "$(header Content-Range)" "Content-Range of a whole count"
req "$A" GET "/rest/v1/turns?role=eq.assistant&seq=gt.5000" "" count=exact
t_assert_eq "200 [] */0" "$s_status $s_body $(header Content-Range)" "count=exact of nothing"
# HEAD: no body, the same headers.
curl -s -I -H "apikey: $S_ANON" -H "Authorization: Bearer $A" -H 'Prefer: count=exact' \
	"$S_URL/rest/v1/turns?role=eq.assistant&limit=1" | tr -d '\r' >"$T_TMP/head"
grep -q '^HTTP/1.1 206' "$T_TMP/head" || t_fail "HEAD status: $(cat "$T_TMP/head")"
grep -qi '^content-range: 0-0/1200$' "$T_TMP/head" || t_fail "HEAD Content-Range: $(cat "$T_TMP/head")"
# Pages of 500 (the server's cap would also page at 1000): every row once.
: >"$T_TMP/paged"
offset=0
while :; do
	req "$A" GET "/rest/v1/turns?role=eq.assistant&select=seq&order=seq.asc&limit=500&offset=$offset"
	expect 200 "page at $offset"
	n=$(s_json 'len(j)')
	[ "$n" -gt 0 ] || break
	s_json '"\n".join(str(r["seq"]) for r in j)' >>"$T_TMP/paged"
	offset=$((offset + n))
done
t_assert_eq 1200 "$offset" "rows paged"
t_assert_eq 1200 "$(sort -u "$T_TMP/paged" | wc -l | tr -d ' ')" "distinct rows paged"
# B sees none of them, however asked.
req "$B" GET "/rest/v1/turns?role=eq.assistant&select=id" "" count=exact
t_assert_eq "200 [] */0" "$s_status $s_body $(header Content-Range)" "B counts A's turns"

# ------------------------------------------------------------ RPC
BP=$(uuid 2 80)
req "$B" POST /rest/v1/rpc/push_batch \
	"{\"payload\":{\"projects\":[{\"id\":\"$BP\",\"name\":\"b's\",\"user_id\":\"$A_ID\"}]}}"
expect_error 403 42501 "push_batch as B naming A"
req "$B" POST /rest/v1/rpc/push_batch \
	"{\"payload\":{\"machine_id\":\"b-machine\",\"projects\":[{\"id\":\"$P0\",\"name\":\"b renames\",\"version\":50}],\"turns\":[$(row turns "$T1" 33 150)]}}"
expect 200 "push_batch as B with A's ids"
json_eq 'j["applied"]["projects"], j["applied"]["turns"]' "1 1" "B's push applied to B's rows"
req "$A" GET "/rest/v1/projects?id=eq.$P0&select=name,version"
json_eq 'j' "[{'name': 'project 90', 'version': 1}]" "A's project after B's push"
req "$A" GET "/rest/v1/turns?id=eq.$T1&select=content,version"
json_eq 'j' "[{'content': 'turn 32', 'version': 3}]" "A's turn after B's push"
req "" POST /rest/v1/rpc/push_batch '{"payload":{}}'
expect_error 401 42501 "push_batch with the anon key"
req "" POST /rest/v1/rpc/pull_changes '{}'
expect_error 401 42501 "pull_changes with the anon key"

# pull_changes as B, paged with every argument: only B's rows, each once.
# pull_all TOKEN USER_ID [WANT]: pages from the start until "more" is false and,
# when given, the line "WANT ..." has come: rows of transactions still open
# anywhere in the cluster (other tests) are held back for a while. Leaves
# "table id user_id" lines in $T_TMP/pulled.
pull_all() {
	cursor='{}'
	: >"$T_TMP/pulled"
	deadline=$(($(date +%s) + 60))
	while :; do
		args=$(printf '%s' "$cursor" | python3 -c 'import json, sys
c = json.load(sys.stdin)
a = {"page_size": 7, "max_bytes": 4096}
if c: a.update(cursor_txid=c["txid"], cursor_table=c["table"], cursor_id=c["id"])
print(json.dumps(a))')
		req "$1" POST /rest/v1/rpc/pull_changes "$args"
		expect 200 "pull_changes"
		s_json '"\n".join("%s %s %s" % (r["table"], r["record"]["id"], r["record"]["user_id"]) for r in j["rows"])' |
			sed '/^$/d' >>"$T_TMP/pulled"
		more=$(s_json 'j["more"]')
		cursor=$(s_json 'json.dumps(j["next_cursor"] or {})')
		[ "$more" = True ] && continue
		[ -z "${3:-}" ] || grep -q "^$3 " "$T_TMP/pulled" || {
			[ "$(date +%s)" -lt "$deadline" ] || t_fail "pull_changes never returned $3"
			sleep 0.2
			continue
		}
		break
	done
	[ -s "$T_TMP/pulled" ] || t_fail "pull_changes returned nothing"
	if awk -v u="$2" '$3 != u' "$T_TMP/pulled" | grep -q .; then
		t_fail "pull_changes returned another user's rows: $(awk -v u="$2" '$3 != u' "$T_TMP/pulled" | head -3)"
	fi
	t_assert_eq "$(wc -l <"$T_TMP/pulled")" "$(sort -u "$T_TMP/pulled" | wc -l)" "pulled rows are distinct"
}
pull_all "$B" "$B_ID" "projects $P0"
pull_all "$A" "$A_ID" "turns $T1"
t_assert_eq 1 "$(grep -c "^turns $T1 " "$T_TMP/pulled")" "A's pull has A's turn once"
req "$A" POST /rest/v1/rpc/pull_changes '{"page_size":1,"max_bytes":1}'
json_eq 'len(j["rows"]), j["more"]' "1 True" "max_bytes: one row at least"

# Accept: PostgREST's singular object and CSV (supabase-js's .single(), .csv()).
# acc ACCEPT METHOD PATH [BODY]: a request as A with that Accept.
acc() {
	set -- -s -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' -H "apikey: $S_ANON" \
		-H "Authorization: Bearer $A" -H "Accept: $1" -X "$2" "$S_URL$3" ${4:+-H} \
		${4:+'Content-Type: application/json'} ${4:+--data-binary} ${4:+"$4"}
	s_status=$(curl "$@")
	s_body=$(cat "$T_TMP/body")
}
req "$A" POST /rest/v1/machines '[{"machine_id":"acc-1","name":"x"},{"machine_id":"acc-2","name":"y"}]'
expect 201 "rows for Accept"
acc application/vnd.pgrst.object+json GET '/rest/v1/machines?select=machine_id,name&machine_id=eq.acc-1'
expect 200 "one row as an object"
json_eq 'j' "{'machine_id': 'acc-1', 'name': 'x'}" "the object"
t_assert_contains "$(header Content-Type)" "application/vnd.pgrst.object+json" "object content type"
acc application/vnd.pgrst.object+json GET '/rest/v1/machines?select=machine_id&machine_id=like.acc-*'
expect_error 406 PGRST116 "two rows as an object"
json_eq 'j["message"], j["details"]' \
	"Cannot coerce the result to a single JSON object The result contains 2 rows" "PGRST116"
acc application/vnd.pgrst.object+json PATCH '/rest/v1/machines?machine_id=like.acc-*' '{"name":"z"}'
expect_error 406 PGRST116 "a PATCH of two rows as an object"
acc text/csv GET '/rest/v1/machines?select=machine_id,name&machine_id=like.acc-*&order=machine_id'
expect 200 "CSV"
t_assert_eq "$(printf 'machine_id,name\nacc-1,x\nacc-2,y')" "$s_body" "CSV body (and the PATCH rolled back)"
t_assert_contains "$(header Content-Type)" "text/csv" "CSV content type"

# A clean stop: status 0 and, under ASan, no leak report.
kill -TERM "$S_PID"
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
if grep -q -e 'Sanitizer' -e 'runtime error' "$T_TMP/server.log"; then
	t_fail "sanitizer report: $(grep -A5 -e Sanitizer -e 'runtime error' "$T_TMP/server.log" | head -20)"
fi
echo "PASS: REST on every table and verb as A, B and anon; RPC; errors; LWW; paging ($checks checks)"
