#!/bin/sh
# End-to-end encryption across two machines whose view of the account's key
# goes stale (issue 15, "a wrong key must never mix ciphertexts"):
# - B passes its key check and stops before its push (AGENTLOGS_PAUSE, a fifo
#   pair: awaited, not slept); A rotates the key; B's push then goes up sealed
#   under the old key and the cloud refuses it (push_batch, SQLSTATE AE2E1):
#   one clear line, exit 1, the cloud's row as it was, B's row still pending;
#   B imports the new key and the same edit goes up and reaches A.
# - `key disable --yes` on A (refused without --yes): after a sync, the
#   account's key row goes and every row with content goes up again in the
#   clear, one version newer; B, e2e on and paused past its check, has its
#   sealed push refused (one line); its next sync sees no key, turns e2e off
#   there (saying so) and pushes its edit in the clear; the cloud holds no
#   sealed value and both machines hold the same text.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

for m in A B; do y_machine $m; done
y_signup A ann@example.com
y_login B ann@example.com
uid=$(y_uid A)

y_import A
y_ok A key generate
key1=$t_out
y_ok A push
printf '%s\n' "$key1" >"$T_TMP/key1"
y_ok B key import <"$T_TMP/key1"
y_settle
y_ok B pull
y_ok A pull
id=$(t_sql "$(y_home B)/data.db" "SELECT id FROM cognitive_commits ORDER BY id LIMIT 1")

# b_paused VERB...: starts agentlogs VERB on B in the background, and returns
# once it has passed its key check and stands before its first push_batch.
b_paused() {
	rm -f "$T_TMP/pause" "$T_TMP/pause.reached"
	mkfifo "$T_TMP/pause" "$T_TMP/pause.reached"
	env AGENTLOGS_HOME="$(y_home B)" AGENTLOGS_PAUSE="push-before-send:$T_TMP/pause" \
		"$AGENTLOGS" "$@" >"$T_TMP/b.out" 2>"$T_TMP/b.err" &
	b_pid=$!
	read -r b_at <"$T_TMP/pause.reached" || t_fail "B never reached its push"
	t_assert_eq push-before-send "$b_at" "where B stopped"
}

# b_resume: lets B go on; its exit status in $t_rc, its output in $t_out, $t_err.
b_resume() {
	: >"$T_TMP/pause"
	t_rc=0
	wait "$b_pid" || t_rc=$?
	t_out=$(cat "$T_TMP/b.out")
	t_err=$(cat "$T_TMP/b.err")
}

# ------------------------------------------------------------ 1: a rotation between check and push
y_ok B title "$id" "Edited on B under the first key"
b_paused push
y_ok A key rotate
key2=$t_out
before=$(y_cloud_row "$uid" cognitive_commits "$id" "title, version")
b_resume
t_assert_eq 1 "$t_rc" "B's push sealed under the replaced key"
t_assert_eq "agentlogs: the account's encryption key changed on another machine: import it with agentlogs key import (nothing is lost: pending records stay pending)" \
	"$t_err" "B's refusal"
t_assert_eq "$before" "$(y_cloud_row "$uid" cognitive_commits "$id" "title, version")" \
	"the cloud's row after the refused push"
t_assert_eq pending "$(t_sql "$(y_home B)/data.db" \
	"SELECT sync_status FROM cognitive_commits WHERE id = '$id'")" "B's edited row"

printf '%s\n' "$key2" >"$T_TMP/key2"
y_ok B key import <"$T_TMP/key2"
y_ok B push
t_assert_eq "Edited on B under the first key" "$(y_cloud_title A "$id")" \
	"the cloud's title, opened with the new key"
# A's own rows go up again under the new key; B's edit merges in.
y_settle
y_ok A sync
t_assert_eq "Edited on B under the first key" "$(y_title A "$id")" "the title on A"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM cognitive_commits
	WHERE user_id = '$uid' AND id = '$id' AND title NOT LIKE 'e2e1:%'")" "B's title sealed"

# The cloud's own check, without any client's: a plain value, or one sealed
# with the replaced key, sent straight to push_batch, or to push_rows (its rows
# positional: 20261207000014), is refused whole.
token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["access_token"])' \
	"$(y_home A)/auth.json")
turn=$(psql -X -At "$S_DB" -c "SELECT row_to_json(t)::text FROM turns t WHERE user_id = '$uid'
	AND content LIKE 'e2e1:%' ORDER BY id LIMIT 1")
# The second value: the same sealed value under another key id (its first 4 bytes flipped).
other_id=$(psql -X -At "$S_DB" -c "SELECT content FROM turns WHERE user_id = '$uid'
	AND content LIKE 'e2e1:%' ORDER BY id LIMIT 1" | python3 -c 'import base64, sys
v = sys.stdin.read().strip()[5:]
raw = bytearray(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)))
raw[:4] = bytes(b ^ 255 for b in raw[:4])
print("e2e1:" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("="))')
for fn in push_batch push_rows; do
for value in "plain text" "$other_id"; do
	body=$(printf '%s' "$turn" | python3 -c 'import json, sys
t = json.load(sys.stdin)
t["content"] = sys.argv[1]
for k in ("txid", "user_id"):
    t.pop(k, None)
t["base_version"] = t["version"]
t["version"] += 1
rows = {"columns": list(t), "rows": [list(t.values())]} if sys.argv[2] == "push_rows" else [t]
print(json.dumps({"payload": {"turns": rows}}))' "$value" "$fn")
	before=$(y_rows_cloud "$uid")
	code=$(curl -s -o "$T_TMP/direct.out" -w '%{http_code}' -X POST \
		-H "apikey: $S_ANON" -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' --data "$body" "$S_URL/rest/v1/rpc/$fn")
	t_assert_eq 400 "$code" "a direct $fn of '$(printf '%s' "$value" | cut -c 1-12)...'"
	t_assert_contains "$(cat "$T_TMP/direct.out")" '"AE2E1"'
	t_assert_eq "$before" "$(y_rows_cloud "$uid")" "the cloud after a refused direct $fn"
done
done

# ------------------------------------------------------------ 2: key disable
# sealed_count: content values of the account still sealed in the cloud.
sealed_count() {
	psql -X -At "$S_DB" -c "SELECT (SELECT count(*) FROM cognitive_commits WHERE user_id = '$uid'
	    AND concat(title, git_subject, files_read, files_changed, first_prompt) LIKE '%e2e1:%')
	  + (SELECT count(*) FROM turns WHERE user_id = '$uid'
	    AND concat(content, thinking, tool_calls) LIKE '%e2e1:%')
	  + (SELECT count(*) FROM visuals WHERE user_id = '$uid' AND caption LIKE 'e2e1:%')
	  + (SELECT count(*) FROM conflicts WHERE user_id = '$uid'
	    AND concat(local_value, cloud_value) LIKE '%e2e1:%')"
}
# content_versions: "table id version" of the account's rows with content columns, sorted.
content_versions() {
	for t in cognitive_commits turns visuals conflicts; do
		psql -X -At -F ' ' "$S_DB" -c "SELECT '$t', id, version FROM $t WHERE user_id = '$uid'"
	done | LC_ALL=C sort
}
y_settle
y_ok B sync
y_ok A sync
[ "$(sealed_count)" -gt 0 ] || t_fail "nothing sealed in the cloud before key disable"
y_on A key disable
t_assert_eq 1 "$t_rc" "key disable without --yes"
t_assert_contains "$t_err" "in the clear"

y_ok B title "$id" "Edited on B before the disable"
b_paused push
content_versions >"$T_TMP/versions.before"
y_ok A key disable --yes
t_assert_contains "$t_err" "e2e is off: the account's key check is deleted"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM e2e_keys WHERE user_id = '$uid'")" \
	"the account's key rows after key disable"
t_assert_eq 0 "$(sealed_count)" "sealed values in the cloud after key disable"
# Every row with content went up again, exactly one version newer.
content_versions | awk '{ print $1, $2, $3 - 1 }' >"$T_TMP/versions.after"
cmp -s "$T_TMP/versions.before" "$T_TMP/versions.after" ||
	t_fail "versions after key disable: $(diff "$T_TMP/versions.before" "$T_TMP/versions.after" | head -n 5)"
y_ok A config get e2e
t_assert_eq false "$t_out" "e2e on A after key disable"
[ -e "$(y_home A)/e2e.key" ] && t_fail "A's key file is still in use"
[ -e "$(y_home A)/e2e.key.disabled" ] || t_fail "A's key was not kept aside"

# B, past its check with e2e on, pushes sealed: refused, nothing written.
b_resume
t_assert_eq 1 "$t_rc" "B's sealed push after the disable"
t_assert_eq "agentlogs: end-to-end encryption was turned off for the account on another machine: agentlogs sync again turns it off here (nothing is lost: pending records stay pending)" \
	"$t_err" "B's refusal after the disable"
t_assert_eq 0 "$(sealed_count)" "sealed values in the cloud after B's refused push"

# B's next sync follows: e2e off there, A's plain rows pulled, its edit up in the clear.
y_settle
y_ok B sync
t_assert_contains "$t_err" "turned off for the account on another machine"
y_ok B config get e2e
t_assert_eq false "$t_out" "e2e on B after its sync"
t_assert_eq "Edited on B before the disable" \
	"$(y_cloud_row "$uid" cognitive_commits "$id" title)" "B's title in the cloud, in the clear"
t_assert_eq 0 "$(sealed_count)" "sealed values in the cloud after B's sync"
y_settle
y_ok A sync
t_assert_eq "Edited on B before the disable" "$(y_title A "$id")" "the title on A"
y_settle
y_ok B sync
for q in "SELECT id, content, thinking, tool_calls FROM turns ORDER BY id" \
	"SELECT id, title, first_prompt, git_subject, files_read, files_changed FROM cognitive_commits ORDER BY id"; do
	t_sql "$(y_home A)/data.db" "$q" >"$T_TMP/a.rows"
	t_sql "$(y_home B)/data.db" "$q" >"$T_TMP/b.rows"
	cmp -s "$T_TMP/a.rows" "$T_TMP/b.rows" ||
		t_fail "B's text differs from A's: $(diff "$T_TMP/a.rows" "$T_TMP/b.rows" | head -n 5)"
done
echo "PASS: sync-e2e-race"
