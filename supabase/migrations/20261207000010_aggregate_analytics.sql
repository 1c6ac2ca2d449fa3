-- agentlogs cloud: opt-in aggregate analytics (the seed's Phase 6).
--
-- An opted-in machine upserts at most one row a day: counts with Laplace
-- noise already added on the machine (src/privacy/aggregate.h), never a
-- string of the person's. The row's owner and day are the defaults
-- (auth.uid(), today in UTC): the client sends neither.
--
-- Who reads what:
-- - the owner may insert, update, delete and read back their own rows (an
--   upsert, INSERT ... ON CONFLICT DO UPDATE, needs the SELECT policy);
-- - nobody reads anyone else's row: there is no other policy, and anon has
--   no privilege on the table at all;
-- - everyone (anon included) calls public.analytics_totals(), which returns
--   sums over the latest upload of every person, and only when at least two
--   people contribute: never one person's figures.

create table public.analytics_uploads (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	day date not null default ((now() at time zone 'utc')::date),
	version integer not null,
	epsilon double precision not null check (epsilon > 0),
	figures jsonb not null,
	uploaded_at timestamptz not null default now(),
	primary key (user_id, day)
);

-- The upload's shape: the figures agentlogs sends (src/privacy/aggregate.c),
-- by name, each a non-negative number; nothing else. So the table cannot hold
-- text: no prompt, path or name can be stored in it, even by a client that
-- tried. A new figure needs a new migration that replaces this function.
create function public.analytics_figure_names(grp text) returns text[]
language sql immutable
set search_path = ''
as $$
	select case grp
	when 'turns_per_commit' then array[
		'0-1', '2-3', '4-7', '8-15', '16-31', '32-63', '64+']
	when 'tools' then array[
		'AskUserQuestion', 'Bash', 'BashOutput', 'Edit', 'ExitPlanMode', 'Glob', 'Grep',
		'KillShell', 'LS', 'MultiEdit', 'NotebookEdit', 'NotebookRead', 'Read', 'Skill',
		'SlashCommand', 'Task', 'TaskCreate', 'TaskUpdate', 'TodoWrite', 'WebFetch',
		'WebSearch', 'mcp', 'other']
	when 'models' then array[
		'opus', 'sonnet', 'haiku', 'other']
	when 'tokens' then array[
		'input', 'output', 'cache_read', 'cache_creation']
	end
$$;

-- A count: a non-negative number (CASE, not AND: a string must not reach the cast).
create function public.analytics_count_valid(v jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
	select case when jsonb_typeof(v) = 'number' then (v)::numeric >= 0 else false end
$$;

create function public.analytics_figures_valid(f jsonb) returns boolean
language sql immutable
set search_path = ''
as $$
	select case when jsonb_typeof(f) <> 'object' then false else not exists (
		select 1 from jsonb_each(f) t
		where not case
			when t.key in ('sessions', 'commits', 'turns') then
				public.analytics_count_valid(t.value)
			when public.analytics_figure_names(t.key) is null then false
			when jsonb_typeof(t.value) <> 'object' then false
			else not exists (
				select 1 from jsonb_each(t.value) s
				where s.key <> all (public.analytics_figure_names(t.key))
				   or not public.analytics_count_valid(s.value))
		end) end
$$;

alter table public.analytics_uploads
	add constraint analytics_uploads_figures_valid check (public.analytics_figures_valid(figures));

-- A re-upload the same day replaces the figures: its time moves with it.
create function public.analytics_uploads_stamp() returns trigger
language plpgsql
set search_path = ''
as $$
begin
	new.uploaded_at := now();
	return new;
end
$$;

create trigger analytics_uploads_stamp before update on public.analytics_uploads
	for each row execute function public.analytics_uploads_stamp();

-- Enabled, not forced (as sync_signals): the API roles meet the policies
-- below; the table's owner, who runs analytics_totals(), reads every row
-- whether or not it may bypass row-level security (hosted Supabase's
-- postgres role need not).
alter table public.analytics_uploads enable row level security;

create policy "own rows: select" on public.analytics_uploads for select to authenticated
	using (user_id = (select auth.uid()));
-- Only today's row: an upload cannot be back-dated into many rows.
create policy "own rows: insert" on public.analytics_uploads for insert to authenticated
	with check (user_id = (select auth.uid()) and day = (now() at time zone 'utc')::date);
create policy "own rows: update" on public.analytics_uploads for update to authenticated
	using (user_id = (select auth.uid()))
	with check (user_id = (select auth.uid()) and day = (now() at time zone 'utc')::date);
create policy "own rows: delete" on public.analytics_uploads for delete to authenticated
	using (user_id = (select auth.uid()));

revoke all on public.analytics_uploads from public, anon, authenticated;
grant select, insert, update, delete on public.analytics_uploads to authenticated;
grant all on public.analytics_uploads to service_role;

-- The public totals: for each figure the sum over the latest upload of every
-- person, with the number of people. Opting out deletes a person's rows (the
-- client does, with its profile write), so they leave the totals at once.
-- Fewer than two people: the figures are null (a "sum" over one person is
-- theirs). security definer: it reads rows the caller may not; what it
-- returns is only sums.
create function public.analytics_totals() returns jsonb
language sql stable security definer
set search_path = ''
as $$
	with latest as (
		select distinct on (u.user_id) u.figures
		from public.analytics_uploads u
		order by u.user_id, u.day desc
	), flat as (
		select t.key as k1, null::text as k2, (t.value)::numeric as n
		from latest l, jsonb_each(l.figures) t
		where jsonb_typeof(t.value) = 'number'
		union all
		select t.key, s.key, (s.value)::numeric
		from latest l, jsonb_each(l.figures) t, jsonb_each(t.value) s
		where jsonb_typeof(t.value) = 'object'
	), sums as (
		select k1, k2, sum(n) as n from flat group by k1, k2
	), people as (
		select count(*) as n from latest
	)
	select jsonb_build_object(
		'people', (select n from people),
		'figures', case when (select n from people) < 2 then null else (
			select jsonb_object_agg(k1, v) from (
				select k1, case when bool_or(k2 is null)
					then to_jsonb(sum(n) filter (where k2 is null))
					else jsonb_object_agg(k2, n) filter (where k2 is not null) end as v
				from sums group by k1) x)
		end)
$$;

revoke execute on function public.analytics_totals() from public;
grant execute on function public.analytics_totals() to anon, authenticated, service_role;
revoke execute on function public.analytics_uploads_stamp() from public, anon, authenticated;
