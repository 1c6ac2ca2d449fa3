-- agentlogs cloud: push_batch as compare-and-swap (issue 10).
--
-- Until now a pushed row overwrote whatever the cloud held whenever its clock
-- (version, then updated_at) was not older: a push never learned that the
-- cloud row had changed since this machine last saw it. Two machines that both
-- retitled a commit before either pulled the other's edit lost one title with
-- no trace: the second push simply won.
--
-- Now each pushed row may carry "base_version": the cloud version this machine
-- last merged (0: it has never seen the row in the cloud). The row is applied
-- only if the cloud row is still at that version, or absent; otherwise it is
-- refused, alone, and the rest of the batch still applies. A refused row is
-- reported under "stale" with the cloud's clock, exactly as a row that lost to
-- the last-write-wins trigger was: the client pulls it, merges it field by
-- field against its base (recording a true conflict) and pushes the result
-- with the new base. A retried push of a row the cloud already holds (same
-- clock) still counts as "unchanged".
--
-- The check sits in the ON CONFLICT ... DO UPDATE WHERE clause, which
-- PostgreSQL evaluates on the latest committed version of the row, after
-- locking it: a concurrent push cannot slip in between check and write. The
-- bases travel as one JSON object, id -> version, looked up per row.
--
-- A row without base_version (an older client), and every other writer of the
-- tables (the REST upsert), keeps the last-write-wins trigger of
-- 20261206000002 as before; it stays the backstop under compare-and-swap too.
-- The signature, arguments and the result's keys are those of 20261206000001.

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
		-- The base of each row that names one. A base that is not a whole
		-- number is refused loudly: a row must never slip past the check.
		if exists (select from jsonb_array_elements(arr) e
		           where e ? 'base_version' and case jsonb_typeof(e -> 'base_version')
		               when 'number' then (e ->> 'base_version')::numeric not between 0 and 2147483647
		                   or (e ->> 'base_version')::numeric % 1 <> 0
		               else true end) then
			raise exception 'push_batch: a row in "%" has a base_version that is not a whole number',
				t using errcode = '22023';
		end if;
		select coalesce(jsonb_object_agg((e ->> 'id')::uuid::text, e -> 'base_version'), '{}') into bases
		from jsonb_array_elements(arr) e where e ? 'base_version';
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
				where not ($4 ? t.id::text) or t.version = ($4 ->> t.id::text)::integer
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

	return jsonb_build_object('applied', applied, 'unchanged', unchanged, 'skipped', skipped,
		'stale', stale_all);
end
$$;
