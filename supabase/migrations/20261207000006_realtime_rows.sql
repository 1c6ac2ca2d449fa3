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
-- crosses into JSON. Cost (EXPLAIN ANALYZE, 4,560 rows in one INSERT, best of
-- 7 on a busy machine): 10.7 ms against 1.8 ms for the ten-id version, for 46
-- messages instead of one.
create or replace function public.agentlogs_notify() returns trigger
language plpgsql
set search_path = ''
as $$
declare
	c refcursor;
	u record;
	i integer;
begin
	-- The transition table exists under one of the two names, by event (a
	-- dynamic statement sees it too). Each user's ids and versions are
	-- gathered in the transition table's order (array_agg keeps its input's
	-- order), then sent 100 at a time: no sort, one pass over the rows.
	open c for execute pg_catalog.format(
		'select x.user_id, pg_catalog.array_agg(x.id) as ids,
			pg_catalog.array_agg(x.version) as versions
		from %I x group by x.user_id',
		case tg_op when 'DELETE' then 'old_rows' else 'new_rows' end);
	loop
		fetch c into u;
		exit when not found;
		for i in 0 .. (pg_catalog.array_length(u.ids, 1) - 1) / 100 loop
			perform pg_catalog.pg_notify('agentlogs_changes', pg_catalog.jsonb_build_object(
				'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
				'user_id', u.user_id,
				'ids', pg_catalog.to_jsonb(u.ids[i * 100 + 1 : i * 100 + 100]),
				'versions', pg_catalog.to_jsonb(u.versions[i * 100 + 1 : i * 100 + 100]),
				'commit_timestamp', pg_catalog.now())::text);
		end loop;
	end loop;
	close c;
	return null;	-- AFTER trigger: the result is ignored
end
$$;

revoke execute on function public.agentlogs_notify() from public, anon, authenticated;
