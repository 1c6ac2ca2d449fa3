#!/bin/sh
# GitHub sign-in with PKCE against a real agentlogs-server, a real PostgreSQL
# and a stub of GitHub (tests/stubs/github-stub.py), driven as a browser would
# be: each redirect is read from its Location header, none followed by curl.
# authorize -> GitHub -> callback -> redirect_to?code= -> token?grant_type=pkce
# -> /user; then the ways it must fail: wrong verifier, a code used twice, an
# expired flow, a redirect_to not allowed, a forged state, GitHub refusing.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db

CLIENT_ID=Iv1.agentlogs-test
CLIENT_SECRET=stub-client-secret-$$
SITE=http://app.example.test/welcome

python3 "$SRCDIR/tests/stubs/github-stub.py" --client-id "$CLIENT_ID" \
	--client-secret "$CLIENT_SECRET" >"$T_TMP/gh.port" 2>"$T_TMP/gh.log" &
GH_PID=$!
trap 'rc_=$?; kill "$GH_PID" 2>/dev/null; (exit $rc_); s_cleanup' EXIT
i=0
until [ -s "$T_TMP/gh.port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || t_fail "the GitHub stub did not start: $(cat "$T_TMP/gh.log")"
	sleep 0.1
done
GH="http://127.0.0.1:$(cat "$T_TMP/gh.port")"

# The secret through the environment, as a deployment would pass it.
AGENTLOGS_SERVER_GITHUB_CLIENT_SECRET=$CLIENT_SECRET
AGENTLOGS_SERVER_REDIRECT_ALLOW='https://allowed.example.test/cb, https://*.apps.example.test/auth/**'
export AGENTLOGS_SERVER_GITHUB_CLIENT_SECRET AGENTLOGS_SERVER_REDIRECT_ALLOW
S_SERVER_ARGS="--github-authorize-url $GH/login/oauth/authorize
	--github-token-url $GH/login/oauth/access_token --github-api-url $GH
	--github-client-id $CLIENT_ID --site-url $SITE"
s_start_server
CALLBACK="$S_URL/auth/v1/callback"

# stub_config JSON: changes the stub's user or mode.
stub_config() {
	curl -s -f -o /dev/null -X POST --data-binary "$1" "$GH/_stub/config" ||
		t_fail "stub config $1"
}
stub_config "{\"callback\":\"$CALLBACK\"}"

# get URL: one GET, redirects not followed; sets $h_status, $h_location, $h_body.
get() {
	curl -s -o "$T_TMP/body" -D "$T_TMP/headers" "$1" || t_fail "GET $1"
	h_status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$T_TMP/headers")
	h_location=$(tr -d '\r' <"$T_TMP/headers" | sed -n 's/^[Ll]ocation: //p')
	h_body=$(cat "$T_TMP/body")
}

# qparam URL NAME: NAME's decoded value in URL's query, "" when absent.
qparam() {
	python3 -c 'import sys, urllib.parse as u
print(u.parse_qs(u.urlsplit(sys.argv[1]).query).get(sys.argv[2], [""])[0])' "$1" "$2"
}

urlenc() {
	python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$1"
}

# pkce: a fresh $verifier and its S256 $challenge, computed here independently.
pkce() {
	verifier=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
	challenge=$(python3 -c 'import base64, hashlib, sys
d = hashlib.sha256(sys.argv[1].encode()).digest()
print(base64.urlsafe_b64encode(d).rstrip(b"=").decode())' "$verifier")
}

# authorize REDIRECT_TO [METHOD [CHALLENGE]]: sets $gh_url, where the browser
# goes next, and $flow, the flow state id from the state.
authorize() {
	get "$S_URL/auth/v1/authorize?provider=github&redirect_to=$(urlenc "$1")&code_challenge=${3:-$challenge}&code_challenge_method=${2:-s256}"
	t_assert_eq 302 "$h_status" "authorize to $1 ($h_body)"
	gh_url=$h_location
	case $gh_url in
	"$GH/login/oauth/authorize?"*) ;;
	*) t_fail "authorize sent the browser to '$gh_url'" ;;
	esac
	flow=$(qparam "$gh_url" state | cut -d. -f2 | python3 -c 'import base64, json, sys
s = sys.stdin.read().strip(); s += "=" * (-len(s) % 4)
print(json.loads(base64.urlsafe_b64decode(s))["flow_state_id"])')
}

# to_github: the browser at GitHub (the stub approves or denies); sets $cb_url.
to_github() {
	get "$gh_url"
	t_assert_eq 302 "$h_status" "GitHub authorize ($h_body)"
	cb_url=$h_location
	case $cb_url in
	"$CALLBACK?"*) ;;
	*) t_fail "GitHub sent the browser to '$cb_url'" ;;
	esac
}

# login REDIRECT_TO [METHOD [CHALLENGE]]: the whole browser leg; sets $final,
# the last Location, and $code, its code parameter.
login() {
	authorize "$@"
	to_github
	get "$cb_url"
	t_assert_eq 302 "$h_status" "callback ($h_body)"
	final=$h_location
	code=$(qparam "$final" code)
}

exchange() {
	s_http POST '/auth/v1/token?grant_type=pkce' "{\"auth_code\":\"$1\",\"code_verifier\":\"$2\"}"
}

psql_at() {
	psql -X -At -v ON_ERROR_STOP=1 "$S_DB" -c "$1" || t_fail "psql: $1"
}

# ---------------------------------------------------------------- /authorize refusals
pkce
get "$S_URL/auth/v1/authorize?provider=gitlab&code_challenge=$challenge&code_challenge_method=s256"
t_assert_eq 400 "$h_status" "unknown provider"
t_assert_contains "$h_body" '"error_code":"validation_failed"'
get "$S_URL/auth/v1/authorize?provider=github"
t_assert_eq 400 "$h_status" "no code_challenge"
get "$S_URL/auth/v1/authorize?provider=github&code_challenge=$challenge&code_challenge_method=s512"
t_assert_eq 400 "$h_status" "unknown challenge method"
get "$S_URL/auth/v1/authorize?provider=github&code_challenge=short&code_challenge_method=s256"
t_assert_eq 400 "$h_status" "a challenge too short"
t_assert_eq 0 "$(psql_at 'SELECT count(*) FROM auth.flow_state')" "flows after refusals"

# ---------------------------------------------------------------- the whole flow
LOOP=$(s_free_port)
login "http://127.0.0.1:$LOOP/callback"
t_assert_eq "$CLIENT_ID" "$(qparam "$gh_url" client_id)" "client_id sent to GitHub"
t_assert_eq "$CALLBACK" "$(qparam "$gh_url" redirect_uri)" "redirect_uri sent to GitHub"
t_assert_eq code "$(qparam "$gh_url" response_type)" "response_type"
t_assert_eq "read:user user:email" "$(qparam "$gh_url" scope)" "scope"
case $final in
"http://127.0.0.1:$LOOP/callback?code="?*) ;;
*) t_fail "the flow ended at '$final', not the loopback redirect_to" ;;
esac
t_assert_eq "1|$challenge|s256|t" \
	"$(psql_at "SELECT count(*), min(code_challenge), min(code_challenge_method),
		bool_and(user_id IS NOT NULL) FROM auth.flow_state WHERE auth_code = '$code'")" \
	"the flow state after the callback"

exchange "$code" "not-the-verifier-$verifier"
t_assert_eq 400 "$s_status" "a wrong verifier ($s_body)"
t_assert_eq bad_code_verifier "$(s_json 'j["error_code"]')"
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "the PKCE exchange ($s_body)"
uid=$(s_json 'j["user"]["id"]')
first_code=$code
access=$(s_json 'j["access_token"]')
refresh=$(s_json 'j["refresh_token"]')
t_assert_eq "octo-cat github mona@example.org True" \
	"$(s_json 'j["user"]["user_metadata"]["user_name"], j["user"]["app_metadata"]["provider"], j["user"]["email"], j["token_type"] == "bearer"')" \
	"the session's user (the primary verified email from /user/emails)"

s_http GET /auth/v1/user -H "Authorization: Bearer $access"
t_assert_eq 200 "$s_status" "GET /user with the PKCE session ($s_body)"
t_assert_eq "$uid octo-cat github 583231 Mona Octocat" \
	"$(s_json 'j["id"], j["user_metadata"]["user_name"], j["app_metadata"]["provider"], j["user_metadata"]["provider_id"], j["user_metadata"]["full_name"]')" \
	"/user after GitHub sign-in"
t_assert_eq "github|583231|$uid" \
	"$(psql_at "SELECT provider, provider_id, user_id FROM auth.identities")" "the identity"
s_http POST '/auth/v1/token?grant_type=refresh_token' "{\"refresh_token\":\"$refresh\"}"
t_assert_eq 200 "$s_status" "refreshing the PKCE session"

# One use: the code is spent, and its flow gone.
exchange "$code" "$verifier"
t_assert_eq 404 "$s_status" "reusing the code ($s_body)"
t_assert_eq flow_state_not_found "$(s_json 'j["error_code"]')"
t_assert_eq 0 "$(psql_at "SELECT count(*) FROM auth.flow_state WHERE auth_code = '$code'")" \
	"flows left with the spent code"

# Exchanges racing with one code: exactly one wins.
pkce
login "http://127.0.0.1:$LOOP/callback"
for n in 1 2 3 4; do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "apikey: $S_ANON" \
		--data-binary "{\"auth_code\":\"$code\",\"code_verifier\":\"$verifier\"}" \
		"$S_URL/auth/v1/token?grant_type=pkce" >"$T_TMP/race.$n" &
	racers="${racers:-} $!"
done
wait $racers
t_assert_eq 1 "$(cat "$T_TMP"/race.* | grep -c '^200$')" "racing exchanges that succeeded"

# ---------------------------------------------------------------- plain, and the same user again
pkce
login "http://localhost:$(s_free_port)/done" PLAIN "$verifier"
case $final in
"http://localhost:"*"/done?code="?*) ;;
*) t_fail "the plain flow ended at '$final'" ;;
esac
exchange "$code" "$challenge"
t_assert_eq 400 "$s_status" "plain: the S256 form of the verifier is not the verifier"
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "plain PKCE exchange ($s_body)"
t_assert_eq "$uid" "$(s_json 'j["user"]["id"]')" "a second login of the same GitHub user"

# Renamed on GitHub: the same user (by GitHub id), its user_name refreshed.
stub_config '{"user": {"login": "octo-renamed", "id": 583231, "name": "Mona", "email": null,
	"avatar_url": "https://avatars.githubusercontent.com/u/583231?v=5"}}'
pkce
login "http://127.0.0.1:$LOOP/callback"
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "login after a rename ($s_body)"
t_assert_eq "$uid octo-renamed" "$(s_json 'j["user"]["id"], j["user"]["user_metadata"]["user_name"]')" \
	"the renamed GitHub user"

# Another GitHub user (public email, so no /user/emails): another user.
stub_config '{"user": {"login": "hubot", "id": 12345, "name": null, "email": "hubot@example.net"},
	"emails": []}'
pkce
login "http://127.0.0.1:$LOOP/callback"
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "another GitHub user ($s_body)"
uid2=$(s_json 'j["user"]["id"]')
[ -n "$uid2" ] && [ "$uid2" != "$uid" ] || t_fail "another GitHub user got user id '$uid2'"
t_assert_eq "hubot hubot@example.net" "$(s_json 'j["user"]["user_metadata"]["user_name"], j["user"]["email"]')"
t_assert_eq 2 "$(psql_at 'SELECT count(*) FROM auth.identities')" "identities"

# A GitHub email that another account already uses is not linked to it.
s_http POST /auth/v1/signup '{"email":"taken@example.org","password":"correct horse"}'
t_assert_eq 200 "$s_status" "password sign-up"
stub_config '{"user": {"login": "squatted", "id": 777, "name": null, "email": "taken@example.org"}}'
pkce
login "http://127.0.0.1:$LOOP/callback"
t_assert_eq "email_exists|" "$(qparam "$final" error_code)|$code" "an email already registered"
stub_config '{"user": {"login": "octo-cat", "id": 583231, "name": "Mona Octocat", "email": null},
	"emails": [{"email": "Mona@Example.org", "primary": true, "verified": true}]}'

# ---------------------------------------------------------------- redirect_to
# target REDIRECT_TO: sets $dest, where /authorize decided the code will go.
target() {
	authorize "$1"
	dest=$(psql_at "SELECT redirect_to FROM auth.flow_state WHERE id = '$flow'")
}
P=$(s_free_port)
for ok in "http://127.0.0.1:$P/cb" "http://127.0.0.1:1/" "http://localhost:$P/cb?x=1" \
    "http://[::1]:$P/cb" "http://app.example.test/other/page" \
    "https://allowed.example.test/cb" "https://allowed.example.test/cb/done?x=1" \
    "https://team.apps.example.test/auth/x/y"; do
	target "$ok"
	t_assert_eq "$ok" "$dest" "an allowed redirect_to"
done
for bad in "https://evil.example.com/steal" "http://127.0.0.1.evil.example.com/" \
    "http://127.0.0.1@evil.example.com/" 'http://evil.example.com\@127.0.0.1/' \
    "http://app.example.test:8080/x" "https://app.example.test/welcome" \
    "https://allowed.example.test/cbevil" "https://allowed.example.test.evil.example.com/cb" \
    "https://a.b.apps.example.test/auth/x" "https://evil.example.com/.apps.example.test/auth/" \
    "javascript:alert(1)" "//evil.example.com/"; do
	target "$bad"
	t_assert_eq "$SITE" "$dest" "redirect_to '$bad' is not honoured"
done
# End to end: the code goes to the site URL, never to the host asked for.
pkce
login "https://evil.example.com/steal"
case $final in
"$SITE?code="?*) ;;
*) t_fail "a redirect_to not allowed: the flow ended at '$final'" ;;
esac
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "the code delivered to the site URL works"

# ---------------------------------------------------------------- expiry (300 s)
pkce
login "http://127.0.0.1:$LOOP/callback"
psql_at "UPDATE auth.flow_state SET created_at = now() - interval '301 seconds'
	WHERE auth_code = '$code'" >/dev/null
exchange "$code" "$verifier"
t_assert_eq 422 "$s_status" "an exchange 301 s after /authorize ($s_body)"
t_assert_eq flow_state_expired "$(s_json 'j["error_code"]')"
pkce
login "http://127.0.0.1:$LOOP/callback"
psql_at "UPDATE auth.flow_state SET created_at = now() - interval '290 seconds'
	WHERE auth_code = '$code'" >/dev/null
exchange "$code" "$verifier"
t_assert_eq 200 "$s_status" "an exchange 290 s after /authorize ($s_body)"

# Expired before GitHub sent the browser back: an error at redirect_to, no code.
pkce
authorize "http://127.0.0.1:$LOOP/callback"
to_github
psql_at "UPDATE auth.flow_state SET created_at = now() - interval '301 seconds'
	WHERE id = '$flow'" >/dev/null
get "$cb_url"
t_assert_eq 302 "$h_status" "a late callback ($h_body)"
case $h_location in
"http://127.0.0.1:$LOOP/callback?"*) ;;
*) t_fail "a late callback went to '$h_location'" ;;
esac
t_assert_eq "flow_state_expired|" "$(qparam "$h_location" error_code)|$(qparam "$h_location" code)" \
	"a late callback"

# ---------------------------------------------------------------- forged state
pkce
authorize "http://127.0.0.1:$LOOP/callback"
to_github
gh_code=$(qparam "$cb_url" code)
state=$(qparam "$cb_url" state)
echo "a secret that is not the server's, long enough anyway" >"$T_TMP/wrong-secret"
resigned=$(printf '%s' "$state" | python3 -c 'import base64, hashlib, hmac, sys
h, p, _ = sys.stdin.read().strip().split(".")
key = open(sys.argv[1], "rb").read().strip()
sig = hmac.new(key, (h + "." + p).encode(), hashlib.sha256).digest()
print(h + "." + p + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode())' "$T_TMP/wrong-secret")
[ "$resigned" != "$state" ] || t_fail "the forged state equals the real one"
other=$(psql_at "SELECT gen_random_uuid()")
tampered=$(printf '%s' "$state" | python3 -c 'import base64, json, sys
h, p, s = sys.stdin.read().strip().split(".")
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
c["flow_state_id"] = sys.argv[1]
p = base64.urlsafe_b64encode(json.dumps(c).encode()).rstrip(b"=").decode()
print(h + "." + p + "." + s)' "$other")
for forged in "$resigned" "$tampered" "not.a.jwt" ""; do
	get "$CALLBACK?code=$gh_code&state=$(urlenc "$forged")"
	t_assert_eq 400 "$h_status" "a forged state '$forged'"
	[ -z "$h_location" ] || t_fail "a forged state redirected to $h_location"
done
t_assert_contains "$(get "$CALLBACK?code=$gh_code&state=$resigned"; echo "$h_body")" \
	'"error_code":"bad_oauth_state"'
# The genuine state still completes: the refusals were for the state alone.
get "$cb_url"
t_assert_eq 302 "$h_status" "the genuine callback"
code=$(qparam "$h_location" code)
[ -n "$code" ] || t_fail "the genuine callback gave no code: $h_location"
# Replaying GitHub's redirect does not mint a second code.
get "$cb_url"
t_assert_eq "bad_oauth_callback|" "$(qparam "$h_location" error_code)|$(qparam "$h_location" code)" \
	"a replayed callback"

# ---------------------------------------------------------------- GitHub says no
stub_config '{"deny": true}'
pkce
authorize "http://127.0.0.1:$LOOP/callback"
to_github
t_assert_eq access_denied "$(qparam "$cb_url" error)" "the stub's denial"
get "$cb_url"
t_assert_eq 302 "$h_status" "callback after a denial ($h_body)"
case $h_location in
"http://127.0.0.1:$LOOP/callback?"*) ;;
*) t_fail "a denial went to '$h_location'" ;;
esac
t_assert_eq "access_denied|The user has denied your application access.|" \
	"$(qparam "$h_location" error)|$(qparam "$h_location" error_description)|$(qparam "$h_location" code)" \
	"the error redirect after a denial"
t_assert_eq 0 "$(psql_at "SELECT count(*) FROM auth.flow_state WHERE id = '$flow'")" \
	"the denied flow's state"
stub_config '{"deny": false}'

# GitHub refuses the code exchange.
stub_config '{"token_error": true}'
pkce
login "http://127.0.0.1:$LOOP/callback"
t_assert_eq "server_error|" "$(qparam "$final" error)|$code" "a failed code exchange"
stub_config '{"token_error": false}'

# ---------------------------------------------------------------- hygiene
emails=$(curl -s "$GH/_stub/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("/user/emails", 0))')
[ "$emails" -ge 1 ] || t_fail "the server never asked GitHub for the user's emails"

kill -TERM "$S_PID"
wait "$S_PID"
rc=$?
S_PID=
t_assert_eq 0 "$rc" "exit status after SIGTERM"
# The whole log, now that the server has stopped.
grep -q "GET /auth/v1/callback 302" "$T_TMP/server.log" || t_fail "no request log line"
if grep -q -e "$CLIENT_SECRET" -e "$first_code" -e "$gh_code" -e "$verifier" -e "$access" -e "gho_" \
    "$T_TMP/server.log"; then
	t_fail "a secret reached the server log"
fi
echo "PASS: GitHub OAuth with PKCE: authorize, callback, pkce grant, redirect_to allow-list, expiry, forged state, denial"
