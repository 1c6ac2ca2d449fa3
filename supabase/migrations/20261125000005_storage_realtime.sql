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
create policy "agentlogs visuals: select own" on storage.objects for select to authenticated
	using (bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy "agentlogs visuals: insert own" on storage.objects for insert to authenticated
	with check (bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy "agentlogs visuals: update own" on storage.objects for update to authenticated
	using (bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text))
	with check (bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text));
create policy "agentlogs visuals: delete own" on storage.objects for delete to authenticated
	using (bucket_id = 'visuals' and (storage.foldername(name))[1] = (select auth.uid()::text));

-- ---------------------------------------------------------------- realtime
-- Hosted Realtime's postgres_changes streams the tables of the publication
-- supabase_realtime (and checks each row against these tables' SELECT policy
-- for the subscriber). agentlogs-server has no such publication: it is fed by
-- the agentlogs_notify trigger instead, so this step only runs where the
-- publication exists, and leaves a FOR ALL TABLES publication alone.
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
