-- agentlogs cloud: push_batch and pull_changes driven by one list of tables.
--
-- 20261125000004 spelled every synced table out in both functions, and every
-- column in push_batch's INSERT, SELECT and UPDATE lists: a new column meant
-- editing the schema, the client's tables and five blocks of SQL, and a column
-- forgotten in one list was silently dropped on the way up. These versions
-- take the tables from agentlogs_synced_tables() and each table's columns from
-- pg_catalog, and run the same statements as before through EXECUTE. A new
-- column is now one ALTER TABLE (plus the client's side); a new synced table
-- is one more name below (plus its table, triggers and policies).
--
-- Plain SQL and PL/pgSQL, nothing generated outside the database: it applies
-- unchanged on hosted Supabase and on agentlogs-server. The signatures, the
-- arguments and the results are those of 20261125000004 (read it for the
-- protocol); only the bodies change.

-- ---------------------------------------------------------------- the list
-- The synced tables, parents first: push_batch upserts in this order (foreign
-- keys), and pull_changes orders one transaction's rows by it (the cursor's
-- table is a position in it). Only ever append: the order is part of every
-- client's saved cursor.
create function public.agentlogs_synced_tables() returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
	select array['projects', 'cognitive_commits', 'sessions', 'turns', 'visuals']
$$;

-- ---------------------------------------------------------------- columns
-- What push_batch writes into table t, from its current columns: every column
-- but user_id (the caller's), txid (set by the trigger) and generated ones.
--   cols    "id, name, ..."                      the INSERT list
--   vals    "s.id, coalesce(s.version, 1), ..."   the SELECT list over the batch
--           (a column with a default takes it when the row leaves it out or
--            sends null; origin_machine_id defaults to the batch's machine_id,
--            the statement's $3)
--   sets    "name = excluded.name, ..."          the ON CONFLICT update: whole rows
create function public.agentlogs_upsert_lists(t text, out cols text, out vals text,
	out sets text)
language sql
stable
set search_path = ''
as $$
	select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum),
		pg_catalog.string_agg(case
			when a.attname = 'origin_machine_id' then 'coalesce(s.origin_machine_id, $3)'
			when d.adbin is not null then pg_catalog.format('coalesce(s.%I, %s)', a.attname,
				pg_catalog.pg_get_expr(d.adbin, d.adrelid))
			else pg_catalog.format('s.%I', a.attname) end, ', ' order by a.attnum),
		pg_catalog.string_agg(pg_catalog.format('%1$I = excluded.%1$I', a.attname), ', '
			order by a.attnum) filter (where a.attname <> 'id')
	from pg_catalog.pg_attribute a
	left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
	where a.attrelid = pg_catalog.format('public.%I', t)::pg_catalog.regclass
	  and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
	  and a.attname not in ('user_id', 'txid')
$$;

-- ---------------------------------------------------------------- push
-- The protocol of 20261125000004: a batch of whole rows per table, all or
-- nothing, each row through INSERT ... ON CONFLICT and the LWW trigger, and
-- the rows the cloud kept newer reported under "stale".
create or replace function public.push_batch(payload jsonb) returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
set enable_seqscan = off
as $$
declare
	uid uuid := auth.uid();
	tables text[] := public.agentlogs_synced_tables();
	machine text;
	k text;
	t text;
	arr jsonb;
	l record;
	n_applied integer;
	kept_rows jsonb;
	applied jsonb := '{}';
	unchanged jsonb := '{}';
	skipped jsonb := '{}';
	stale jsonb;
	stale_all jsonb := '[]';
begin
	-- ------------------------------------------------ validate, before any write
	if uid is null then
		raise exception 'push_batch: not authenticated' using errcode = '42501';
	end if;
	if payload is null or jsonb_typeof(payload) <> 'object' then
		raise exception 'push_batch: payload must be a JSON object' using errcode = '22023';
	end if;
	if payload ? 'commits' and payload ? 'cognitive_commits' then
		raise exception 'push_batch: give "commits" or "cognitive_commits", not both'
			using errcode = '22023';
	end if;

	for k in select jsonb_object_keys(payload) loop
		if k = 'machine_id' then
			if jsonb_typeof(payload -> k) not in ('string', 'null') then
				raise exception 'push_batch: machine_id must be a string' using errcode = '22023';
			end if;
			continue;
		end if;
		if k <> 'commits' and not k = any (tables) then
			raise exception 'push_batch: unknown key "%"', k using errcode = '22023';
		end if;
		arr := payload -> k;
		if jsonb_typeof(arr) <> 'array' then
			raise exception 'push_batch: "%" must be an array', k using errcode = '22023';
		end if;
		if exists (select from jsonb_array_elements(arr) e where jsonb_typeof(e) <> 'object') then
			raise exception 'push_batch: "%" must hold JSON objects', k using errcode = '22023';
		end if;
		-- RLS would refuse these rows too, but the function writes user_id itself,
		-- so a row naming someone else must be refused here, loudly.
		if exists (select from jsonb_array_elements(arr) e
		           where e ->> 'user_id' is not null and (e ->> 'user_id')::uuid <> uid) then
			raise exception 'push_batch: a row in "%" names another user', k
				using errcode = '42501';
		end if;
	end loop;

	machine := payload ->> 'machine_id';
	if machine is not null then
		insert into public.machines (user_id, machine_id, last_sync_at)
		values (uid, machine, now())
		on conflict (user_id, machine_id) do update
			set last_sync_at = excluded.last_sync_at, updated_at = now();
	end if;

	-- ------------------------------------------------ one upsert a table, parents first
	foreach t in array tables loop
		arr := coalesce(payload -> t, case t when 'cognitive_commits' then payload -> 'commits' end,
			'[]');
		select * into l from public.agentlogs_upsert_lists(t);
		-- Dedupe the batch by id (ON CONFLICT cannot touch a row twice; the
		-- newest copy wins), insert with the caller's user_id, and count what
		-- RETURNING shows: rows the LWW trigger kept are not returned; their
		-- clocks as sent are listed for the report.
		execute format($q$
			with src as (
				select distinct on (r.id) r.*
				from jsonb_populate_recordset(null::public.%1$I, $1) r
				order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
					r.origin_machine_id collate "C" desc nulls last
			), ins as (
				insert into public.%1$I as t (user_id, %2$s)
				select $2, %3$s from src s
				on conflict (user_id, id) do update set %4$s
				returning t.id
			)
			select (select count(*) from ins),
				(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
					'updated_at', s.updated_at,
					'origin_machine_id', coalesce(s.origin_machine_id, $3)))
				 from src s where s.id not in (select id from ins))$q$,
			t, l.cols, l.vals, l.sets)
		into n_applied, kept_rows
		using arr, uid, machine;

		-- What the cloud kept: a kept row whose stored clock equals the one sent
		-- is already there (a retried push): counted as unchanged, not listed.
		-- The others lost to a newer stored row: listed under "stale" with the
		-- stored clock. A new statement, a new snapshot: the current stored row,
		-- even if a concurrent push changed it meanwhile.
		execute format($q$
			select coalesce(jsonb_agg(jsonb_build_object('table', %1$L, 'id', t.id,
				'version', t.version, 'updated_at', t.updated_at,
				'origin_machine_id', t.origin_machine_id, 'deleted_at', t.deleted_at)
				order by t.id), '[]')
			from jsonb_to_recordset($2) as i(id uuid, version integer, updated_at timestamptz,
			                                 origin_machine_id text)
			join public.%1$I t on t.user_id = $1 and t.id = i.id
			where (t.version, t.updated_at, t.origin_machine_id)
			      is distinct from (i.version, i.updated_at, i.origin_machine_id)$q$, t)
		into stale
		using uid, coalesce(kept_rows, '[]');

		applied := applied || jsonb_build_object(t, n_applied);
		skipped := skipped || jsonb_build_object(t, jsonb_array_length(stale));
		unchanged := unchanged || jsonb_build_object(t,
			jsonb_array_length(coalesce(kept_rows, '[]')) - jsonb_array_length(stale));
		stale_all := stale_all || stale;
	end loop;

	return jsonb_build_object('applied', applied, 'unchanged', unchanged, 'skipped', skipped,
		'stale', stale_all);
end
$$;

-- ---------------------------------------------------------------- pull
-- The protocol of 20261125000004: the caller's rows of every synced table
-- after the cursor, ordered by (txid, table's position in the list, id),
-- handed out only below the snapshot's xmin, whole rows minus txid.
create or replace function public.pull_changes(
	cursor_txid text default null,
	cursor_table text default null,
	cursor_id uuid default null,
	page_size integer default 1000,
	max_bytes integer default 8388608)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
	uid uuid := auth.uid();
	tables text[] := public.agentlogs_synced_tables();
	-- Every transaction with a lower txid has ended: its rows are final.
	horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
	c_txid xid8;
	c_rank integer;
	n integer := least(greatest(coalesce(page_size, 1000), 1), 1000);
	lim integer := greatest(coalesce(max_bytes, 8388608), 1);
	keys text;
	recs text;
	r integer;
	result jsonb;
begin
	if uid is null then
		raise exception 'pull_changes: not authenticated' using errcode = '42501';
	end if;

	if cursor_txid is null then
		if cursor_table is not null or cursor_id is not null then
			raise exception 'pull_changes: cursor_table and cursor_id need cursor_txid'
				using errcode = '22023';
		end if;
		c_txid := '0';	-- below every real transaction id
		c_rank := 0;
	else
		c_txid := cursor_txid::xid8;
		c_rank := case when coalesce(cursor_table, '') = '' then 0
			else array_position(tables, cursor_table) end;
		if c_rank is null then
			raise exception 'pull_changes: unknown cursor_table "%"', cursor_table
				using errcode = '22023';
		end if;
		if cursor_id is not null and cursor_table is null then
			raise exception 'pull_changes: cursor_id needs cursor_table' using errcode = '22023';
		end if;
	end if;

	-- Phase 1, keys only: up to n + 1 candidates from each table through its
	-- (user_id, txid, id) index, merged, the first n + 1 kept (the extra one
	-- answers "more"). "After the cursor" for a table of rank r:
	--   txid > c_txid, or txid = c_txid and (r > c_rank, or r = c_rank and id > cursor_id).
	-- Phase 2 reads only those rows whole. Parameters: $1 uid, $2 c_txid,
	-- $3 horizon, $4 c_rank, $5 cursor_id, $6 n, $7 lim, $8 tables.
	for r in 1 .. array_length(tables, 1) loop
		keys := concat_ws(' union all ', keys, format($q$
			(select %1$s as rank, t.txid, t.id from public.%2$I t
			 where t.user_id = $1 and t.txid >= $2 and t.txid < $3
			   and (t.txid > $2 or %1$s > $4 or (%1$s = $4 and ($5 is null or t.id > $5)))
			 order by t.txid, t.id limit $6 + 1)$q$, r, tables[r]));
		recs := concat_ws(' union all ', recs, format($q$
			select p.rank, p.txid, p.id, to_jsonb(t) - 'txid' as record
			from page p join public.%2$I t on t.user_id = $1 and t.id = p.id
			where p.rank = %1$s$q$, r, tables[r]));
	end loop;

	execute format($q$
		with keys as (%s), page as (
			select * from keys order by txid, rank, id limit $6 + 1
		), recs as (%s), numbered as (
			select r.*, $8[r.rank] as tbl,
				row_number() over w as ord,
				-- bytes of the rows before this one
				coalesce(sum(pg_column_size(r.record)) over (w rows between unbounded preceding
				                                               and 1 preceding), 0) as before
			from recs r
			window w as (order by r.txid, r.rank, r.id)
		), taken as (
			select *, ord <= $6 and (ord = 1 or before < $7) as keep from numbered
		)
		select jsonb_build_object(
			'rows', coalesce(jsonb_agg(jsonb_build_object('table', tbl, 'txid', txid::text,
				'record', record) order by ord) filter (where keep), '[]'),
			'next_cursor', (select jsonb_build_object('txid', l.txid::text, 'table', l.tbl, 'id', l.id)
			                from taken l where l.keep order by l.ord desc limit 1),
			'more', coalesce(bool_or(not keep), false))
		from taken$q$, keys, recs)
	into result
	using uid, c_txid, horizon, c_rank, cursor_id, n, lim, tables;

	if result -> 'next_cursor' = 'null' and cursor_txid is not null then
		result := jsonb_set(result, '{next_cursor}', jsonb_build_object(
			'txid', c_txid::text, 'table', cursor_table, 'id', cursor_id));
	end if;
	return result;
end
$$;

-- Helpers of the two functions: callers need EXECUTE (the functions run as
-- them), anon does not.
revoke execute on function public.agentlogs_synced_tables(),
	public.agentlogs_upsert_lists(text) from public, anon;
grant execute on function public.agentlogs_synced_tables(),
	public.agentlogs_upsert_lists(text) to authenticated, service_role;
