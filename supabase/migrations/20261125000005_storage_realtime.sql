-- agentlogs cloud: the storage bucket for visuals, and hosted Realtime.

-- ---------------------------------------------------------------- storage
-- Screenshots and other visuals, at visuals/<user_id>/<sha256>.<ext>. Private:
-- reads go through /storage/v1/object/authenticated/... with the user's JWT.
-- 50 MB per object, matching agentlogs-server's default limit.
insert into storage.buckets (id, name, public, file_size_limit)
values ('visuals', 'visuals', false, 52428800)
on conflict (id) do nothing;

-- Each user reads and writes only under their own folder, the first path
-- segment: storage.foldername('u/x.png') = '{u}'. Both sides of the policies
-- are text, so a malformed path simply matches nobody.
--
-- CREATE POLICY needs the table's owner, and storage.objects belongs to
-- supabase_storage_admin. On Supabase's platform, `postgres` (which runs the
-- migrations) may create them anyway through supautils' settings; a
-- self-hosted Supabase without those refuses with 42501. There the migration
-- goes on without the policies (visuals stay unreachable, nothing leaks) and
-- prints a warning with the statements to run as the table's owner (README,
-- "Hosted and self-hosted Supabase").
do $do$
declare
	own constant text := $$bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text)$$;
	policies constant text[] := array[
		format('create policy "agentlogs visuals: select own" on storage.objects for select to authenticated using (%s);', own),
		format('create policy "agentlogs visuals: insert own" on storage.objects for insert to authenticated with check (%s);', own),
		format('create policy "agentlogs visuals: update own" on storage.objects for update to authenticated using (%s) with check (%s);', own, own),
		format('create policy "agentlogs visuals: delete own" on storage.objects for delete to authenticated using (%s);', own)];
	p text;
begin
	foreach p in array policies loop
		execute p;
	end loop;
exception when insufficient_privilege then
	raise warning using
		message = format('agentlogs: cannot create the policies on storage.objects as %s (%s); '
			'visuals cannot be stored until its owner (%s) runs:%s%s', current_user, sqlerrm,
			(select c.relowner::regrole from pg_catalog.pg_class c
			 where c.oid = 'storage.objects'::regclass),
			E'\n', array_to_string(policies, E'\n')),
		hint = 'e.g. psql -U supabase_storage_admin, or as a superuser after SET ROLE supabase_storage_admin';
end
$do$;

-- ---------------------------------------------------------------- realtime
-- Hosted Realtime's postgres_changes streams the tables of the publication
-- supabase_realtime (and checks each row against these tables' SELECT policy
-- for the subscriber). agentlogs-server has no such publication: it is fed by
-- the agentlogs_notify trigger instead, so this step only runs where the
-- publication exists, and leaves a FOR ALL TABLES publication alone.
-- (Superseded: 20261207000005_hosted_safety takes the data tables out again,
-- since hosted Realtime sends their DELETEs to everyone, and publishes only
-- public.sync_signals.)
do $$
declare
	t text;
begin
	if exists (select from pg_catalog.pg_publication
	           where pubname = 'supabase_realtime' and not puballtables) then
		foreach t in array array['projects', 'cognitive_commits', 'sessions', 'turns', 'visuals'] loop
			if not exists (select from pg_catalog.pg_publication_tables
			               where pubname = 'supabase_realtime' and schemaname = 'public'
			                 and tablename = t) then
				execute format('alter publication supabase_realtime add table public.%I', t);
			end if;
		end loop;
	end if;
end $$;
