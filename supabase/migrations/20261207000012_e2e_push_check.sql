-- agentlogs cloud: push_batch refuses content sealed with a key that is not
-- the account's current one (issue 15, "a wrong key must never mix
-- ciphertexts").
--
-- Every machine checks the account's key check (e2e_keys) before a sync, but
-- between that check and its push another machine may rotate the key (or
-- turn end-to-end encryption off): the first machine would then push a batch
-- sealed under the old key, and the account would hold two keys' ciphertexts
-- that no single machine can read. The cloud now decides at the moment of the
-- write: a content column of a pushed row (agentlogs_content_columns, the
-- CONTENT() columns of src/sync/tables.c) must be
--
-- * with a row in e2e_keys: sealed ("e2e1:" + base64url(key id | ...)) with
--   the key whose id the check value starts with (the id is the check value's
--   first 4 bytes: see src/privacy/e2e.h), or one of the defaults the cloud
--   itself fills in for a null ('' and '[]');
-- * without one: not sealed at all.
--
-- Anything else refuses the whole batch, nothing written, with SQLSTATE AE2E1
-- (another key, or plain text) or AE2E2 (sealed, and the account has no key:
-- key disable ran elsewhere), which the client turns into one line ("the
-- account's encryption key changed on another machine: import it with
-- agentlogs key import").
--
-- Cost: the key row is read once a batch, FOR SHARE, so a rotation waits for
-- a push that already passed this check (or the push sees the new key), and
-- each value gets a prefix test of its first 11 characters: the key id's 32
-- bits are the first 5 base64url characters (30 bits) and the top 2 bits of
-- the 6th. The test runs in the upsert's own statement, on the rows it has
-- already read from the JSON (a separate pass taking each value out of the
-- JSON again cost about 6 times as much), and a refused batch is undone by
-- the exception. No per-value function call (a function with its own
-- search_path is never inlined).
--
-- Writes through the REST tables themselves (PostgREST upserts) are not
-- checked: agentlogs pushes only through push_batch.
--
-- push_batch is restated whole; apart from the lines marked "e2e" it is that
-- of 20261207000008.

-- The content columns of a synced table ('commits': cognitive_commits'), as
-- src/sync/tables.c marks them; null for a table without any.
create or replace function public.agentlogs_content_columns(t text) returns text[]
language sql
immutable
set search_path = ''
as $$
	select case t
		when 'cognitive_commits' then array['git_subject', 'files_read', 'files_changed',
			'first_prompt', 'title']
		when 'commits' then array['git_subject', 'files_read', 'files_changed',
			'first_prompt', 'title']
		when 'turns' then array['content', 'thinking', 'tool_calls']
		when 'visuals' then array['caption']
		when 'conflicts' then array['local_value', 'cloud_value']
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
	key_check text;		-- e2e: the account's check value, null without e2e
	sealed_head text;	-- e2e: 'e2e1:' and the key id's first 30 bits
	sealed_next text;	-- e2e: the 16 characters its next 2 bits allow
	content_cols text[];
	bad_check text;		-- e2e: "is any content value of src not as it must be?"
	bad_value boolean;
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
		-- e2e: every content value sealed with the account's key ($5, $6), or,
		-- without one ($5 null), none sealed; tested on the rows as the upsert
		-- reads them, so no value is taken out of the JSON a second time.
		content_cols := public.agentlogs_content_columns(t);
		bad_check := case when content_cols is null then 'false' else pg_catalog.format($q$
			exists (select 1 from src s, lateral (values %s) v(s)
			        where v.s is not null and v.s <> '' and v.s <> '[]' and case
			        when $5::text is null then left(v.s, 5) = 'e2e1:'
			        else not (left(v.s, 10) = $5 and substr(v.s, 11, 1) <> ''
			                  and strpos($6, substr(v.s, 11, 1)) > 0) end)$q$,
			(select pg_catalog.string_agg(pg_catalog.format('(s.%I::text)', c), ', ')
			 from unnest(content_cols) c)) end;
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
				 from src s where s.id not in (select id from ins)),
				%5$s$q$,
			t, l.cols, l.vals, l.sets, bad_check)
		into n_applied, kept_rows, bad_value
		using arr, uid, machine, bases, sealed_head, sealed_next;
		-- e2e: the whole push undone (the exception rolls back its transaction).
		if bad_value then
			if key_check is null then
				raise exception 'push_batch: a row in "%" is sealed but the account has no end-to-end key', t
					using errcode = 'AE2E2',
					hint = 'end-to-end encryption was turned off on another machine';
			end if;
			raise exception 'push_batch: a row in "%" is not sealed with the account''s current end-to-end key', t
				using errcode = 'AE2E1', hint = 'the account''s key changed on another machine';
		end if;

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
