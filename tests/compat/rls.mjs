// Row-level security through PostgREST: user B, the anon key and a signed-out
// session against user A's rows (supabase/migrations/*_rls.sql: own rows only).
import { check, client, done, eq, must, newUser, refused, uuid } from './lib.mjs';

const a = await newUser('rls-a');
const b = await newUser('rls-b');
const anon = client();
must(await a.sb.from('machines').insert([
	{ id: uuid(1), machine_id: 'a-1', name: 'a one' }, { id: uuid(2), machine_id: 'a-2', name: 'a two' }]), 'seed');
must(await a.sb.from('projects').insert({ id: uuid(10), name: 'a project' }), 'seed project');

async function aRows() {
	return must(await a.sb.from('machines').select('id,name').order('id'));
}
const aExpected = [{ id: uuid(1), name: 'a one' }, { id: uuid(2), name: 'a two' }];

await check('RLS: the owner reads their own rows', async () => {
	eq(await aRows(), aExpected);
});

await check('RLS: another user reads none of them (200, [])', async () => {
	const res = await b.sb.from('machines').select('*');
	eq(res.status, 200, 'status');
	eq(res.data, [], 'data');
});

await check('RLS: another user\'s count: exact is 0', async () => {
	eq((await b.sb.from('machines').select('*', { count: 'exact', head: true })).count, 0);
});

await check('RLS: another user\'s .single() on the owner\'s row → 406 PGRST116 (0 rows)', async () => {
	const e = refused(await b.sb.from('machines').select('*').eq('id', uuid(1)).single(), 406, 'PGRST116');
	eq(e.details, 'The result contains 0 rows', 'details');
});

await check('RLS: another user\'s update changes nothing (0 rows, no error)', async () => {
	const res = await b.sb.from('machines').update({ name: 'taken' }).eq('id', uuid(1)).select();
	eq(res.error, null, 'error');
	eq(res.data, [], 'data');
	eq(await aRows(), aExpected, 'A\'s rows');
});

await check('RLS: another user\'s delete removes nothing', async () => {
	const res = await b.sb.from('machines').delete().in('id', [uuid(1), uuid(2)]).select();
	eq(res.data, [], 'data');
	eq(await aRows(), aExpected, 'A\'s rows');
});

await check('RLS: inserting a row that names another user → 403 42501', async () => {
	refused(await b.sb.from('machines').insert({ user_id: a.user.id, machine_id: 'b-as-a' }), 403, '42501');
	eq((await aRows()).length, 2, 'A still has two rows');
});

await check('RLS: an upsert by another user with the owner\'s ids makes their own row', async () => {
	must(await b.sb.from('projects').upsert({ id: uuid(10), name: 'b project' }, { onConflict: 'user_id,id' }));
	eq(must(await a.sb.from('projects').select('name').eq('id', uuid(10))), [{ name: 'a project' }], 'A\'s');
	eq(must(await b.sb.from('projects').select('name').eq('id', uuid(10))), [{ name: 'b project' }], 'B\'s');
});

await check('RLS: or() cannot widen what a user sees', async () => {
	eq(must(await b.sb.from('machines').select('id').or(`id.eq.${uuid(1)},user_id.eq.${a.user.id}`)), []);
});

await check('PostgREST: the anon key alone, without a grant on the table → 401 42501', async () => {
	const e = refused(await anon.from('machines').select('*'), 401, '42501');
	eq(e.message, 'permission denied for table machines', 'message');
	refused(await anon.from('projects').select('*'), 401, '42501', 'projects');
});

await check('RLS: the anon key cannot insert → 401 42501', async () => {
	refused(await anon.from('machines').insert({ machine_id: 'anon' }), 401, '42501');
});

await check('RLS: a user profile is readable only by its user', async () => {
	must(await a.sb.from('user_profiles').insert({ email: a.email }));
	eq(must(await a.sb.from('user_profiles').select('id,email')), [{ id: a.user.id, email: a.email }], 'A');
	eq(must(await b.sb.from('user_profiles').select('id')), [], 'B');
});

await check('PostgREST: a token that does not verify → 401 PGRST301', async () => {
	const forged = a.session.access_token.slice(0, -4) + 'AAAA';
	const res = await fetch(`${process.env.COMPAT_URL}/rest/v1/machines`, {
		headers: { apikey: process.env.COMPAT_ANON, Authorization: `Bearer ${forged}` } });
	eq(res.status, 401, 'status');
	eq((await res.json()).code, 'PGRST301', 'code');
});

await check('agentlogs: a signed-out session\'s token can no longer write', async () => {
	const c = await newUser('rls-out');
	const token = c.session.access_token;
	must(await c.sb.auth.signOut(), 'signOut');
	const res = await fetch(`${process.env.COMPAT_URL}/rest/v1/machines`, {
		method: 'POST', body: JSON.stringify({ machine_id: 'after' }),
		headers: { apikey: process.env.COMPAT_ANON, Authorization: `Bearer ${token}`,
			'Content-Type': 'application/json' } });
	eq(res.status, 401, 'status');
	const again = client();
	must(await again.auth.signInWithPassword({ email: c.email, password: `password ${c.email}` }), 'sign in');
	eq(must(await again.from('machines').select('machine_id')), [], 'nothing written');
});

done();
