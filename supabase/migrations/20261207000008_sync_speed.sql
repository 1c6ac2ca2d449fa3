-- agentlogs cloud: push_batch without a plpgsql trigger call per row (issue 10,
-- throughput: a push within 1.5x of \copy of the same rows).
--
-- Every row push_batch wrote went through a BEFORE trigger written in
-- plpgsql: agentlogs_stamp_txid on insert, agentlogs_lww on update. Each call
-- is a function call with a record assignment (new.txid := ...) that forms
-- the whole row again, a turn's content included: a re-push of 4,560 edited
-- turns cost about a fifth more CPU in the database with agentlogs_lww on than
-- with it off (its plain PostgreSQL work is the same either way).
--
-- push_batch now does what those triggers do in its own upsert, evaluated in
-- C by the executor:
--
-- * insert: txid takes its column default (pg_current_xact_id(), the same
--   value the trigger set) and a row that arrives deleted gets deleted_at =
--   now(), as agentlogs_stamp_txid did;
-- * update: the ON CONFLICT ... WHERE adds agentlogs_lww's rule (the row's
--   clock, version then updated_at then origin_machine_id, must be newer than
--   the stored one) to the compare-and-swap check, and the SET list stamps
--   txid and keeps the first deleted_at, as agentlogs_lww did. A row the rule
--   refuses is not written and not returned, exactly like one the trigger
--   refused (it is reported as unchanged or stale, as before).
--
-- The triggers skip themselves with a WHEN condition, evaluated in C without
-- calling plpgsql, while the transaction-local setting agentlogs.push_batch is
-- 'on': push_batch sets it for its writes and clears it before returning.
-- Every other writer of the tables (the REST upsert, edits, purges) keeps the
-- triggers as before; neither PostgREST nor agentlogs-server lets a client set
-- a setting, and a client with SQL of its own could write its own rows directly
-- anyway (row-level security still decides which rows).
--
-- push_batch and agentlogs_upsert_lists are restated whole; what they do
-- otherwise is that of 20261207000004 (push_batch) and 20261206000001
-- (agentlogs_upsert_lists).

-- ---------------------------------------------------------------- columns
-- What push_batch writes into table t, from its current columns: every column
-- but user_id (the caller's), txid (its default, or the SET below) and
-- generated ones.
--   cols    "id, name, ..."                      the INSERT list
--   vals    "s.id, coalesce(s.version, 1), ..."   the SELECT list over the batch
--           (a column with a default takes it when the row leaves it out or
--            sends null; origin_machine_id defaults to the batch's machine_id,
--            the statement's $3; a row that arrives deleted is deleted now)
--   sets    "name = excluded.name, ..."          the ON CONFLICT update: whole rows,
--           the change-feed position stamped, a tombstone's first time kept
create or replace function public.agentlogs_upsert_lists(t text, out cols text, out vals text,
	out sets text)
language sql
stable
set search_path = ''
as $$
	select pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum),
		pg_catalog.string_agg(case
			when a.attname = 'origin_machine_id' then 'coalesce(s.origin_machine_id, $3)'
			when a.attname = 'deleted_at' then
				'case when s.deleted_at is not null then pg_catalog.now() end'
			when d.adbin is not null then pg_catalog.format('coalesce(s.%I, %s)', a.attname,
				pg_catalog.pg_get_expr(d.adbin, d.adrelid))
			else pg_catalog.format('s.%I', a.attname) end, ', ' order by a.attnum),
		pg_catalog.string_agg(case
			when a.attname = 'deleted_at' then 'deleted_at = case when excluded.deleted_at'
				' is not null then coalesce(t.deleted_at, pg_catalog.now()) end'
			else pg_catalog.format('%1$I = excluded.%1$I', a.attname) end, ', '
			order by a.attnum) filter (where a.attname <> 'id')
			|| ', txid = pg_catalog.pg_current_xact_id()'
	from pg_catalog.pg_attribute a
	left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
	where a.attrelid = pg_catalog.format('public.%I', t)::pg_catalog.regclass
	  and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
	  and a.attname not in ('user_id', 'txid')
$$;

-- ---------------------------------------------------------------- triggers
-- The row triggers of 20261125000002, unchanged but for the WHEN condition.
do $$
declare
	t text;
begin
	foreach t in array public.agentlogs_synced_tables() loop
		execute format('drop trigger agentlogs_stamp_txid on public.%I', t);
		execute format('create trigger agentlogs_stamp_txid before insert on public.%I
			for each row
			when (pg_catalog.current_setting(''agentlogs.push_batch'', true)
			      is distinct from ''on'')
			execute function public.agentlogs_stamp_txid()', t);
		execute format('drop trigger agentlogs_lww on public.%I', t);
		execute format('create trigger agentlogs_lww before update on public.%I
			for each row
			when (pg_catalog.current_setting(''agentlogs.push_batch'', true)
			      is distinct from ''on'')
			execute function public.agentlogs_lww()', t);
	end loop;
end
$$;

-- ---------------------------------------------------------------- push
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
	bases jsonb;
	bases_of jsonb := '{}';		-- key -> its rows' bases, id -> base_version
	bad_bases text[] := '{}';	-- keys holding a base that is not a whole number
	not_objects boolean;
	other_user boolean;
	bad_base boolean;
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
		-- One pass over the rows. A user_id is cast only when its text is not
		-- the caller's; a base is read only from an object that names one, its
		-- id normalised as a uuid (the lookup below uses t.id::text).
		select coalesce(bool_or(jsonb_typeof(e) <> 'object'), false),
			coalesce(bool_or(jsonb_typeof(e) = 'object' and case
				when e ->> 'user_id' is null or e ->> 'user_id' = uid::text then false
				else (e ->> 'user_id')::uuid <> uid end), false),
			coalesce(bool_or(jsonb_typeof(e) = 'object' and e ? 'base_version' and
				case jsonb_typeof(e -> 'base_version')
				when 'number' then (e ->> 'base_version')::numeric not between 0 and 2147483647
					or (e ->> 'base_version')::numeric % 1 <> 0
				else true end), false),
			jsonb_object_agg((e ->> 'id')::uuid::text, e -> 'base_version')
				filter (where jsonb_typeof(e) = 'object' and e ? 'base_version'
				        and e ->> 'id' is not null)
		into not_objects, other_user, bad_base, bases
		from jsonb_array_elements(arr) e;
		if not_objects then
			raise exception 'push_batch: "%" must hold JSON objects', k using errcode = '22023';
		end if;
		-- RLS would refuse these rows too, but the function writes user_id itself,
		-- so a row naming someone else must be refused here, loudly.
		if other_user then
			raise exception 'push_batch: a row in "%" names another user', k
				using errcode = '42501';
		end if;
		-- Raised when the table's turn comes, after every key's checks above.
		if bad_base then
			bad_bases := bad_bases || k;
		end if;
		bases_of := bases_of || jsonb_build_object(k, coalesce(bases, '{}'));
	end loop;

	-- From here on the rows' BEFORE triggers stand aside (see the top of this
	-- file): the upsert below does their work itself. Local to this
	-- transaction, and cleared again before returning.
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
		arr := coalesce(payload -> t, case t when 'cognitive_commits' then payload -> 'commits' end,
			'[]');
		select * into l from public.agentlogs_upsert_lists(t);
		-- A base that is not a whole number is refused loudly: a row must never
		-- slip past the check.
		if (t = any (bad_bases)) or (t = 'cognitive_commits' and 'commits' = any (bad_bases)) then
			raise exception 'push_batch: a row in "%" has a base_version that is not a whole number',
				t using errcode = '22023';
		end if;
		bases := coalesce(bases_of -> t,
			case t when 'cognitive_commits' then bases_of -> 'commits' end, '{}');
		-- Dedupe the batch by id (ON CONFLICT cannot touch a row twice; the
		-- newest copy wins), insert with the caller's user_id, and count what
		-- RETURNING shows: rows refused by their base or kept by the LWW
		-- trigger are not returned; their clocks as sent are listed for the
		-- report.
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
				where (not ($4 ? t.id::text) or t.version = ($4 ->> t.id::text)::integer)
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
				 from src s where s.id not in (select id from ins))$q$,
			t, l.cols, l.vals, l.sets)
		into n_applied, kept_rows
		using arr, uid, machine, bases;

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

	perform pg_catalog.set_config('agentlogs.push_batch', '', true);
	return jsonb_build_object('applied', applied, 'unchanged', unchanged, 'skipped', skipped,
		'stale', stale_all);
end
$$;
