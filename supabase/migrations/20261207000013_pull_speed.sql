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
--   the cursor to the horizon, sorted: 109,000 turns read for a page of 1,000
--   in the middle of bench/sync's pull, whose database CPU was 14-17 s against
--   4-4.5 s once analysed. Bitmap scans are off inside this function, so each
--   table's candidates come in index order and stop at the page's size.
-- - A row's JSON is built once, in feed order: the record and the row around
--   it in one pass (row_to_json of a row whose last column is the record),
--   then the page. The old statement built the records, numbered them with a
--   window (a sort), kept them in a CTE read twice, and built each row again
--   around its record. The byte limit (max_bytes) is checked against the
--   records' sum before the page's last row; only a page that reaches it, 8 MB
--   by default, is cut row by row (a second statement), at the same row as
--   before.
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
	lines text;
	page_sql text;
	answer_sql text;
	before_last bigint;
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
	-- answers "more"). "After the cursor" for a table of rank r: txid > c_txid,
	-- or txid = c_txid and (r > c_rank, or r = c_rank and id > cursor_id),
	-- written for each r as the index condition it is. Phase 2 reads the
	-- page's rows whole, in feed order, each straight into the JSON text it is
	-- answered as: {"table":..,"txid":..,"record":{..}}.
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
		lines := concat_ws(' ', lines, format($q$
			when %1$s then (select pg_catalog.row_to_json(o) from public.%2$I t,
				lateral (select %2$L as "table", p.txid::text as txid,
					(select c from (select %3$s) c) as record) o
				where t.user_id = $1 and t.id = p.id)$q$,
			r, tables[r], public.agentlogs_pull_columns(tables[r])));
	end loop;
	-- A record's bytes, which max_bytes counts, are its line's less the text
	-- around it: 32 bytes and the table's and txid's (neither is escaped).
	page_sql := format($q$
		with cand as materialized (
			select * from (%s) u order by u.txid, u.rank, u.id limit $5 + 1
		), page as materialized (
			select c.*, pg_catalog.row_number() over (order by c.txid, c.rank, c.id) as ord
			from cand c order by c.txid, c.rank, c.id limit $5
		), sized as (
			select p.ord, y.line, pg_catalog.octet_length(y.line::text) - 32
				- pg_catalog.octet_length($7[p.rank]) - pg_catalog.octet_length(p.txid::text)
				as bytes
			-- offset 0: the line is built once, not once for each use of it
			from page p, lateral (select case p.rank %s end as line offset 0) y
		)$q$, keys, lines);

	-- The page and what it needs besides: the bytes of its records but the
	-- last (below max_bytes, the usual case, every row is kept), its last
	-- row's position, and whether a row follows.
	answer_sql := page_sql || $q$
		select pg_catalog.json_agg(x.line order by x.ord),
			coalesce(sum(x.bytes) filter (where x.ord < (select count(*) from page)), 0),
			(select pg_catalog.jsonb_build_object('txid', l.txid::text, 'table', $7[l.rank],
				'id', l.id) from page l order by l.ord desc limit 1),
			(select count(*) from cand) > $5
		from sized x$q$;
	execute answer_sql into page_rows, before_last, next_cursor, more
		using uid, c_txid, horizon, cursor_id, n, lim, tables;
	-- The records pass max_bytes before the last row (rare: 8 MB by default):
	-- the page ends before the first row that starts at or past it (one row
	-- at least); the answer is that of a page of that many rows, and more
	-- follow.
	if before_last >= lim then
		execute page_sql || $q$
			select count(*) from (
				select sum(x.bytes) over (order by x.ord
					rows between unbounded preceding and 1 preceding) as before
				from sized x) b
			where b.before is null or b.before < $6$q$
		into n using uid, c_txid, horizon, cursor_id, n, lim, tables;
		execute answer_sql into page_rows, before_last, next_cursor, more
			using uid, c_txid, horizon, cursor_id, n, lim, tables;
	end if;

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
