// PostgREST functions (/rest/v1/rpc/<fn>) through supabase-js's rpc(): the
// sync functions of supabase/migrations, POST by default and GET with get: true.
import { check, done, eq, must, newUser, ok, refused } from './lib.mjs';

const { sb } = await newUser('rpc');

// pull_changes answers one page of changes; an empty store has none.
function page(data) {
	return typeof data === 'string' ? JSON.parse(data) : data;
}

await check('PostgREST: rpc() POSTs the arguments as a JSON object', async () => {
	const p = page(must(await sb.rpc('pull_changes', { page_size: 10 })));
	ok(p !== null && typeof p === 'object', `an object: ${JSON.stringify(p)}`);
	eq(Array.isArray(p.rows) ? p.rows.length : p.rows, 0, 'no rows for a new user');
});

await check('PostgREST: rpc(fn, args, { get: true }) → GET /rpc/fn?args, the same answer', async () => {
	const post = page(must(await sb.rpc('pull_changes', { page_size: 10 })));
	const get = page(must(await sb.rpc('pull_changes', { page_size: 10 }, { get: true })));
	eq(get, post, 'GET and POST agree');
});

await check('PostgREST: GET /rpc on a function that writes → 405 25006 (read-only transaction)', async () => {
	refused(await sb.rpc('purge_tombstones', {}, { get: true }), 405, '25006');
});

await check('PostgREST: GET /rpc with an argument the function lacks → 404 PGRST202', async () => {
	refused(await sb.rpc('pull_changes', { no_such_arg: 1 }, { get: true }), 404, 'PGRST202');
});

await check('PostgREST: GET /rpc with a value its type refuses → 400 22P02', async () => {
	refused(await sb.rpc('pull_changes', { page_size: 'many' }, { get: true }), 400, '22P02');
});

await check('PostgREST: rpc() of an unknown function → 404 PGRST202', async () => {
	refused(await sb.rpc('no_such_function', {}), 404, 'PGRST202');
});

await check('PostgREST: rpc() with an argument the function lacks → 404 PGRST202', async () => {
	refused(await sb.rpc('pull_changes', { nope: 1 }), 404, 'PGRST202');
});

await check('PostgREST: rpc() of a volatile function by POST runs it (purge_tombstones)', async () => {
	const res = await sb.rpc('purge_tombstones', {});
	eq(res.error, null, 'error');
	eq(res.status, 200, 'status');
});

done();
