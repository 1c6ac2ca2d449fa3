-- agentlogs cloud: pull_changes reads only the rows of the page (issue 10, throughput).
--
-- The answer is that of 20261207000003 (read 20261125000004 and
-- 20261206000002 for the protocol): the same keys, values, order, page cuts
-- and cursor. What changes is how the database finds the page:
--
-- - Each table's candidates start exactly after the cursor. The old bound
--   "txid >= cursor, then (txid > cursor or id > cursor id)" left the id test
--   out of the index condition, so every page inside one large transaction
--   (a push writes thousands of turns under one txid) walked the index from
--   the start of that transaction again. The bound is now the row comparison
--   (txid, id) > (cursor txid, cursor id) for the cursor's table, txid > cursor
--   for the tables before it and txid >= cursor for those after it: all three
--   are index conditions on (user_id, txid, id).
-- - The plan no longer depends on statistics. Right after a large push the
--   tables are not analysed yet, the planner takes the feed's range for a few
--   rows, and read each page's candidates with a bitmap scan of every row from
--   the cursor to the horizon, sorted: 100,000 rows read to hand out 1,000,
--   about two thirds of a first pull's database time (bench/README.md). Bitmap
--   scans are turned off inside this function, so each table's candidates come
--   in index order and stop at the page's size, whatever the statistics say.
-- - A row's JSON is built once: the record's text and the row around it are
--   written in one pass (row_to_json of a row whose last column is the record),
--   and the record's bytes, which a page's byte limit counts, are the row's
--   bytes less the fixed text around the record.
--
-- The type returned stays json; callers and grants are unchanged.

create or replace function public.pull_changes(
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
-- Statistics lag a bulk push: without them a bitmap scan of everything past
-- the cursor looks cheapest (see above). The feed is read in index order.
set enable_bitmapscan = off
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
	after text;
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
	-- answers "more"), numbered in feed order. "After the cursor" for a table
	-- of rank r: txid > c_txid, or txid = c_txid and (r > c_rank, or r = c_rank
	-- and id > cursor_id), written for each r as the index condition it is.
	-- Phase 2 reads only those rows whole, each straight into its JSON text.
	-- Parameters: $1 uid, $2 c_txid, $3 horizon, $4 cursor_id, $5 n, $6 lim,
	-- $7 tables.
	for r in 1 .. array_length(tables, 1) loop
		after := case
			when r < c_rank then 't.txid > $2'
			when r > c_rank or cursor_id is null then 't.txid >= $2'
			else '(t.txid, t.id) > ($2, $4)' end;
		keys := concat_ws(' union all ', keys, format($q$
			(select %1$s as rank, t.txid, t.id from public.%2$I t
			 where t.user_id = $1 and %3$s and t.txid < $3
			 order by t.txid, t.id limit $5 + 1)$q$, r, tables[r], after));
		-- The row as it is answered: {"table":..,"txid":..,"record":{..}}.
		recs := concat_ws(' union all ', recs, format($q$
			select p.ord, p.rank, p.txid, p.id, pg_catalog.row_to_json(o) as line
			from page p join public.%2$I t on t.user_id = $1 and t.id = p.id,
				lateral (select %3$L as "table", p.txid::text as txid,
					(select c from (select %4$s) c) as record) o
			where p.rank = %1$s$q$, r, tables[r], tables[r],
			public.agentlogs_pull_columns(tables[r])));
	end loop;

	-- A record's bytes are its line's less the text around it:
	-- {"table":"<table>","txid":"<txid>","record":<record>} is 32 bytes and
	-- the table's and txid's (neither needs escaping).
	execute format($q$
		with page as (
			select k.*, pg_catalog.row_number() over (order by k.txid, k.rank, k.id) as ord
			from (select * from (%s) u order by u.txid, u.rank, u.id limit $5 + 1) k
		), recs as (%s), numbered as (
			select r.*,
				coalesce(sum(pg_catalog.octet_length(r.line::text) - 32
						- pg_catalog.octet_length($7[r.rank])
						- pg_catalog.octet_length(r.txid::text))
					over (order by r.ord rows between unbounded preceding and 1 preceding), 0)
					as before
			from recs r
		), taken as (
			select *, ord <= $5 and (ord = 1 or before < $6) as keep from numbered
		)
		select pg_catalog.json_agg(k.line order by k.ord) filter (where k.keep),
			(select pg_catalog.jsonb_build_object('txid', l.txid::text, 'table', $7[l.rank],
				'id', l.id)
			 from taken l where l.keep order by l.ord desc limit 1),
			coalesce(bool_or(not k.keep), false)
		from taken k$q$, keys, recs)
	into page_rows, next_cursor, more
	using uid, c_txid, horizon, cursor_id, n, lim, tables;

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
