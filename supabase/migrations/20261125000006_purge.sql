-- agentlogs cloud: purging tombstones.
--
-- purge_tombstones(before timestamptz) returns integer
--
-- Deletes the caller's rows whose deleted_at is older than `before` (the
-- client passes its clock minus 30 days), children of a purged commit with it
-- (the foreign keys cascade). SECURITY INVOKER: row-level security limits it
-- to the caller's own rows, which the caller could delete through REST anyway.
-- Returns the number of commits purged.
create function public.purge_tombstones(before timestamptz) returns integer
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
	uid uuid := auth.uid();
	n integer;
begin
	if uid is null then
		raise exception 'purge_tombstones: not authenticated' using errcode = '42501';
	end if;
	delete from public.turns where user_id = uid and deleted_at < before;
	delete from public.sessions where user_id = uid and deleted_at < before;
	delete from public.visuals where user_id = uid and deleted_at < before;
	delete from public.cognitive_commits where user_id = uid and deleted_at < before;
	get diagnostics n = row_count;
	delete from public.projects where user_id = uid and deleted_at < before;
	return n;
end
$$;

revoke execute on function public.purge_tombstones(timestamptz) from public, anon;
grant execute on function public.purge_tombstones(timestamptz) to authenticated, service_role;
