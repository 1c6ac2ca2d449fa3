-- agentlogs cloud: the realtime trigger names every changed row (issue 13).
--
-- Hosted Realtime gives a subscriber one event per changed row, whatever the
-- statement wrote. agentlogs_notify announced a statement's rows one by one
-- only up to ten rows of a user; above that it sent one message with "count"
-- and no ids, so a supabase-js channel on agentlogs-server got a single change
-- for a bulk write. Now every message names a chunk of one user's rows:
--
--   {"schema": "public", "table": "turns", "type": "INSERT" | "UPDATE" | "DELETE",
--    "user_id": "<uuid>", "ids": ["<uuid>", ...], "versions": [3, ...],
--    "commit_timestamp": "<the writing transaction's start>"}
--
-- up to 100 rows a message, in the statement's order: 100 ids and versions
-- take about 5,300 bytes of NOTIFY's 8,000. agentlogs-server expands each
-- message into one event per row for a supabase-js channel (reading the rows
-- as the subscriber, in one query per message) and sends agentlogs' own client
-- one nudge per message. Only the key columns are read: a turn's content never
-- crosses into JSON.
create or replace function public.agentlogs_notify() returns trigger
language plpgsql
set search_path = ''
as $$
declare
	c refcursor;
	u record;
begin
	-- The transition table exists under one of the two names, by event (a
	-- dynamic statement sees it too). The window without ORDER BY numbers the
	-- rows as the transition table holds them; each user's rows are then cut
	-- into chunks of 100 in that order.
	open c for execute pg_catalog.format($q$
		select k.user_id,
			pg_catalog.jsonb_agg(k.id order by k.n) as ids,
			pg_catalog.jsonb_agg(k.version order by k.n) as versions
		from (select r.user_id, r.id, r.version, r.n,
				(pg_catalog.row_number() over (partition by r.user_id order by r.n) - 1)
					/ 100 as chunk
			from (select w.user_id, w.id, w.version, pg_catalog.row_number() over () as n
				from %I w) r) k
		group by k.user_id, k.chunk
		order by pg_catalog.min(k.n)$q$,
		case tg_op when 'DELETE' then 'old_rows' else 'new_rows' end);
	loop
		fetch c into u;
		exit when not found;
		perform pg_catalog.pg_notify('agentlogs_changes', pg_catalog.jsonb_build_object(
			'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
			'user_id', u.user_id, 'ids', u.ids, 'versions', u.versions,
			'commit_timestamp', pg_catalog.now())::text);
	end loop;
	close c;
	return null;	-- AFTER trigger: the result is ignored
end
$$;

revoke execute on function public.agentlogs_notify() from public, anon, authenticated;
