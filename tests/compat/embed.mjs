// PostgREST resource embedding (docs: "Resource Embedding"): select= names a
// related table, found through a foreign key in the schema cache. Through the
// queried table's own key (many-to-one) it is an object or null; through the
// related table's key to it (one-to-many) an array. An unknown relationship is
// 400 PGRST200; embedded rows pass row-level security like any other read.
// Tables and keys: supabase/migrations/*_schema.sql (projects <- cognitive_commits
// <- sessions <- turns, each key (user_id, <parent>_id)).
import { check, done, eq, must, newUser, refused, uuid } from './lib.mjs';

const a = await newUser('embed-a');
const b = await newUser('embed-b');
const at = '2026-01-01T00:00:00+00:00';
function commit(id, project, title) {
	return { id: uuid(id), project_id: project === null ? null : uuid(project), title,
		started_at: at, closed_at: at, closed_by: 'open' };
}
function session(id, c, name) {
	return { id: uuid(id), commit_id: uuid(c), claude_session_id: name, started_at: at, ended_at: at };
}
must(await a.sb.from('projects').insert({ id: uuid(100), name: 'p one' }), 'seed project');
must(await a.sb.from('cognitive_commits').insert([commit(200, 100, 'c one'), commit(201, 100, 'c two'),
	commit(202, null, 'c three')]), 'seed commits');
must(await a.sb.from('sessions').insert([session(300, 200, 's one'), session(301, 200, 's two')]), 'seed sessions');
// B's rows carry the same ids: only B may see them, embedded or not.
must(await b.sb.from('projects').insert({ id: uuid(100), name: 'b project' }), 'seed B project');
must(await b.sb.from('cognitive_commits').insert(commit(200, 100, 'b commit')), 'seed B commit');
must(await b.sb.from('sessions').insert(session(302, 200, 'b session')), 'seed B session');

const byId = (x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

await check('PostgREST embedding, one-to-many: select=id,sessions(id,...) nests an array of the related rows', async () => {
	const rows = must(await a.sb.from('cognitive_commits').select('id, sessions(id, claude_session_id)').eq('id', uuid(200)));
	eq(rows.length, 1, 'rows');
	eq(rows[0].id, uuid(200), 'id');
	eq(rows[0].sessions.sort(byId), [{ id: uuid(300), claude_session_id: 's one' },
		{ id: uuid(301), claude_session_id: 's two' }], 'sessions');
});

await check('PostgREST embedding, one-to-many with no related rows: an empty array', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions(id)').eq('id', uuid(201))),
		[{ id: uuid(201), sessions: [] }]);
});

await check('PostgREST embedding, many-to-one: select=id,cognitive_commits(...) nests one object', async () => {
	eq(must(await a.sb.from('sessions').select('id, cognitive_commits(id, title)').eq('id', uuid(300))),
		[{ id: uuid(300), cognitive_commits: { id: uuid(200), title: 'c one' } }]);
});

await check('PostgREST embedding, many-to-one through a NULL key: null', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('title, projects(name)').eq('id', uuid(202))),
		[{ title: 'c three', projects: null }]);
});

await check('PostgREST embedding with an alias: alias:table(cols) names the key', async () => {
	eq(must(await a.sb.from('sessions').select('id, commit:cognitive_commits(title)').eq('id', uuid(301))),
		[{ id: uuid(301), commit: { title: 'c one' } }]);
});

await check('PostgREST embedding nested one level deeper: projects -> commits -> sessions', async () => {
	const rows = must(await a.sb.from('projects').select('name, cognitive_commits(title, sessions(claude_session_id))'));
	eq(rows.length, 1, 'projects');
	eq(rows[0].name, 'p one', 'name');
	const commits = rows[0].cognitive_commits.sort((x, y) => x.title.localeCompare(y.title));
	eq(commits.map((c) => c.title), ['c one', 'c two'], 'commits');
	eq(commits[0].sessions.map((s) => s.claude_session_id).sort(), ['s one', 's two'], 'sessions');
	eq(commits[1].sessions, [], 'c two has none');
});

await check('PostgREST embedding with *: select=*,sessions(*) keeps every column and nests whole rows', async () => {
	const [row] = must(await a.sb.from('cognitive_commits').select('*, sessions(*)').eq('id', uuid(200)));
	eq([row.title, row.closed_by, row.user_id], ['c one', 'open', a.user.id], 'columns');
	eq(row.sessions.map((s) => [s.id, s.user_id, s.commit_id]).sort(),
		[[uuid(300), a.user.id, uuid(200)], [uuid(301), a.user.id, uuid(200)]], 'sessions');
});

await check('PostgREST embedding !inner: only the rows that have a related row', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions!inner(id)').order('id')).map((r) => r.id),
		[uuid(200)]);
});

await check('PostgREST PGRST200: an unknown relationship is 400 "Could not find a relationship between ..."', async () => {
	const e = refused(await a.sb.from('projects').select('id, turns(id)'), 400, 'PGRST200');
	eq(e.message, "Could not find a relationship between 'projects' and 'turns' in the schema cache", 'message');
	eq(e.details, "Searched for a foreign key relationship between 'projects' and 'turns' in the schema"
		+ " 'public', but no matches were found.", 'details');
});

await check('RLS on embedded rows: each user sees only their own related rows, also under the same ids', async () => {
	eq(must(await b.sb.from('cognitive_commits').select('title, sessions(claude_session_id), projects(name)')),
		[{ title: 'b commit', sessions: [{ claude_session_id: 'b session' }], projects: { name: 'b project' } }], 'B');
	const [row] = must(await a.sb.from('cognitive_commits').select('sessions(claude_session_id)').eq('id', uuid(200)));
	eq(row.sessions.map((s) => s.claude_session_id).sort(), ['s one', 's two'], 'A');
});

// Embedded filters, order and ranges (docs: "Resource Embedding", "Embedded
// Filters", "Null filtering on Embedded Resources", "Spread embedded
// resource"): name.col=..., name.order=, name.limit=, name.offset=, name.or=
// apply to the embedded rows only; !inner or name=not.is.null make them
// filter the outer rows too.
const names = (rows) => rows.map((r) => r.claude_session_id);

await check('PostgREST embedded filter: .eq("sessions.col") filters the embedded array, never the outer rows', async () => {
	const rows = must(await a.sb.from('cognitive_commits').select('id, sessions(claude_session_id)')
		.eq('sessions.claude_session_id', 's two').order('id'));
	eq(rows.map((r) => [r.id, names(r.sessions)]), [[uuid(200), ['s two']], [uuid(201), []], [uuid(202), []]]);
});

await check('PostgREST embedded order: order(col, {referencedTable}) sorts the embedded array', async () => {
	const [row] = must(await a.sb.from('cognitive_commits').select('sessions(claude_session_id)')
		.eq('id', uuid(200)).order('claude_session_id', { referencedTable: 'sessions', ascending: false }));
	eq(names(row.sessions), ['s two', 's one']);
});

await check('PostgREST embedded limit and range: limit(n, {referencedTable}) and range(from, to, {referencedTable})', async () => {
	const q = () => a.sb.from('cognitive_commits').select('sessions(claude_session_id)').eq('id', uuid(200))
		.order('claude_session_id', { referencedTable: 'sessions' });
	eq(names(must(await q().limit(1, { referencedTable: 'sessions' }))[0].sessions), ['s one'], 'limit');
	eq(names(must(await q().range(1, 1, { referencedTable: 'sessions' }))[0].sessions), ['s two'], 'range');
});

await check('PostgREST embedded or: or(filters, {referencedTable}) on the embedded rows', async () => {
	const [row] = must(await a.sb.from('cognitive_commits').select('sessions(claude_session_id)').eq('id', uuid(200))
		.or('claude_session_id.eq.s one,claude_session_id.eq.nope', { referencedTable: 'sessions' }));
	eq(names(row.sessions), ['s one']);
});

await check('PostgREST !inner with an embedded filter: only the outer rows whose embedded rows match', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions!inner(claude_session_id)')
		.eq('sessions.claude_session_id', 's two')), [{ id: uuid(200), sessions: [{ claude_session_id: 's two' }] }]);
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions!inner(id)')
		.eq('sessions.claude_session_id', 'nope')), [], 'none match');
});

await check('PostgREST !inner one level down: projects -> commits(sessions!inner) keeps only commits with sessions', async () => {
	const [row] = must(await a.sb.from('projects').select('name, cognitive_commits(title, sessions!inner(id))'));
	eq(row.cognitive_commits.map((c) => c.title), ['c one']);
});

await check('PostgREST null filter on an embedding: .is("sessions", null) and .not("sessions", "is", null)', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions(id)').is('sessions', null).order('id'))
		.map((r) => r.id), [uuid(201), uuid(202)], 'is null');
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions(id)').not('sessions', 'is', null))
		.map((r) => r.id), [uuid(200)], 'not is null');
});

await check('PostgREST embedded filter through an alias: s:sessions(...) is filtered as s.col', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, s:sessions(claude_session_id)').eq('id', uuid(200))
		.eq('s.claude_session_id', 's one')), [{ id: uuid(200), s: [{ claude_session_id: 's one' }] }]);
});

await check('PostgREST spread: ...table(cols) lifts a to-one embedding\'s columns into the row', async () => {
	eq(must(await a.sb.from('sessions').select('claude_session_id, ...cognitive_commits(title, project_id)')
		.eq('id', uuid(301))), [{ claude_session_id: 's two', title: 'c one', project_id: uuid(100) }]);
});

await check('PostgREST PGRST119: a spread of a to-many embedding is 400', async () => {
	const e = refused(await a.sb.from('cognitive_commits').select('...sessions(id)'), 400, 'PGRST119');
	eq(e.message, "A spread operation on 'sessions' is not possible", 'message');
	eq(e.details, "'cognitive_commits' and 'sessions' do not form a many-to-one or one-to-one relationship", 'details');
});

await check('PostgREST PGRST108: a filter on a resource select= does not embed is 400 with the hint', async () => {
	const e = refused(await a.sb.from('cognitive_commits').select('id').eq('sessions.claude_session_id', 'x'), 400,
		'PGRST108');
	eq(e.message, "'sessions' is not an embedded resource in this request", 'message');
	eq(e.hint, "Verify that 'sessions' is included in the 'select' query parameter.", 'hint');
	eq(e.details, null, 'details');
});

await check('PostgREST PGRST120: an operator other than is null on an embedding is 400', async () => {
	const e = refused(await a.sb.from('cognitive_commits').select('id, sessions(id)').eq('sessions', 'x'), 400,
		'PGRST120');
	eq(e.message, "Bad operator on the 'sessions' embedded resource", 'message');
});

await check('PostgREST PGRST200 with a hint: details name the hint', async () => {
	const e = refused(await a.sb.from('cognitive_commits').select('id, sessions!nope(id)'), 400, 'PGRST200');
	eq(e.details, "Searched for a foreign key relationship between 'cognitive_commits' and 'sessions' using the"
		+ " hint 'nope' in the schema 'public', but no matches were found.", 'details');
});

await check('RLS on embedded filters and !inner: B\'s rows never match A\'s filter', async () => {
	eq(must(await a.sb.from('cognitive_commits').select('id, sessions!inner(id)')
		.eq('sessions.claude_session_id', 'b session')), [], 'A');
	eq(must(await b.sb.from('cognitive_commits').select('title, sessions!inner(claude_session_id)')
		.eq('sessions.claude_session_id', 'b session')).map((r) => r.title), ['b commit'], 'B');
});

done();
