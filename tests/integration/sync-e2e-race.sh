#!/bin/sh
# End-to-end encryption across two machines whose view of the account's key
# goes stale (issue 15, "a wrong key must never mix ciphertexts"):
# - B passes its key check and stops before its push (AGENTLOGS_PAUSE, a fifo
#   pair: awaited, not slept); A rotates the key; B's push then goes up sealed
#   under the old key and the cloud refuses it (push_batch, SQLSTATE AE2E1):
#   one clear line, exit 1, the cloud's row as it was, B's row still pending;
#   B imports the new key and the same edit goes up and reaches A.
# - `key disable` on A: after a sync, every row goes up again in the clear at
#   a new version and the account's key row goes; B, e2e on and paused past
#   its check, has its sealed push refused; its next sync sees no key, turns
#   e2e off there (saying so) and works; the cloud holds no sealed value.
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
echo "PASS: sync-e2e-race"
