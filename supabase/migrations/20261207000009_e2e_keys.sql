-- agentlogs cloud: the account's end-to-end encryption key check (issue 15).
--
-- With `e2e` on, every content column reaches the cloud sealed with a key the
-- cloud never sees. What it keeps is a check value: an HMAC of a fixed label
-- under the master key, which tells a machine whether its key is the
-- account's without revealing the key. A row here means the account is
-- end-to-end encrypted: a machine with e2e off, or with another key, refuses
-- to push or pull. The salt and Argon2id limits let a second machine derive
-- the same key from the same passphrase (null for a random key).

create table public.e2e_keys (
	user_id uuid primary key default auth.uid() references auth.users (id) on delete cascade,
	check_value text not null,
	kdf_salt text,
	kdf_ops bigint,
	kdf_mem bigint,
	updated_at timestamptz not null default now()
);

alter table public.e2e_keys enable row level security;
alter table public.e2e_keys force row level security;
create policy "own rows: select" on public.e2e_keys for select to authenticated
	using (user_id = (select auth.uid()));
create policy "own rows: insert" on public.e2e_keys for insert to authenticated
	with check (user_id = (select auth.uid()));
create policy "own rows: update" on public.e2e_keys for update to authenticated
	using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "own rows: delete" on public.e2e_keys for delete to authenticated
	using (user_id = (select auth.uid()));
revoke all on public.e2e_keys from public, anon, authenticated;
grant select, insert, update, delete on public.e2e_keys to authenticated;
grant all on public.e2e_keys to service_role;

-- A machine sets the check with a plain insert (refused with 409 when
-- another machine set one first) and replaces it with an update filtered on
-- the check it knows (check_value=eq.OLD: no row updated when another machine
-- rotated first), so two machines cannot both win, without a function of
-- our own: hosted Supabase and agentlogs-server serve both as they are.
