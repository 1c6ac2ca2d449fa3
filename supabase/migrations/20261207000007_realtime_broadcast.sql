-- agentlogs cloud: what Supabase Realtime's private channels are authorised
-- by (issue 13): the table realtime.messages and the function realtime.topic().
--
-- A private channel (config.private: true) may be joined when the channel's
-- user may SELECT a row of realtime.messages whose topic is the channel's
-- (extension 'broadcast' or 'presence'), and a broadcast or presence track
-- sent on it needs INSERT; row-level security decides, with realtime.topic()
-- naming the channel in the policies. Realtime inserts the probe rows itself
-- and rolls them back, so the table stays empty. agentlogs-server asks the
-- same questions (server/realtime-authz.c).
--
-- Hosted Supabase already has all of this, owned by supabase_realtime_admin
-- and partitioned by day: every object is created only when missing, and
-- nothing existing is altered or granted again. On any Supabase database
-- (hosted or self-hosted: the role supabase_admin exists) nothing is created
-- at all, since the Realtime service creates these itself at its first start
-- and its migration would fail on a table made here first. No policy is
-- created: with row-level security on and no policy, no private channel can
-- be joined until the project writes its own (service_role bypasses
-- row-level security).

do $$
begin
	if exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin') then
		return;	-- Supabase: Realtime owns the realtime schema
	end if;
	if not exists (select from pg_catalog.pg_namespace where nspname = 'realtime') then
		create schema realtime;
		grant usage on schema realtime to anon, authenticated, service_role;
	end if;

	if not exists (select from pg_catalog.pg_class c
	               join pg_catalog.pg_namespace n on n.oid = c.relnamespace
	               where n.nspname = 'realtime' and c.relname = 'messages') then
		-- Supabase's columns; one plain table instead of daily partitions.
		create table realtime.messages (
			topic text not null,
			extension text not null,
			payload jsonb,
			event text,
			private boolean default false,
			updated_at timestamp not null default pg_catalog.now(),
			inserted_at timestamp not null default pg_catalog.now(),
			id uuid not null default pg_catalog.gen_random_uuid(),
			primary key (id, inserted_at)
		);
		create index messages_topic_index on realtime.messages (topic);
		alter table realtime.messages enable row level security;
		grant select, insert, update on realtime.messages to anon, authenticated, service_role;
	end if;

	if not exists (select from pg_catalog.pg_proc p
	               join pg_catalog.pg_namespace n on n.oid = p.pronamespace
	               where n.nspname = 'realtime' and p.proname = 'topic') then
		-- The channel's topic (without "realtime:"), set by Realtime for the
		-- authorisation check and read by the policies.
		create function realtime.topic() returns text
		language sql
		stable
		set search_path = ''
		as $fn$
			select nullif(pg_catalog.current_setting('realtime.topic', true), '')::text;
		$fn$;
		grant execute on function realtime.topic() to anon, authenticated, service_role;
	end if;
end $$;
