-- agentlogs cloud: row-level security and privileges.
--
-- Authorisation is done by PostgreSQL, the way Supabase does it: every API
-- request runs as role `authenticated` with the caller's JWT claims in
-- request.jwt.claims, auth.uid() reads `sub`, and each table admits only the
-- caller's own rows for each verb. An INSERT or UPDATE whose row names another
-- user fails the WITH CHECK (SQLSTATE 42501); reads, updates and deletes of
-- another user's rows simply match nothing.
--
-- (select auth.uid()) rather than auth.uid(): evaluated once per statement as
-- an init plan instead of once per row (Supabase's own advice for RLS).
--
-- FORCE ROW LEVEL SECURITY makes the policies bind the tables' owner too, so
-- only roles with BYPASSRLS (service_role, superusers) see across users.

do $$
declare
	t text;
	owner_col text;
begin
	foreach t in array array['user_profiles', 'machines', 'projects', 'cognitive_commits',
	                         'sessions', 'turns', 'visuals'] loop
		-- A profile is keyed by the user's own id; every other row by user_id.
		owner_col := case t when 'user_profiles' then 'id' else 'user_id' end;

		execute format('alter table public.%I enable row level security', t);
		execute format('alter table public.%I force row level security', t);

		execute format('create policy "own rows: select" on public.%I for select to authenticated
			using (%I = (select auth.uid()))', t, owner_col);
		execute format('create policy "own rows: insert" on public.%I for insert to authenticated
			with check (%I = (select auth.uid()))', t, owner_col);
		execute format('create policy "own rows: update" on public.%I for update to authenticated
			using (%I = (select auth.uid())) with check (%I = (select auth.uid()))',
			t, owner_col, owner_col);
		execute format('create policy "own rows: delete" on public.%I for delete to authenticated
			using (%I = (select auth.uid()))', t, owner_col);

		-- Hosted Supabase grants ALL on new public tables to anon, authenticated
		-- and service_role by default. anon (the bare API key) gets nothing here;
		-- authenticated gets the four verbs, still filtered by the policies.
		execute format('revoke all on public.%I from public, anon, authenticated', t);
		execute format('grant select, insert, update, delete on public.%I to authenticated', t);
		execute format('grant all on public.%I to service_role', t);
	end loop;
end $$;
