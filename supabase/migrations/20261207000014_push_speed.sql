-- agentlogs cloud: push_rows, push_batch with positional rows (issue 10,
-- sync throughput).
--
-- A push's database CPU beyond the floor (\copy of the same rows) was JSON:
-- measured inside one backend on a body of 4,560 turns (4.2 MB as objects),
-- the parse of the body into jsonb 45-60 ms, jsonb_populate_recordset 30 ms,
-- and push_batch's pass over the rows to check them (jsonb_array_elements
-- copies every row out, then reads three keys of each) 20-25 ms, out of
-- 210-290 ms for the whole call (the same rows by COPY: 135 ms). Each row an
-- object repeats its 19 keys, which the parse must copy and sort: the same
-- body with each table as {"columns": [...], "rows": [[...], ...]} is 3.1 MB,
-- parses in 28 ms, and its rows come out typed (->> by position, the
-- column's input function) in 40 ms against 77 ms.
--
-- push_rows(payload) takes
--
--   {"machine_id": "...",
--    "<table>": {"columns": ["id", ..., "base_version"], "rows": [[...], ...]}, ...}
--
-- (tables as push_batch's keys, "commits" for cognitive_commits) and does
-- what push_batch does, answering the same fields: the same compare-and-swap
-- (base_version a column; a table without it applies unconditionally), the
-- same last-write-wins rule, the same end-to-end key check (20261207000012),
-- the same stale list. Columns the table lacks are ignored, as
-- jsonb_populate_recordset ignores unknown keys. The checks of the rows run as
-- jsonpath over the rows in place (nothing copied out), and the rows' bases
-- are gathered into a map only when the upsert meets an existing row (an
-- InitPlan, run at the first conflict: never for a first push).
--
-- push_batch stays as it is: older clients keep calling it, and agentlogs
-- falls back to it when the cloud answers that push_rows does not exist (a
-- hosted project without this migration: 404 PGRST202).

create or replace function public.push_rows(payload jsonb) returns jsonb
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
	tab jsonb;
	cols text[];
	ncols integer;
	ui integer;		-- position (1-based) of user_id in cols, or null
	bi integer;		-- position (1-based) of base_version in cols, or null
	typed text;		-- the select list reading a row r by position
	cas text;		-- the upsert's compare-and-swap condition
	l record;
	n_applied integer;
	kept_rows jsonb;
	applied jsonb := '{}';
	unchanged jsonb := '{}';
	skipped jsonb := '{}';
	stale jsonb;
	stale_all jsonb := '[]';
	key_check text;		-- e2e: the account's check value, null without e2e
	sealed_head text;	-- e2e: 'e2e1:' and the key id's first 30 bits
	sealed_next text;	-- e2e: the 16 characters its next 2 bits allow
	content_cols text[];
	bad_check text;
	bad_value boolean;
begin
	-- ------------------------------------------------ validate, before any write
	if uid is null then
		raise exception 'push_rows: not authenticated' using errcode = '42501';
	end if;
	if payload is null or jsonb_typeof(payload) <> 'object' then
		raise exception 'push_rows: payload must be a JSON object' using errcode = '22023';
	end if;
	if payload ? 'commits' and payload ? 'cognitive_commits' then
		raise exception 'push_rows: give "commits" or "cognitive_commits", not both'
			using errcode = '22023';
	end if;

	-- e2e: the account's key, once a batch; a rotation waits for this push.
	select e.check_value into key_check from public.e2e_keys e where e.user_id = uid for share;
	if key_check is not null then
		sealed_head := 'e2e1:' || left(key_check, 5);
		sealed_next := substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
			(strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
			         substr(key_check, 6, 1)) - 1) / 16 * 16 + 1, 16);
	end if;

	for k in select jsonb_object_keys(payload) loop
		if k = 'machine_id' then
			if jsonb_typeof(payload -> k) not in ('string', 'null') then
				raise exception 'push_rows: machine_id must be a string' using errcode = '22023';
			end if;
			continue;
		end if;
		if k <> 'commits' and not k = any (tables) then
			raise exception 'push_rows: unknown key "%"', k using errcode = '22023';
		end if;
		tab := payload -> k;
		if jsonb_typeof(tab) <> 'object' or jsonb_typeof(tab -> 'columns') is distinct from 'array'
		   or jsonb_typeof(tab -> 'rows') is distinct from 'array'
		   or jsonb_path_exists(tab -> 'columns', 'strict $[*] ? (@.type() != "string")', '{}', true)
		then
			raise exception 'push_rows: "%" must be {"columns": [names], "rows": [[values], ...]}', k
				using errcode = '22023';
		end if;
		cols := array(select jsonb_array_elements_text(tab -> 'columns'));
		ncols := cardinality(cols);
		if (select count(distinct c) from unnest(cols) c) <> ncols then
			raise exception 'push_rows: "%" names a column twice', k using errcode = '22023';
		end if;
		-- jsonpath reads the rows where they are: nothing copied out.
		if jsonb_path_exists(tab -> 'rows', 'strict $[*] ? (@.type() != "array" || @.size() != $n)',
		                     jsonb_build_object('n', ncols), true) then
			raise exception 'push_rows: each row of "%" must be an array of its % columns', k, ncols
				using errcode = '22023';
		end if;
		ui := array_position(cols, 'user_id');
		-- RLS would refuse these rows too, but the function writes user_id itself,
		-- so a row naming someone else must be refused here, loudly.
		if ui is not null and exists (
			select 1 from jsonb_path_query(tab -> 'rows', 'strict $[*][$i] ? (@ != null)',
			                               jsonb_build_object('i', ui - 1)) v
			where v #>> '{}' <> uid::text and (v #>> '{}')::uuid <> uid) then
			raise exception 'push_rows: a row in "%" names another user', k using errcode = '42501';
		end if;
		bi := array_position(cols, 'base_version');
		-- A base that is not a whole number is refused loudly: a row must never
		-- slip past the check.
		if bi is not null and jsonb_path_exists(tab -> 'rows',
			'strict $[*][$i] ? (@.type() != "number" || @ < 0 || @ > 2147483647 || @ % 1 != 0)',
			jsonb_build_object('i', bi - 1), true) then
			raise exception 'push_rows: a row in "%" has a base_version that is not a whole number',
				k using errcode = '22023';
		end if;
	end loop;

	-- From here on the rows' BEFORE triggers stand aside (20261207000008): the
	-- upsert below does their work itself. Local to this transaction, and
	-- cleared again before returning.
	perform pg_catalog.set_config('agentlogs.push_batch', 'on', true);

	machine := payload ->> 'machine_id';
	if machine is not null then
		insert into public.machines (user_id, machine_id, last_sync_at)
		values (uid, machine, now())
		on conflict (user_id, machine_id) do update
			set last_sync_at = excluded.last_sync_at, updated_at = now();
	end if;

	-- ------------------------------------------------ one upsert a table, parents first
	foreach t in array tables loop
		tab := coalesce(payload -> t, case t when 'cognitive_commits' then payload -> 'commits' end);
		if tab is null or jsonb_array_length(tab -> 'rows') = 0 then
			applied := applied || jsonb_build_object(t, 0);
			skipped := skipped || jsonb_build_object(t, 0);
			unchanged := unchanged || jsonb_build_object(t, 0);
			continue;
		end if;
		cols := array(select jsonb_array_elements_text(tab -> 'columns'));
		bi := array_position(cols, 'base_version');
		select * into l from public.agentlogs_upsert_lists(t);
		-- Every column of the table, read from its position in the row (null
		-- where the row has none), with the type's own input function, as
		-- jsonb_populate_recordset does; and the row's base.
		select pg_catalog.string_agg(case when c.i is null
				then pg_catalog.format('null::%s as %I',
					pg_catalog.format_type(a.atttypid, a.atttypmod), a.attname)
				else pg_catalog.format('(r ->> %s)::%s as %I', c.i - 1,
					pg_catalog.format_type(a.atttypid, a.atttypmod), a.attname) end,
				', ' order by a.attnum)
		into typed
		from pg_catalog.pg_attribute a
		left join unnest(cols) with ordinality c(name, i) on c.name = a.attname
		where a.attrelid = pg_catalog.format('public.%I', t)::pg_catalog.regclass
		  and a.attnum > 0 and not a.attisdropped;
		typed := typed || case when bi is null then ', null::integer as agentlogs_base'
			else pg_catalog.format(', (r ->> %s)::numeric::integer as agentlogs_base', bi - 1) end;
		-- Compare-and-swap: apply only if the cloud row is still at the row's
		-- base. Versions start at 1, so the map holds only bases above 0; a
		-- row absent from it (base 0: "not in the cloud when last merged")
		-- never matches an existing row.
		cas := case when bi is null then 'true' else
			't.version = coalesce(((select b.m from bases b) ->> t.id::text)::integer, 0)' end;
		-- e2e: as push_batch (20261207000012).
		content_cols := public.agentlogs_content_columns(t);
		bad_check := case when content_cols is null then 'false' else pg_catalog.format($q$
			exists (select 1 from src s, lateral (values %s) v(s)
			        where v.s is not null and v.s <> '' and v.s <> '[]' and case
			        when $5::text is null then left(v.s, 5) = 'e2e1:'
			        else not (left(v.s, 10) = $5 and substr(v.s, 11, 1) <> ''
			                  and strpos($6, substr(v.s, 11, 1)) > 0) end)$q$,
			(select pg_catalog.string_agg(pg_catalog.format('(s.%I::text)', c), ', ')
			 from unnest(content_cols) c)) end;
		-- As push_batch: dedupe by id (the newest copy wins), insert with the
		-- caller's user_id, count what RETURNING shows, list the clocks of the
		-- rows it did not.
		execute pg_catalog.format($q$
			with src as (
				select distinct on (r.id) r.*
				from (select %6$s from pg_catalog.jsonb_array_elements($1) r) r
				order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
					r.origin_machine_id collate "C" desc nulls last
			), bases as materialized (
				select pg_catalog.jsonb_object_agg(s.id, s.agentlogs_base) as m
				from src s where s.agentlogs_base > 0
			), ins as (
				insert into public.%1$I as t (user_id, %2$s)
				select $2, %3$s from src s
				on conflict (user_id, id) do update set %4$s
				where %7$s
				  -- agentlogs_lww's rule: only a newer clock replaces a row
				  and (excluded.version, excluded.updated_at,
				       coalesce(excluded.origin_machine_id, '') collate "C")
				    > (t.version, t.updated_at, coalesce(t.origin_machine_id, '') collate "C")
				returning t.id
			)
			select (select count(*) from ins),
				(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
					'updated_at', s.updated_at,
					'origin_machine_id', coalesce(s.origin_machine_id, $3)))
				 from src s where s.id not in (select id from ins)),
				%5$s$q$,
			t, l.cols, l.vals, l.sets, bad_check, typed, cas)
		into n_applied, kept_rows, bad_value
		using tab -> 'rows', uid, machine, null::jsonb, sealed_head, sealed_next;
		-- e2e: the whole push undone (the exception rolls back its transaction).
		if bad_value then
			if key_check is null then
				raise exception 'push_rows: a row in "%" is sealed but the account has no end-to-end key', t
					using errcode = 'AE2E2',
					hint = 'end-to-end encryption was turned off on another machine';
			end if;
			raise exception 'push_rows: a row in "%" is not sealed with the account''s current end-to-end key', t
				using errcode = 'AE2E1', hint = 'the account''s key changed on another machine';
		end if;

		-- As push_batch: a kept row whose stored clock equals the one sent is
		-- unchanged (a retried push); the others are stale, with the stored clock.
		execute pg_catalog.format($q$
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

	perform pg_catalog.set_config('agentlogs.push_batch', '', true);
	return jsonb_build_object('applied', applied, 'unchanged', unchanged, 'skipped', skipped,
		'stale', stale_all);
end
$$;

-- As push_batch (20261125000004): hosted Supabase grants EXECUTE on new
-- functions to anon; the function refuses it inside too.
revoke execute on function public.push_rows(jsonb) from public, anon;
grant execute on function public.push_rows(jsonb) to authenticated, service_role;
