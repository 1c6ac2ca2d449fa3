-- agentlogs cloud: the two sync functions, called as PostgREST RPC
-- (POST /rest/v1/rpc/<name> with a JSON object of named arguments).
--
-- Both are SECURITY INVOKER: they run as the caller (role authenticated), so
-- the row-level security of 20261125000003_rls.sql applies to every row they
-- touch. They add their own checks only to fail early and clearly.

-- ---------------------------------------------------------------- push
-- push_batch(payload jsonb) returns jsonb
--
-- Upserts a batch of whole commits (with their project, sessions, turns and
-- visuals) in the caller's one transaction, so another machine never pulls
-- half a commit. Each row goes through INSERT ... ON CONFLICT (user_id, id)
-- DO UPDATE, and the last-write-wins trigger decides whether an existing row
-- is replaced; an incoming row that loses to a newer stored one is reported
-- under "stale" with the stored clock, for the client's conflict handling.
--
-- payload:
--   {"machine_id": "<client machine-id>",           optional; touches machines
--    "projects":  [ {id, name, local_path, ...}, ... ],
--    "cognitive_commits": [ ... ]   (or "commits": the same),
--    "sessions":  [ ... ], "turns": [ ... ], "visuals": [ ... ]}
-- Every key but machine_id is an array of whole rows with the columns of the
-- table (missing ones take the column default on insert; on update the row is
-- replaced whole). Parents must come in the same batch or be in the cloud
-- already (foreign keys). user_id is the caller's: a row naming another user
-- fails the whole batch with 42501. origin_machine_id defaults to machine_id.
-- txid is ignored (the server sets it). Unknown keys fail with 22023, so a
-- newer client never has data dropped silently by an older server.
--
-- result (every table key present in each of the three counts):
--   {"applied":   {"projects": 1, "cognitive_commits": 2, "sessions": 2, "turns": 40, "visuals": 0},
--    "unchanged": {"projects": 0, ...},   kept: the cloud already had this exact clock
--    "skipped":   {"projects": 0, ...},   kept: the stored row is newer (listed in stale)
--    "stale": [{"table": "turns", "id": "<uuid>", "version": 4, "updated_at": "...",
--               "origin_machine_id": "...", "deleted_at": null}, ...]}   the stored clocks
-- A batch is all or nothing: any error (42501, 23503 missing parent, 23505,
-- 23514 bad closed_by or role, 22P02 bad uuid/time) rolls all of it back.
--
-- enable_seqscan is off inside: every lookup here has an index, and the
-- foreign-key checks of a big first push would otherwise keep a plan made
-- while the parent tables were empty, a sequential scan, once per row.
-- (agentlogs-server also drops cached plans after each write, because with
-- empty tables the planner may as well pick an index that starts with
-- user_id but lacks id, which scans all of a user's rows per check.)
create function public.push_batch(payload jsonb) returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
set enable_seqscan = off
as $$
declare
	uid uuid := auth.uid();
	machine text;
	k text;
	arr jsonb;
	commits jsonb;
	n_in integer;
	n_applied integer;
	kept_rows jsonb;
	kept jsonb := '{}';	-- table -> [{id, clock sent}] of rows the LWW trigger kept
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
		if k not in ('projects', 'commits', 'cognitive_commits', 'sessions', 'turns', 'visuals') then
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
	commits := coalesce(payload -> 'cognitive_commits', payload -> 'commits', '[]');

	if machine is not null then
		insert into public.machines (user_id, machine_id, last_sync_at)
		values (uid, machine, now())
		on conflict (user_id, machine_id) do update
			set last_sync_at = excluded.last_sync_at, updated_at = now();
	end if;

	-- ------------------------------------------------ upserts, parents first
	-- Each statement: dedupe the batch by id (ON CONFLICT cannot touch a row
	-- twice; the newest copy wins), insert with the caller's user_id and the
	-- columns' defaults for what is missing, and count what RETURNING shows:
	-- rows the LWW trigger kept are not returned; their clocks as sent are
	-- remembered for the report.

	-- projects
	with src as (
		select distinct on (r.id) r.*
		from jsonb_populate_recordset(null::public.projects, coalesce(payload -> 'projects', '[]')) r
		order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
			r.origin_machine_id collate "C" desc nulls last
	), ins as (
		insert into public.projects as t (user_id, id, name, local_path, remote_url, created_at,
			version, updated_at, deleted_at, origin_machine_id)
		select uid, s.id, s.name, s.local_path, s.remote_url, coalesce(s.created_at, now()),
			coalesce(s.version, 1), coalesce(s.updated_at, now()), s.deleted_at,
			coalesce(s.origin_machine_id, machine)
		from src s
		on conflict (user_id, id) do update set
			name = excluded.name, local_path = excluded.local_path,
			remote_url = excluded.remote_url, created_at = excluded.created_at,
			version = excluded.version, updated_at = excluded.updated_at,
			deleted_at = excluded.deleted_at, origin_machine_id = excluded.origin_machine_id
		returning t.id
	)
	select (select count(*) from src), (select count(*) from ins),
		(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
			'updated_at', s.updated_at, 'origin_machine_id', coalesce(s.origin_machine_id, machine)))
		 from src s where s.id not in (select id from ins))
	into n_in, n_applied, kept_rows;
	applied := applied || jsonb_build_object('projects', n_applied);
	kept := kept || jsonb_build_object('projects', coalesce(kept_rows, '[]'));

	-- cognitive_commits
	with src as (
		select distinct on (r.id) r.*
		from jsonb_populate_recordset(null::public.cognitive_commits, commits) r
		order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
			r.origin_machine_id collate "C" desc nulls last
	), ins as (
		insert into public.cognitive_commits as t (user_id, id, project_id, git_hash, git_subject,
			started_at, closed_at, closed_by, parallel, files_read, files_changed, source,
			project_name, first_prompt, turn_count, published, hidden, display_order, title,
			version, updated_at, deleted_at, origin_machine_id)
		select uid, s.id, s.project_id, s.git_hash, s.git_subject,
			s.started_at, s.closed_at, s.closed_by, coalesce(s.parallel, false),
			coalesce(s.files_read, '[]'), coalesce(s.files_changed, '[]'),
			coalesce(s.source, 'claude_code'), s.project_name, s.first_prompt,
			coalesce(s.turn_count, 0), coalesce(s.published, false), coalesce(s.hidden, false),
			coalesce(s.display_order, 0), s.title,
			coalesce(s.version, 1), coalesce(s.updated_at, now()), s.deleted_at,
			coalesce(s.origin_machine_id, machine)
		from src s
		on conflict (user_id, id) do update set
			project_id = excluded.project_id, git_hash = excluded.git_hash,
			git_subject = excluded.git_subject, started_at = excluded.started_at,
			closed_at = excluded.closed_at, closed_by = excluded.closed_by,
			parallel = excluded.parallel, files_read = excluded.files_read,
			files_changed = excluded.files_changed, source = excluded.source,
			project_name = excluded.project_name, first_prompt = excluded.first_prompt,
			turn_count = excluded.turn_count, published = excluded.published,
			hidden = excluded.hidden, display_order = excluded.display_order,
			title = excluded.title,
			version = excluded.version, updated_at = excluded.updated_at,
			deleted_at = excluded.deleted_at, origin_machine_id = excluded.origin_machine_id
		returning t.id
	)
	select (select count(*) from src), (select count(*) from ins),
		(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
			'updated_at', s.updated_at, 'origin_machine_id', coalesce(s.origin_machine_id, machine)))
		 from src s where s.id not in (select id from ins))
	into n_in, n_applied, kept_rows;
	applied := applied || jsonb_build_object('cognitive_commits', n_applied);
	kept := kept || jsonb_build_object('cognitive_commits', coalesce(kept_rows, '[]'));

	-- sessions
	with src as (
		select distinct on (r.id) r.*
		from jsonb_populate_recordset(null::public.sessions, coalesce(payload -> 'sessions', '[]')) r
		order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
			r.origin_machine_id collate "C" desc nulls last
	), ins as (
		insert into public.sessions as t (user_id, id, commit_id, claude_session_id, started_at,
			ended_at, cwd, git_branch, cli_version,
			version, updated_at, deleted_at, origin_machine_id)
		select uid, s.id, s.commit_id, s.claude_session_id, s.started_at,
			s.ended_at, s.cwd, s.git_branch, s.cli_version,
			coalesce(s.version, 1), coalesce(s.updated_at, now()), s.deleted_at,
			coalesce(s.origin_machine_id, machine)
		from src s
		on conflict (user_id, id) do update set
			commit_id = excluded.commit_id, claude_session_id = excluded.claude_session_id,
			started_at = excluded.started_at, ended_at = excluded.ended_at,
			cwd = excluded.cwd, git_branch = excluded.git_branch,
			cli_version = excluded.cli_version,
			version = excluded.version, updated_at = excluded.updated_at,
			deleted_at = excluded.deleted_at, origin_machine_id = excluded.origin_machine_id
		returning t.id
	)
	select (select count(*) from src), (select count(*) from ins),
		(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
			'updated_at', s.updated_at, 'origin_machine_id', coalesce(s.origin_machine_id, machine)))
		 from src s where s.id not in (select id from ins))
	into n_in, n_applied, kept_rows;
	applied := applied || jsonb_build_object('sessions', n_applied);
	kept := kept || jsonb_build_object('sessions', coalesce(kept_rows, '[]'));

	-- turns
	with src as (
		select distinct on (r.id) r.*
		from jsonb_populate_recordset(null::public.turns, coalesce(payload -> 'turns', '[]')) r
		order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
			r.origin_machine_id collate "C" desc nulls last
	), ins as (
		insert into public.turns as t (user_id, id, session_id, seq, role, content, thinking,
			"timestamp", tool_calls, model, message_id, input_tokens, output_tokens,
			cache_read_tokens, cache_creation_tokens,
			version, updated_at, deleted_at, origin_machine_id)
		select uid, s.id, s.session_id, s.seq, s.role, coalesce(s.content, ''), s.thinking,
			s."timestamp", coalesce(s.tool_calls, '[]'), s.model, s.message_id,
			coalesce(s.input_tokens, 0), coalesce(s.output_tokens, 0),
			coalesce(s.cache_read_tokens, 0), coalesce(s.cache_creation_tokens, 0),
			coalesce(s.version, 1), coalesce(s.updated_at, now()), s.deleted_at,
			coalesce(s.origin_machine_id, machine)
		from src s
		on conflict (user_id, id) do update set
			session_id = excluded.session_id, seq = excluded.seq, role = excluded.role,
			content = excluded.content, thinking = excluded.thinking,
			"timestamp" = excluded."timestamp", tool_calls = excluded.tool_calls,
			model = excluded.model, message_id = excluded.message_id,
			input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
			cache_read_tokens = excluded.cache_read_tokens,
			cache_creation_tokens = excluded.cache_creation_tokens,
			version = excluded.version, updated_at = excluded.updated_at,
			deleted_at = excluded.deleted_at, origin_machine_id = excluded.origin_machine_id
		returning t.id
	)
	select (select count(*) from src), (select count(*) from ins),
		(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
			'updated_at', s.updated_at, 'origin_machine_id', coalesce(s.origin_machine_id, machine)))
		 from src s where s.id not in (select id from ins))
	into n_in, n_applied, kept_rows;
	applied := applied || jsonb_build_object('turns', n_applied);
	kept := kept || jsonb_build_object('turns', coalesce(kept_rows, '[]'));

	-- visuals
	with src as (
		select distinct on (r.id) r.*
		from jsonb_populate_recordset(null::public.visuals, coalesce(payload -> 'visuals', '[]')) r
		order by r.id, r.version desc nulls last, r.updated_at desc nulls last,
			r.origin_machine_id collate "C" desc nulls last
	), ins as (
		insert into public.visuals as t (user_id, id, commit_id, turn_id, type, sha256, path,
			captured_at, caption, cloud_path,
			version, updated_at, deleted_at, origin_machine_id)
		select uid, s.id, s.commit_id, s.turn_id, s.type, s.sha256, s.path,
			s.captured_at, s.caption, s.cloud_path,
			coalesce(s.version, 1), coalesce(s.updated_at, now()), s.deleted_at,
			coalesce(s.origin_machine_id, machine)
		from src s
		on conflict (user_id, id) do update set
			commit_id = excluded.commit_id, turn_id = excluded.turn_id, type = excluded.type,
			sha256 = excluded.sha256, path = excluded.path, captured_at = excluded.captured_at,
			caption = excluded.caption, cloud_path = excluded.cloud_path,
			version = excluded.version, updated_at = excluded.updated_at,
			deleted_at = excluded.deleted_at, origin_machine_id = excluded.origin_machine_id
		returning t.id
	)
	select (select count(*) from src), (select count(*) from ins),
		(select jsonb_agg(jsonb_build_object('id', s.id, 'version', coalesce(s.version, 1),
			'updated_at', s.updated_at, 'origin_machine_id', coalesce(s.origin_machine_id, machine)))
		 from src s where s.id not in (select id from ins))
	into n_in, n_applied, kept_rows;
	applied := applied || jsonb_build_object('visuals', n_applied);
	kept := kept || jsonb_build_object('visuals', coalesce(kept_rows, '[]'));

	-- ------------------------------------------------ what the cloud kept
	-- A kept row whose stored clock equals the one sent is already there (a
	-- retried push): counted as unchanged, not listed. The others lost to a
	-- newer stored row: listed under "stale" with the stored clock. Read after
	-- the upserts (a new statement, a new snapshot): the current stored row,
	-- even if a concurrent push changed it meanwhile.
	for k in select key from jsonb_each(kept) loop
		execute format('select coalesce(jsonb_agg(jsonb_build_object(''table'', %L, ''id'', t.id,
				''version'', t.version, ''updated_at'', t.updated_at,
				''origin_machine_id'', t.origin_machine_id, ''deleted_at'', t.deleted_at)
				order by t.id), ''[]'')
			from jsonb_to_recordset($2) as i(id uuid, version integer, updated_at timestamptz,
			                                 origin_machine_id text)
			join public.%I t on t.user_id = $1 and t.id = i.id
			where (t.version, t.updated_at, t.origin_machine_id)
			      is distinct from (i.version, i.updated_at, i.origin_machine_id)', k, k)
			into stale using uid, kept -> k;
		skipped := skipped || jsonb_build_object(k, jsonb_array_length(stale));
		unchanged := unchanged || jsonb_build_object(k,
			jsonb_array_length(kept -> k) - jsonb_array_length(stale));
		stale_all := stale_all || stale;
	end loop;

	return jsonb_build_object('applied', applied, 'unchanged', unchanged, 'skipped', skipped,
		'stale', stale_all);
end
$$;

-- ---------------------------------------------------------------- pull
-- pull_changes(cursor_txid text default null, cursor_table text default null,
--              cursor_id uuid default null, page_size integer default 1000,
--              max_bytes integer default 8388608) returns jsonb
--
-- The caller's rows of every synced table changed after the cursor, oldest
-- change first, one page at a time. The order is (txid, table, id), table in
-- parent-first order: projects, cognitive_commits, sessions, turns, visuals.
-- One push writes rows of several tables under one txid, so the table is part
-- of the order and of the cursor, and a page may end anywhere inside a txid.
--
-- Nothing is skipped: rows are handed out only when their txid is below the
-- xmin of the current snapshot, i.e. when every transaction that could still
-- commit a row with a lower txid has ended. A row written by a fast writer
-- that committed while an older, slower writer is still open is held back
-- until the slow one ends, so a cursor never passes a row that has yet to
-- become visible. (A plain updated_at or sequence cursor would lose it.) The
-- price: a long transaction anywhere in the cluster delays every pull by its
-- length; pulls stay correct.
--
-- The cursor is the position of the last row handed out: next_cursor of the
-- previous page, passed back as its three fields. No cursor (all null) means
-- from the beginning; cursor_txid alone means "all of that txid and after".
-- A page holds at most page_size rows (1..1000) and stops early once it holds
-- max_bytes of records (at least one row always).
--
-- result:
--   {"rows": [{"table": "turns", "txid": "1234", "record": {<the row, minus txid>}}, ...],
--    "next_cursor": {"txid": "1234", "table": "turns", "id": "<uuid>"} | null,
--    "more": true | false}
-- next_cursor is the last row's position, or the given cursor when no row
-- came (null when none was given). txid is a decimal string: an xid8 is 64
-- bits, beyond a JSON double's exact range. "more" says another page is ready
-- now; rows held back by open transactions do not count.
--
-- Records are whole rows, tombstones (deleted_at set) included. A child can
-- arrive before its parent when the parent was rewritten later (its txid moved
-- on): apply a page with foreign keys deferred, or keep orphans until the
-- parent comes.
create function public.pull_changes(
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
	-- Every transaction with a lower txid has ended: its rows are final.
	horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
	c_txid xid8;
	c_rank integer;
	n integer := least(greatest(coalesce(page_size, 1000), 1), 1000);
	lim integer := greatest(coalesce(max_bytes, 8388608), 1);
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
		c_rank := case coalesce(cursor_table, '')
			when '' then 0
			when 'projects' then 1
			when 'cognitive_commits' then 2
			when 'sessions' then 3
			when 'turns' then 4
			when 'visuals' then 5
		end;
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
	-- Phase 2 reads only those rows whole.
	with keys as (
		(select 1 as rank, t.txid, t.id from public.projects t
		 where t.user_id = uid and t.txid >= c_txid and t.txid < horizon
		   and (t.txid > c_txid or 1 > c_rank or (1 = c_rank and (cursor_id is null or t.id > cursor_id)))
		 order by t.txid, t.id limit n + 1)
		union all
		(select 2, t.txid, t.id from public.cognitive_commits t
		 where t.user_id = uid and t.txid >= c_txid and t.txid < horizon
		   and (t.txid > c_txid or 2 > c_rank or (2 = c_rank and (cursor_id is null or t.id > cursor_id)))
		 order by t.txid, t.id limit n + 1)
		union all
		(select 3, t.txid, t.id from public.sessions t
		 where t.user_id = uid and t.txid >= c_txid and t.txid < horizon
		   and (t.txid > c_txid or 3 > c_rank or (3 = c_rank and (cursor_id is null or t.id > cursor_id)))
		 order by t.txid, t.id limit n + 1)
		union all
		(select 4, t.txid, t.id from public.turns t
		 where t.user_id = uid and t.txid >= c_txid and t.txid < horizon
		   and (t.txid > c_txid or 4 > c_rank or (4 = c_rank and (cursor_id is null or t.id > cursor_id)))
		 order by t.txid, t.id limit n + 1)
		union all
		(select 5, t.txid, t.id from public.visuals t
		 where t.user_id = uid and t.txid >= c_txid and t.txid < horizon
		   and (t.txid > c_txid or 5 > c_rank or (5 = c_rank and (cursor_id is null or t.id > cursor_id)))
		 order by t.txid, t.id limit n + 1)
	), page as (
		select * from keys order by txid, rank, id limit n + 1
	), recs as (
		select p.rank, p.txid, p.id, to_jsonb(t) - 'txid' as record
		from page p join public.projects t on t.user_id = uid and t.id = p.id where p.rank = 1
		union all
		select p.rank, p.txid, p.id, to_jsonb(t) - 'txid'
		from page p join public.cognitive_commits t on t.user_id = uid and t.id = p.id where p.rank = 2
		union all
		select p.rank, p.txid, p.id, to_jsonb(t) - 'txid'
		from page p join public.sessions t on t.user_id = uid and t.id = p.id where p.rank = 3
		union all
		select p.rank, p.txid, p.id, to_jsonb(t) - 'txid'
		from page p join public.turns t on t.user_id = uid and t.id = p.id where p.rank = 4
		union all
		select p.rank, p.txid, p.id, to_jsonb(t) - 'txid'
		from page p join public.visuals t on t.user_id = uid and t.id = p.id where p.rank = 5
	), numbered as (
		select r.*,
			(array['projects', 'cognitive_commits', 'sessions', 'turns', 'visuals'])[r.rank] as tbl,
			row_number() over w as ord,
			-- bytes of the rows before this one
			coalesce(sum(pg_column_size(r.record)) over (w rows between unbounded preceding
			                                               and 1 preceding), 0) as before
		from recs r
		window w as (order by r.txid, r.rank, r.id)
	), taken as (
		select *, ord <= n and (ord = 1 or before < lim) as keep from numbered
	)
	select jsonb_build_object(
		'rows', coalesce(jsonb_agg(jsonb_build_object('table', tbl, 'txid', txid::text,
			'record', record) order by ord) filter (where keep), '[]'),
		'next_cursor', (select jsonb_build_object('txid', l.txid::text, 'table', l.tbl, 'id', l.id)
		                from taken l where l.keep order by l.ord desc limit 1),
		'more', coalesce(bool_or(not keep), false))
	into result
	from taken;

	if result -> 'next_cursor' = 'null' and cursor_txid is not null then
		result := jsonb_set(result, '{next_cursor}', jsonb_build_object(
			'txid', c_txid::text, 'table', cursor_table, 'id', cursor_id));
	end if;
	return result;
end
$$;

-- The API: authenticated users (and the service role, which has no auth.uid()
-- and is refused inside). Hosted Supabase grants EXECUTE on new functions to
-- anon by default, and PostgreSQL to PUBLIC: take both away.
revoke execute on function public.push_batch(jsonb) from public, anon;
revoke execute on function public.pull_changes(text, text, uuid, integer, integer) from public, anon;
grant execute on function public.push_batch(jsonb) to authenticated, service_role;
grant execute on function public.pull_changes(text, text, uuid, integer, integer)
	to authenticated, service_role;
