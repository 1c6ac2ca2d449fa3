// PostgREST's schema cache (docs: "Schema Cache", "Resource Embedding"):
// tables this file creates while the server runs are unknown (PGRST205) until
// `NOTIFY pgrst, 'reload schema'`; then they are queried and embedded like
// any other, including many-to-many through a junction table whose primary
// key holds both foreign keys, and the ambiguity errors and hints that pick
// one of several foreign keys. The tables are the superuser's, in public,
// with row-level security and grants, as a migration would make them.
import { check, client, done, eq, must, newUser, refused, sql } from './lib.mjs';

const u = await newUser('relations');

// The schema cache is read before the tables exist.
must(await u.sb.from('projects').select('id'), 'a first query');

sql(`
create table public.compat_films (id int primary key, title text not null);
create table public.compat_actors (id int primary key, name text not null);
create table public.compat_roles (
	film_id int references public.compat_films (id),
	actor_id int references public.compat_actors (id),
	part text not null,
	primary key (film_id, actor_id));
-- Two keys to films: embedding reviews from films is ambiguous.
create table public.compat_reviews (
	id int primary key,
	film_id int constraint compat_reviews_film_fkey references public.compat_films (id),
	remake_of int constraint compat_reviews_remake_fkey references public.compat_films (id),
	stars int);
insert into public.compat_films values (1, 'Alien'), (2, 'Aliens'), (3, 'Heat');
insert into public.compat_actors values (10, 'Weaver'), (11, 'Hurt'), (12, 'Pacino'), (13, 'Extra');
insert into public.compat_roles values (1, 10, 'Ripley'), (1, 11, 'Kane'), (2, 10, 'Ripley'),
	(3, 12, 'Hanna'), (3, 13, 'hidden');
insert into public.compat_reviews values (100, 1, null, 5), (101, 2, 1, 4), (102, 1, null, 3);
`);
for (const t of ['compat_films', 'compat_actors', 'compat_roles', 'compat_reviews']) {
	sql(`alter table public.${t} enable row level security;
		grant select on public.${t} to anon, authenticated;`);
	// Row-level security on the junction hides the 'hidden' part, and with it the link.
	sql(`create policy readable on public.${t} for select to anon, authenticated using (${
		t === 'compat_roles' ? "part <> 'hidden'" : 'true'})`);
}

await check('PostgREST schema cache: a table created after it was read is 404 PGRST205 until a reload', async () => {
	const e = refused(await u.sb.from('compat_films').select('id'), 404, 'PGRST205');
	eq(e.message, "Could not find the table 'public.compat_films' in the schema cache", 'message');
});

// The reload is asynchronous, as PostgREST's: a worker takes the notification
// when it next serves a request. Ask again while the answer is the old cache's.
async function retryWhile(query, stale) {
	const deadline = Date.now() + 30000;
	for (;;) {
		const res = await query();
		if (!stale(res) || Date.now() > deadline) return res;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
const errorIs = (code) => (res) => res.error !== null && res.error.code === code;

await check('PostgREST NOTIFY pgrst, \'reload schema\': the new tables are queried without a restart', async () => {
	sql("NOTIFY pgrst, 'reload schema'");
	must(await retryWhile(() => u.sb.from('compat_films').select('id'), errorIs('PGRST205')), 'after the reload');
	eq(must(await u.sb.from('compat_films').select('id, title').order('id')),
		[{ id: 1, title: 'Alien' }, { id: 2, title: 'Aliens' }, { id: 3, title: 'Heat' }]);
});

await check('PostgREST many-to-many: films -> actors through compat_roles, each actor once', async () => {
	const rows = must(await u.sb.from('compat_films').select('title, compat_actors(name)').order('id')
		.order('name', { referencedTable: 'compat_actors' }));
	eq(rows, [{ title: 'Alien', compat_actors: [{ name: 'Hurt' }, { name: 'Weaver' }] },
		{ title: 'Aliens', compat_actors: [{ name: 'Weaver' }] },
		{ title: 'Heat', compat_actors: [{ name: 'Pacino' }] }], 'films');
});

await check('PostgREST many-to-many the other way, with an embedded filter and !inner', async () => {
	eq(must(await u.sb.from('compat_actors').select('name, compat_films!inner(title)')
		.eq('compat_films.title', 'Aliens')), [{ name: 'Weaver', compat_films: [{ title: 'Aliens' }] }]);
});

await check('RLS on a junction table: a link the caller may not see embeds nothing', async () => {
	eq(must(await u.sb.from('compat_actors').select('name, compat_films(title)').eq('id', 13)),
		[{ name: 'Extra', compat_films: [] }]);
});

await check('PostgREST junction hint: actors!compat_roles picks the many-to-many; the junction itself is one-to-many', async () => {
	eq(must(await u.sb.from('compat_films').select('compat_actors!compat_roles(id)').eq('id', 2)),
		[{ compat_actors: [{ id: 10 }] }], 'hinted');
	eq(must(await u.sb.from('compat_films').select('compat_roles(part)').eq('id', 2)),
		[{ compat_roles: [{ part: 'Ripley' }] }], 'junction');
});

await check('PostgREST PGRST201: two foreign keys and no hint is 300 with every candidate and hint', async () => {
	const e = refused(await u.sb.from('compat_films').select('compat_reviews(id)'), 300, 'PGRST201');
	eq(e.message, "Could not embed because more than one relationship was found for 'compat_films' and"
		+ " 'compat_reviews'", 'message');
	eq(e.details, [
		{ cardinality: 'one-to-many', embedding: 'compat_films with compat_reviews',
			relationship: 'compat_reviews_film_fkey using compat_films(id) and compat_reviews(film_id)' },
		{ cardinality: 'one-to-many', embedding: 'compat_films with compat_reviews',
			relationship: 'compat_reviews_remake_fkey using compat_films(id) and compat_reviews(remake_of)' }],
	'details');
	eq(e.hint, "Try changing 'compat_reviews' to one of the following: 'compat_reviews!compat_reviews_film_fkey',"
		+ " 'compat_reviews!compat_reviews_remake_fkey'. Find the desired relationship in the 'details' key.", 'hint');
});

await check('PostgREST disambiguation: !constraint, !column of the key and a hint with !inner each pick one key', async () => {
	eq(must(await u.sb.from('compat_films').select('id, compat_reviews!compat_reviews_remake_fkey(id)').eq('id', 1)),
		[{ id: 1, compat_reviews: [{ id: 101 }] }], 'constraint');
	eq(must(await u.sb.from('compat_films').select('id, compat_reviews!film_id(id)').eq('id', 1)
		.order('id', { referencedTable: 'compat_reviews' })),
	[{ id: 1, compat_reviews: [{ id: 100 }, { id: 102 }] }], 'column');
	eq(must(await u.sb.from('compat_films').select('id, compat_reviews!remake_of!inner(id)')),
		[{ id: 1, compat_reviews: [{ id: 101 }] }], 'hint then !inner');
	eq(must(await u.sb.from('compat_reviews').select('id, original:compat_films!remake_of(title)').eq('id', 101)),
		[{ id: 101, original: { title: 'Alien' } }], 'many-to-one');
});

await check('PostgREST reload: a dropped relationship is gone after NOTIFY pgrst (empty payload reloads too)', async () => {
	sql('alter table public.compat_reviews drop constraint compat_reviews_remake_fkey');
	sql('NOTIFY pgrst');
	const res = await retryWhile(() => u.sb.from('compat_films').select('compat_reviews(id)').eq('id', 1),
		errorIs('PGRST201'));
	eq(must(res).map((r) => r.compat_reviews.map((x) => x.id).sort()), [[100, 102]]);
});

await check('PostgREST NOTIFY pgrst, \'reload config\' is accepted and the server keeps answering', async () => {
	sql("NOTIFY pgrst, 'reload config'");
	eq(must(await client().from('compat_films').select('title').eq('id', 3)), [{ title: 'Heat' }]);
});

done();
