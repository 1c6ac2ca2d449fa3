-- agentlogs cloud: pull_changes built as JSON text (issue 10, throughput).
--
-- A full pull spent most of the database's time turning rows into jsonb and
-- back: to_jsonb of every row, minus txid (a copy), wrapped by
-- jsonb_build_object, gathered by jsonb_agg, the page concatenated with the
-- watermark (another copy), and the whole sorted, binary jsonb printed as
-- text at the end. The answer is text on the wire anyway, so the page is now
-- built as json, which is text from the start: row_to_json of each row's
-- columns but txid, json_agg of the rows, nothing copied or sorted. Measured
-- on 40,000 turns, the records alone cost a sixth of the time they did
-- (bench/sync has the figures of a whole pull).
--
-- The answer's keys, values and order are those of 20261206000002 (read
-- 20261125000004 for the protocol); only the spacing differs (json prints no
-- blank after ':' and ','), and a page's byte limit counts the records' text.
-- The type returned becomes json, which PostgREST and agentlogs-server pass
-- through as it is: callers in SQL that used jsonb operators on the answer
-- cast it (pull_changes(...)::jsonb).
--
-- agentlogs_pull_page, pull_changes's page before the watermark was added,
-- is folded back into pull_changes: one function, one statement for the page.

drop function public.pull_changes(text, text, uuid, integer, integer);
drop function public.agentlogs_pull_page(text, text, uuid, integer, integer);

-- ---------------------------------------------------------------- columns
-- "t.id, t.user_id, ...": the columns of table t a pull hands out, every one
-- but txid (the feed position, given beside the record).
create function public.agentlogs_pull_columns(t text) returns text
language sql
stable
set search_path = ''
as $$
	select pg_catalog.string_agg(pg_catalog.format('t.%I', a.attname), ', ' order by a.attnum)
	from pg_catalog.pg_attribute a
	where a.attrelid = pg_catalog.format('public.%I', t)::pg_catalog.regclass
	  and a.attnum > 0 and not a.attisdropped and a.attname <> 'txid'
$$;

revoke execute on function public.agentlogs_pull_columns(text) from public, anon;
grant execute on function public.agentlogs_pull_columns(text) to authenticated, service_role;

-- ---------------------------------------------------------------- pull
create function public.pull_changes(
	cursor_txid text default null,
	cursor_table text default null,
	cursor_id uuid default null,
	page_size integer default 1000,
	max_bytes integer default 8388608)
returns json
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
	t text;
	page_rows json;
	next_cursor jsonb;
	more boolean;
	held boolean := false;
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
	-- Phase 2 reads only those rows whole, each straight into JSON text.
	-- Parameters: $1 uid, $2 c_txid, $3 horizon, $4 c_rank, $5 cursor_id, $6 n,
	-- $7 lim, $8 tables.
	for r in 1 .. array_length(tables, 1) loop
		keys := concat_ws(' union all ', keys, format($q$
			(select %1$s as rank, t.txid, t.id from public.%2$I t
			 where t.user_id = $1 and t.txid >= $2 and t.txid < $3
			   and (t.txid > $2 or %1$s > $4 or (%1$s = $4 and ($5 is null or t.id > $5)))
			 order by t.txid, t.id limit $6 + 1)$q$, r, tables[r]));
		recs := concat_ws(' union all ', recs, format($q$
			select p.rank, p.txid, p.id, (select pg_catalog.row_to_json(c) from (select %3$s) c)
				as record
			from page p join public.%2$I t on t.user_id = $1 and t.id = p.id
			where p.rank = %1$s$q$, r, tables[r], public.agentlogs_pull_columns(tables[r])));
	end loop;

	execute format($q$
		with keys as (%s), page as (
			select * from keys order by txid, rank, id limit $6 + 1
		), recs as (%s), numbered as (
			select r.*, $8[r.rank] as tbl,
				row_number() over w as ord,
				-- bytes of the records before this one
				coalesce(sum(pg_catalog.octet_length(r.record::text))
					over (w rows between unbounded preceding and 1 preceding), 0) as before
			from recs r
			window w as (order by r.txid, r.rank, r.id)
		), taken as (
			select *, ord <= $6 and (ord = 1 or before < $7) as keep from numbered
		)
		select pg_catalog.json_agg((select pg_catalog.row_to_json(o)
				from (select k.tbl as "table", k.txid::text as txid, k.record) o)
				order by k.ord) filter (where k.keep),
			(select pg_catalog.jsonb_build_object('txid', l.txid::text, 'table', l.tbl, 'id', l.id)
			 from taken l where l.keep order by l.ord desc limit 1),
			coalesce(bool_or(not k.keep), false)
		from taken k$q$, keys, recs)
	into page_rows, next_cursor, more
	using uid, c_txid, horizon, c_rank, cursor_id, n, lim, tables;

	if next_cursor is null and cursor_txid is not null then
		next_cursor := jsonb_build_object('txid', c_txid::text, 'table', cursor_table,
			'id', cursor_id);
	end if;
	-- The last page says whether rows are held back (20261206000002).
	if not more then
		foreach t in array tables loop
			execute format('select exists (select from public.%I where user_id = $1
				and txid >= $2)', t) into held using uid, horizon;
			exit when held;
		end loop;
	end if;
	return json_build_object(
		'rows', coalesce(page_rows, '[]'::json),
		'next_cursor', next_cursor,
		'more', more,
		'purge_watermark', (select w.txid::text from public.purge_watermarks w
		                    where w.user_id = uid),
		'held_back', held);
end
$$;

revoke execute on function public.pull_changes(text, text, uuid, integer, integer)
	from public, anon;
grant execute on function public.pull_changes(text, text, uuid, integer, integer)
	to authenticated, service_role;
