#!/bin/sh
# /auth/v1 against a real agentlogs-server on a real PostgreSQL: sign-up,
# password login, refresh with rotation (a spent token refused, and its
# session with it), /user, logout, and expired or forged tokens refused.
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

# Refresh rotates: the new token works once, the spent one is refused and
# takes its session down with it.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 200 "$s_status" "refresh"
refresh2=$(s_json 'j["refresh_token"]')
[ "$refresh2" != "$refresh" ] || t_fail "the refresh token did not rotate"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 400 "$s_status" "reusing a spent refresh token"
t_assert_contains "$s_body" "Already Used"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh2\"}"
t_assert_eq 400 "$s_status" "the session ended after a reuse"
s_http POST '/auth/v1/token?grant_type=refresh_token' '{"refresh_token":"no-such-token"}'
t_assert_eq 400 "$s_status" "unknown refresh token"

# Two refreshes racing with one token: exactly one wins.
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh1\"}"
t_assert_eq 200 "$s_status" "refresh of the sign-up session"
r=$(s_json 'j["refresh_token"]')
for n in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "apikey: $S_ANON" \
		--data-binary "{\"refresh_token\":\"$r\"}" \
		"$S_URL/auth/v1/token?grant_type=refresh_token" >"$T_TMP/race.$n" &
	racers="${racers:-} $!"
done
wait $racers
t_assert_eq 1 "$(cat "$T_TMP"/race.* | grep -c '^200$')" "racing refreshes that succeeded"

# Logout revokes the session's refresh tokens.
s_http POST '/auth/v1/token?grant_type=password' '{"email":"ann@example.com","password":"correct horse"}'
access=$(s_json 'j["access_token"]')
refresh=$(s_json 'j["refresh_token"]')
s_http POST /auth/v1/logout '' -H "Authorization: Bearer $access"
t_assert_eq 204 "$s_status" "logout"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 400 "$s_status" "refresh after logout"

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
