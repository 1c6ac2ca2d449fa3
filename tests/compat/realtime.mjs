// Realtime postgres_changes through supabase-js's channel API, over both of
// Phoenix's JSON serializers: the pinned client's default (vsn=1.0.0, object
// frames) and vsn=2.0.0, the array frames [join_ref, ref, topic, event,
// payload] that newer realtime-js and phoenix.js send by default. The pinned
// client predates v2, so the v2 run gives it phoenix.js's V2 JSON serializer
// through its own encode/decode/transport options; the channel logic that
// turns replies into SUBSCRIBED and events into callbacks is the client's.
//
// Events carry the whole row as the subscriber's SELECT sees it (RLS), as
// Supabase Realtime's do; agentlogs' own client asks for nudges instead.
// realtime-js needs a global WebSocket: Node 22 has one, Node 20 only behind a
// flag, Debian 12's Node 18 none; the `ws` package (a dependency of the pinned
// client, in the same modules) stands in, as realtime-js itself uses it on Node.
if (typeof globalThis.WebSocket === 'undefined') {
	const { WebSocket } = await import('ws');
	globalThis.WebSocket = WebSocket;
}

const { createClient } = await import('@supabase/supabase-js');
const { anonKey, check, done, eq, must, newUser, ok, url, uuid } = await import('./lib.mjs');

const TIMEOUT_MS = 15000;

// phoenix.js's V2 JSON serializer (assets/js/phoenix/serializer.js), text frames only.
const v2 = {
	encode: (msg, callback) => callback(JSON.stringify([msg.join_ref, msg.ref, msg.topic, msg.event, msg.payload])),
	decode: (raw, callback) => {
		const [join_ref, ref, topic, event, payload] = JSON.parse(raw);
		return callback({ join_ref, ref, topic, event, payload });
	},
	// The pinned client always asks for vsn=1.0.0; a newer one asks for 2.0.0.
	transport: class extends WebSocket {
		constructor(address, protocols) {
			super(address.replace('vsn=1.0.0', 'vsn=2.0.0'), protocols);
		}
	},
};

// Resolves with the first value pushed, or rejects after TIMEOUT_MS (a
// deadline for a broken server, never a wait the checks rely on).
function waiter(what) {
	let resolve;
	const promise = new Promise((res, rej) => {
		const t = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
		resolve = (v) => { clearTimeout(t); res(v); };
	});
	return { promise, push: resolve };
}

function subscribed(channel) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('no subscribe status')), TIMEOUT_MS);
		channel.subscribe((status, err) => {
			clearTimeout(t);
			if (status === 'SUBSCRIBED') resolve(status);
			else reject(new Error(`status ${status}${err ? ': ' + err.message : ''}`));
		});
	});
}

// A signed-in user whose client speaks the given serializer.
async function user(tag, options) {
	const u = await newUser(tag);
	const sb = createClient(url, anonKey, { realtime: process.env.COMPAT_DEBUG ?
		{ ...options, logger: (k, m, d) => console.log('#', k, m, JSON.stringify(d)) } : options });
	const { error } = await sb.auth.setSession(u.session);
	if (error) throw new Error(`setSession: ${error.message}`);
	return { ...u, sb };
}

// A channel on projects whose events queue up in order, for await next().
// filters: more bindings' filters on the same channel (each its own binding).
function changes(sb, name, event, filters = [null]) {
	const queue = [];
	let wake = null;
	let channel = sb.channel(name);
	for (const filter of filters) {
		channel = channel.on('postgres_changes', { event, schema: 'public', table: 'projects',
			...(filter ? { filter } : {}) }, (p) => {
			queue.push(p);
			if (wake) wake();
		});
	}
	async function next() {
		if (queue.length === 0) {
			const w = waiter('a postgres_changes event');
			wake = w.push;
			await w.promise;
			wake = null;
		}
		return queue.shift();
	}
	return { channel, next };
}

async function insertProject(u, n, more = {}) {
	const { error } = await u.sb.from('projects').insert({ id: uuid(n), name: `p${n}`, ...more });
	if (error) throw new Error(`insert: ${JSON.stringify(error)}`);
}

// An object with its keys sorted, so that eq() compares rows, not key orders.
function sorted(o) {
	return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

// The filter checks: rows inserted with these versions (and local paths), in
// this order, then one closing row every filter channel also binds by id.
const FILTER_VERSIONS = [5, 3, 10, 4, 7];
// What each operator lets through, written out by hand (10 > 5 as a number:
// a comparison as text would put '10' before '5').
const FILTERS = [
	['version=eq.5', [5]],
	['version=neq.5', [3, 10, 4, 7]],
	['version=lt.5', [3, 4]],
	['version=lte.5', [5, 3, 4]],
	['version=gt.5', [10, 7]],
	['version=gte.5', [5, 10, 7]],
	['version=in.(3,10)', [3, 10]],
	['local_path=eq./p4', [4]],
	['local_path=in.(/p3,/p7)', [3, 7]],
];

for (const [vsn, options, base] of [['1.0.0 (the pinned client\'s default)', {}, 100], ['2.0.0', v2, 200]]) {
	const a = await user(`rt-a-${base}`, options);
	const b = await user(`rt-b-${base}`, options);
	const ca = changes(a.sb, `a-${base}`, '*');
	const cb = changes(b.sb, `b-${base}`, 'INSERT');

	await check(`Realtime vsn=${vsn}: channel.subscribe() with postgres_changes → SUBSCRIBED (join reply echoes the bindings with ids)`, async () => {
		eq(await subscribed(ca.channel), 'SUBSCRIBED');
		eq(await subscribed(cb.channel), 'SUBSCRIBED');
	});

	await check(`Realtime vsn=${vsn}: the user's own INSERT reaches their postgres_changes callback (eventType, schema, table, new)`, async () => {
		await insertProject(a, base + 1);
		const p = await ca.next();
		eq([p.eventType, p.schema, p.table], ['INSERT', 'public', 'projects'], 'event');
		eq([p.new.id, p.new.user_id], [uuid(base + 1), a.user.id], 'new');
	});

	// projects keeps the newest version (agentlogs_lww), so an edit bumps it.
	await check(`Realtime vsn=${vsn}: an UPDATE by the user arrives as UPDATE with the row's id`, async () => {
		const { error } = await a.sb.from('projects').update({ name: 'renamed', version: 2 }).eq('id', uuid(base + 1));
		ok(!error, `update: ${JSON.stringify(error)}`);
		const p = await ca.next();
		eq([p.eventType, p.new.id, p.new.user_id], ['UPDATE', uuid(base + 1), a.user.id]);
	});

	await check(`Realtime vsn=${vsn}: RLS: another user's INSERT is not delivered (only the subscriber's own next one is)`, async () => {
		// A's insert commits before B's; events go out in commit order, so
		// B's first event being B's own row shows A's was withheld.
		await insertProject(a, base + 2);
		await insertProject(b, base + 3);
		const p = await cb.next();
		eq([p.new.id, p.new.user_id], [uuid(base + 3), b.user.id]);
		const own = await ca.next();
		eq(own.new.id, uuid(base + 2), 'A still gets its own');
	});

	await check(`Realtime vsn=${vsn}: INSERT: payload.new is the whole inserted row (Supabase Realtime: record holds every column), payload.old is {}`, async () => {
		await insertProject(a, base + 4, { local_path: '/src/x', remote_url: 'git@h:x', version: 3 });
		const p = await ca.next();
		const n = p.new;
		eq([n.id, n.user_id, n.name, n.local_path, n.remote_url, n.version, n.deleted_at],
			[uuid(base + 4), a.user.id, `p${base + 4}`, '/src/x', 'git@h:x', 3, null], 'values written');
		const row = must(await a.sb.from('projects').select('*').eq('id', uuid(base + 4)).single(), 'select');
		eq(sorted(n), sorted(row), 'new against the row as selected');
		eq(p.old, {}, 'old');
	});

	await check(`Realtime vsn=${vsn}: UPDATE: payload.new is the updated row, payload.old only the primary key (user_id, id) (Supabase Realtime without REPLICA IDENTITY FULL)`, async () => {
		must(await a.sb.from('projects').update({ name: 'moved', version: 4 }).eq('id', uuid(base + 4)), 'update');
		const p = await ca.next();
		eq([p.eventType, p.new.id, p.new.name, p.new.version, p.new.local_path],
			['UPDATE', uuid(base + 4), 'moved', 4, '/src/x'], 'new');
		eq(sorted(p.old), { id: uuid(base + 4), user_id: a.user.id }, 'old');
	});

	await check(`Realtime vsn=${vsn}: DELETE: payload.old holds only the primary key (user_id, id), payload.new is {} (Supabase Realtime without REPLICA IDENTITY FULL)`, async () => {
		must(await a.sb.from('projects').delete().eq('id', uuid(base + 4)), 'delete');
		const p = await ca.next();
		eq([p.eventType, p.new], ['DELETE', {}], 'event');
		eq(sorted(p.old), { id: uuid(base + 4), user_id: a.user.id }, 'old');
	});

	// Hosted Realtime reads the WAL, which holds one change per row: a
	// statement writing 25 rows gives 25 events, not one for the batch.
	const BULK = Array.from({ length: 25 }, (_, i) => base + 10 + i);
	await check(`Realtime vsn=${vsn}: a bulk insert of 25 rows gives 25 INSERT events, each with its whole row, in the statement's order (Supabase Realtime: one postgres_changes event per row written)`, async () => {
		must(await a.sb.from('projects').insert(BULK.map((n) => ({ id: uuid(n), name: `bulk${n}`, version: n }))), 'insert');
		const got = [];
		for (const n of BULK) {
			const p = await ca.next();
			got.push([p.eventType, p.new.id, p.new.user_id, p.new.name, p.new.version, p.new.deleted_at]);
		}
		eq(got, BULK.map((n) => ['INSERT', uuid(n), a.user.id, `bulk${n}`, n, null]));
	});

	await check(`Realtime vsn=${vsn}: a bulk delete of 25 rows gives 25 DELETE events, each with the row's primary key (user_id, id) in old (Supabase Realtime without REPLICA IDENTITY FULL)`, async () => {
		must(await a.sb.from('projects').delete().like('name', 'bulk%'), 'delete');
		const got = [];
		for (const n of BULK) {
			const p = await ca.next();
			eq([p.eventType, p.new], ['DELETE', {}], 'event');
			got.push(`${p.old.user_id} ${p.old.id} ${Object.keys(p.old).length}`);
		}
		eq(got.sort(), BULK.map((n) => `${a.user.id} ${uuid(n)} 2`).sort());
	});

	// One channel per filter, each also bound to the closing row by id: a
	// channel's events come in commit order, so when the closing row arrives
	// every earlier row it was going to get has arrived, and none other may
	// have. B's row (matching most filters) must never reach A.
	const chans = FILTERS.map(([filter], i) =>
		changes(a.sb, `f-${base}-${i}`, 'INSERT', [filter, `id=eq.${uuid(base + 60)}`]));
	for (const [i, [filter, want]] of FILTERS.entries()) {
		await check(`Realtime vsn=${vsn}: filter ${filter} delivers exactly the matching rows, and never another user's (Supabase Realtime postgres_changes filters)`, async () => {
			if (i === 0) {
				for (const c of chans) eq(await subscribed(c.channel), 'SUBSCRIBED');
				for (const [k, v] of FILTER_VERSIONS.entries()) {
					await insertProject(a, base + 50 + k, { version: v, local_path: `/p${v}` });
					if (k === 1)
						await insertProject(b, base + 59, { version: 5, local_path: '/p4' });
				}
				await insertProject(a, base + 60, { version: 1 });
			}
			const got = [];
			for (;;) {
				const p = await chans[i].next();
				eq(p.new.user_id, a.user.id, 'owner');
				if (p.new.id === uuid(base + 60))
					break;
				got.push(p.new.version);
			}
			eq(got, want, 'versions received before the closing row');
		});
	}
	for (const c of chans) await a.sb.removeChannel(c.channel);

	await check(`Realtime vsn=${vsn}: a binding with an unsupported filter → CHANNEL_ERROR with the server's reason`, async () => {
		const ch = a.sb.channel(`bad-${base}`).on('postgres_changes',
			{ event: '*', schema: 'public', table: 'projects', filter: 'name=like.x' }, () => {});
		let reason = '';
		await subscribed(ch).catch((e) => { reason = e.message; });
		ok(reason.startsWith('status CHANNEL_ERROR'), `got "${reason}"`);
		await a.sb.removeChannel(ch);
	});
	for (const filter of ['version=lt.abc', 'nosuch=eq.1', 'version=gte']) {
		await check(`Realtime vsn=${vsn}: filter ${filter} (a value the column's type refuses, an unknown column, no value) → CHANNEL_ERROR (Supabase Realtime refuses the subscription)`, async () => {
			const ch = a.sb.channel(`badf-${base}-${filter}`).on('postgres_changes',
				{ event: '*', schema: 'public', table: 'projects', filter }, () => {});
			let reason = '';
			await subscribed(ch).catch((e) => { reason = e.message; });
			ok(reason.startsWith('status CHANNEL_ERROR'), `got "${reason}"`);
			await a.sb.removeChannel(ch);
		});
	}
	await check(`Realtime vsn=${vsn}: removeChannel() → phx_leave answered ok, no channels left`, async () => {
		eq(await a.sb.removeChannel(ca.channel), 'ok');
		eq(await b.sb.removeChannel(cb.channel), 'ok');
		eq(a.sb.getChannels().length, 0, 'channels');
	});

	a.sb.realtime.disconnect();
	b.sb.realtime.disconnect();
}

// The wire itself, without the client: a raw vsn=2.0.0 socket.
function rawSocket() {
	const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${anonKey}&vsn=2.0.0`);
	const frames = [];
	let wake = null;
	ws.onmessage = (m) => { frames.push(m.data); if (wake) wake(); };
	const closed = new Promise((resolve) => { ws.onclose = (e) => resolve(e); });
	const opened = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
	async function next() {
		if (frames.length === 0) {
			const w = waiter('a frame');
			wake = w.push;
			await w.promise;
			wake = null;
		}
		return JSON.parse(frames.shift());
	}
	return { ws, opened, closed, next };
}

await check('Phoenix V2 serializer: heartbeat [null,ref,"phoenix","heartbeat",{}] → [null,ref,"phoenix","phx_reply",{status:"ok",response:{}}]', async () => {
	const s = rawSocket();
	await s.opened;
	s.ws.send(JSON.stringify([null, '7', 'phoenix', 'heartbeat', {}]));
	eq(await s.next(), [null, '7', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
	s.ws.close();
});

await check('Phoenix V2 serializer: a reply carries the join_ref of the message it answers (phx_join, then phx_leave)', async () => {
	const s = rawSocket();
	await s.opened;
	s.ws.send(JSON.stringify(['3', '3', 'realtime:raw', 'phx_join', { config: {} }]));
	eq(await s.next(), ['3', '3', 'realtime:raw', 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }]);
	s.ws.send(JSON.stringify(['3', '4', 'realtime:raw', 'phx_leave', {}]));
	eq(await s.next(), ['3', '4', 'realtime:raw', 'phx_reply', { status: 'ok', response: {} }]);
	s.ws.close();
});

await check('Realtime: a binary frame shorter than its header (V2Serializer user_broadcast_push) closes the socket with 1003 and a reason', async () => {
	const s = rawSocket();
	await s.opened;
	s.ws.send(new Uint8Array([3, 1, 1, 1, 1, 0, 1]));
	const e = await s.closed;
	eq([e.code, e.reason], [1003, 'a binary frame shorter than its header says']);
});

done();
