-- agentlogs cloud: the triggers every synced table shares.
--
--   BEFORE INSERT  agentlogs_stamp_txid   the change-feed position
--   BEFORE UPDATE  agentlogs_lww          last-write-wins, then the position
--   AFTER  I/U/D   agentlogs_notify_*     the realtime nudge (per statement)
--
-- They are plain (SECURITY INVOKER) trigger functions without a SET clause:
-- a SET search_path would cost a settings save/restore on every row of a bulk
-- upsert, so they name only pg_catalog functions instead.

-- ---------------------------------------------------------------- change feed
-- txid records the transaction that last wrote the row. The column default
-- already says pg_current_xact_id(), but a client could send a txid of its own
-- (a REST insert naming the column) and hide the row from other machines' pulls,
-- so the trigger always overwrites it. pg_current_xact_id() is the top-level
-- transaction's id even inside a savepoint, which is what the snapshot xmin of
-- pull_changes() compares against.
create function public.agentlogs_stamp_txid() returns trigger
language plpgsql
as $$
begin
	new.txid := pg_catalog.pg_current_xact_id();
	return new;
end
$$;

-- ---------------------------------------------------------------- last write wins
-- Keeps the stored row unless the incoming one is newer by (version, then
-- updated_at, then origin_machine_id). Returning NULL from a BEFORE UPDATE row
-- trigger skips the row: the DO UPDATE of INSERT ... ON CONFLICT becomes a
-- silent no-op for it (no error, not counted, not RETURNed, no AFTER trigger,
-- no change-feed entry), so a stale or repeated push can never overwrite newer
-- data, whichever path it takes (push_batch, REST upsert, REST PATCH).
--
-- Consequences for writers: every change must raise version (or at least
-- updated_at); an identical re-push is a no-op, which keeps a retried push from
-- waking every other machine. origin_machine_id compares bytewise (COLLATE
-- "C") so the tie-break is the same on every server whatever its locale; a
-- missing one sorts first.
create function public.agentlogs_lww() returns trigger
language plpgsql
as $$
begin
	-- An id is immutable: a changed one would strand the old id on every other
	-- machine. (A user_id naming someone else is refused by RLS WITH CHECK.)
	if new.id is distinct from old.id then
		raise exception 'agentlogs: the id of a % row cannot change', tg_table_name
			using errcode = '42501';
	end if;

	if (new.version, new.updated_at, coalesce(new.origin_machine_id, '') collate "C")
	   <= (old.version, old.updated_at, coalesce(old.origin_machine_id, '') collate "C") then
		return null;
	end if;

	new.txid := pg_catalog.pg_current_xact_id();
	return new;
end
$$;

-- ---------------------------------------------------------------- realtime
-- Every committed change is announced on channel 'agentlogs_changes'. The
-- payload is small and fixed (no content: NOTIFY payloads must stay under
-- 8000 bytes, and the feed must never carry a conversation to the wrong
-- socket); it names the owner so agentlogs-server's LISTEN connection can
-- forward it only to that user's sockets. Notifications are delivered at
-- commit, and never for a row the LWW trigger skipped. Realtime is a nudge:
-- the client answers it with pull_changes().
--
--   {"schema": "public", "table": "turns", "type": "INSERT" | "UPDATE" | "DELETE",
--    "user_id": "<uuid>", "id": "<uuid>", "version": 3,
--    "commit_timestamp": "<the writing transaction's start, ISO 8601>"}
--
-- The triggers run once per statement, over its transition table: a row-level
-- NOTIFY for each of the thousands of rows a push writes made the notification
-- queue the bottleneck of bulk pushes. A statement that wrote up to 10 rows of
-- a user announces each of them as above; a bigger one announces the batch
-- once per user, with "id" and "version" null and "count" set, which is all a
-- nudge needs.
-- Only the key columns are read: a turn's content never crosses into JSON.
create function public.agentlogs_notify() returns trigger
language plpgsql
as $$
declare
	changed jsonb;
	u record;
	r jsonb;
begin
	-- The transition table exists under one of the two names, by event.
	if tg_op = 'DELETE' then
		select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('user_id', o.user_id,
			'id', o.id, 'version', o.version)) into changed from old_rows o;
	else
		select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('user_id', n.user_id,
			'id', n.id, 'version', n.version)) into changed from new_rows n;
	end if;
	for u in select e ->> 'user_id' as user_id, pg_catalog.count(*) as n,
			pg_catalog.jsonb_agg(e) as rs
		from pg_catalog.jsonb_array_elements(coalesce(changed, '[]')) e group by 1 loop
		if u.n <= 10 then
			for r in select * from pg_catalog.jsonb_array_elements(u.rs) loop
				perform pg_catalog.pg_notify('agentlogs_changes', pg_catalog.jsonb_build_object(
					'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
					'user_id', u.user_id, 'id', r ->> 'id',
					'version', (r ->> 'version')::integer,
					'commit_timestamp', pg_catalog.now())::text);
			end loop;
		else
			perform pg_catalog.pg_notify('agentlogs_changes', pg_catalog.jsonb_build_object(
				'schema', tg_table_schema, 'table', tg_table_name, 'type', tg_op,
				'user_id', u.user_id, 'id', null, 'version', null, 'count', u.n,
				'commit_timestamp', pg_catalog.now())::text);
		end if;
	end loop;
	return null;	-- AFTER trigger: the result is ignored
end
$$;

-- ---------------------------------------------------------------- attach
do $$
declare
	t text;
begin
	foreach t in array array['projects', 'cognitive_commits', 'sessions', 'turns', 'visuals'] loop
		execute format('create trigger agentlogs_stamp_txid before insert on public.%I
			for each row execute function public.agentlogs_stamp_txid()', t);
		execute format('create trigger agentlogs_lww before update on public.%I
			for each row execute function public.agentlogs_lww()', t);
		execute format('create trigger agentlogs_notify_insert after insert on public.%I
			referencing new table as new_rows
			for each statement execute function public.agentlogs_notify()', t);
		execute format('create trigger agentlogs_notify_update after update on public.%I
			referencing new table as new_rows
			for each statement execute function public.agentlogs_notify()', t);
		execute format('create trigger agentlogs_notify_delete after delete on public.%I
			referencing old table as old_rows
			for each statement execute function public.agentlogs_notify()', t);
	end loop;
end $$;

-- Trigger functions are never called directly; nobody needs EXECUTE on them.
revoke execute on function public.agentlogs_stamp_txid(), public.agentlogs_lww(),
	public.agentlogs_notify() from public, anon, authenticated;
