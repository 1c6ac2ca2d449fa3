-- agentlogs cloud schema: the tables. Row-level security, triggers and the
-- sync functions follow in later migrations.
--
-- These files run unchanged on hosted Supabase and on agentlogs-server (whose
-- server/bootstrap.sql first provides what Supabase has: the API roles, auth.*
-- and storage.*). They must use nothing else from either side.
--
-- Conventions, and why:
-- * Every user-owned row carries user_id, defaulting to the caller
--   (auth.uid()), and the primary key is (user_id, id). Ids are deterministic
--   UUIDs computed by the client from the transcript (ARCHITECTURE §2), so two
--   people importing the same transcript compute the same ids: with a key on id
--   alone, one person's row would block the other's upsert.
-- * Every foreign key therefore carries user_id too: a row can only point at a
--   row of the same user.
-- * The synced tables (projects, cognitive_commits, sessions, turns, visuals)
--   share the sync columns: version and updated_at (the last-write-wins clock,
--   set by the client), deleted_at (tombstone), origin_machine_id (the writing
--   machine's machine-id, the last tie-break), and txid: the id of the
--   transaction that last wrote the row, which orders the change feed (pull).
-- * Columns mirror the local SQLite schema (src/store/migrations.c) with
--   PostgreSQL types: ISO text times become timestamptz, 0/1 integers become
--   booleans. JSON held in text (files_read, files_changed, tool_calls) stays
--   text: jsonb would reorder keys and respace it, and every machine must show
--   byte for byte what the importing machine stored.

-- ---------------------------------------------------------------- users
-- One profile per auth user, written by the client after login (GitHub login
-- from user_metadata). Nullable GitHub fields: password sign-ups have none.
create table public.user_profiles (
	id uuid primary key default auth.uid() references auth.users (id) on delete cascade,
	github_username text,
	github_id text,
	email text,
	analytics_opt_in boolean not null default false,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now()
);

-- The machines a user syncs from. machine_id is the client's own machine-id
-- (AGENTLOGS_HOME/machine-id), the same string as origin_machine_id below.
create table public.machines (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null default gen_random_uuid(),
	machine_id text not null,
	name text,
	last_sync_at timestamptz,
	sync_cursor text,
	created_at timestamptz not null default now(),
	updated_at timestamptz not null default now(),
	primary key (user_id, id),
	unique (user_id, machine_id)
);

-- ---------------------------------------------------------------- synced tables
-- The project id is UUIDv5 of the name on every machine, so (user_id, name)
-- is unique without ever conflicting with (user_id, id).
create table public.projects (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	name text not null,
	local_path text,
	remote_url text,
	created_at timestamptz not null default now(),

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	primary key (user_id, id),
	unique (user_id, name)
);

create table public.cognitive_commits (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	project_id uuid,

	-- from the transcript
	git_hash text,
	git_subject text,
	started_at timestamptz not null,
	closed_at timestamptz not null,
	closed_by text not null check (closed_by in ('git_commit', 'session_end', 'open')),
	parallel boolean not null default false,
	files_read text not null default '[]',
	files_changed text not null default '[]',
	source text not null default 'claude_code',
	project_name text,
	first_prompt text,
	turn_count integer not null default 0,

	-- curation: the only fields people edit, so the only ones that conflict
	published boolean not null default false,
	hidden boolean not null default false,
	display_order integer not null default 0,
	title text,

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	primary key (user_id, id),
	-- Purging a project leaves its commits: only project_id is cleared, never
	-- user_id (a PostgreSQL 15 column list on SET NULL).
	foreign key (user_id, project_id) references public.projects (user_id, id)
		on delete set null (project_id)
);

-- One row per (commit, Claude session) segment.
create table public.sessions (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	commit_id uuid not null,
	claude_session_id text not null,
	started_at timestamptz not null,
	ended_at timestamptz not null,
	cwd text,
	git_branch text,
	cli_version text,

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	primary key (user_id, id),
	foreign key (user_id, commit_id) references public.cognitive_commits (user_id, id)
		on delete cascade
);

create table public.turns (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	session_id uuid not null,
	seq integer not null,
	role text not null check (role in ('user', 'assistant')),
	content text not null default '',
	thinking text,
	"timestamp" timestamptz not null,
	tool_calls text not null default '[]',
	model text,
	message_id text,
	input_tokens integer not null default 0,
	output_tokens integer not null default 0,
	cache_read_tokens integer not null default 0,
	cache_creation_tokens integer not null default 0,

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	primary key (user_id, id),
	foreign key (user_id, session_id) references public.sessions (user_id, id)
		on delete cascade
);

-- turn_id has no foreign key, as locally: a visual may name a turn that is
-- not (yet) in the cloud. cloud_path is '<user_id>/<sha256>.<ext>' in the
-- storage bucket 'visuals'.
create table public.visuals (
	user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
	id uuid not null,
	commit_id uuid not null,
	turn_id uuid,
	type text not null,
	sha256 text not null,
	path text,
	captured_at timestamptz not null,
	caption text,
	cloud_path text,

	version integer not null default 1,
	updated_at timestamptz not null default now(),
	deleted_at timestamptz,
	origin_machine_id text,
	txid xid8 not null default pg_current_xact_id(),

	primary key (user_id, id),
	foreign key (user_id, commit_id) references public.cognitive_commits (user_id, id)
		on delete cascade
);

-- ---------------------------------------------------------------- indexes
-- The change feed: pull_changes() walks each table of one user in txid order
-- from a cursor.
create index projects_feed_idx on public.projects (user_id, txid, id);
create index cognitive_commits_feed_idx on public.cognitive_commits (user_id, txid, id);
create index sessions_feed_idx on public.sessions (user_id, txid, id);
create index turns_feed_idx on public.turns (user_id, txid, id);
create index visuals_feed_idx on public.visuals (user_id, txid, id);

-- Foreign keys (the cascades, and reading a commit's children).
create index cognitive_commits_project_idx on public.cognitive_commits (user_id, project_id, started_at);
create index sessions_commit_idx on public.sessions (user_id, commit_id);
create index turns_session_idx on public.turns (user_id, session_id, seq);
create index visuals_commit_idx on public.visuals (user_id, commit_id);

-- Browsing by time, newest first, as the client's log does.
create index cognitive_commits_closed_idx on public.cognitive_commits (user_id, closed_at);

-- Tombstones are purged after 30 days; these stay tiny (partial).
create index projects_deleted_idx on public.projects (deleted_at) where deleted_at is not null;
create index cognitive_commits_deleted_idx on public.cognitive_commits (deleted_at) where deleted_at is not null;
create index sessions_deleted_idx on public.sessions (deleted_at) where deleted_at is not null;
create index turns_deleted_idx on public.turns (deleted_at) where deleted_at is not null;
create index visuals_deleted_idx on public.visuals (deleted_at) where deleted_at is not null;
