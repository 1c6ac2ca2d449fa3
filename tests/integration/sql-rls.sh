#!/bin/sh
# The cloud schema on a real PostgreSQL: server/bootstrap.sql (twice, then once
# more after the migrations: it must be idempotent) and supabase/migrations/*.sql
# in name order, in a fresh database of its own. Then, as two users A and B
# and as anon, the way PostgREST runs requests (SET LOCAL ROLE, the JWT claims
# in request.jwt.claims):
# - row-level security on every table for every verb: B can neither read,
#   change, delete nor create rows as A, directly or through push_batch and
#   pull_changes; anon reaches nothing; storage objects stay in their owner's
#   folder;
# - last-write-wins on every synced table, through push_batch and through a
#   plain INSERT ... ON CONFLICT and UPDATE;
# - pull_changes paged one, two and three rows at a time returns every row
#   exactly once, in (txid, table, id) order; a page reads the rows it hands
#   out, not every row of the feed before (or after) the cursor;
# - the slow writer: a row committed by a fast writer while an older writer is
#   still open is held back, and after the slow writer commits a pull from the
#   same cursor returns both: nothing is skipped;
# - the realtime NOTIFY payloads;
# - hosted Supabase (20261207000005): only the signal table is published, each
#   transaction that writes a user's rows signals that user once (and nobody
#   else), no signal row is ever deleted; every function runs with
#   search_path = ''.
# Needs AGENTLOGS_TEST_PG: a libpq URL of a superuser on a database this test
# may connect to (it creates and drops its own). Without it: skip, but fail
# under CI.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/integration/lib.sh"

[ -n "${AGENTLOGS_TEST_PG:-}" ] || t_skip "AGENTLOGS_TEST_PG is not set"
t_need_cmd psql

PSQL="psql -X -q -v ON_ERROR_STOP=1 -At"
ADMIN=$AGENTLOGS_TEST_PG
$PSQL "$ADMIN" -c 'select 1' >/dev/null || t_fail "cannot connect to AGENTLOGS_TEST_PG"

t_mktemp
DBNAME=agentlogs_sqlrls_$$
case $ADMIN in
postgres://* | postgresql://*)
	DB=$(printf '%s\n' "$ADMIN" | sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\\1/$DBNAME#") ;;
*)
	DB="$ADMIN dbname=$DBNAME" ;;
esac
slow_pid=
# KEEP_DB=1 keeps the database for a post-mortem.
cleanup() {
	[ -n "$slow_pid" ] && kill "$slow_pid" 2>/dev/null && wait "$slow_pid" 2>/dev/null
	if [ -n "${KEEP_DB:-}" ]; then
		echo "kept database $DBNAME" >&2
	else
		$PSQL "$ADMIN" -c "drop database if exists \"$DBNAME\" with (force)" >/dev/null 2>&1
	fi
	rm -rf "$T_TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

$PSQL "$ADMIN" -c "create database \"$DBNAME\"" >/dev/null || t_fail "create database $DBNAME"

A=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
B=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
SYNCED="projects cognitive_commits sessions turns visuals"
TABLES="user_profiles machines $SYNCED"
checks=0

# q [PSQL-ARG...]: runs the SQL on stdin as the superuser, prints its rows;
# any error fails the test.
q() {
	$PSQL -v A="$A" -v B="$B" "$@" "$DB" 2>"$T_TMP/err" ||
		t_fail "SQL as superuser: $(cat "$T_TMP/err")"
}

# as ROLE SUB [PSQL-ARG...]: runs the SQL on stdin in one transaction as ROLE,
# with JWT claims for user SUB ('' for none), as PostgREST does.
as() {
	as_role=$1 as_sub=$2
	shift 2
	{
		echo "begin;"
		echo "set local role $as_role;"
		[ -z "$as_sub" ] || echo "select set_config('request.jwt.claims', '{\"sub\":\"$as_sub\",\"role\":\"$as_role\"}', true) \\g /dev/null"
		cat
		echo ";"	# the last statement may lack its semicolon
		echo "commit;"
	} | $PSQL -v A="$A" -v B="$B" "$@" "$DB" 2>"$T_TMP/err" ||
		t_fail "SQL as $as_role $as_sub: $(cat "$T_TMP/err")"
}

# check EXPECTED ACTUAL WHAT
check() {
	t_assert_eq "$1" "$2" "$3"
	checks=$((checks + 1))
}

# settle: waits (up to 30 s) until the pull horizon has passed every row
# written so far. The horizon is the oldest transaction open anywhere in the
# cluster: tests running in parallel in other databases hold it back too.
settle() {
	settle_i=0
	until [ "$(q <<'SQL'
select coalesce(pg_snapshot_xmin(pg_current_snapshot()) > max(txid), true) from (
	select max(txid) txid from public.projects union all select max(txid) from public.cognitive_commits
	union all select max(txid) from public.sessions union all select max(txid) from public.turns
	union all select max(txid) from public.visuals) s
SQL
)" = t ]; do
		settle_i=$((settle_i + 1))
		[ "$settle_i" -lt 300 ] || t_fail "a transaction stayed open for 30 s"
		sleep 0.1
	done
}

# ---------------------------------------------------------------- setup
# Hosted Supabase's Realtime publication, as a new project has it (empty); the
# WARNING that wal_level is not logical does not matter here.
$PSQL -c "set client_min_messages = error; create publication supabase_realtime" "$DB" ||
	t_fail "create publication supabase_realtime"
for f in "$SRCDIR/server/bootstrap.sql" "$SRCDIR/server/bootstrap.sql" \
	"$SRCDIR"/supabase/migrations/*.sql "$SRCDIR/server/bootstrap.sql"; do
	$PSQL -f "$f" "$DB" >"$T_TMP/out" 2>&1 || t_fail "applying $f: $(cat "$T_TMP/out")"
	t_assert_eq "" "$(grep -v '^$' "$T_TMP/out")" "output of $f"
done

# What hosted Supabase already has must not be in the migrations.
for pat in 'create role' 'create schema (if not exists )?(auth|storage)' \
	'create (or replace )?function (auth|storage)\.' 'create table (if not exists )?(auth|storage)\.'; do
	if grep -Eil "$pat" "$SRCDIR"/supabase/migrations/*.sql >"$T_TMP/out"; then
		t_fail "migrations redefine what hosted Supabase provides ($pat): $(cat "$T_TMP/out")"
	fi
done

# Test helpers, in a schema of their own (not part of the product).
q <<'SQL'
set client_min_messages = warning;
create schema t;
grant usage on schema t to anon, authenticated;

-- try(sql): 'ok', or the SQLSTATE of the error it raised.
create function t.try(q text) returns text language plpgsql as $f$
begin
	execute q;
	return 'ok';
exception when others then
	return sqlstate;
end $f$;

-- rows(sql): how many rows it returned or changed.
create function t.rows(q text) returns bigint language plpgsql as $f$
declare
	n bigint;
begin
	execute q;
	get diagnostics n = row_count;
	return n;
end $f$;

-- The fixture ids: a user's n-th row of a table.
create function t.fid(owner uuid, tbl text, n int default 1) returns uuid
language sql immutable as $f$ select md5(owner::text || '/' || tbl || '/' || n)::uuid $f$;

-- ins(table, owner, id, parents' owner): a minimal valid INSERT of one row.
create function t.ins(tbl text, owner uuid, id uuid, parent uuid default null) returns text
language sql stable as $f$
select format(case tbl
	when 'user_profiles' then 'insert into public.user_profiles (id) values (%1$L)'
	when 'machines' then 'insert into public.machines (user_id, id, machine_id) values (%1$L, %2$L, %2$L)'
	when 'projects' then 'insert into public.projects (user_id, id, name) values (%1$L, %2$L, %2$L)'
	when 'cognitive_commits' then 'insert into public.cognitive_commits (user_id, id, project_id,
		started_at, closed_at, closed_by) values (%1$L, %2$L, %3$L, now(), now(), ''open'')'
	when 'sessions' then 'insert into public.sessions (user_id, id, commit_id, claude_session_id,
		started_at, ended_at) values (%1$L, %2$L, %4$L, ''cs'', now(), now())'
	when 'turns' then 'insert into public.turns (user_id, id, session_id, seq, role, "timestamp")
		values (%1$L, %2$L, %5$L, 9, ''user'', now())'
	when 'visuals' then 'insert into public.visuals (user_id, id, commit_id, type, sha256,
		captured_at) values (%1$L, %2$L, %4$L, ''screenshot'', ''00'', now())'
	end, owner, id,
	t.fid(coalesce(parent, owner), 'projects'), t.fid(coalesce(parent, owner), 'cognitive_commits'),
	t.fid(coalesce(parent, owner), 'sessions'))
$f$;

-- batch(owner, part): a push_batch payload. Part 1: the project and commit 1
-- with its session, two turns and a visual; part 2: commit 2 likewise.
create function t.batch(owner uuid, part int) returns jsonb language sql stable as $f$
select jsonb_build_object(
	'machine_id', 'machine-' || left(owner::text, 4),
	'projects', case when part = 1 then jsonb_build_array(jsonb_build_object(
		'id', t.fid(owner, 'projects'), 'name', 'proj-' || left(owner::text, 8), 'local_path', '/src/proj',
		'created_at', '2026-01-01T00:00:00Z', 'updated_at', '2026-01-01T00:00:00Z'))
		else '[]' end,
	'commits', jsonb_build_array(jsonb_build_object(
		'id', t.fid(owner, 'cognitive_commits', part), 'project_id', t.fid(owner, 'projects'),
		'git_hash', 'abc123' || part, 'git_subject', 'subject ' || part,
		'started_at', '2026-01-0' || part || 'T10:00:00Z', 'closed_at', '2026-01-0' || part || 'T11:00:00Z',
		'closed_by', 'git_commit', 'parallel', 0, 'files_read', '["a.c"]'::jsonb,
		'files_changed', '["b.c"]'::jsonb, 'project_name', 'proj', 'first_prompt', 'hello',
		'turn_count', 2, 'title', 'commit ' || part, 'updated_at', '2026-01-01T00:00:00Z')),
	'sessions', jsonb_build_array(jsonb_build_object(
		'id', t.fid(owner, 'sessions', part), 'commit_id', t.fid(owner, 'cognitive_commits', part),
		'claude_session_id', 'cs-' || part, 'started_at', '2026-01-0' || part || 'T10:00:00Z',
		'ended_at', '2026-01-0' || part || 'T11:00:00Z', 'cwd', '/src/proj', 'git_branch', 'main',
		'cli_version', '2.0.0', 'updated_at', '2026-01-01T00:00:00Z')),
	'turns', (select jsonb_agg(jsonb_build_object(
		'id', t.fid(owner, 'turns', (part - 1) * 2 + k), 'session_id', t.fid(owner, 'sessions', part),
		'seq', k, 'role', case k when 1 then 'user' else 'assistant' end,
		'content', 'secret of ' || owner, 'timestamp', '2026-01-0' || part || 'T10:0' || k || ':00Z',
		'tool_calls', '[{"name": "Read"}]'::jsonb, 'model', 'claude', 'input_tokens', 10,
		'output_tokens', 20, 'updated_at', '2026-01-01T00:00:00Z')) from generate_series(1, 2) k),
	'visuals', jsonb_build_array(jsonb_build_object(
		'id', t.fid(owner, 'visuals', part), 'commit_id', t.fid(owner, 'cognitive_commits', part),
		'turn_id', t.fid(owner, 'turns', part * 2), 'type', 'screenshot', 'sha256', md5(owner::text),
		'captured_at', '2026-01-0' || part || 'T10:30:00Z', 'caption', 'cap',
		'cloud_path', owner || '/x.png', 'updated_at', '2026-01-01T00:00:00Z')))
$f$;

-- fingerprint(owner): a digest of all the owner's rows (run as superuser).
create function t.fingerprint(owner uuid) returns text language sql stable as $f$
select md5(string_agg(x, ',' order by x)) from (
	select to_jsonb(r)::text x from public.user_profiles r where id = owner
	union all select to_jsonb(r)::text from public.machines r where user_id = owner
	union all select to_jsonb(r)::text from public.projects r where user_id = owner
	union all select to_jsonb(r)::text from public.cognitive_commits r where user_id = owner
	union all select to_jsonb(r)::text from public.sessions r where user_id = owner
	union all select to_jsonb(r)::text from public.turns r where user_id = owner
	union all select to_jsonb(r)::text from public.visuals r where user_id = owner) s
$f$;

-- feed(owner): the owner's change feed as it must come out of pull_changes:
-- 'table:id' in (txid, table order, id) order (run as superuser).
create function t.feed(owner uuid) returns text language sql stable as $f$
select coalesce(string_agg(tbl || ':' || id, ' ' order by txid, rank, id), '') from (
	select 'projects' tbl, 1 rank, txid, id from public.projects where user_id = owner
	union all select 'cognitive_commits', 2, txid, id from public.cognitive_commits where user_id = owner
	union all select 'sessions', 3, txid, id from public.sessions where user_id = owner
	union all select 'turns', 4, txid, id from public.turns where user_id = owner
	union all select 'visuals', 5, txid, id from public.visuals where user_id = owner) s
$f$;

-- push_patched(table, id, patch): push_batch of the stored row with patch applied.
create function t.push_patched(tbl text, id uuid, patch jsonb) returns jsonb
language plpgsql as $f$
declare
	rec jsonb;
begin
	execute format('select to_jsonb(x) from public.%I x where x.id = $1', tbl) into rec using id;
	return public.push_batch(jsonb_build_object(tbl, jsonb_build_array(rec || patch)));
end $f$;

-- upsert_patched(table, id, patch, field): a plain INSERT ... ON CONFLICT DO
-- UPDATE of the stored row with patch applied; returns the rows it changed.
create function t.upsert_patched(tbl text, id uuid, patch jsonb, field text) returns bigint
language plpgsql as $f$
declare
	rec jsonb;
	n bigint;
begin
	execute format('select to_jsonb(x) from public.%I x where x.id = $1', tbl) into rec using id;
	execute format('insert into public.%I select (jsonb_populate_record(null::public.%I, $1)).*
		on conflict (user_id, id) do update set %I = excluded.%I,
		version = excluded.version, updated_at = excluded.updated_at', tbl, tbl, field, field)
		using rec || patch;
	get diagnostics n = row_count;
	return n;
end $f$;

-- val(table, id, field): a field of a row, as text.
create function t.val(tbl text, id uuid, field text) returns text language plpgsql as $f$
declare
	v text;
begin
	execute format('select %I::text from public.%I where id = $1', field, tbl) into v using id;
	return v;
end $f$;

grant execute on all functions in schema t to anon, authenticated;

insert into auth.users (id, email) values (:'A', 'a@example.com'), (:'B', 'b@example.com');
insert into storage.buckets (id, name) values ('other', 'other');
SQL

# ---------------------------------------------------------------- structure
check 8 "$(q <<'SQL'
select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relrowsecurity and c.relforcerowsecurity
  and c.relname in ('user_profiles', 'machines', 'projects', 'cognitive_commits', 'sessions',
                    'turns', 'visuals', 'conflicts')
SQL
)" "tables with forced row-level security"

# The conflict records (20261207000001) have the same policies and privileges,
# checked here on their structure; their rows cross in sync-conflicts.sh.
for tbl in $TABLES conflicts; do
	check "DELETE INSERT SELECT UPDATE" "$(q -v tbl="$tbl" <<'SQL'
select string_agg(cmd, ' ' order by cmd) from pg_policies
where schemaname = 'public' and tablename = :'tbl' and roles = '{authenticated}'
SQL
)" "policies of $tbl"
	check "f|f|t" "$(q -v tbl="public.$tbl" <<'SQL'
select has_table_privilege('anon', :'tbl', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'),
	has_table_privilege('public', :'tbl', 'SELECT, INSERT, UPDATE, DELETE'),
	has_table_privilege('authenticated', :'tbl', 'SELECT') and has_table_privilege('authenticated', :'tbl', 'INSERT')
	and has_table_privilege('authenticated', :'tbl', 'UPDATE') and has_table_privilege('authenticated', :'tbl', 'DELETE')
SQL
)" "privileges on $tbl"
done
for tbl in machines $SYNCED conflicts; do
	check "user_id,id" "$(q -v tbl="$tbl" <<'SQL'
select string_agg(a.attname, ',' order by k.ord) from pg_index i
join lateral unnest(i.indkey) with ordinality k(attnum, ord) on true
join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
where i.indrelid = ('public.' || :'tbl')::regclass and i.indisprimary
SQL
)" "primary key of $tbl"
done
# Every foreign key between user-owned tables carries user_id on both sides.
check 0 "$(q <<'SQL'
select count(*) from pg_constraint c
where c.contype = 'f' and c.connamespace = 'public'::regnamespace
  and c.confrelid <> 'auth.users'::regclass
  and not exists (select from pg_attribute a where a.attrelid = c.conrelid
                  and a.attnum = c.conkey[1] and a.attname = 'user_id')
SQL
)" "foreign keys without user_id"
check "f|f|t" "$(q <<'SQL'
select has_function_privilege('anon', 'public.push_batch(jsonb)', 'execute')
	or has_function_privilege('anon', 'public.pull_changes(text, text, uuid, integer, integer)', 'execute'),
	has_function_privilege('public', 'public.push_batch(jsonb)', 'execute'),
	has_function_privilege('authenticated', 'public.push_batch(jsonb)', 'execute')
	and has_function_privilege('authenticated', 'public.pull_changes(text, text, uuid, integer, integer)', 'execute')
SQL
)" "EXECUTE on the sync functions"
check "f|f" "$(q <<'SQL'
select has_table_privilege('authenticated', 'auth.users', 'SELECT'),
	has_table_privilege('anon', 'auth.refresh_tokens', 'SELECT')
SQL
)" "auth tables hidden from the API roles"

# ---------------------------------------------------------------- fixtures
# Both users push two batches (two transactions, so two txids).
for u in "$A" "$B"; do
	for part in 1 2; do
		check '{"turns": 2, "visuals": 1, "projects": '$((2 - part))', "sessions": 1, "conflicts": 0, "cognitive_commits": 1}' \
			"$(as authenticated "$u" -v part=$part <<'SQL'
select public.push_batch(t.batch(auth.uid(), :part)) -> 'applied'
SQL
)" "push_batch part $part for $u"
	done
	as authenticated "$u" <<'SQL'
insert into public.user_profiles (github_username, github_id) values ('gh-' || left(auth.uid()::text, 4), '1');
SQL
done
check "2|2|2|2|4|2" "$(q <<'SQL'
select (select count(*) from public.machines), (select count(*) from public.projects),
	(select count(*) from public.cognitive_commits where user_id = :'A'),
	(select count(*) from public.sessions where user_id = :'B'),
	(select count(*) from public.turns where user_id = :'A' and origin_machine_id = 'machine-aaaa'),
	(select count(*) from public.user_profiles)
SQL
)" "fixture rows"

# ---------------------------------------------------------------- B against A
fp_a=$(q <<'SQL'
select t.fingerprint(:'A')
SQL
)
for tbl in $TABLES; do
	own=user_id
	[ "$tbl" = user_profiles ] && own=id
	set_clause="updated_at = now()"
	case " $SYNCED " in *" $tbl "*) set_clause="version = version + 1, updated_at = now()" ;; esac
	conflict="(user_id, id)"
	[ "$tbl" = user_profiles ] && conflict="(id)"
	n_b=$(q -v tbl="$tbl" -v own="$own" <<'SQL'
select count(*) from public.:"tbl" where :"own" = :'B'
SQL
)
	# B: reads none of A's rows; updates and deletes none of them; creating
	# one as A, upserting over one, or handing one of its own to A is refused.
	# (That last UPDATE reads no column, so only the UPDATE policy's WITH CHECK
	# can refuse it: with a column read, the SELECT policy would as well.)
	check "0|$n_b|0|$n_b|0|42501|42501|42501|42501" "$(as authenticated "$B" \
		-v tbl="$tbl" -v own="$own" -v set="$set_clause" -v conflict="$conflict" <<'SQL'
select (select count(*) from public.:"tbl" where :"own" = :'A'),
	(select count(*) from public.:"tbl"),
	t.rows(format('update public.%I set %s where %I = %L', :'tbl', :'set', :'own', :'A')),
	t.rows(format('update public.%I set %s', :'tbl', :'set')),
	t.rows(format('delete from public.%I where %I = %L', :'tbl', :'own', :'A')),
	t.try(t.ins(:'tbl', :'A', gen_random_uuid())),
	t.try(t.ins(:'tbl', :'A', coalesce(t.fid(:'A', :'tbl'), :'A')) || ' on conflict ' || :'conflict'
	      || ' do update set updated_at = excluded.updated_at'),
	t.try(t.ins(:'tbl', :'A', t.fid(:'A', :'tbl')) || ' on conflict do nothing'),
	t.try(format('update public.%I set %I = %L, %s', :'tbl', :'own', :'A',
		replace(:'set', 'version + 1', '100')))
SQL
)" "B against A's $tbl"

	# anon, even carrying A's id as sub, has no privileges at all; an
	# authenticated request without claims sees nothing and creates nothing.
	check "42501|42501|42501|42501" "$(as anon "$A" -v tbl="$tbl" -v set="$set_clause" <<'SQL'
select t.try(format('select 1 from public.%I', :'tbl')),
	t.try(t.ins(:'tbl', :'A', gen_random_uuid())),
	t.try(format('update public.%I set %s', :'tbl', :'set')),
	t.try(format('delete from public.%I', :'tbl'))
SQL
)" "anon on $tbl"
	check "0|0|0|t" "$(as authenticated "" -v tbl="$tbl" -v set="$set_clause" <<'SQL'
select (select count(*) from public.:"tbl"),
	t.rows(format('update public.%I set %s', :'tbl', :'set')),
	t.rows(format('delete from public.%I', :'tbl')),
	t.try(replace(t.ins(:'tbl', :'A', gen_random_uuid()), '''' || :'A' || '''', 'default'))
		<> 'ok'
SQL
)" "authenticated without claims on $tbl"
done

# B's own rows cannot point at A's: the foreign keys carry user_id.
for tbl in cognitive_commits sessions turns visuals; do
	check 23503 "$(as authenticated "$B" -v tbl="$tbl" <<'SQL'
select t.try(t.ins(:'tbl', :'B', gen_random_uuid(), :'A'))
SQL
)" "B's $tbl pointing at A's parent"
done

# Through the RPC: a row naming A fails the whole batch; B's pull holds none
# of A's rows; A's ids pushed by B become B's own rows, A's are untouched.
check "42501|42501|23503|0" "$(as authenticated "$B" <<'SQL'
select t.try(format('select public.push_batch(%L)',
		jsonb_set(t.batch(:'B', 1), '{turns,0,user_id}', to_jsonb(:'A'::text)))),
	t.try(format('select public.push_batch(%L)',
		jsonb_build_object('projects', jsonb_build_array(jsonb_build_object(
			'id', gen_random_uuid(), 'name', 'x', 'user_id', :'A'))))),
	t.try(format('select public.push_batch(%L)', jsonb_build_object('sessions', jsonb_build_array(
		jsonb_build_object('id', gen_random_uuid(), 'commit_id', t.fid(:'A', 'cognitive_commits'),
			'claude_session_id', 'x', 'started_at', now(), 'ended_at', now()))))),
	(select count(*) from public.projects where name = 'x')	-- the failed batch left nothing
SQL
)" "B's push naming A"
settle
check "11|11|0" "$(as authenticated "$B" <<'SQL'
select jsonb_array_length(p -> 'rows'),
	(select count(*) from jsonb_array_elements(p -> 'rows') e where e -> 'record' ->> 'user_id' = :'B'),
	(select count(*) from jsonb_array_elements(p -> 'rows') e
	 where e -> 'record' ->> 'user_id' = :'A' or e ->> 'record' like '%' || :'A' || '%')
from (select public.pull_changes()::jsonb) x(p)
SQL
)" "B's pull"
check "42501|42501|42501|42501" "$(as anon "$A" <<'SQL'
select t.try('select public.pull_changes()'),
	t.try(format('select public.push_batch(%L)', t.batch(:'A', 1)))
SQL
)|$(as authenticated "" <<'SQL'
select t.try('select public.pull_changes()'),
	t.try(format('select public.push_batch(%L)', t.batch(:'A', 1)))
SQL
)" "sync functions without a user"
check '{"turns": 2, "visuals": 1, "projects": 1, "sessions": 1, "conflicts": 0, "cognitive_commits": 1}' \
	"$(as authenticated "$B" <<'SQL'
select public.push_batch(t.batch(:'A', 1)) -> 'applied'
SQL
)" "B pushing rows with A's ids"
check "$fp_a|6|10" "$(q <<'SQL'
select t.fingerprint(:'A'),
	(select count(*) from public.cognitive_commits c join public.turns u using (user_id)
	 where c.user_id = :'B' and c.id = t.fid(:'A', 'cognitive_commits', 1)
	   and u.id in (t.fid(:'A', 'turns', 1), t.fid(:'A', 'turns', 2))) +
	(select count(*) from public.sessions where user_id = :'B' and id = t.fid(:'A', 'sessions', 1)) +
	(select count(*) from public.visuals where user_id = :'B' and id = t.fid(:'A', 'visuals', 1)) +
	(select count(*) from public.turns where id = t.fid(:'A', 'turns', 1)),
	(select count(*) from public.turns)
SQL
)" "A's rows after everything B did"

# The positive controls: the same statements work on one's own rows.
for tbl in $TABLES; do
	own=user_id
	[ "$tbl" = user_profiles ] && own=id
	set_clause="updated_at = now()"
	case " $SYNCED " in *" $tbl "*) set_clause="version = version + 1, updated_at = now()" ;; esac
	n_a=$(q -v tbl="$tbl" -v own="$own" <<'SQL'
select count(*) from public.:"tbl" where :"own" = :'A'
SQL
)
	[ "$n_a" -gt 0 ] || t_fail "A has no $tbl"
	if [ "$tbl" = user_profiles ]; then
		expect="$n_a|$n_a|$n_a|23505|1"	# one profile per user: a second one is a duplicate
	else
		expect="$n_a|$n_a|$n_a|ok|1"
	fi
	check "$expect" "$(as authenticated "$A" -v tbl="$tbl" -v own="$own" -v set="$set_clause" <<'SQL'
select (select count(*) from public.:"tbl"),
	(select count(*) from public.:"tbl" where :"own" = :'A'),
	t.rows(format('update public.%I set %s where %I = %L', :'tbl', :'set', :'own', :'A')),
	t.try(t.ins(:'tbl', :'A', '00000000-0000-4000-8000-000000000001')),
	t.rows(format('delete from public.%I where id = %L', :'tbl',
		case :'tbl' when 'user_profiles' then :'A' else '00000000-0000-4000-8000-000000000001' end))
SQL
)" "A on its own $tbl"
done
# (A's profile was the deleted row above: put it back.)
as authenticated "$A" <<'SQL'
insert into public.user_profiles (github_username) values ('gh-a');
SQL

# ---------------------------------------------------------------- storage
check "ok|42501|0|0|0|0|ok|42501|42501" "$(as authenticated "$A" <<'SQL'
select t.try(format('insert into storage.objects (bucket_id, name, owner) values (''visuals'', %L, %L)',
	:'A' || '/a.png', :'A'))
SQL
)|$(as authenticated "$B" <<'SQL'
select t.try(format('insert into storage.objects (bucket_id, name) values (''visuals'', %L)', :'A' || '/b.png')),
	(select count(*) from storage.objects),
	t.rows(format('update storage.objects set metadata = ''{}'' where name = %L', :'A' || '/a.png')),
	t.rows(format('delete from storage.objects where name = %L', :'A' || '/a.png')),
	t.rows(format('update storage.objects set name = %L where name = %L', :'B' || '/a.png', :'A' || '/a.png')),
	t.try(format('insert into storage.objects (bucket_id, name) values (''visuals'', %L)', :'B' || '/b.png')),
	t.try(format('insert into storage.objects (bucket_id, name) values (''other'', %L)', :'B' || '/c.png')),
	t.try(format('update storage.objects set name = %L where name = %L', :'A' || '/b.png', :'B' || '/b.png'))
SQL
)" "storage objects"
check "0|42501|1|2" "$(as anon "" <<'SQL'
select (select count(*) from storage.objects),
	t.try(format('insert into storage.objects (bucket_id, name) values (''visuals'', %L)', :'A' || '/c.png'))
SQL
)|$(as authenticated "$A" <<'SQL'
select count(*) from storage.objects
SQL
)|$(q <<'SQL'
select count(*) from storage.objects
SQL
)" "storage objects as anon, A, superuser"
check "{$A}|{$A,sub}|{}" "$(q <<'SQL'
select storage.foldername(:'A' || '/x.png'), storage.foldername(:'A' || '/sub/x.png'),
	coalesce(storage.foldername('x.png')::text, '')
SQL
)" "storage.foldername"

# ---------------------------------------------------------------- last write wins
# On each synced table, A's first row gets clock (5, 2026-06-01, m5); then
# pushes with older clocks must leave it, newer ones replace it.
for tbl in $SYNCED; do
	case $tbl in
	projects) field=local_path ;;
	cognitive_commits) field=title ;;
	sessions) field=cwd ;;
	turns) field=content ;;
	visuals) field=caption ;;
	esac
	check "1|v5|0 1 0 5|v5|0 1 0|v5|0 0 1|v5|1 0 0|later|1 0 0|tie|1 0 0|v6|0|v6|0|v6|1|v7" \
		"$(as authenticated "$A" -v tbl="$tbl" -v f="$field" <<'SQL' | paste -sd'|' -
\set id 't.fid(:''A'', :''tbl'')'
select r -> 'applied' ->> :'tbl', t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 5,
	'updated_at', '2026-06-01T00:00:00Z', 'origin_machine_id', 'm5', :'f', 'v5')) r;
-- lower version, later time: kept, and reported stale with the stored clock
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl') || ' ' || (r -> 'stale' -> 0 ->> 'version'),
	t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 4,
	'updated_at', '2026-07-01T00:00:00Z', :'f', 'v4')) r;
-- equal version, older time: kept
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl'), t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 5,
	'updated_at', '2026-05-01T00:00:00Z', :'f', 'older')) r;
-- the same clock again (a retried push): kept, counted unchanged
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl'), t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 5,
	'updated_at', '2026-06-01T00:00:00Z', 'origin_machine_id', 'm5', :'f', 'same')) r;
-- equal version, later time: replaces
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl'), t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 5,
	'updated_at', '2026-06-01T00:00:01Z', :'f', 'later')) r;
-- equal version and time, greater machine id: replaces
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl'), t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 5,
	'updated_at', '2026-06-01T00:00:01Z', 'origin_machine_id', 'm9', :'f', 'tie')) r;
-- higher version, much older time: replaces
select (r -> 'applied' ->> :'tbl') || ' ' || (r -> 'skipped' ->> :'tbl') || ' '
	|| (r -> 'unchanged' ->> :'tbl'), t.val(:'tbl', :id, :'f')
from t.push_patched(:'tbl', :id, jsonb_build_object('version', 6,
	'updated_at', '2020-01-01T00:00:00Z', :'f', 'v6')) r;
-- the same rules for a plain INSERT ... ON CONFLICT DO UPDATE and UPDATE
select t.upsert_patched(:'tbl', :id, jsonb_build_object('version', 1,
	'updated_at', '2027-01-01T00:00:00Z', :'f', 'v1'), :'f'), t.val(:'tbl', :id, :'f');
select t.rows(format('update public.%I set %I = ''plain'' where id = %L', :'tbl', :'f', :id)),
	t.val(:'tbl', :id, :'f');
select t.rows(format('update public.%I set %I = ''v7'', version = 7 where id = %L', :'tbl', :'f', :id)),
	t.val(:'tbl', :id, :'f');
SQL
)" "last write wins on $tbl"
done
# Rows arrive out of order within a batch: the newest copy of an id wins.
check "1|0|b" "$(as authenticated "$A" <<'SQL'
select r -> 'applied' ->> 'projects', r -> 'skipped' ->> 'projects',
	t.val('projects', t.fid(:'A', 'projects'), 'local_path')
from public.push_batch(jsonb_build_object('projects', jsonb_build_array(
	jsonb_build_object('id', t.fid(:'A', 'projects'), 'name', 'proj-aaaaaaaa', 'version', 9, 'local_path', 'a',
		'updated_at', '2026-01-01T00:00:00Z'),
	jsonb_build_object('id', t.fid(:'A', 'projects'), 'name', 'proj-aaaaaaaa', 'version', 10, 'local_path', 'b',
		'updated_at', '2026-01-01T00:00:00Z'),
	jsonb_build_object('id', t.fid(:'A', 'projects'), 'name', 'proj-aaaaaaaa', 'version', 8, 'local_path', 'c',
		'updated_at', '2026-01-01T00:00:00Z')))) r
SQL
)" "duplicate ids in one batch"
check "22023|22023|22023|22023|23514" "$(as authenticated "$A" <<'SQL'
select t.try('select public.push_batch(''[]'')'),
	t.try('select public.push_batch(''{"comits": []}'')'),
	t.try('select public.push_batch(''{"turns": {}}'')'),
	t.try('select public.push_batch(''{"turns": [1]}'')'),
	t.try(format('select public.push_batch(%L)', jsonb_set(t.batch(:'A', 1), '{commits,0,closed_by}', '"x"')))
SQL
)" "malformed batches"

# ---------------------------------------------------------------- paging
# pull(USER CURSOR_TXID CURSOR_TABLE CURSOR_ID PAGE_SIZE) prints
# "txid|table|id|more|count|table:id table:id ..." for one page.
pull() {
	as authenticated "$1" -v ct="$2" -v ctab="$3" -v cid="$4" -v n="$5" <<'SQL'
select p -> 'next_cursor' ->> 'txid', p -> 'next_cursor' ->> 'table', p -> 'next_cursor' ->> 'id',
	p ->> 'more', jsonb_array_length(p -> 'rows'),
	coalesce((select string_agg((e ->> 'table') || ':' || (e -> 'record' ->> 'id'), ' ' order by o)
	          from jsonb_array_elements(p -> 'rows') with ordinality x(e, o)), '')
from (select public.pull_changes(nullif(:'ct', ''), nullif(:'ctab', ''), nullif(:'cid', '')::uuid,
	:n)::jsonb) x(p)
SQL
}

# pull_all USER PAGE_SIZE: all pages from the start; leaves the rows in $seq
# and the last cursor in $ct $ctab $cid.
pull_all() {
	seq='' ct='' ctab='' cid='' pages=0
	while :; do
		page=$(pull "$1" "$ct" "$ctab" "$cid" "$2")
		IFS='|' read -r n_txid n_tab n_id more count rows <<EOF
$page
EOF
		[ "$count" -le "$2" ] || t_fail "a page of $2 held $count rows"
		[ -n "$rows" ] && seq="${seq:+$seq }$rows"
		ct=$n_txid ctab=$n_tab cid=$n_id
		pages=$((pages + 1))
		[ "$pages" -lt 200 ] || t_fail "pull_changes never ended"
		[ "$more" = true ] || break
	done
}

settle
# Pages of 1, 2 and 3: every row and every position inside a transaction is
# a cursor at least once.
for u in "$A" "$B"; do
	expected=$(q -v u="$u" <<'SQL'
select t.feed(:'u')
SQL
)
	for size in 1 3 2; do
		pull_all "$u" $size
		check "$expected" "$seq" "pull_changes in pages of $size for $u"
	done
	printf '%s\n' "$seq" | tr ' ' '\n' >"$T_TMP/seq"
	check "$(wc -l <"$T_TMP/seq")" "$(sort -u "$T_TMP/seq" | wc -l)" "rows pulled twice"
	n_all=$(q -v u="$u" <<'SQL'
select (select count(*) from public.projects where user_id = :'u') +
	(select count(*) from public.cognitive_commits where user_id = :'u') +
	(select count(*) from public.sessions where user_id = :'u') +
	(select count(*) from public.turns where user_id = :'u') +
	(select count(*) from public.visuals where user_id = :'u')
SQL
)
	check "$n_all" "$(wc -l <"$T_TMP/seq" | tr -d ' ')" "rows pulled for $u"
done
# The feed of B spans several transactions, and some transaction wrote more
# rows of more tables than a page holds (the ties the cursor's table settles).
check "t|t" "$(q <<'SQL'
with feed as (
	select 'projects' tbl, txid from public.projects where user_id = :'B'
	union all select 'cognitive_commits', txid from public.cognitive_commits where user_id = :'B'
	union all select 'sessions', txid from public.sessions where user_id = :'B'
	union all select 'turns', txid from public.turns where user_id = :'B'
	union all select 'visuals', txid from public.visuals where user_id = :'B')
select (select count(distinct txid) >= 3 from feed),
	exists (select from feed group by txid having count(distinct tbl) >= 3 and count(*) > 2)
SQL
)" "feed shape"
# max_bytes cuts a page short, but a page always holds at least one row.
# (Just over the first record's size, as text: the second row still starts below it.)
check "1|true|2|true" "$(as authenticated "$A" <<'SQL'
select json_array_length(p1 -> 'rows'), p1 -> 'more', json_array_length(p2 -> 'rows'), p2 -> 'more'
from public.pull_changes(max_bytes => 1) p1,
	public.pull_changes(max_bytes => octet_length((p1 -> 'rows' -> 0 -> 'record')::text) + 1) p2
SQL
)" "pages cut by max_bytes"
# A pull from the end returns nothing and keeps the cursor.
check "$ct|$ctab|$cid|false|0|" "$(pull "$B" "$ct" "$ctab" "$cid" 1000)" "pull at the end"
pull_all "$A" 1000
cursor_a="$ct|$ctab|$cid"
check "$cursor_a|false|0|" "$(pull "$A" "$ct" "$ctab" "$cid" 1000)" "pull at the end for A"

# ---------------------------------------------------------------- slow writer
# Session 1 opens a transaction, writes a turn, and commits 3 s later; session
# 2 writes and commits a turn meanwhile. A pull while session 1 is open must
# not hand out session 2's row (its txid is above the open one), or the cursor
# would pass session 1's row before it became visible.
slow=$(q <<'SQL'
select t.fid(:'A', 'turns', 100)
SQL
)
fast=$(q <<'SQL'
select t.fid(:'A', 'turns', 101)
SQL
)
app=agentlogs_slow_$$
{
	echo "begin;"
	echo "set local role authenticated;"
	echo "select set_config('request.jwt.claims', '{\"sub\":\"$A\",\"role\":\"authenticated\"}', true) \\g /dev/null"
	echo "select t.ins('turns', '$A', '$slow') as stmt \\gset"
	echo ":stmt;"
	echo "select pg_sleep(3) \\g /dev/null"
	echo "commit;"
} | PGAPPNAME=$app $PSQL "$DB" >"$T_TMP/slow.out" 2>&1 &
slow_pid=$!
# Wait until session 1 holds a transaction id (it has written).
i=0
while :; do
	slow_xid=$(q -v app="$app" <<'SQL'
select backend_xid from pg_stat_activity where application_name = :'app' and backend_xid is not null
SQL
)
	[ -n "$slow_xid" ] && break
	i=$((i + 1))
	[ "$i" -lt 100 ] || t_fail "the slow writer never started"
	sleep 0.05
done
as authenticated "$A" -v id="$fast" <<'SQL'
select t.ins('turns', :'A', :'id') as stmt \gset
:stmt;
SQL
fast_txid=$(q -v id="$fast" <<'SQL'
select txid from public.turns where id = :'id'
SQL
)
[ "$fast_txid" -gt "$slow_xid" ] || t_fail "the fast writer ($fast_txid) is not newer than the slow one ($slow_xid)"
IFS='|' read -r ct ctab cid <<EOF
$cursor_a
EOF
page=$(pull "$A" "$ct" "$ctab" "$cid" 1000)
# (The test is only meaningful if the slow writer was still open meanwhile.)
check "1" "$(q -v app="$app" <<'SQL'
select count(*) from pg_stat_activity where application_name = :'app' and backend_xid is not null
SQL
)" "the slow writer still open after the pull"
check "$cursor_a|false|0|" "$page" "pull while the slow writer is open (must hold back turns:$fast)"
wait "$slow_pid" || t_fail "slow writer: $(cat "$T_TMP/slow.out")"
slow_pid=
settle
check "" "$(cat "$T_TMP/slow.out")" "slow writer output"
page=$(pull "$A" "$ct" "$ctab" "$cid" 1000)
check "false|2|turns:$slow turns:$fast" "$(printf '%s\n' "$page" | cut -d'|' -f4-)" \
	"pull after the slow writer committed"

# ---------------------------------------------------------------- realtime
# One session listens, writes as A and reads its own notifications: a stale
# update (skipped by last-write-wins) announces nothing.
note=$(q <<'SQL'
select t.fid(:'A', 'turns', 200)
SQL
)
{
	echo "listen agentlogs_changes;"
	for sql in "select t.ins('turns', '$A', '$note') as stmt \\gset
:stmt;" \
		"update public.turns set content = 'stale', version = 0 where id = '$note';" \
		"update public.turns set content = 'newer', version = 2 where id = '$note';" \
		"delete from public.turns where id = '$note';"; do
		echo "begin;"
		echo "set local role authenticated;"
		echo "select set_config('request.jwt.claims', '{\"sub\":\"$A\",\"role\":\"authenticated\"}', true) \\g /dev/null"
		printf '%s\n' "$sql"
		echo "commit;"
	done
	echo "select 'done';"
} | $PSQL "$DB" >"$T_TMP/listen.out" 2>&1 || t_fail "listening session: $(cat "$T_TMP/listen.out")"
grep '^Asynchronous notification "agentlogs_changes"' "$T_TMP/listen.out" |
	grep -v '"table": "sync_signals"' | sed 's/^[^{]*\({.*}\)" received from server process.*/\1/' >"$T_TMP/notes"
check 3 "$(wc -l <"$T_TMP/notes" | tr -d ' ')" "notifications (listen output: $(cat "$T_TMP/listen.out"))"
types=
while read -r n; do
	line=$(q -v n="$n" <<'SQL'
select j ->> 'type', j -> 'versions' ->> 0, j ->> 'schema', j ->> 'table', j ->> 'user_id',
	j -> 'ids' ->> 0, jsonb_array_length(j -> 'ids'), jsonb_array_length(j -> 'versions'),
	(j ->> 'commit_timestamp')::timestamptz <= now(), j ? 'content', octet_length(:'n') < 8000
from (select :'n'::jsonb j) s
SQL
)
	check "public|turns|$A|$note|1|1|t|f|t" "${line#*|*|}" "notification payload $n"
	types="${types:+$types }$(printf '%s\n' "$line" | cut -d'|' -f1-2)"
done <"$T_TMP/notes"
check "INSERT|1 UPDATE|2 DELETE|2" "$types" "notification types and versions"

# A statement's rows of a user are announced in chunks of up to 100 ids (and
# versions), in the statement's order, each message within NOTIFY's 8000 bytes:
# 100 rows in one, 250 in three (100, 100, 50).
for n in 100 250; do
	{
		echo "listen agentlogs_changes;"
		echo "begin;"
		echo "set local role authenticated;"
		echo "select set_config('request.jwt.claims', '{\"sub\":\"$A\",\"role\":\"authenticated\"}', true) \\g /dev/null"
		echo "insert into public.projects (user_id, id, name, version)"
		echo "select '$A', gen_random_uuid(), 'bulk ' || i, 3 from generate_series(1, $n) i;"
		echo "commit;"
		echo "select 'done';"
	} | $PSQL "$DB" >"$T_TMP/bulk.out" 2>&1 || t_fail "bulk session: $(cat "$T_TMP/bulk.out")"
	grep '^Asynchronous notification "agentlogs_changes"' "$T_TMP/bulk.out" |
		grep -v '"table": "sync_signals"' | sed 's/^[^{]*\({.*}\)" received from server process.*/\1/' >"$T_TMP/notes"
	seen=
	ids=
	while read -r note; do
		seen="${seen:+$seen }$(q -v n="$note" <<'SQL'
select concat_ws(',', j ->> 'table', j ->> 'type', (j ->> 'user_id' = :'A')::text,
	jsonb_array_length(j -> 'ids'), jsonb_array_length(j -> 'versions'),
	(select bool_and(v::text = '3') from jsonb_array_elements(j -> 'versions') v)::text,
	(octet_length(:'n') < 8000)::text)
from (select :'n'::jsonb j) s
SQL
)"
		ids="${ids:+$ids }$(q -v n="$note" <<'SQL'
select string_agg(e, ' ' order by k) from jsonb_array_elements_text((:'n'::jsonb) -> 'ids')
	with ordinality as x(e, k)
SQL
)"
	done <"$T_TMP/notes"
	if [ "$n" = 100 ]; then
		want="projects,INSERT,true,100,100,true,true"
	else
		want="projects,INSERT,true,100,100,true,true projects,INSERT,true,100,100,true,true projects,INSERT,true,50,50,true,true"
	fi
	check "$want" "$seen" "notifications of a $n-row insert"
	check "$(q <<'SQL'
select string_agg(id::text, ' ' order by split_part(name, ' ', 2)::integer)
from public.projects where name like 'bulk %'
SQL
)" "$ids" "the ids of a $n-row insert, in the statement's order"
	q <<'SQL' >/dev/null
delete from public.projects where name like 'bulk %';
SQL
done

# ---------------------------------------------------------------- purge watermarks
# Each user's own: B's is invisible to A and cannot be written by A; anon has nothing.
q <<'SQL' >/dev/null
insert into public.purge_watermarks (user_id, txid) values (:'B', '42');
SQL
check 0 "$(as authenticated "$A" <<'SQL'
select count(*) from public.purge_watermarks;
update public.purge_watermarks set txid = '1' where user_id = :'B'
SQL
)" "A's view of the purge watermarks"
check 42 "$(q <<'SQL'
select txid from public.purge_watermarks where user_id = :'B'
SQL
)" "B's purge watermark after A's update"
check "f" "$(q <<'SQL'
select has_table_privilege('anon', 'public.purge_watermarks', 'SELECT, INSERT, UPDATE, DELETE')
SQL
)" "anon's privileges on purge_watermarks"

# ---------------------------------------------------------------- hosted Supabase
# Hosted Realtime sends every DELETE of a published table to every subscriber,
# row-level security ignored: only the signal table may be published.
check "public.sync_signals" "$(q <<'SQL'
select string_agg(schemaname || '.' || tablename, ' ' order by schemaname, tablename)
from pg_publication_tables where pubname = 'supabase_realtime'
SQL
)" "tables in the publication supabase_realtime"
# Every synced table (later migrations' too) signals its writers.
check "" "$(q <<'SQL'
select coalesce(string_agg(s.t, ' '), '') from unnest(public.agentlogs_synced_tables()) s(t)
where (select count(*) from pg_trigger g where g.tgrelid = ('public.' || s.t)::regclass
       and g.tgname in ('agentlogs_signal_insert', 'agentlogs_signal_update',
                        'agentlogs_signal_delete')) <> 3
SQL
)" "synced tables without the three signal triggers"

# Every function in every schema of ours (all but PostgreSQL's own and this
# test's helpers; an extension's functions are its own) runs with
# search_path = '': Supabase's security advisor flags the others.
check "" "$(q <<'SQL'
select coalesce(string_agg(p.oid::regprocedure::text, ' ' order by p.oid::regprocedure::text), '')
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname not in ('pg_catalog', 'information_schema', 't')
  and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
  and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass
                  and d.objid = p.oid and d.deptype = 'e')
  and not coalesce('search_path=""' = any (p.proconfig), false)
SQL
)" "functions without search_path = ''"
# So a name they leave unqualified fails only when they run: run the helpers
# no other check here calls directly (push_batch, pull_changes and
# purge_tombstones run above and below; the triggers with every write).
check "{a,b}|c.png|png|authenticated|a@example.com|$A|$A" "$(as authenticated "$A" <<'SQL'
select set_config('request.jwt.claims', '{"sub":"' || :'A' || '","role":"authenticated","email":"a@example.com"}', true) \g /dev/null
select storage.foldername('a/b/c.png'), storage.filename('a/b/c.png'), storage.extension('a/b/c.png'),
	auth.role(), auth.email(), auth.jwt() ->> 'sub', auth.uid()
SQL
)" "the auth and storage helpers"

# signals USER: "version" of the user's signal row (0: none yet).
signal() {
	q -v u="$1" <<'SQL'
select coalesce((select version from public.sync_signals where user_id = :'u'), 0)
SQL
}
# as_a SQL: runs SQL as A, like PostgREST does (one transaction).
as_a() {
	printf '%s\n' "$1" | as authenticated "$A" >/dev/null
}
ids_before=$(q <<'SQL'
select string_agg(id::text, ' ' order by user_id) from public.sync_signals
SQL
)
b0=$(signal "$B")
a0=$(signal "$A")
# A push writes a commit, its session, turns and visual (four tables, four
# statements): one signal.
as_a "select public.push_batch(t.batch(auth.uid(), 3))"
check $((a0 + 1)) "$(signal "$A")" "A's signal after a push of four tables"
# A transaction of two statements: one signal; a write that changes nothing
# (kept by last-write-wins): none.
as_a "update public.cognitive_commits set title = 'one', version = version + 1
	where id = t.fid(auth.uid(), 'cognitive_commits', 3);
update public.sessions set cwd = '/two', version = version + 1
	where id = t.fid(auth.uid(), 'sessions', 3)"
check $((a0 + 2)) "$(signal "$A")" "A's signal after a transaction of two statements"
as_a "update public.cognitive_commits set title = 'stale', version = 0
	where id = t.fid(auth.uid(), 'cognitive_commits', 3)"
check $((a0 + 2)) "$(signal "$A")" "A's signal after a write last-write-wins skipped"
# A plain DELETE (REST) and a purge (five tables, cascades): one each.
as_a "delete from public.turns where id = t.fid(auth.uid(), 'turns', 5)"
check $((a0 + 3)) "$(signal "$A")" "A's signal after a delete"
q <<'SQL' >/dev/null
set session_replication_role = replica;	-- time passing, not a write: no trigger
update public.cognitive_commits set deleted_at = now() - interval '31 days'
where user_id = :'A' and id = t.fid(:'A', 'cognitive_commits', 3);
SQL
check 1 "$(as authenticated "$A" <<'SQL'
select public.purge_tombstones() -> 'purged'
SQL
)" "commits purged by A"
check $((a0 + 4)) "$(signal "$A")" "A's signal after a purge"
check "$b0" "$(signal "$B")" "B's signal after all of A's writes"
# Nothing deleted a signal row (a delete and a new row would change its random id).
check "$ids_before" "$(q <<'SQL'
select string_agg(id::text, ' ' order by user_id) from public.sync_signals
SQL
)" "the signal rows' ids"
check 0 "$(q <<'SQL'
select count(*) from public.sync_signal_queue
SQL
)" "signals queued outside a transaction"
# Each user reads only their own signal and writes none; anon reads nothing.
check "1|0|42501|42501" "$(as authenticated "$B" <<'SQL'
select count(*), count(*) filter (where user_id = :'A'),
	t.try('update public.sync_signals set version = 0'),
	t.try('select * from public.sync_signal_queue')
from public.sync_signals
SQL
)" "B's view of the signals"
check "42501" "$(as anon "" <<'SQL'
select t.try('select * from public.sync_signals')
SQL
)" "anon's view of the signals"
# A page reads the rows it hands out, not those before the cursor: user C
# pushes 2,000 turns in one transaction (as a large push does) and pulls 100
# rows from the 1,500th. The turns' indexes may return the page's keys (101:
# the extra one says "more") and one lookup per row (100), in whatever state
# the statistics are; 20261207000003 read every key of the transaction before
# the cursor (or, unanalysed, every key past it) on every page.
C=cccccccc-cccc-4ccc-8ccc-cccccccccccc
q -v C="$C" <<'SQL' >/dev/null
insert into auth.users (id, email) values (:'C', 'c@example.com');
begin;
select t.rows(t.ins(tbl, :'C', t.fid(:'C', tbl)))
from unnest(array['projects', 'cognitive_commits', 'sessions']) tbl;
insert into public.turns (user_id, id, session_id, seq, role, "timestamp")
select :'C', md5('c turn ' || i)::uuid, t.fid(:'C', 'sessions'), i, 'user', now()
from generate_series(1, 2000) i;
commit;
SQL
settle
c_cursor=$(q -v C="$C" <<'SQL'
select txid || ' ' || id from public.turns where user_id = :'C' order by id offset 1499 limit 1
SQL
)
check "100|true|t" "$(as authenticated "$C" -v ct="${c_cursor% *}" -v cid="${c_cursor#* }" <<'SQL'
select json_array_length(p -> 'rows'), p -> 'more',
	(select sum(pg_stat_get_xact_tuples_returned(i.indexrelid)) from pg_index i
	 where i.indrelid = 'public.turns'::regclass)
	+ pg_stat_get_xact_tuples_returned('public.turns'::regclass) <= 201
from public.pull_changes(:'ct', 'turns', :'cid', 100) p
SQL
)" "a page's reads of the turns (100 rows from the 1,500th of a transaction's)"

# Deleting an account takes its rows with it (the cascades signal nobody: the
# user is gone) and its signal row, and commits.
check "t 0" "$(q <<'SQL' | tr '\n' ' ' | sed 's/ $//'
select exists (select from public.turns where user_id = :'B');
delete from auth.users where id = :'B';
select count(*) from public.sync_signals where user_id = :'B'
SQL
)" "B's account deleted"

# The content columns are marked twice: src/sync/tables.c (what the client
# redacts and seals) and agentlogs_content_columns (what push_batch checks
# for sealed values). The two must name the same columns of every table.
tables_bin=$(dirname "${AGENTLOGS:-./agentlogs}")/tests/unit/test-sync-tables
[ -x "$tables_bin" ] || t_fail "no $tables_bin (build the tests first)"
"$tables_bin" --content-columns >"$T_TMP/client-content" || t_fail "test-sync-tables --content-columns"
while read -r table cols; do
	check "$cols" "$(q -v T="$table" <<'SQL'
select coalesce(array_to_string(public.agentlogs_content_columns(:'T'), ' '), '')
SQL
)" "content columns of $table, the cloud's and the client's"
done <"$T_TMP/client-content"
[ "$(wc -l <"$T_TMP/client-content")" -ge 6 ] || t_fail "too few tables listed by test-sync-tables"

echo "PASS: sql-rls ($checks checks)"
