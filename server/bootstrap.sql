-- agentlogs-server bootstrap: what hosted Supabase already provides, so that
-- the files in supabase/migrations/ run unchanged on a plain PostgreSQL (15+).
--
-- `agentlogs-server migrate` runs this file before every migration pass, so it
-- must be idempotent: safe to run twice, safe to run after the migrations, and
-- never destroying data (CREATE ... IF NOT EXISTS, CREATE OR REPLACE, guarded
-- DO blocks; no DROP). It mirrors Supabase's own definitions where our server or
-- the migrations rely on them, and adds only what our server's auth needs.
--
-- Run it as the login role that agentlogs-server connects with (a superuser,
-- or the database owner with CREATEROLE): that role owns what is created here,
-- and is made a member of anon, authenticated and service_role so that it can
-- `SET LOCAL ROLE authenticated` for each request, as PostgREST's
-- "authenticator" does on hosted Supabase.

set client_min_messages = warning;	-- "already exists, skipping" on a re-run is expected

-- ---------------------------------------------------------------- roles
-- Roles are cluster-wide: several databases of one cluster (and concurrent
-- test runs) share them, so creation tolerates losing a race.
do $$
declare
	r text;
begin
	foreach r in array array['anon', 'authenticated', 'service_role'] loop
		if not exists (select from pg_catalog.pg_roles where rolname = r) then
			begin
				execute format('create role %I nologin noinherit', r);
			exception when duplicate_object or unique_violation then
				null;	-- created meanwhile by a concurrent bootstrap
			end;
		end if;
	end loop;
end $$;

-- service_role is Supabase's "bypass row-level security" key; ALTER ROLE needs
-- superuser for BYPASSRLS, so only try when it is not already set.
do $$
begin
	if not (select rolbypassrls from pg_catalog.pg_roles where rolname = 'service_role') then
		alter role service_role bypassrls;
	end if;
end $$;

-- The server's login role must be able to become each of them.
do $$
declare
	r text;
begin
	foreach r in array array['anon', 'authenticated', 'service_role'] loop
		if not pg_catalog.pg_has_role(current_user, r, 'MEMBER') then
			begin
				execute format('grant %I to %I', r, current_user);
			exception when unique_violation then
				null;	-- granted meanwhile
			end;
		end if;
	end loop;
end $$;

-- ---------------------------------------------------------------- public
-- Hosted Supabase grants everything in public to the API roles by default and
-- lets row-level security decide. We do the same, so that the migrations'
-- explicit REVOKEs (anon gets nothing) are exercised here as they are there.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

-- ---------------------------------------------------------------- auth
create schema if not exists auth;

-- The users of Supabase Auth (GoTrue), reduced to the columns we use.
-- raw_user_meta_data is what GET /auth/v1/user returns as user_metadata (the
-- GitHub login is user_metadata.user_name); raw_app_meta_data as app_metadata.
create table if not exists auth.users (
	id uuid primary key default gen_random_uuid(),
	email text unique,
	encrypted_password text,
	raw_user_meta_data jsonb not null default '{}',
	raw_app_meta_data jsonb not null default '{}',
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	last_sign_in_at timestamptz
);

-- Login sessions: the access JWT's session_id claim; logout ends one.
create table if not exists auth.sessions (
	id uuid primary key default gen_random_uuid(),
	user_id uuid not null references auth.users (id) on delete cascade,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	not_after timestamptz
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

-- Refresh tokens rotate: each use revokes the token and issues a child whose
-- parent is the spent one; presenting a revoked token is refused.
create table if not exists auth.refresh_tokens (
	id bigserial primary key,
	token text not null unique,
	user_id uuid not null references auth.users (id) on delete cascade,
	session_id uuid references auth.sessions (id) on delete cascade,
	parent text,
	revoked boolean not null default false,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);
create index if not exists refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);

-- PKCE flow state between /authorize and /token?grant_type=pkce (expires after
-- 300 s: the server compares created_at).
create table if not exists auth.flow_state (
	id uuid primary key default gen_random_uuid(),
	auth_code text unique,
	code_challenge text,
	code_challenge_method text,
	provider text,
	redirect_to text,
	provider_access_token text,
	user_id uuid references auth.users (id) on delete cascade,
	created_at timestamptz not null default now()
);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at);

-- One row per external login (GitHub) of a user.
create table if not exists auth.identities (
	id uuid primary key default gen_random_uuid(),
	user_id uuid not null references auth.users (id) on delete cascade,
	provider text not null,
	provider_id text not null,
	identity_data jsonb not null default '{}',
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	last_sign_in_at timestamptz,
	unique (provider, provider_id)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

-- The claims helpers, as Supabase defines them: PostgREST sets the request's
-- JWT claims as the transaction-local setting request.jwt.claims (older
-- versions: one request.jwt.claim.<name> per claim, still honoured first).
-- Like every function of ours they run with search_path = '' (they name only
-- pg_catalog's functions, searched first anyway): policies call them as
-- (select auth.uid()), once per statement, so the lost inlining costs nothing.
create or replace function auth.uid() returns uuid
language sql stable
set search_path = ''
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.sub', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
	)::uuid
$$;

create or replace function auth.role() returns text
language sql stable
set search_path = ''
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.role', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
	)::text
$$;

create or replace function auth.email() returns text
language sql stable
set search_path = ''
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.email', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
	)::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
set search_path = ''
as $$
	select coalesce(
		nullif(current_setting('request.jwt.claim', true), ''),
		nullif(current_setting('request.jwt.claims', true), '')
	)::jsonb
$$;

-- The API roles may call the helpers (policies do) but never touch auth's
-- tables: passwords, tokens and flow state are the server's alone.
grant usage on schema auth to anon, authenticated, service_role;
revoke all on all tables in schema auth from public, anon, authenticated, service_role;
revoke all on all sequences in schema auth from public, anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
	to anon, authenticated, service_role;

-- ---------------------------------------------------------------- storage
create schema if not exists storage;

create table if not exists storage.buckets (
	id text primary key,
	name text not null unique,
	owner uuid,
	public boolean not null default false,
	file_size_limit bigint,
	allowed_mime_types text[],
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);

-- Object metadata; the bytes live in the server's storage directory under
-- <bucket_id>/<name>.
create table if not exists storage.objects (
	id uuid primary key default gen_random_uuid(),
	bucket_id text not null references storage.buckets (id),
	name text not null,
	owner uuid,
	metadata jsonb,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	unique (bucket_id, name)
);

-- As on Supabase: the API roles have table privileges and row-level security
-- decides; with no policy (buckets) they see nothing. Not FORCEd: the server's
-- own role (the owner) reads bucket settings such as file_size_limit.
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
grant usage on schema storage to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

-- Path helpers, with Supabase's definitions: 'a/b/c.png' has folders {a,b},
-- file name 'c.png', extension 'png'. Policies use foldername()[1] = user id.
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
set search_path = ''
as $$
declare
	_parts text[];
begin
	select string_to_array(name, '/') into _parts;
	return _parts[1:array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
	_parts text[];
begin
	select string_to_array(name, '/') into _parts;
	return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
	_parts text[];
	_filename text;
begin
	select string_to_array(name, '/') into _parts;
	select _parts[array_length(_parts, 1)] into _filename;
	return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text)
	to anon, authenticated, service_role;

-- ---------------------------------------------------------------- migrations
-- The table the Supabase CLI keeps on hosted projects (version = the file
-- name's timestamp prefix, name = the rest), so a database migrated by
-- agentlogs-server and one migrated by `supabase db push` record the same thing.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
	version text primary key,
	name text,
	statements text[],
	applied_at timestamptz not null default now()
);
revoke all on schema supabase_migrations from public, anon, authenticated;
revoke all on supabase_migrations.schema_migrations from public, anon, authenticated;

reset client_min_messages;
