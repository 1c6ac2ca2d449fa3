-- agentlogs cloud: tombstone times and purging on the cloud's clock.
--
-- Until now deleted_at was the deleting machine's clock, and purge_tombstones
-- purged what the calling machine's clock called 30 days old. A machine whose
-- clock ran a year ahead purged every tombstone on its first sync, and one a
-- year behind stamped its deletes a year back, to be purged at once: either
-- way a machine that had not pulled the delete yet kept the row live, and its
-- next edit brought it back everywhere. Now:
--
-- * deleted_at is the cloud's: a row that arrives deleted (by push_batch or
--   REST) is stamped with the writing transaction's now(); a row that stays
--   deleted keeps the time the cloud first saw it; an undelete clears it.
-- * purge_tombstones purges what the cloud's clock calls 30 days old.
-- * Each purge records a watermark per user: the newest change-feed position
--   (txid) among the tombstones it removed. pull_changes reports it, and a
--   machine whose cursor is not past it may have missed a delete that is now
--   gone from the feed: it pulls everything again and drops the rows the cloud
--   no longer has (ARCHITECTURE §5, src/sync/pull.c).

-- ---------------------------------------------------------------- deleted_at
-- The triggers of 20261125000002 with one step added; the rest is unchanged
-- (read that file for why they look as they do).
create or replace function public.agentlogs_stamp_txid() returns trigger
language plpgsql
as $$
begin
	new.txid := pg_catalog.pg_current_xact_id();
	if new.deleted_at is not null then
		new.deleted_at := pg_catalog.now();
	end if;
	return new;
end
$$;

create or replace function public.agentlogs_lww() returns trigger
language plpgsql
as $$
begin
	if new.id is distinct from old.id then
		raise exception 'agentlogs: the id of a % row cannot change', tg_table_name
			using errcode = '42501';
	end if;

	if (new.version, new.updated_at, coalesce(new.origin_machine_id, '') collate "C")
	   <= (old.version, old.updated_at, coalesce(old.origin_machine_id, '') collate "C") then
		return null;
	end if;

	if new.deleted_at is not null then
		new.deleted_at := coalesce(old.deleted_at, pg_catalog.now());
	end if;
	new.txid := pg_catalog.pg_current_xact_id();
	return new;
end
$$;

-- ---------------------------------------------------------------- watermarks
create table public.purge_watermarks (
	user_id uuid primary key default auth.uid() references auth.users (id) on delete cascade,
	-- the newest txid among the tombstones purged so far
	txid xid8 not null,
	purged_at timestamptz not null default now()
);

alter table public.purge_watermarks enable row level security;
alter table public.purge_watermarks force row level security;
create policy "own rows: select" on public.purge_watermarks for select to authenticated
	using (user_id = (select auth.uid()));
create policy "own rows: insert" on public.purge_watermarks for insert to authenticated
	with check (user_id = (select auth.uid()));
create policy "own rows: update" on public.purge_watermarks for update to authenticated
	using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
revoke all on public.purge_watermarks from public, anon, authenticated;
grant select, insert, update on public.purge_watermarks to authenticated;
grant all on public.purge_watermarks to service_role;

-- ---------------------------------------------------------------- purge
-- purge_tombstones(before timestamptz default null) returns jsonb
--
-- Deletes the caller's rows deleted more than 30 days ago by the cloud's
-- clock, children of a purged commit with it (the foreign keys cascade).
-- before, the old clients' own cut-off, can only narrow that (an earlier
-- time); new clients leave it out. Raises the caller's purge watermark to the
-- newest txid purged. SECURITY INVOKER: row-level security limits it to the
-- caller's own rows, which the caller could delete through REST anyway.
--
-- result: {"purged": <commits purged>, "horizon": "<the cut-off used>"}
-- The client purges its own synced tombstones older than horizon: their
-- deleted_at came from the cloud, so both sides go by the same clock.
drop function public.purge_tombstones(timestamptz);

create function public.purge_tombstones(before timestamptz default null) returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
	uid uuid := auth.uid();
	horizon timestamptz := now() - interval '30 days';
	t text;
	w xid8;
	mark xid8;
	n integer;
	commits integer := 0;
begin
	if uid is null then
		raise exception 'purge_tombstones: not authenticated' using errcode = '42501';
	end if;
	if before < horizon then
		horizon := before;
	end if;
	-- Children first, so a commit's count covers only commits.
	foreach t in array array['turns', 'sessions', 'visuals', 'cognitive_commits', 'projects'] loop
		execute format('with d as (delete from public.%I where user_id = $1 and deleted_at < $2
			returning txid) select max(txid), count(*) from d', t)
			into w, n using uid, horizon;
		mark := greatest(mark, w);
		if t = 'cognitive_commits' then
			commits := n;
		end if;
	end loop;
	if mark is not null then
		insert into public.purge_watermarks as p (user_id, txid) values (uid, mark)
		on conflict (user_id) do update set txid = greatest(p.txid, excluded.txid),
			purged_at = now();
	end if;
	return jsonb_build_object('purged', commits, 'horizon', horizon);
end
$$;

revoke execute on function public.purge_tombstones(timestamptz) from public, anon;
grant execute on function public.purge_tombstones(timestamptz) to authenticated, service_role;

-- ---------------------------------------------------------------- pull
-- pull_changes answers as before (20261206000001), plus:
--   "purge_watermark": "<txid>" | null   the caller's watermark, a decimal string
--   "held_back": true | false             rows of the caller's are waiting for an
--                                         older transaction to end (only computed
--                                         on the last page: "more" false)
-- A machine drops the rows the cloud lacks only after a full pull that held
-- nothing back: a row rewritten meanwhile by another machine is in neither
-- place the feed can show, yet not gone.
alter function public.pull_changes(text, text, uuid, integer, integer)
	rename to agentlogs_pull_page;

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
	page jsonb := public.agentlogs_pull_page(cursor_txid, cursor_table, cursor_id, page_size,
		max_bytes);
	-- The same snapshot as the page's (one statement of a STABLE function's caller).
	horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
	t text;
	held boolean := false;
begin
	if not (page -> 'more')::boolean then
		foreach t in array public.agentlogs_synced_tables() loop
			execute format('select exists (select from public.%I where user_id = $1
				and txid >= $2)', t) into held using uid, horizon;
			exit when held;
		end loop;
	end if;
	return page || jsonb_build_object(
		'purge_watermark', (select w.txid::text from public.purge_watermarks w
		                    where w.user_id = uid),
		'held_back', held);
end
$$;

revoke execute on function public.pull_changes(text, text, uuid, integer, integer)
	from public, anon;
grant execute on function public.pull_changes(text, text, uuid, integer, integer)
	to authenticated, service_role;
