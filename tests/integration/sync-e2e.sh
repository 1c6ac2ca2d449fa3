#!/bin/sh
# End-to-end encryption (issue 15) through a real agentlogs-server:
# - A imports the fixtures and pushes them in the clear, then generates a key
#   (e2e.key mode 0600, e2e turned on) and pushes again, sealed: a dump of
#   the cloud's whole database holds none of
#   the transcripts' prompts and answers (e2e_needles.py, read from the JSONL
#   directly), while a control account pushing the same fixtures in the clear
#   shows the needles do appear in a dump when stored in the clear;
# - B with e2e off refuses to pull (one line, exit 1, its store untouched);
#   B imports the key, pulls, and holds A's plain text; a title edited on B
#   goes up sealed and reaches A in the clear;
# - C with e2e off and rows to send refuses to push into the account;
# - C with another key refuses both pull and push, before any sync request:
#   its store and the cloud unchanged; `key import` of a wrong key is refused;
# - A rotates the key and pushes; B refuses until it imports the new key,
#   then pulls the same text again; the same with a passphrase key. Local
#   search keeps working. A sealed value the cloud moves to another row is
#   refused by the pull, which changes nothing.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin
t_need_cmd pg_dump

# The passphrase test needs no 256 MB: libsodium's smallest limits.
export AGENTLOGS_E2E_KDF_OPS=1 AGENTLOGS_E2E_KDF_MEM=8192

for m in A B C D; do y_machine $m; done
y_signup A ann@example.com
y_login B ann@example.com
y_login C ann@example.com
uid=$(y_uid A)

# e2e on without a key for the account: refused, nothing sent.
y_ok A config set e2e true
y_on A push
t_assert_eq 1 "$t_rc" "push with e2e on and no account key"
t_assert_contains "$t_err" "the account has no end-to-end key"
y_ok A config set e2e false

# The account's history goes up in the clear first: turning e2e on seals it again.
y_import A
ref=$(y_local_counts A)
y_ok A push
t_assert_eq "$ref" "$(y_cloud_counts "$uid")" "cloud rows after A's plain push"

y_ok A key generate
key=$t_out
t_assert_eq 43 "$(printf '%s\n' "$key" | head -n 1 | tr -d '\n' | wc -c)" "length of the key printed"
t_assert_eq 26 "$(printf '%s\n' "$key" | sed -n 2p | wc -w)" "words of the key printed"
t_assert_contains "$t_err" "shown once"
t_assert_eq 600 "$(stat -c %a "$(y_home A)/e2e.key")" "e2e.key's mode"
y_ok A config get e2e
t_assert_eq true "$t_out" "e2e after key generate"
grep -q "$key" "$(y_home A)/config" && t_fail "the key is in the config"
y_ok A key show
t_assert_eq "$key" "$t_out" "key show"
t_assert_contains "$t_err" "warning"
y_on A key generate
t_assert_eq 1 "$t_rc" "a second key generate"

y_ok A push
t_assert_contains "$t_out" "Pushed "
t_assert_eq "$ref" "$(y_cloud_counts "$uid")" "cloud rows after A's sealed push"
grep -q "$key" "$T_TMP/server.log" && t_fail "the key reached the server's log"

# The dump: no prompt, no answer, no title in the clear.
python3 "$SRCDIR/tests/integration/e2e_needles.py" list \
	"${AGENTLOGS_FIXTURES:-$SRCDIR/../shared/fixtures/claude-code}" >"$T_TMP/needles"
[ -s "$T_TMP/needles" ] || python3 "$SRCDIR/tests/integration/e2e_needles.py" list \
	"$AGENTLOGS_SAMPLES" >"$T_TMP/needles"
pg_dump --data-only "$S_DB" >"$T_TMP/sealed.sql" || t_fail "pg_dump"
python3 "$SRCDIR/tests/integration/e2e_needles.py" find "$T_TMP/needles" "$T_TMP/sealed.sql" \
	>"$T_TMP/leaked"
[ -s "$T_TMP/leaked" ] && t_fail "plain text in the cloud: $(head -n 3 "$T_TMP/leaked")"
grep -q 'e2e1:' "$T_TMP/sealed.sql" || t_fail "no sealed value in the dump"
# Screenshot bytes in storage: sealed too.
find "$T_TMP/storage" -type f -path "*$uid*" >"$T_TMP/objects"
while read -r f; do
	[ "$(head -c 5 "$f")" = "e2e1:" ] || t_fail "a screenshot in storage is not sealed: $f"
done <"$T_TMP/objects"
echo "screenshots in storage: $(wc -l <"$T_TMP/objects"), all sealed"
t_assert_eq 0 "$(psql -X -At "$S_DB" -c "SELECT count(*) FROM turns WHERE user_id = '$uid'
	AND content NOT LIKE 'e2e1:%' AND content <> ''")" "turns whose content is not sealed"

# The control: the same fixtures in the clear under another account.
y_signup D dan@example.com
y_import D
y_ok D push
pg_dump --data-only "$S_DB" >"$T_TMP/plain.sql" || t_fail "pg_dump"
python3 "$SRCDIR/tests/integration/e2e_needles.py" find "$T_TMP/needles" "$T_TMP/plain.sql" \
	>"$T_TMP/visible"
total=$(wc -l <"$T_TMP/needles")
visible=$(wc -l <"$T_TMP/visible")
echo "needles: $total from the transcripts, $visible seen in a plain push's dump, 0 in the sealed one"
[ "$((visible * 2))" -ge "$total" ] || t_fail "only $visible of $total needles show in a plain dump"

# B with e2e off: refused before anything, its store empty.
y_settle
y_on B pull
t_assert_eq 1 "$t_rc" "B's pull with e2e off"
t_assert_contains "$t_err" "end-to-end encrypted but e2e is off"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of the refusal"
t_assert_eq "0 0 0 0 0" "$(y_local_counts B)" "B's rows after the refused pull"

printf '%s\n' "$key" >"$T_TMP/key"
y_ok B key import <"$T_TMP/key"
y_ok B pull
t_assert_eq "$ref" "$(y_local_counts B)" "B's rows after the pull"
plain_sql="SELECT id, content, thinking, tool_calls FROM turns ORDER BY id"
commits_sql="SELECT id, title, first_prompt, git_subject, files_read, files_changed
	FROM cognitive_commits ORDER BY id"
for q in "$plain_sql" "$commits_sql"; do
	t_sql "$(y_home A)/data.db" "$q" >"$T_TMP/a.rows"
	t_sql "$(y_home B)/data.db" "$q" >"$T_TMP/b.rows"
	cmp -s "$T_TMP/a.rows" "$T_TMP/b.rows" ||
		t_fail "B's plain text differs from A's: $(diff "$T_TMP/a.rows" "$T_TMP/b.rows" | head -n 5)"
done
y_ok A log --json --all
a_log=$t_out
y_ok B log --json --all
t_assert_eq "$a_log" "$t_out" "log --json on A and B"
y_same_rows "A B" "$uid" "after B's pull"

# Search reads the local store: the same hits on both.
# (The project's display name is each machine's own: compared are the turns found.)
hits() {
	y_ok "$1" search --json --limit 1000000 --all "$2"
	printf '%s\n' "$t_out" | python3 -c 'import json, sys
print(sorted((h["commit"], h["turn"] or "", h["snippet"]) for h in json.load(sys.stdin)
    ))'
}
word=$(head -n 1 "$T_TMP/needles" | tr -cs 'A-Za-z' '\n' | awk 'length > 5' | head -n 1)
a_hits=$(hits A "$word")
t_assert_eq "$a_hits" "$(hits B "$word")" "search '$word' on A and B"
[ "$a_hits" != "[]" ] || t_fail "search '$word' found nothing"

# A title edited on B: sealed in the cloud, plain on A.
id=$(t_sql "$(y_home B)/data.db" "SELECT id FROM cognitive_commits ORDER BY id LIMIT 1")
y_ok B title "$id" "Sealed title from B"
y_ok B push
raw=$(y_cloud_row "$uid" cognitive_commits "$id" title)
case $raw in
e2e1:*) ;;
*) t_fail "the cloud's title is not sealed: $raw" ;;
esac
t_assert_eq "Sealed title from B" "$(y_cloud_title B "$id")" "the cloud's title opened"
y_settle
y_ok A pull
t_assert_eq "Sealed title from B" "$(y_title A "$id")" "the title on A"

# C with another key: refused both ways, before any sync request.
y_import C
# With e2e off and rows to send: refused before the first byte goes up.
y_rows_cloud "$uid" >"$T_TMP/cloud.before"
y_on C push
t_assert_eq 1 "$t_rc" "C's push with e2e off"
t_assert_contains "$t_err" "end-to-end encrypted but e2e is off"
y_rows_cloud "$uid" >"$T_TMP/cloud.after"
cmp -s "$T_TMP/cloud.before" "$T_TMP/cloud.after" || t_fail "C's refused push changed the cloud"
other=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')
printf '%s\n' "$other" >"$T_TMP/other"
y_on C key import <"$T_TMP/other"
t_assert_eq 1 "$t_rc" "importing a key that is not the account's"
t_assert_contains "$t_err" "not the account's end-to-end key"
[ -e "$(y_home C)/e2e.key" ] && t_fail "a refused key was saved"
(umask 077 && printf 'current %s\n' "$other" >"$(y_home C)/e2e.key")
y_ok C config set e2e true
t_sql "$(y_home C)/data.db" "SELECT * FROM turns ORDER BY id" | md5sum >"$T_TMP/c.before"
y_rows_cloud "$uid" >"$T_TMP/cloud.before"
calls=$(grep -cE 'rpc/(push_batch|push_rows|pull_changes)' "$T_TMP/server.log")
for verb in pull push sync; do
	y_on C $verb
	t_assert_eq 1 "$t_rc" "C's $verb with another key"
	t_assert_contains "$t_err" "end-to-end key is not the account's"
	t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of C's refusal"
done
t_assert_eq "$calls" "$(grep -cE 'rpc/(push_batch|push_rows|pull_changes)' "$T_TMP/server.log")" \
	"sync requests made by C"
t_sql "$(y_home C)/data.db" "SELECT * FROM turns ORDER BY id" | md5sum >"$T_TMP/c.after"
cmp -s "$T_TMP/c.before" "$T_TMP/c.after" || t_fail "C's store changed"
y_rows_cloud "$uid" >"$T_TMP/cloud.after"
cmp -s "$T_TMP/cloud.before" "$T_TMP/cloud.after" || t_fail "the cloud changed"

# Rotation: A's new key, everything up again; B refuses until it imports it.
y_ok A key rotate
key2=$t_out
[ "$key2" != "$key" ] || t_fail "rotate kept the key"
y_ok A push
t_assert_contains "$t_out" "Pushed "
y_settle
y_on B pull
t_assert_eq 1 "$t_rc" "B's pull after the rotation"
t_assert_contains "$t_err" "end-to-end key is not the account's"
printf '%s\n' "$key2" >"$T_TMP/key2"
y_ok B key import <"$T_TMP/key2"
y_ok B pull
t_sql "$(y_home A)/data.db" "$plain_sql" >"$T_TMP/a.rows"
t_sql "$(y_home B)/data.db" "$plain_sql" >"$T_TMP/b.rows"
cmp -s "$T_TMP/a.rows" "$T_TMP/b.rows" || t_fail "B's text differs from A's after the rotation"
y_same_rows "A B" "$uid" "after the rotation"
t_assert_eq "Sealed title from B" "$(y_title B "$id")" "the title on B after the rotation"

# A passphrase key: B derives the same key from the account's salt.
y_ok A key rotate --passphrase <<EOF2
correct horse battery staple
correct horse battery staple
EOF2
y_ok A push
y_settle
y_on B key import --passphrase <<EOF2
wrong horse battery staple
EOF2
t_assert_eq 1 "$t_rc" "a wrong passphrase"
y_ok B key import --passphrase <<EOF2
correct horse battery staple
EOF2
y_ok B pull
y_same_rows "A B" "$uid" "after the passphrase rotation"

# The cloud moves one turn's sealed content onto another (a newer version, as
# a write would): B's pull refuses it, one line, its store as it was.
t_sql "$(y_home B)/data.db" "$plain_sql" >"$T_TMP/b.before"
psql -X -q "$S_DB" -c "UPDATE turns t SET content = s.content, version = t.version + 1
    FROM (SELECT id, content FROM turns WHERE user_id = '$uid' AND content LIKE 'e2e1:%'
          ORDER BY id LIMIT 1) s
    WHERE t.user_id = '$uid' AND t.id = (SELECT id FROM turns WHERE user_id = '$uid'
          AND content LIKE 'e2e1:%' ORDER BY id LIMIT 1 OFFSET 1)" || t_fail "moving a value"
y_settle
y_on B pull
t_assert_eq 1 "$t_rc" "B's pull of a moved value"
t_assert_contains "$t_err" "not this record's"
t_assert_eq 1 "$(printf '%s\n' "$t_err" | wc -l)" "lines of the refusal"
t_sql "$(y_home B)/data.db" "$plain_sql" >"$T_TMP/b.after"
cmp -s "$T_TMP/b.before" "$T_TMP/b.after" || t_fail "B's store changed on a moved value"
echo "PASS: sync-e2e"
