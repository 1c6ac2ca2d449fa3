#!/bin/sh
# /auth/v1 against a real agentlogs-server on a real PostgreSQL: sign-up,
# password login, refresh with rotation (a spent token refused, and its
# session with it, once the 10 s reuse interval has passed, unless it is the
# active token's parent), GET and PUT /user, logout scopes, ended sessions'
# tokens refused by /user (403 session_not_found) and for writes, expired or
# forged tokens refused, the password's limits, and a transaction whose
# statement failed never answered as a success.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db
s_start_server

# jwt CLAIMS_JSON [SECRET_FILE]: an HS256 token, minted here independently.
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

# No or bad apikey: 401 everywhere.
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST "$S_URL/auth/v1/signup" -d '{}')
t_assert_eq 401 "$(printf '%s\n' "$s_body" | tail -n 1)" "signup without apikey"
echo "a secret that is not the server's, long enough anyway" >"$T_TMP/wrong-secret"
s_body=$(curl -s -o - -w '\n%{http_code}' -X POST -d '{}' \
	-H "apikey: $(jwt '{"role":"anon","exp":4102444800}' "$T_TMP/wrong-secret")" \
	"$S_URL/auth/v1/signup")
t_assert_eq 401 "$(printf '%s\n' "$s_body" | tail -n 1)" "signup with a forged apikey"

# Sign-up returns a session.
s_http POST /auth/v1/signup '{"email":"Ann@Example.com","password":"correct horse"}'
t_assert_eq 200 "$s_status" "signup ($s_body)"
uid=$(s_json 'j["user"]["id"]')
t_assert_eq "ann@example.com" "$(s_json 'j["user"]["email"]')" "email normalised"
access=$(s_json 'j["access_token"]')
refresh1=$(s_json 'j["refresh_token"]')
t_assert_eq bearer "$(s_json 'j["token_type"]')"
# The access token's claims, decoded here: sub, role, aud, email, session_id, exp > iat.
claims=$(printf '%s' "$access" | cut -d. -f2 | python3 -c 'import base64, json, sys
s = sys.stdin.read().strip(); s += "=" * (-len(s) % 4)
c = json.loads(base64.urlsafe_b64decode(s))
print(c["sub"], c["role"], c["aud"], c["email"], bool(c["session_id"]), c["exp"] > c["iat"])')
t_assert_eq "$uid authenticated authenticated ann@example.com True True" "$claims" "claims"
# The password is stored hashed with Argon2id, never in clear.
stored=$(psql -X -At "$S_DB" -c "SELECT encrypted_password FROM auth.users WHERE id = '$uid'")
t_assert_contains "$stored" '$argon2id$'

s_http POST /auth/v1/signup '{"email":"ann@example.com","password":"another one"}'
t_assert_eq 422 "$s_status" "duplicate signup"
s_http POST /auth/v1/signup '{"email":"bob@example.com","password":"short"}'
t_assert_eq 422 "$s_status" "weak password"
t_assert_contains "$s_body" "at least 8"
# Too long is refused with the real limit, 1024 bytes (not "at least 8").
long_pw=$(python3 -c 'print("p" * 1025)')
s_http POST /auth/v1/signup "{\"email\":\"bob@example.com\",\"password\":\"$long_pw\"}"
t_assert_eq 422 "$s_status" "a 1,025-byte password"
t_assert_contains "$s_body" "at most 1024" "a 1,025-byte password"
s_http POST '/auth/v1/token?grant_type=password' \
	"{\"email\":\"ann@example.com\",\"password\":\"$long_pw\"}"
t_assert_eq 400 "$s_status" "login with a 1,025-byte password"
t_assert_contains "$s_body" "at most 1024" "login with a 1,025-byte password"
s_http POST /auth/v1/signup "{\"email\":\"bob@example.com\",\"password\":\"${long_pw%p}\"}"
t_assert_eq 200 "$s_status" "a 1,024-byte password"
s_http POST /auth/v1/signup 'not json'
t_assert_eq 400 "$s_status" "malformed JSON"

# Password login.
s_http POST '/auth/v1/token?grant_type=password' '{"email":"ann@example.com","password":"nope nope"}'
t_assert_eq 400 "$s_status" "wrong password"
t_assert_eq invalid_credentials "$(s_json 'j["error_code"]')"
s_http POST '/auth/v1/token?grant_type=password' '{"email":"nobody@example.com","password":"nope nope"}'
t_assert_eq 400 "$s_status" "unknown email"
s_http POST '/auth/v1/token?grant_type=password' '{"email":"ann@example.com","password":"correct horse"}'
t_assert_eq 200 "$s_status" "password login"
access=$(s_json 'j["access_token"]')
refresh=$(s_json 'j["refresh_token"]')

# GET /user with the token; without it, or with a forged or expired one: 401.
s_http GET /auth/v1/user -H "Authorization: Bearer $access"
t_assert_eq 200 "$s_status" "GET /user"
t_assert_eq "$uid" "$(s_json 'j["id"]')"
s_http GET /auth/v1/user
t_assert_eq 401 "$s_status" "GET /user without a token"
now=$(date +%s)
forged=$(jwt "{\"sub\":\"$uid\",\"role\":\"authenticated\",\"exp\":$((now + 600))}" "$T_TMP/wrong-secret")
s_http GET /auth/v1/user -H "Authorization: Bearer $forged"
t_assert_eq 401 "$s_status" "forged token"
expired=$(jwt "{\"sub\":\"$uid\",\"role\":\"authenticated\",\"aud\":\"authenticated\",\"exp\":$((now - 10))}")
s_http GET /auth/v1/user -H "Authorization: Bearer $expired"
t_assert_eq 401 "$s_status" "expired token"
t_assert_contains "$s_body" "expired"
valid=$(jwt "{\"sub\":\"$uid\",\"role\":\"authenticated\",\"aud\":\"authenticated\",\"exp\":$((now + 600))}")
s_http GET /auth/v1/user -H "Authorization: Bearer $valid"
t_assert_eq 200 "$s_status" "a token signed with the secret"
alg_none=$(printf '%s' "$valid" | python3 -c 'import base64, json, sys
t = sys.stdin.read().split(".")
h = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
print(h + "." + t[1] + ".")')
s_http GET /auth/v1/user -H "Authorization: Bearer $alg_none"
t_assert_eq 401 "$s_status" "alg none"

# spent SECONDS TOKEN: backdates when TOKEN was spent by SECONDS.
spent() {
	psql -X -q "$S_DB" -c "UPDATE auth.refresh_tokens SET updated_at = now() - interval '$1 seconds'
		WHERE token = '$2'" >/dev/null || t_fail "cannot backdate a refresh token"
}

# Refresh rotates: the new token works; a spent one is refused once the
# reuse interval (10 s) has passed, unless it is the active token's parent,
# and takes its session down with it.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 200 "$s_status" "refresh"
refresh2=$(s_json 'j["refresh_token"]')
[ "$refresh2" != "$refresh" ] || t_fail "the refresh token did not rotate"
# Within the interval the spent token is a client retrying a lost answer: it
# gets the session's active token again, not a new one and not a logout.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 200 "$s_status" "a lost refresh answer retried within the interval ($s_body)"
t_assert_eq "$refresh2" "$(s_json 'j["refresh_token"]')" "the retry gets the active token"
s_http GET /auth/v1/user -H "Authorization: Bearer $(s_json 'j["access_token"]')"
t_assert_eq 200 "$s_status" "the retry's access token"
# The active token's parent is that client however late it retries (GoTrue's
# RefreshTokenGrant: "the parent of the currently active one").
spent 11 "$refresh"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq "200 $refresh2" "$s_status $(s_json 'j.get("refresh_token")')" \
	"the active token's parent, spent 11 s ago"
# An older token spent 11 s ago has leaked: refused, and its session ends.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh2\"}"
refresh3=$(s_json 'j["refresh_token"]')
spent 11 "$refresh"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 400 "$s_status" "reusing a grandparent spent 11 s ago"
t_assert_contains "$s_body" "Already Used"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh3\"}"
t_assert_eq 400 "$s_status" "the session ended after a reuse"
s_http POST '/auth/v1/token?grant_type=refresh_token' '{"refresh_token":"no-such-token"}'
t_assert_eq 400 "$s_status" "unknown refresh token"
# The grandparent of the active token, spent within the interval: the active token too.
s_http POST '/auth/v1/token?grant_type=password' '{"email":"ann@example.com","password":"correct horse"}'
g0=$(s_json 'j["refresh_token"]')
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$g0\"}"
g1=$(s_json 'j["refresh_token"]')
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$g1\"}"
g2=$(s_json 'j["refresh_token"]')
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$g0\"}"
t_assert_eq "200 $g2" "$s_status $(s_json 'j["refresh_token"]')" "a grandparent within the interval"

# Refreshes racing with one token (a client's threads, or a retry racing its
# original): one rotates it, the others wait for it and get the same new
# token, and that token stays valid: the losers do not end the session.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh1\"}"
t_assert_eq 200 "$s_status" "refresh of the sign-up session"
r=$(s_json 'j["refresh_token"]')
for n in 1 2 3 4; do
	curl -s -o "$T_TMP/race.$n" -X POST -H "apikey: $S_ANON" \
		--data-binary "{\"refresh_token\":\"$r\"}" \
		"$S_URL/auth/v1/token?grant_type=refresh_token" &
	racers="${racers:-} $!"
done
wait $racers
winners=$(cat "$T_TMP"/race.* | python3 -c 'import json, sys
print(len({json.loads(l).get("refresh_token") for l in sys.stdin.read().replace("}{", "}\n{").splitlines()}))')
t_assert_eq 1 "$winners" "distinct refresh tokens among four racing refreshes"
s_body=$(cat "$T_TMP/race.1")
won=$(s_json 'j["refresh_token"]')
[ "$won" != "$r" ] && [ "$won" != None ] || t_fail "the racing refreshes did not rotate: $s_body"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$won\"}"
t_assert_eq 200 "$s_status" "the racing refreshes' token afterwards"

# Logout (GoTrue's scopes): local ends the token's session, others every
# other one, global (the default) all; an ended session's access token is
# refused by GET /user with 403 session_not_found.
# login: sets $access and $refresh to a new session of ann's.
login() {
	s_http POST '/auth/v1/token?grant_type=password' \
		'{"email":"ann@example.com","password":"correct horse"}'
	access=$(s_json 'j["access_token"]')
	refresh=$(s_json 'j["refresh_token"]')
}
# user_answer TOKEN: the status and error_code of GET /user.
user_answer() {
	s_http GET /auth/v1/user -H "Authorization: Bearer $1"
	echo "$s_status $(s_json 'j.get("error_code")')"
}
# then_users EXPECTED WHAT METHOD PATH BODY TOKEN OTHER: the request with
# TOKEN, then its status and the GET /user answers of TOKEN and OTHER.
then_users() {
	s_http "$3" "$4" "$5" -H "Authorization: Bearer $6"
	t_assert_eq "$1" "$s_status $(user_answer "$6") $(user_answer "$7")" "$2"
}
login
a_access=$access
a_refresh=$refresh
login
then_users "204 403 session_not_found 200 None" "logout?scope=local, then GET /user: its session, another" \
	POST '/auth/v1/logout?scope=local' '' "$access" "$a_access"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 400 "$s_status" "refresh after a local logout"
login
then_users "204 200 None 403 session_not_found" "logout?scope=others, then GET /user: its session, another" \
	POST '/auth/v1/logout?scope=others' '' "$access" "$a_access"
b_access=$access
login
then_users "204 403 session_not_found 403 session_not_found" \
	"logout without a scope (global), then GET /user: its session, another" \
	POST /auth/v1/logout '' "$access" "$b_access"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 400 "$s_status" "refresh after logout"
s_http POST '/auth/v1/logout?scope=nearby' '' -H "Authorization: Bearer $access"
t_assert_eq "400 validation_failed" "$s_status $(s_json 'j["error_code"]')" "an unknown logout scope"

# PUT /user (GoTrue's updateUser): data merges into user_metadata, a null
# removes its key; a new password ends the user's other sessions.
s_http POST /auth/v1/signup \
	'{"email":"dora@example.com","password":"dora dora dora","data":{"a":1,"b":2}}'
t_assert_eq '200 {"a": 1, "b": 2}' "$s_status $(s_json 'json.dumps(j["user"]["user_metadata"])')" \
	"signup with data"
d_access=$(s_json 'j["access_token"]')
s_http POST '/auth/v1/token?grant_type=password' '{"email":"dora@example.com","password":"dora dora dora"}'
d_other=$(s_json 'j["access_token"]')
s_http PUT /auth/v1/user '{"data":{"b":null,"c":"three"}}' -H "Authorization: Bearer $d_access"
t_assert_eq '200 {"a": 1, "c": "three"}' "$s_status $(s_json 'json.dumps(j["user_metadata"])')" \
	"PUT /user with data"
s_http PUT /auth/v1/user '{"password":"dora dora dora"}' -H "Authorization: Bearer $d_access"
t_assert_eq "422 same_password" "$s_status $(s_json 'j["error_code"]')" "PUT /user, same password"
then_users "200 200 None 403 session_not_found" "a new password, then GET /user: its session, another" \
	PUT /auth/v1/user '{"password":"dora 2 dora 2"}' "$d_access" "$d_other"
s_http POST '/auth/v1/token?grant_type=password' '{"email":"dora@example.com","password":"dora 2 dora 2"}'
t_assert_eq 200 "$s_status" "login with the new password"
s_http PUT /auth/v1/user '{"email":"ann@example.com"}' -H "Authorization: Bearer $d_access"
t_assert_eq "422 email_exists" "$s_status $(s_json 'j["error_code"]')" "PUT /user, a taken email"
s_http PUT /auth/v1/user '{"email":"Dora@Example.org"}' -H "Authorization: Bearer $d_access"
t_assert_eq "200 dora@example.org" "$s_status $(s_json 'j["email"]')" "PUT /user, a new email"
s_http PUT /auth/v1/user '{"data":{"a":1}}'
t_assert_eq 401 "$s_status" "PUT /user without a token"
s_http PUT /auth/v1/user '{"data":[1]}' -H "Authorization: Bearer $d_access"
t_assert_eq "400 validation_failed" "$s_status $(s_json 'j["error_code"]')" "PUT /user, data not an object"
s_http PUT /auth/v1/user '{"data":{"a":1}}' -H "Authorization: Bearer $b_access"
t_assert_eq "403 session_not_found" "$s_status $(s_json 'j["error_code"]')" \
	"PUT /user with an ended session"

# An ended session's access token, still unexpired, writes nothing: not after
# logout, not after the user is deleted. (Reads only ever see the caller's
# rows, which a deleted user no longer has.)
# writes TOKEN: sets $writes to the statuses of a REST insert and a storage upload.
writes() {
	s_http POST /rest/v1/user_profiles "{\"id\":\"$2\"}" -H "Authorization: Bearer $1" \
		-H 'Prefer: resolution=merge-duplicates'
	writes=$s_status
	s_http POST "/storage/v1/object/visuals/$2/$3.png" 'png bytes' \
		-H "Authorization: Bearer $1" -H 'Content-Type: image/png'
	writes="$writes $s_status"
}
s_http POST '/auth/v1/token?grant_type=password' '{"email":"ann@example.com","password":"correct horse"}'
writes "$(s_json 'j["access_token"]')" "$uid" before
t_assert_eq "201 200" "$writes" "writes with a live session"
writes "$access" "$uid" after-logout
t_assert_eq "401 401" "$writes" "writes with a logged-out access token"
s_http POST /auth/v1/signup '{"email":"carl@example.com","password":"carl carl carl"}'
carl=$(s_json 'j["access_token"]')
carl_id=$(s_json 'j["user"]["id"]')
writes "$carl" "$carl_id" alive
t_assert_eq "201 200" "$writes" "writes of a user not yet deleted"
psql -X -q "$S_DB" -c "DELETE FROM auth.users WHERE id = '$carl_id'" >/dev/null
writes "$carl" "$carl_id" deleted
t_assert_eq "401 401" "$writes" "writes with a deleted user's access token"
t_assert_contains "$s_body" "session has ended"

# A statement that fails inside a sign-in transaction: PostgreSQL answers the
# COMMIT with success and the tag ROLLBACK. No tokens may be handed out then
# (they would not exist), and a refresh that failed so leaves its token usable.
s_http POST /auth/v1/signup '{"email":"trap@example.com","password":"trap trap trap"}'
trap_refresh=$(s_json 'j["refresh_token"]')
trap_id=$(s_json 'j["user"]["id"]')
psql -X -q -v ON_ERROR_STOP=1 "$S_DB" >/dev/null <<SQL || t_fail "cannot install the trap"
CREATE FUNCTION public.t_trap() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN RAISE EXCEPTION 'trapped'; END \$\$;
CREATE TRIGGER t_trap BEFORE UPDATE OF last_sign_in_at ON auth.users
	FOR EACH ROW WHEN (OLD.email = 'trap@example.com') EXECUTE FUNCTION public.t_trap();
SQL
sessions() {
	psql -X -At "$S_DB" -c "SELECT count(*) FROM auth.sessions WHERE user_id = '$trap_id'"
}
s_http POST '/auth/v1/token?grant_type=password' '{"email":"trap@example.com","password":"trap trap trap"}'
t_assert_eq 500 "$s_status" "login whose transaction failed ($s_body)"
t_assert_eq 1 "$(sessions)" "sessions after a failed login"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$trap_refresh\"}"
t_assert_eq 500 "$s_status" "refresh whose transaction failed ($s_body)"
psql -X -q "$S_DB" -c "DROP TRIGGER t_trap ON auth.users" >/dev/null
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$trap_refresh\"}"
t_assert_eq 200 "$s_status" "the token of the failed refresh, afterwards"

# The request log: one line per request, and never a token or a password.
t_wait_file "$T_TMP/server.log" "POST /auth/v1/logout 204" "the logout's request log line"
grep -q "POST /auth/v1/token 200" "$T_TMP/server.log" || t_fail "no request log line"
if grep -q -e "correct horse" -e "$refresh" -e "$access" "$T_TMP/server.log"; then
	t_fail "a secret reached the server log"
fi

# SIGTERM stops the server cleanly.
kill -TERM "$S_PID"
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
echo "PASS: auth sign-up, login, refresh rotation, logout, token checks"
