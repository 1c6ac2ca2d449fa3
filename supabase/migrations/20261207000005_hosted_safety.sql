-- agentlogs cloud: safe on hosted Supabase (issue 13).
--
-- 1. Realtime that leaks nothing. Hosted Realtime streams the tables of the
--    publication supabase_realtime. It checks an INSERT or UPDATE against the
--    subscriber's SELECT policy, but sends every DELETE to every subscriber of
--    the table, RLS and filters ignored, with the row's primary key: with the
--    data tables published, the (user_id, id) of each user's purged rows
--    reached every other user, and a bulk push made one event per row. So the
--    data tables leave the publication, and each user gets one signal row in
--    public.sync_signals, the only table published:
--
--      * every transaction that writes a user's synced rows, by any path
--        (push_batch, REST upserts and deletes, purge_tombstones, cascades),
--        updates that user's signal once, at its commit: one UPDATE event
--        (an INSERT the first time), which Realtime only sends to the
--        subscribers whose SELECT policy admits the row, i.e. to that user;
--      * signal rows are never deleted by agentlogs. The one DELETE that can
--        happen is the cascade of an account's deletion, and its event carries
--        only the primary key: a random id that nobody else can ever read, not
--        the user_id.
--
--    agentlogs' client subscribes to sync_signals and pulls after each event.
--    agentlogs-server's realtime (which honours RLS for every event, and keeps
--    serving supabase-js channels on the data tables) hears of a signal
--    through the same agentlogs_notify trigger as any table.
--
--    Why at commit and not per statement: a transaction writes up to six
--    tables, and push_batch one statement per table; a per-statement signal
--    would be six events a push. A statement-level trigger on each synced
--    table queues the users it wrote (one row per transaction and user), and
--    a deferred constraint trigger on the queue turns the queue into signals
--    when the transaction commits. The signal row is locked only in that
--    moment: two machines of one user pushing at once do not wait on each
--    other for the length of a push, and since a transaction signals its users
--    in user_id order, two transactions cannot deadlock on signal rows.
--
-- 2. Every function of ours runs with search_path = '' (Supabase's security
--    advisor flags a function without it). The trigger functions of
--    20261125000002/20261206000002/20261207000004 name only pg_catalog
--    functions, so an ALTER suffices; the others had it already. The price,
--    which 20261125000002 had avoided: the setting is saved and restored on
--    each call, and the row triggers run once a row. Measured on a loaded
--    2-core machine, a 200,000-row INSERT into a table with one BEFORE ROW
--    trigger took 0.9-1.3 s without and 1.5-2.5 s with it: 3-6 us a row.
--
-- Tables synced in later migrations need the three agentlogs_signal_*
-- triggers below, and must stay out of the publication.

-- ---------------------------------------------------------------- signals
create table public.sync_signals (
	-- A random key: a DELETE event (an account deleted) names only this.
	id uuid primary key default gen_random_uuid(),
	user_id uuid not null unique references auth.users (id) on delete cascade,
	version bigint not null default 1,	-- raised by each signalling transaction
	changed_at timestamptz not null default now()
);

-- Only the SECURITY DEFINER functions below write it (as its owner: RLS is
-- enabled but not forced); a user reads their own row, nobody else's.
alter table public.sync_signals enable row level security;
create policy "own rows: select" on public.sync_signals for select to authenticated
	using (user_id = (select auth.uid()));
revoke all on public.sync_signals from public, anon, authenticated;
grant select on public.sync_signals to authenticated;
grant select on public.sync_signals to service_role;

-- The users a transaction wrote, until it commits (always empty outside one).
create table public.sync_signal_queue (
	txid xid8 not null,
	user_id uuid not null,
	primary key (txid, user_id)
);
alter table public.sync_signal_queue enable row level security;	-- no policy: nobody
revoke all on public.sync_signal_queue from public, anon, authenticated, service_role;

-- AFTER ... FOR EACH STATEMENT on every synced table: queue the users whose
-- rows the statement wrote, once per transaction.
create function public.agentlogs_signal_queue() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	-- The transition table exists under one of the two names, by event.
	if tg_op = 'DELETE' then
		insert into public.sync_signal_queue (txid, user_id)
		select distinct pg_catalog.pg_current_xact_id(), o.user_id from old_rows o
		on conflict do nothing;
	else
		insert into public.sync_signal_queue (txid, user_id)
		select distinct pg_catalog.pg_current_xact_id(), n.user_id from new_rows n
		on conflict do nothing;
	end if;
	return null;
end
$$;

-- Deferred to the commit, once per queued user: the first call signals every
-- user the transaction queued, in user_id order (a fixed lock order), and
-- empties its queue; the calls after it find nothing left. A user deleted in
-- this very transaction (its rows went with it) gets no signal.
create function public.agentlogs_signal_send() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
	with q as (
		delete from public.sync_signal_queue q
		where q.txid = pg_catalog.pg_current_xact_id()
		returning q.user_id
	)
	insert into public.sync_signals as s (user_id)
	select q.user_id from q
	where exists (select from auth.users u where u.id = q.user_id)
	order by q.user_id
	on conflict (user_id) do update
		set version = s.version + 1, changed_at = pg_catalog.now();
	return null;
end
$$;

create constraint trigger agentlogs_signal_send after insert on public.sync_signal_queue
	deferrable initially deferred
	for each row execute function public.agentlogs_signal_send();

do $$
declare
	t text;
begin
	foreach t in array public.agentlogs_synced_tables() loop
		execute format('create trigger agentlogs_signal_insert after insert on public.%I
			referencing new table as new_rows
			for each statement execute function public.agentlogs_signal_queue()', t);
		execute format('create trigger agentlogs_signal_update after update on public.%I
			referencing new table as new_rows
			for each statement execute function public.agentlogs_signal_queue()', t);
		execute format('create trigger agentlogs_signal_delete after delete on public.%I
			referencing old table as old_rows
			for each statement execute function public.agentlogs_signal_queue()', t);
	end loop;
end $$;

-- agentlogs-server's realtime: a signal is a change like any other.
create trigger agentlogs_notify_insert after insert on public.sync_signals
	referencing new table as new_rows
	for each statement execute function public.agentlogs_notify();
create trigger agentlogs_notify_update after update on public.sync_signals
	referencing new table as new_rows
	for each statement execute function public.agentlogs_notify();

revoke execute on function public.agentlogs_signal_queue(), public.agentlogs_signal_send()
	from public, anon, authenticated;

-- ---------------------------------------------------------------- publication
-- Only where hosted Supabase's publication exists (agentlogs-server has none).
-- A FOR ALL TABLES publication cannot leave tables out: say so.
do $$
declare
	t text;
begin
	if exists (select from pg_catalog.pg_publication
	           where pubname = 'supabase_realtime' and puballtables) then
		raise warning 'agentlogs: the publication supabase_realtime is FOR ALL TABLES: Realtime '
			'sends the DELETEs of the data tables, with their primary keys, to every user. '
			'Recreate it without them: drop publication supabase_realtime; '
			'create publication supabase_realtime for table public.sync_signals;';
	elsif exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
		for t in select p.tablename from pg_catalog.pg_publication_tables p
		         where p.pubname = 'supabase_realtime' and p.schemaname = 'public'
		           and p.tablename = any (public.agentlogs_synced_tables()) loop
			execute format('alter publication supabase_realtime drop table public.%I', t);
		end loop;
		alter publication supabase_realtime add table public.sync_signals;
	end if;
end $$;

-- ---------------------------------------------------------------- search_path
alter function public.agentlogs_stamp_txid() set search_path = '';
alter function public.agentlogs_lww() set search_path = '';
alter function public.agentlogs_notify() set search_path = '';
