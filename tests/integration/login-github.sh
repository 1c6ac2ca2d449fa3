#!/bin/sh
# `agentlogs login` with GitHub: the client's loopback listener, the browser
# (a script that follows redirects as a browser would), agentlogs-server's
# PKCE flow and a stub of GitHub; then whoami, the machine's registration,
# --no-browser, a denied login and the timeout.
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db

CLIENT_ID=Iv1.agentlogs-login-test
CLIENT_SECRET=stub-secret-$$
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
S_SERVER_ARGS="--github-authorize-url $GH/login/oauth/authorize
	--github-token-url $GH/login/oauth/access_token --github-api-url $GH
	--github-client-id $CLIENT_ID --github-client-secret $CLIENT_SECRET"
s_start_server
curl -s -f -o /dev/null -X POST --data-binary "{\"callback\":\"$S_URL/auth/v1/callback\"}" \
	"$GH/_stub/config" || t_fail "stub config"
curl -s -f -o /dev/null -X POST --data-binary \
	'{"user": {"login": "octo-cat", "id": 583231, "name": "Mona Octocat", "email": "mona@example.com"}}' \
	"$GH/_stub/config" || t_fail "stub config"

export AGENTLOGS_HOME="$T_TMP/home"
"$AGENTLOGS" config set cloud.url "$S_URL" >/dev/null || t_fail "config cloud.url"
"$AGENTLOGS" config set cloud.anon-key "$S_ANON" >/dev/null || t_fail "config cloud.anon-key"

# The "browser": follows every redirect, the last one to the client's listener.
cat >"$T_TMP/browser" <<EOF
#!/bin/sh
echo "\$1" >"$T_TMP/browser.url"
exec curl -s -L -o "$T_TMP/browser.page" "\$1"
EOF
chmod +x "$T_TMP/browser"

BROWSER="$T_TMP/browser" AGENTLOGS_LOGIN_TIMEOUT=20 "$AGENTLOGS" login \
	>"$T_TMP/login.out" 2>"$T_TMP/login.err" ||
	t_fail "login: $(cat "$T_TMP/login.err")"
grep -q "as octo-cat" "$T_TMP/login.out" || t_fail "login said: $(cat "$T_TMP/login.out")"
case $(cat "$T_TMP/browser.url") in
"$S_URL/auth/v1/authorize?provider=github&redirect_to=http%3A%2F%2F127.0.0.1%3A"*"code_challenge_method=s256") ;;
*) t_fail "unexpected authorize URL: $(cat "$T_TMP/browser.url")" ;;
esac
grep -q "Logged in to agentlogs" "$T_TMP/browser.page" || t_fail "the browser's last page: $(cat "$T_TMP/browser.page")"
t_assert_eq 600 "$(stat -c %a "$AGENTLOGS_HOME/auth.json")" "auth.json mode"
grep -q "code_verifier\|auth_code" "$AGENTLOGS_HOME/auth.json" && t_fail "auth.json keeps the PKCE code"

"$AGENTLOGS" whoami >"$T_TMP/whoami" || t_fail "whoami after login"
grep -q "^user: *octo-cat" "$T_TMP/whoami" || t_fail "whoami: $(cat "$T_TMP/whoami")"
uid=$(sed -n 's/^id: *//p' "$T_TMP/whoami")
machine=$(sed -n 's/^machine: *//p' "$T_TMP/whoami")
t_assert_eq "$machine" "$(cat "$AGENTLOGS_HOME/machine-id")" "whoami's machine"

# The login registered the machine and the profile, as the user.
rows=$(psql -X -At "$S_DB" -c "SELECT github_username FROM user_profiles WHERE id = '$uid'")
t_assert_eq octo-cat "$rows" "user_profiles.github_username"
rows=$(psql -X -At "$S_DB" -c "SELECT count(*) FROM machines WHERE user_id = '$uid' AND machine_id = '$machine'")
t_assert_eq 1 "$rows" "machines row"

# Logging in again keeps one machine row and the same user.
BROWSER="$T_TMP/browser" AGENTLOGS_LOGIN_TIMEOUT=20 "$AGENTLOGS" login >/dev/null 2>&1 ||
	t_fail "second login"
rows=$(psql -X -At "$S_DB" -c "SELECT count(*) FROM machines WHERE user_id = '$uid'")
t_assert_eq 1 "$rows" "machines rows after a second login"

# --no-browser prints the URL; here a "person" opens it.
"$AGENTLOGS" logout >/dev/null || t_fail "logout"
AGENTLOGS_LOGIN_TIMEOUT=20 "$AGENTLOGS" login --no-browser >"$T_TMP/nb.out" 2>"$T_TMP/nb.err" &
lpid=$!
i=0
until grep -q "^  http" "$T_TMP/nb.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || t_fail "--no-browser printed no URL: $(cat "$T_TMP/nb.err")"
	sleep 0.1
done
"$T_TMP/browser" "$(sed -n 's/^  \(http.*\)/\1/p' "$T_TMP/nb.err" | head -n 1)"
wait $lpid || t_fail "--no-browser login: $(cat "$T_TMP/nb.err")"
"$AGENTLOGS" whoami >/dev/null || t_fail "whoami after --no-browser"

# GitHub says no: one line, exit 1, still logged out.
"$AGENTLOGS" logout >/dev/null
curl -s -f -o /dev/null -X POST --data-binary '{"deny": true}' "$GH/_stub/config"
if BROWSER="$T_TMP/browser" AGENTLOGS_LOGIN_TIMEOUT=20 "$AGENTLOGS" login >/dev/null \
	2>"$T_TMP/deny.err"; then
	t_fail "a denied login succeeded"
fi
grep -q "^agentlogs: login failed: login refused" "$T_TMP/deny.err" ||
	t_fail "denied login said: $(cat "$T_TMP/deny.err")"
"$AGENTLOGS" whoami >/dev/null 2>&1 && t_fail "logged in after a denied login"

# Nobody answers: the timeout ends the wait with one line.
if AGENTLOGS_LOGIN_TIMEOUT=1 "$AGENTLOGS" login --no-browser >/dev/null 2>"$T_TMP/to.err"; then
	t_fail "login without a browser succeeded"
fi
grep -q "timed out" "$T_TMP/to.err" || t_fail "timeout said: $(cat "$T_TMP/to.err")"
echo "PASS: login with GitHub through the browser, --no-browser, registration, denial, timeout"
