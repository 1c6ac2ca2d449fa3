#!/bin/sh
# Two people on one server: C never sees A's data (pull fetches nothing, the
# log stays empty, A's commit is not there), and C's push of the very same
# transcripts (the same record ids) and of its own edits leaves every row of
# A's untouched, nor does A's pull bring any of C's.
. "$SRCDIR/tests/integration/sync-lib.sh"
y_begin

y_machine A
y_machine C
y_signup A ann@example.com
y_signup C cid@example.com
a_uid=$(y_uid A)
c_uid=$(y_uid C)
[ "$a_uid" != "$c_uid" ] || t_fail "A and C share a user id"
y_import A
y_ok A sync
ref=$(y_cloud_counts "$a_uid")
y_ok A log --json --all
printf '%s\n' "$t_out" >"$T_TMP/a-log.json"
a_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[0]["id"])' \
	"$T_TMP/a-log.json")

# fingerprint UID: every row of UID's in the cloud, write position included.
fingerprint() {
	for t in $Y_TABLES; do
		psql -X -At "$S_DB" -c "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY id), ''))
		    FROM $t t WHERE user_id = '$1'" || t_fail "psql"
	done
}
a_print=$(fingerprint "$a_uid")

y_settle
y_ok C pull
t_assert_eq "Everything up to date with $S_URL." "$t_out" "C's first pull"
y_ok C sync
t_assert_eq "Everything up to date with $S_URL." "$t_out" "C's first sync"
t_assert_eq "0 0 0 0 0" "$(y_local_counts C)" "C's rows"
y_ok C log --json --all
t_assert_eq "[]" "$(printf '%s' "$t_out" | tr -d ' \n\t')" "C's log"
y_on C show "$a_id"
t_assert_eq 1 "$t_rc" "show of A's commit on C"
t_assert_one_line "$t_err" "show's error"
t_assert_eq "0 0 0 0 0" "$(y_cloud_counts "$c_uid")" "C's rows in the cloud"

# C has the same transcripts: the same ids, C's own rows.
y_import C
y_ok C title "$a_id" "C's own title"
y_ok C rm "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[1]["id"])' \
	"$T_TMP/a-log.json")"
y_ok C sync
t_assert_contains "$t_out" "Pushed "
t_assert_eq "$ref" "$(y_cloud_counts "$c_uid")" "C's rows in the cloud"
t_assert_eq "$a_print" "$(fingerprint "$a_uid")" "A's rows after C's push"
t_assert_eq "" "$(psql -X -At "$S_DB" -c "SELECT title FROM cognitive_commits
    WHERE user_id = '$a_uid' AND id = '$a_id'")" "A's title in the cloud"

y_settle
y_ok A sync
t_assert_eq "Everything up to date with $S_URL." "$t_out" "A's sync after C's push"
y_ok A log --json --all
t_assert_eq "$(cat "$T_TMP/a-log.json")" "$t_out" "A's log after C's push"
y_ok C sync
t_assert_eq "Everything up to date with $S_URL." "$t_out" "C's sync after A's"
y_ok C show --json "$a_id"
t_assert_contains "$t_out" "C's own title"
t_assert_eq "$a_print" "$(fingerprint "$a_uid")" "A's rows at the end"
echo "PASS: sync-isolation"
