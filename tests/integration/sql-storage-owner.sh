#!/bin/sh
# The storage migration on a self-hosted Supabase, where storage.objects
# belongs to supabase_storage_admin and the role that migrates (postgres) may
# not create policies on it (no supautils.policy_grants): the migration does
# not fail; it warns with the statements to run as the table's owner, and
# creates none of them (visuals stay unreachable: nothing leaks). Run as the
# owner, those statements give each user their own folder and nothing else.
# On hosted Supabase and agentlogs-server the policies are created by the
# migration itself (sql-rls.sh checks them there).
. "$SRCDIR/tests/integration/lib.sh"
. "$SRCDIR/tests/integration/server-lib.sh"
t_mktemp
s_require_pg
s_create_db

# Roles are cluster-wide: names of this run's own, dropped after the database.
OWNER=al_storage_admin_$$
MIGRATOR=al_postgres_$$
trap 's_cleanup; psql -X -q "$AGENTLOGS_TEST_PG" -c "DROP ROLE IF EXISTS $OWNER" \
	-c "DROP ROLE IF EXISTS $MIGRATOR" >/dev/null 2>&1' EXIT
MIGRATION=$SRCDIR/supabase/migrations/20261125000005_storage_realtime.sql
A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
B=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb

# sql [PSQL-ARG...]: SQL as the superuser; any error fails the test.
sql() {
	psql -X -q -v ON_ERROR_STOP=1 -At "$@" "$S_DB" 2>"$T_TMP/err" || t_fail "SQL: $(cat "$T_TMP/err")"
}

sql -f "$SRCDIR/server/bootstrap.sql" >/dev/null
# Supabase's layout: storage.objects owned by the storage admin; postgres
# (here $MIGRATOR) writes the storage tables and bypasses row-level security
# but owns neither.
sql <<SQL
create role $OWNER nologin;
create role $MIGRATOR nologin bypassrls;
alter table storage.objects owner to $OWNER;
grant usage on schema storage, auth to $OWNER, $MIGRATOR;
grant select, insert on storage.buckets to $MIGRATOR;
SQL

# The migration as the non-owner: it succeeds and warns.
psql -X -q -v ON_ERROR_STOP=1 -At -c "set role $MIGRATOR" -f "$MIGRATION" "$S_DB" \
	>"$T_TMP/out" 2>"$T_TMP/warn" || t_fail "the migration failed as a non-owner: $(cat "$T_TMP/warn")"
t_assert_contains "$(cat "$T_TMP/warn")" "WARNING:  agentlogs: cannot create the policies on storage.objects as $MIGRATOR" \
	"the migration's warning"
t_assert_contains "$(cat "$T_TMP/warn")" "until its owner ($OWNER) runs:" "the migration's warning"
t_assert_eq 0 "$(sql -c "select count(*) from pg_policies where schemaname = 'storage' and tablename = 'objects'")" \
	"policies on storage.objects after the migration as a non-owner"
t_assert_eq "visuals|f" "$(sql -c "select id, public from storage.buckets")" "the bucket"

# try SUB SQL: SQL as the authenticated user SUB: 'ok', or 'refused' on an error.
try() {
	psql -X -q -At "$S_DB" >/dev/null 2>"$T_TMP/try.err" <<SQL
begin;
set local role authenticated;
select set_config('request.jwt.claims', '{"sub":"$1","role":"authenticated"}', true);
$2;
commit;
SQL
	if [ -s "$T_TMP/try.err" ]; then echo refused; else echo ok; fi
}
t_assert_eq refused "$(try "$A" "insert into storage.objects (bucket_id, name) values ('visuals', '$A/x.png')")" \
	"A's upload without the policies"

# The statements of the warning, as the owner: the four policies.
sed -n 's/^\(create policy .*;\)$/\1/p' "$T_TMP/warn" >"$T_TMP/policies.sql"
t_assert_eq 4 "$(wc -l <"$T_TMP/policies.sql" | tr -d ' ')" "statements in the warning: $(cat "$T_TMP/warn")"
psql -X -q -v ON_ERROR_STOP=1 -c "set role $OWNER" -f "$T_TMP/policies.sql" "$S_DB" \
	>/dev/null 2>"$T_TMP/err" || t_fail "the warning's statements as the owner: $(cat "$T_TMP/err")"
t_assert_eq "agentlogs visuals: delete own|DELETE agentlogs visuals: insert own|INSERT agentlogs visuals: select own|SELECT agentlogs visuals: update own|UPDATE" \
	"$(sql -c "select string_agg(policyname || '|' || cmd, ' ' order by policyname) from pg_policies
	    where schemaname = 'storage' and tablename = 'objects' and roles = '{authenticated}'")" \
	"policies on storage.objects after the owner ran them"
t_assert_eq ok "$(try "$A" "insert into storage.objects (bucket_id, name) values ('visuals', '$A/x.png')")" \
	"A's upload into A's folder"
t_assert_eq refused "$(try "$A" "insert into storage.objects (bucket_id, name) values ('visuals', '$B/x.png')")" \
	"A's upload into B's folder"
t_assert_eq 0 "$(sql -c "begin" -c "set local role authenticated" \
	-c "select set_config('request.jwt.claims', '{\"sub\":\"$B\",\"role\":\"authenticated\"}', true) is null" \
	-c "select count(*) from storage.objects" -c "commit" | sed -n 2p)" "objects B sees"
echo "PASS: the storage migration as a non-owner warns with the statements, which work as the owner"
