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

-- Sets the caller's key check, only if the current one is `expected` (null:
-- there is none yet), so two machines generating or rotating at once cannot
-- both win: the loser is told and keeps its old key. True when it was set.
create function public.e2e_key_swap(expected text, check_value text, kdf_salt text,
	kdf_ops bigint, kdf_mem bigint)
returns boolean
language plpgsql
security invoker
set search_path = ''
as $$
declare
	uid uuid := (select auth.uid());
	n integer;
begin
	if uid is null then
		raise exception 'not logged in' using errcode = '42501';
	end if;
	if expected is null then
		insert into public.e2e_keys (user_id, check_value, kdf_salt, kdf_ops, kdf_mem)
		values (uid, e2e_key_swap.check_value, e2e_key_swap.kdf_salt,
			e2e_key_swap.kdf_ops, e2e_key_swap.kdf_mem)
		on conflict (user_id) do nothing;
	else
		update public.e2e_keys k set check_value = e2e_key_swap.check_value,
			kdf_salt = e2e_key_swap.kdf_salt, kdf_ops = e2e_key_swap.kdf_ops,
			kdf_mem = e2e_key_swap.kdf_mem, updated_at = pg_catalog.now()
		where k.user_id = uid and k.check_value = expected;
	end if;
	get diagnostics n = row_count;
	return n = 1;
end $$;

revoke all on function public.e2e_key_swap(text, text, text, bigint, bigint) from public, anon;
grant execute on function public.e2e_key_swap(text, text, text, bigint, bigint)
	to authenticated, service_role;
