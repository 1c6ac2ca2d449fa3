#!/bin/sh
# Opt-in aggregate analytics through a real agentlogs-server (issue 15, the
# seed's Phase 6):
# - an opted-out machine sends nothing at a sync (the server's table is empty);
# - --opt-in records the choice in the cloud profile; the next sync uploads
#   one row; a second sync within 24 h sends nothing, one a day later does;
# - every byte of the upload (as stored in the cloud, and as --show-upload
#   prints it) is checked against the strings of the fixtures, collected by
#   analytics_strings.py from the transcripts on its own: none is there;
# - through PostgREST: B cannot read A's upload, anon cannot read the table,
#   an upload naming another user or holding text is refused, B's and anon's
#   PATCH and DELETE leave A's row as it was; anon's
#   analytics_totals() gives nothing while one person contributes, and with
#   two exactly the sums of both rows (computed here from the rows) and
#   nobody's own figures;
# - a choice made logged out reaches the profile at the next sync (the
#   profile does not undo it); opting out on another machine of A's removes
#   A's uploads, and A's machine then follows the profile: opted out, it
#   sends nothing.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_fixtures=${AGENTLOGS_FIXTURES:-$SRCDIR/../shared/fixtures/claude-code}
[ -d "$y_fixtures/projects" ] || y_fixtures=$AGENTLOGS_SAMPLES
now=$(date +%s)
day=86400

y_machine A
y_machine B
y_machine C
y_signup A ann@example.com
y_signup B bob@example.com
y_login C ann@example.com
ann=$(y_uid A)
bob=$(y_uid B)
for m in A B; do
	y_ok "$m" import --claude-dir "$y_fixtures"
done

uploads() {
	psql -X -At "$S_DB" -c "SELECT count(*) FROM analytics_uploads WHERE user_id = '$1'"
}
profile() {
	psql -X -At "$S_DB" -c "SELECT analytics_opt_in FROM user_profiles WHERE id = '$1'"
}
token() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
		"$T_TMP/$1/auth.json"
}

# Opted out (the default): a sync sends nothing.
y_ok A sync
y_ok B sync
t_assert_eq "0" "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM analytics_uploads")" \
	"uploads from opted-out machines"
# ... and makes no analytics request at all (no profile read, no upload).
t_assert_eq "0" "$(grep -c 'GET /rest/v1/user_profiles\|analytics_uploads' "$T_TMP/server.log")" \
	"analytics requests from opted-out machines"

# Opting in reaches the profile at once.
y_ok A analytics --opt-in
t_assert_contains "$t_out" "Recorded in your cloud profile"
t_assert_eq "t" "$(profile "$ann")" "ann's profile after --opt-in"
t_assert_eq "true" "$(AGENTLOGS_HOME=$T_TMP/A "$AGENTLOGS" config get analytics.opt-in)" \
	"A's config after --opt-in"

# --show-upload sends nothing and prints only vocabulary and numbers.
y_ok A analytics --show-upload
printf '%s\n' "$t_out" >"$T_TMP/shown.json"
t_assert_eq "0" "$(uploads "$ann")" "uploads after --show-upload"
python3 "$SRCDIR/tests/integration/analytics_strings.py" "$y_fixtures" "$T_TMP/shown.json" ||
	t_fail "--show-upload's JSON holds more than aggregates"

y_ok A sync
t_assert_contains "$t_out" "Sent today's anonymous aggregates"
t_assert_eq "1" "$(uploads "$ann")" "ann's uploads after the sync"
# The row as the cloud holds it, every column.
psql -X -At "$S_DB" -c "SELECT row_to_json(u) FROM analytics_uploads u WHERE user_id = '$ann'" \
	>"$T_TMP/row.json"
python3 - "$T_TMP/row.json" "$T_TMP/upload.json" "$ann" <<'PY' || t_fail "the stored row"
import json, sys
row = json.load(open(sys.argv[1]))
assert set(row) == {"user_id", "day", "version", "epsilon", "figures", "uploaded_at"}, row
assert row["user_id"] == sys.argv[3] and row["version"] == 1 and row["epsilon"] == 1, row
# What the client sent: the columns it may set (the others are the server's).
json.dump({"version": row["version"], "epsilon": row["epsilon"], "figures": row["figures"]},
          open(sys.argv[2], "w"), separators=(",", ":"))
PY
python3 "$SRCDIR/tests/integration/analytics_strings.py" "$y_fixtures" "$T_TMP/upload.json" ||
	t_fail "the upload in the cloud holds more than aggregates"
first=$(psql -X -At "$S_DB" -c "SELECT uploaded_at || ' ' || figures::text FROM analytics_uploads
    WHERE user_id = '$ann'")

# Ann's other machine stays out: opting in is given per machine.
y_ok C sync
t_assert_eq "false" "$(AGENTLOGS_HOME=$T_TMP/C "$AGENTLOGS" config get analytics.opt-in)" \
	"C's config after ann opted in on A"

# Within 24 h: nothing more is sent (fresh noise would change the figures).
y_ok A sync
case $t_out in *"Sent today"*) t_fail "a second upload within a day: $t_out" ;; esac
y_ok A --sync-once
t_assert_eq "$first" "$(psql -X -At "$S_DB" -c "SELECT uploaded_at || ' ' || figures::text
    FROM analytics_uploads WHERE user_id = '$ann'")" "ann's row after two more syncs"

# A day later it is sent again (the same day's row in the cloud: replaced).
y_at $((now + day + 60)) A sync
t_assert_contains "$t_out" "Sent today's anonymous aggregates"
t_assert_eq "1" "$(uploads "$ann")" "ann's rows after the next day's upload"
[ "$first" != "$(psql -X -At "$S_DB" -c "SELECT uploaded_at || ' ' || figures::text
    FROM analytics_uploads WHERE user_id = '$ann'")" ] || t_fail "the next day's upload changed nothing"
t_assert_eq "0" "$(uploads "$bob")" "bob's uploads (opted out)"

# Row-level security, through PostgREST.
s_http GET "/rest/v1/analytics_uploads?select=*" -H "Authorization: Bearer $(token B)"
t_assert_eq "200 []" "$s_status $s_body" "bob reading the uploads"
s_http GET "/rest/v1/analytics_uploads?select=figures" -H "Authorization: Bearer $(token A)"
t_assert_eq "200 1" "$s_status $(s_json 'len(j)')" "ann reading her own upload"
s_http GET "/rest/v1/analytics_uploads?select=*"
case $s_status in 401 | 403) ;; *) t_fail "anon reading the uploads: $s_status $s_body" ;; esac
s_http POST /rest/v1/analytics_uploads \
	"{\"user_id\":\"$ann\",\"version\":1,\"epsilon\":1,\"figures\":{\"sessions\":1}}" \
	-H "Authorization: Bearer $(token B)"
t_assert_eq "403 42501" "$s_status $(s_json 'j["code"]')" "bob uploading as ann"
s_http POST /rest/v1/analytics_uploads \
	'{"version":1,"epsilon":1,"figures":{"sessions":1,"projects":{"my-secret-project":1}}}' \
	-H "Authorization: Bearer $(token B)"
t_assert_eq "400 23514" "$s_status $(s_json 'j["code"]')" "an upload holding a name"
s_http POST /rest/v1/analytics_uploads \
	'{"version":1,"epsilon":1,"figures":{"note":"fix the bug in main.c"}}' \
	-H "Authorization: Bearer $(token B)"
t_assert_eq "400 23514" "$s_status $(s_json 'j["code"]')" "an upload holding text"
t_assert_eq "0" "$(uploads "$bob")" "bob's uploads after the refused ones"
current=$(psql -X -At "$S_DB" -c "SELECT uploaded_at || ' ' || figures::text
    FROM analytics_uploads WHERE user_id = '$ann'")
s_http PATCH "/rest/v1/analytics_uploads?user_id=eq.$ann" '{"figures":{"sessions":0}}' \
	-H "Authorization: Bearer $(token B)"
s_http DELETE "/rest/v1/analytics_uploads?user_id=eq.$ann" -H "Authorization: Bearer $(token B)"
s_http DELETE "/rest/v1/analytics_uploads?user_id=eq.$ann"
t_assert_eq "$current" "$(psql -X -At "$S_DB" -c "SELECT uploaded_at || ' ' || figures::text
    FROM analytics_uploads WHERE user_id = '$ann'")" "ann's row after bob's and anon's PATCH and DELETE"

# The public totals: nothing while one person contributes.
s_http POST /rest/v1/rpc/analytics_totals '{}'
t_assert_eq "200 1 None" "$s_status $(s_json 'j["people"], j["figures"]')" "totals over one person"

# Bob opts in (by config set: the same) and syncs: the totals are both rows' sums.
y_ok B config set analytics.opt-in true
t_assert_eq "t" "$(profile "$bob")" "bob's profile after config set"
y_ok B sync
t_assert_eq "1" "$(uploads "$bob")" "bob's uploads"
psql -X -At "$S_DB" -c "SELECT figures FROM analytics_uploads ORDER BY user_id" >"$T_TMP/rows"
s_http POST /rest/v1/rpc/analytics_totals '{}'
t_assert_eq 200 "$s_status" "totals over two people"
printf '%s' "$s_body" >"$T_TMP/totals.json"
python3 - "$T_TMP/rows" "$T_TMP/totals.json" <<'PY' || t_fail "the totals"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = json.load(open(sys.argv[2]))
assert len(rows) == 2, rows
assert set(got) == {"people", "figures"} and got["people"] == 2, got
want = {}
for r in rows:
    for k, v in r.items():
        if isinstance(v, dict):
            for k2, n in v.items():
                want.setdefault(k, {})[k2] = want.get(k, {}).get(k2, 0) + n
        else:
            want[k] = want.get(k, 0) + v
assert got["figures"] == want, (got["figures"], want)
# Neither person's figures show: the only numbers are sums and the count.
assert all(got["figures"] != r for r in rows)
PY

# A choice made logged out reaches the profile at the next sync, before the
# profile could undo it: bob opts out on a new machine, then logs in there.
y_machine D
y_ok D analytics --opt-out
t_assert_contains "$t_out" "Your cloud profile gets it at the next sync (not logged in)"
y_login D bob@example.com
y_ok D sync
t_assert_eq "f" "$(profile "$bob")" "bob's profile after D's sync"
t_assert_eq "0" "$(uploads "$bob")" "bob's uploads after opting out on D"
t_assert_eq "false" "$(AGENTLOGS_HOME=$T_TMP/D "$AGENTLOGS" config get analytics.opt-in)" \
	"D's config after its sync"

# Ann opts out on her other machine: her uploads go, and A follows at its next upload.
y_ok C analytics --opt-out
t_assert_eq "f" "$(profile "$ann")" "ann's profile after opting out on C"
t_assert_eq "0" "$(uploads "$ann")" "ann's uploads after opting out"
y_at $((now + 2 * day + 120)) A sync
case $t_out in *"Sent today"*) t_fail "A sent after ann opted out on C: $t_out" ;; esac
t_assert_eq "0" "$(uploads "$ann")" "ann's uploads after A's sync"
t_assert_eq "false" "$(AGENTLOGS_HOME=$T_TMP/A "$AGENTLOGS" config get analytics.opt-in)" \
	"A's config after ann opted out on C"
s_http POST /rest/v1/rpc/analytics_totals '{}'
t_assert_eq "0 None" "$(s_json 'j["people"], j["figures"]')" "totals after both left"

echo "PASS: sync-analytics"
