-- agentlogs cloud: conflicts sync (issue 10).
--
-- A conflict record (a curation field of a commit that two machines changed
-- differently) lived only on the machine that merged it. In auto mode that is
-- the machine whose value WON: the one whose value was replaced never learned
-- of it. Now every record goes to the cloud like any synced row, so each
-- machine of the account lists it, and resolving or acknowledging it on one
-- machine closes it everywhere.
--
-- A record is written from the view of the machine that found it (the
-- client translates on the others):
--   local_value, local_machine   that machine's value and its machine-id
--   cloud_value, cloud_machine   the value the cloud held, and the machine
--                                whose write put it there (origin_machine_id)
--   winner                       'local' or 'cloud' (the last write, settled),
--                                null while held for the person
--   state                        open, acknowledged (reviewed, nothing
--                                changed) or resolved (a value chosen), with
--                                resolved_at and resolved_by (a machine-id)
-- The id is derived by the client from the commit, the field and the two
-- values, so two machines that find the same conflict write one record.
--
-- It is one more synced table: the sync columns of 20261125000001, the
-- triggers of 20261125000002 (txid, last-write-wins, realtime notify), the
-- "own rows only" policies of 20261125000003, the Realtime publication of
-- 20261125000005, and one more name in agentlogs_synced_tables(), appended
-- (the list's order is part of every saved cursor), which push_batch and
-- pull_changes read.

create table public.conflicts (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	table_name text not null default 'cognitive_commits',
	record_id uuid not null,
	field text not null,
	local_value text,		-- JSON text, as the client shows it
	cloud_value text,
	local_row_version integer,	-- the commit's versions when the conflict was found
	cloud_row_version integer,
	local_machine text,
	cloud_machine text,
	winner text check (winner in ('local', 'cloud')),
	detected_at timestamptz not null,
	state text not null default 'open' check (state in ('open', 'acknowledged', 'resolved')),
	resolved_at timestamptz,
	resolved_by text,

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	-- No foreign key to the commit: a record found before the commit was
	-- purged here must not make every later push of its machine fail.
	primary key (user_id, id)
);

create index conflicts_feed_idx on public.conflicts (user_id, txid, id);
create index conflicts_record_idx on public.conflicts (user_id, record_id);
create index conflicts_deleted_idx on public.conflicts (deleted_at) where deleted_at is not null;

-- ---------------------------------------------------------------- triggers
create trigger agentlogs_stamp_txid before insert on public.conflicts
	for each row execute function public.agentlogs_stamp_txid();
create trigger agentlogs_lww before update on public.conflicts
	for each row execute function public.agentlogs_lww();
create trigger agentlogs_notify_insert after insert on public.conflicts
	referencing new table as new_rows
	for each statement execute function public.agentlogs_notify();
create trigger agentlogs_notify_update after update on public.conflicts
	referencing new table as new_rows
	for each statement execute function public.agentlogs_notify();
create trigger agentlogs_notify_delete after delete on public.conflicts
	referencing old table as old_rows
	for each statement execute function public.agentlogs_notify();

-- ---------------------------------------------------------------- own rows only
alter table public.conflicts enable row level security;
alter table public.conflicts force row level security;
create policy "own rows: select" on public.conflicts for select to authenticated
	using (user_id = (select auth.uid()));
create policy "own rows: insert" on public.conflicts for insert to authenticated
	with check (user_id = (select auth.uid()));
create policy "own rows: update" on public.conflicts for update to authenticated
	using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "own rows: delete" on public.conflicts for delete to authenticated
	using (user_id = (select auth.uid()));
revoke all on public.conflicts from public, anon, authenticated;
grant select, insert, update, delete on public.conflicts to authenticated;
grant all on public.conflicts to service_role;

-- ---------------------------------------------------------------- realtime
do $$
begin
	if exists (select from pg_catalog.pg_publication
	           where pubname = 'supabase_realtime' and not puballtables)
	   and not exists (select from pg_catalog.pg_publication_tables
	                   where pubname = 'supabase_realtime' and schemaname = 'public'
	                     and tablename = 'conflicts') then
		alter publication supabase_realtime add table public.conflicts;
	end if;
end $$;

-- ---------------------------------------------------------------- the list
-- 20261206000001's list with conflicts appended (children of commits, after
-- every table they may name).
create or replace function public.agentlogs_synced_tables() returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
	select array['projects', 'cognitive_commits', 'sessions', 'turns', 'visuals', 'conflicts']
$$;
