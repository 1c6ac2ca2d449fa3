// PostgREST (/rest/v1) through supabase-js's query builder, as one user on the
// tables of supabase/migrations: machines (no triggers, defaults for id and
// user_id) and projects.
import { anonKey, check, done, eq, must, newUser, ok, refused, url, uuid } from './lib.mjs';

const { sb, user } = await newUser('rest');
const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
const rows = names.map((name, i) => ({ id: uuid(i + 1), machine_id: `m-${name}`, name }));

await check('PostgREST: insert() of an array with return=minimal → 201, no data', async () => {
	const res = await sb.from('machines').insert(rows);
	eq(res.error, null, 'error');
	eq(res.status, 201, 'status');
	eq(res.data, null, 'data');
});

await check('PostgREST: select() returns every row the caller may see', async () => {
	const data = must(await sb.from('machines').select('id,name').order('id'));
	eq(data, rows.map(({ id, name }) => ({ id, name })), 'rows');
});

await check('PostgREST: select with an alias (label:name)', async () => {
	const data = must(await sb.from('machines').select('label:name').eq('id', uuid(2)));
	eq(data, [{ label: 'beta' }], 'rows');
});

await check('PostgREST: eq filter', async () => {
	eq(must(await sb.from('machines').select('name').eq('name', 'gamma')), [{ name: 'gamma' }]);
});

await check('PostgREST: neq filter with order desc', async () => {
	const data = must(await sb.from('machines').select('name').neq('name', 'gamma')
		.order('name', { ascending: false }));
	eq(data.map((r) => r.name), ['epsilon', 'delta', 'beta', 'alpha'], 'names');
});

await check('PostgREST: in filter', async () => {
	const data = must(await sb.from('machines').select('name').in('name', ['alpha', 'delta']).order('name'));
	eq(data, [{ name: 'alpha' }, { name: 'delta' }]);
});

await check('PostgREST: gt and lte on uuids', async () => {
	const data = must(await sb.from('machines').select('name').gt('id', uuid(1)).lte('id', uuid(3)).order('id'));
	eq(data, [{ name: 'beta' }, { name: 'gamma' }]);
});

await check('PostgREST: like with * as %, ilike case-insensitive', async () => {
	eq(must(await sb.from('machines').select('name').like('name', '*lph*')), [{ name: 'alpha' }], 'like');
	eq(must(await sb.from('machines').select('name').ilike('name', 'BET*')), [{ name: 'beta' }], 'ilike');
});

await check('PostgREST: is null, not is null', async () => {
	eq(must(await sb.from('machines').select('name').is('last_sync_at', null)).length, 5, 'is null');
	eq(must(await sb.from('machines').select('name').not('last_sync_at', 'is', null)), [], 'not is null');
});

await check('PostgREST: limit and range (offset) page in order', async () => {
	eq(must(await sb.from('machines').select('name').order('id').limit(2)), [{ name: 'alpha' }, { name: 'beta' }], 'limit');
	eq(must(await sb.from('machines').select('name').order('id').range(2, 3)), [{ name: 'gamma' }, { name: 'delta' }], 'range');
});

await check('PostgREST: count: exact → the total in Content-Range, 206 for a partial range', async () => {
	const res = await sb.from('machines').select('name', { count: 'exact' }).order('id').limit(2);
	eq(res.count, 5, 'count');
	eq(res.status, 206, 'status');
});

await check('PostgREST: head: true with count: exact → the count, no data', async () => {
	const res = await sb.from('machines').select('*', { count: 'exact', head: true });
	eq(res.count, 5, 'count');
	eq(res.data, null, 'data');
});

await check('PostgREST: count: planned → a number (the planner\'s estimate)', async () => {
	const res = await sb.from('machines').select('id', { count: 'planned' });
	ok(Number.isInteger(res.count) && res.count >= 0, `count is a number: ${res.count}`);
	eq(res.data.length, 5, 'rows');
});

await check('PostgREST: count: estimated → the exact count below max-rows', async () => {
	const res = await sb.from('machines').select('id', { count: 'estimated' }).limit(1);
	eq(res.count, 5, 'count');
});

await check('PostgREST: .single() on one row → the object itself', async () => {
	const res = await sb.from('machines').select('id,name').eq('id', uuid(4)).single();
	eq(res.error, null, 'error');
	eq(res.data, { id: uuid(4), name: 'delta' }, 'data');
});

await check('PostgREST: .single() on two rows → 406 PGRST116 "The result contains 2 rows"', async () => {
	const res = await sb.from('machines').select('id').in('name', ['alpha', 'beta']).single();
	const e = refused(res, 406, 'PGRST116');
	eq(e.message, 'Cannot coerce the result to a single JSON object', 'message');
	eq(e.details, 'The result contains 2 rows', 'details');
	eq(res.data, null, 'data');
});

await check('PostgREST: .single() on no row → 406 PGRST116 "The result contains 0 rows"', async () => {
	const e = refused(await sb.from('machines').select('id').eq('name', 'none').single(), 406, 'PGRST116');
	eq(e.details, 'The result contains 0 rows', 'details');
});

await check('PostgREST: .maybeSingle() on no row → data null, no error', async () => {
	const res = await sb.from('machines').select('id').eq('name', 'none').maybeSingle();
	eq(res.error, null, 'error');
	eq(res.data, null, 'data');
});

await check('PostgREST: .maybeSingle() on one row → the object', async () => {
	eq(must(await sb.from('machines').select('name').eq('id', uuid(5)).maybeSingle()), { name: 'epsilon' });
});

await check('PostgREST: insert().select().single() returns the inserted object', async () => {
	const data = must(await sb.from('machines').insert({ machine_id: 'm-single', name: 'single' })
		.select('machine_id,name,user_id').single());
	eq(data, { machine_id: 'm-single', name: 'single', user_id: user.id }, 'data');
});

await check('PostgREST: update() of two rows with .single() → 406 and nothing changed (rolled back)', async () => {
	refused(await sb.from('machines').update({ name: 'clobbered' }).in('name', ['alpha', 'beta'])
		.select().single(), 406, 'PGRST116');
	eq(must(await sb.from('machines').select('name').eq('name', 'clobbered')), [], 'no row renamed');
});

await check('PostgREST: delete() with .maybeSingle() on no row → no error, no data', async () => {
	const res = await sb.from('machines').delete().eq('name', 'none').select().maybeSingle();
	eq(res.error, null, 'error');
	eq(res.data, null, 'data');
});

await check('PostgREST: insert of differing objects (columns=) writes NULL for a missing key', async () => {
	const data = must(await sb.from('machines').insert([
		{ machine_id: 'm-n1', name: 'n1' }, { machine_id: 'm-n2' }]).select('machine_id,name').order('machine_id'));
	eq(data, [{ machine_id: 'm-n1', name: 'n1' }, { machine_id: 'm-n2', name: null }], 'rows');
});

await check('PostgREST: Prefer missing=default (defaultToNull: false) takes the column default', async () => {
	const data = must(await sb.from('machines').insert([
		{ id: uuid(90), machine_id: 'm-d1' }, { machine_id: 'm-d2' }], { defaultToNull: false })
		.select('id,machine_id,user_id').order('machine_id'));
	eq(data.length, 2, 'rows');
	eq(data[0], { id: uuid(90), machine_id: 'm-d1', user_id: user.id }, 'first row');
	ok(/^[0-9a-f-]{36}$/.test(data[1].id) && data[1].id !== uuid(90), `a generated id: ${data[1].id}`);
	eq(data[1].user_id, user.id, 'user_id from its default auth.uid()');
});

await check('PostgREST: without missing=default a missing NOT NULL key is a 400 23502', async () => {
	refused(await sb.from('machines').insert([{ id: uuid(91), machine_id: 'm-x' }, { machine_id: 'm-y' }]),
		400, '23502');
});

await check('PostgREST: update() with a filter changes only the matching row', async () => {
	const data = must(await sb.from('machines').update({ name: 'ALPHA' }).eq('id', uuid(1)).select('id,name'));
	eq(data, [{ id: uuid(1), name: 'ALPHA' }], 'returned');
	eq(must(await sb.from('machines').select('name').eq('id', uuid(2))), [{ name: 'beta' }], 'others kept');
});

await check('PostgREST: upsert() (merge-duplicates on the primary key) updates in place', async () => {
	must(await sb.from('machines').upsert({ user_id: user.id, id: uuid(3), machine_id: 'm-gamma', name: 'GAMMA' }));
	eq(must(await sb.from('machines').select('name').eq('id', uuid(3))), [{ name: 'GAMMA' }]);
});

await check('PostgREST: upsert() with ignoreDuplicates keeps the stored row', async () => {
	must(await sb.from('machines').upsert({ user_id: user.id, id: uuid(3), machine_id: 'm-gamma', name: 'no' },
		{ ignoreDuplicates: true }));
	eq(must(await sb.from('machines').select('name').eq('id', uuid(3))), [{ name: 'GAMMA' }]);
});

await check('PostgREST: delete() with a filter removes the row and returns it with select()', async () => {
	eq(must(await sb.from('machines').delete().eq('id', uuid(5)).select('name')), [{ name: 'epsilon' }], 'returned');
	eq(must(await sb.from('machines').select('id').eq('id', uuid(5))), [], 'gone');
});

await check('PostgREST: insert of two rows with .maybeSingle() → 406 PGRST116, neither row kept', async () => {
	const e = refused(await sb.from('machines').insert([{ machine_id: 'm-two-1' }, { machine_id: 'm-two-2' }])
		.select().maybeSingle(), 406, 'PGRST116');
	eq(e.details, 'The result contains 2 rows', 'details');
	eq(must(await sb.from('machines').select('id').like('machine_id', 'm-two-*')), [], 'rolled back');
});

await check('PostgREST: match() ANDs an object of eq filters', async () => {
	eq(must(await sb.from('machines').select('id').match({ machine_id: 'm-beta', name: 'beta' })), [{ id: uuid(2) }]);
	eq(must(await sb.from('machines').select('id').match({ machine_id: 'm-beta', name: 'gamma' })), [], 'no match');
});

await check('PostgREST: filter(col, op, value) and not(col, "in", list)', async () => {
	eq(must(await sb.from('machines').select('name').filter('machine_id', 'eq', 'm-delta')), [{ name: 'delta' }], 'filter');
	const data = must(await sb.from('machines').select('machine_id').like('machine_id', 'm-*a')
		.not('machine_id', 'in', '(m-alpha,m-beta)').order('machine_id'));
	eq(data.map((r) => r.machine_id), ['m-delta', 'm-gamma'], 'not in');
});

await check('PostgREST: order() with nullsFirst puts NULL names first', async () => {
	const data = must(await sb.from('machines').select('machine_id,name').in('machine_id', ['m-n2', 'm-n1'])
		.order('name', { ascending: true, nullsFirst: true }));
	eq(data.map((r) => r.machine_id), ['m-n2', 'm-n1']);
});

await check('PostgREST: throwOnError() rejects with the PostgREST error', async () => {
	let caught = null;
	try {
		await sb.from('no_such_table').select('*').throwOnError();
	} catch (e) {
		caught = e;
	}
	ok(caught !== null, 'it threw');
	eq(caught.code, 'PGRST205', 'code');
});

await check('PostgREST: a unique violation → 409 23505', async () => {
	refused(await sb.from('machines').insert({ machine_id: 'm-beta' }), 409, '23505');
});

await check('PostgREST: an unknown table → 404 PGRST205', async () => {
	refused(await sb.from('no_such_table').select('*'), 404, 'PGRST205');
});

await check('PostgREST: an unknown column in select → 400 42703', async () => {
	refused(await sb.from('machines').select('no_such_column'), 400, '42703');
});

await check('PostgREST: csv() answers text/csv: the header, then one line per row', async () => {
	const res = await sb.from('machines').select('machine_id,name').in('id', [uuid(1), uuid(2)]).order('id').csv();
	eq(res.error, null, 'error');
	eq(res.data, 'machine_id,name\nm-alpha,ALPHA\nm-beta,beta', 'csv');
});

await check('PostgREST: csv() quotes a value with a comma as PostgreSQL\'s record text does', async () => {
	must(await sb.from('machines').insert({ id: uuid(70), machine_id: 'm-comma', name: 'a, b' }));
	const res = await sb.from('machines').select('name').eq('id', uuid(70)).csv();
	eq(res.data, 'name\n"a, b"', 'csv');
});

await check('PostgREST: or() → rows matching either filter', async () => {
	const data = must(await sb.from('machines').select('name').or('name.eq.beta,name.eq.delta').order('name'));
	eq(data, [{ name: 'beta' }, { name: 'delta' }]);
});

await check('PostgREST: or() with a nested and() and not.', async () => {
	const data = must(await sb.from('machines').select('name')
		.or('name.eq.beta,and(machine_id.like.m-*a,name.not.eq.delta)').order('machine_id'));
	eq(data.map((r) => r.name), ['ALPHA', 'beta', 'a, b', 'GAMMA'], 'names');
});

await check('PostgREST: or() with in.() inside and a filter beside it (ANDed)', async () => {
	const data = must(await sb.from('machines').select('name').or('name.in.(beta,delta),name.eq.ALPHA')
		.neq('name', 'delta').order('name'));
	eq(data, [{ name: 'ALPHA' }, { name: 'beta' }]);
});

await check('PostgREST: not.and() inside or() negates the group', async () => {
	const data = must(await sb.from('machines').select('name').like('machine_id', 'm-*a')
		.or('not.and(name.neq.beta,name.neq.delta)').order('machine_id'));
	eq(data, [{ name: 'beta' }, { name: 'delta' }]);
});

await check('PostgREST: a quoted value with a comma inside or()', async () => {
	eq(must(await sb.from('machines').select('machine_id').or('name.eq."a, b",name.eq.none')),
		[{ machine_id: 'm-comma' }]);
});

await check('PostgREST: a malformed or() → 400 PGRST100', async () => {
	refused(await sb.from('machines').select('name').or('name.eq.beta,(oops'), 400, 'PGRST100');
	refused(await sb.from('machines').select('name').or('name.eq.beta,'), 400, 'PGRST100');
	refused(await sb.from('machines').select('name').or('name.nope.beta'), 400, 'PGRST100');
});

await check('agentlogs: or() nested deeper than 16 levels → 400 PGRST100, the server stays up', async () => {
	let tree = 'name.eq.beta';
	for (let i = 0; i < 40; i++) tree = `and(${tree})`;
	const e = refused(await sb.from('machines').select('name').or(tree), 400, 'PGRST100');
	eq(e.details, 'or/and nest too deep', 'details');
	eq(must(await sb.from('machines').select('name').eq('id', uuid(2))), [{ name: 'beta' }], 'still answers');
});

await check('PostgREST: upsert() with onConflict on a unique column (user_id,machine_id)', async () => {
	must(await sb.from('machines').upsert({ machine_id: 'm-delta', name: 'DELTA' }, { onConflict: 'user_id,machine_id' }));
	eq(must(await sb.from('machines').select('id,name').eq('machine_id', 'm-delta')), [{ id: uuid(4), name: 'DELTA' }]);
});

await check('PostgREST PGRST106: schema() other than the exposed one is 406 (Accept-Profile, Content-Profile)', async () => {
	const read = refused(await sb.schema('private').from('machines').select('id'), 406, 'PGRST106');
	eq(read.message, 'The schema must be one of the following: public', 'message');
	refused(await sb.schema('private').from('machines').insert({ machine_id: 'm-x', name: 'x' }), 406, 'PGRST106',
		'insert');
	eq(must(await sb.schema('public').from('machines').select('id').eq('id', uuid(1))), [{ id: uuid(1) }],
		'public is fine');
});

await check('PostgREST PGRST107: an Accept the server cannot produce (geojson without PostGIS) is 406', async () => {
	const e = refused(await sb.from('machines').select('id').geojson(), 406, 'PGRST107');
	eq(e.message, 'None of these media types are available: application/geo+json', 'message');
	eq([e.details, e.hint], [null, null], 'details, hint');
});

// The requests below need headers or methods the client never sends, so they
// go through fetch, with a JSON Content-Type unless headers say otherwise.
async function raw(method, path, headers, body) {
	const res = await fetch(`${url}/rest/v1/${path}`, { method, body, headers: {
		apikey: anonKey, Authorization: `Bearer ${(await sb.auth.getSession()).data.session.access_token}`,
		'Content-Type': 'application/json', ...headers } });
	const text = await res.text();
	return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

await check('PostgREST: a body of a Content-Type other than JSON is 400 PGRST102 "Content-Type not acceptable"', async () => {
	const r = await raw('POST', 'machines', { 'Content-Type': 'text/plain' }, '{"machine_id":"m-t","name":"t"}');
	eq(r, { status: 400, body: { code: 'PGRST102', details: null, hint: null,
		message: 'Content-Type not acceptable: text/plain' } });
	eq((await raw('PATCH', `machines?id=eq.${uuid(1)}`, { 'Content-Type': 'application/xml' }, '<a/>')).body.message,
		'Content-Type not acceptable: application/xml', 'PATCH');
	eq(must(await sb.from('machines').select('id').eq('machine_id', 'm-t')), [], 'nothing written');
	eq((await raw('POST', 'machines', { 'Content-Type': 'application/json; charset=utf-8', Prefer: 'return=minimal' },
		'{"machine_id":"m-json","name":"j"}')).status, 201, 'JSON with a charset');
});

await check('PostgREST: a function called with a text/plain body looks for one unnamed text parameter: 404 PGRST202', async () => {
	const r = await raw('POST', 'rpc/purge_tombstones', { 'Content-Type': 'text/plain' }, 'x');
	eq(r, { status: 404, body: { code: 'PGRST202', details: 'Searched for the function public.purge_tombstones with'
		+ ' a single unnamed text parameter, but no matches were found in the schema cache.', hint: null,
	message: 'Could not find the function public.purge_tombstones in the schema cache' } });
});

await check('PostgREST PGRST103: with count=exact, a range past the last row is 416', async () => {
	const n = must(await sb.from('machines').select('id')).length;
	const e = refused(await sb.from('machines').select('id', { count: 'exact' }).range(n + 5, n + 9), 416, 'PGRST103');
	eq(e.message, 'Requested range not satisfiable', 'message');
	eq(e.details, `An offset of ${n + 5} was requested, but there are only ${n} rows.`, 'details');
	eq(must(await sb.from('machines').select('id', { count: 'exact' }).range(n, n + 4)), [], 'offset = total is empty');
});

await check('PostgREST PUT: an upsert by the whole primary key; PGRST105, PGRST114 and PGRST115 as upstream', async () => {
	const key = `user_id=eq.${user.id}&id=eq.${uuid(80)}`;
	const body = (id, name) => JSON.stringify({ user_id: user.id, id, machine_id: `m-put-${name}`, name });
	eq((await raw('PUT', `machines?${key}`, {}, body(uuid(80), 'one'))).status, 201, 'insert: 201');
	const replaced = await raw('PUT', `machines?${key}`, { Prefer: 'return=representation' }, body(uuid(80), 'two'));
	eq([replaced.status, replaced.body.map((r) => [r.id, r.machine_id, r.name])],
		[200, [[uuid(80), 'm-put-two', 'two']]], 'replace: 200 with the row');
	eq(must(await sb.from('machines').select('name').eq('id', uuid(80))), [{ name: 'two' }], 'one row');
	eq(await raw('PUT', `machines?${key}`, {}, body(uuid(81), 'other')), { status: 400, body: { code: 'PGRST115',
		details: null, hint: null, message: 'Payload values do not match URL in primary key column(s)' } }, 'PGRST115');
	eq(must(await sb.from('machines').select('id').eq('id', uuid(81))), [], 'nothing written');
	eq(await raw('PUT', `machines?id=eq.${uuid(80)}`, {}, body(uuid(80), 'x')), { status: 405, body: {
		code: 'PGRST105', details: null, hint: null,
		message: "Filters must include all and only primary key columns with 'eq' operators" } }, 'PGRST105');
	eq((await raw('PUT', `machines?${key}&limit=1`, {}, body(uuid(80), 'x'))).body.code, 'PGRST114', 'PGRST114');
});

done();
