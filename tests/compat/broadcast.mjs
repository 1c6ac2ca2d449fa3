// Realtime Broadcast, Presence and private channels through supabase-js's
// channel API with the pinned client's defaults (vsn=1.0.0), as Supabase
// Realtime's BroadcastHandler, PresenceHandler, Authorization (RLS on
// realtime.messages) and BatchBroadcast (POST /realtime/v1/api/broadcast)
// behave. Private channels need policies: this file writes its own with psql
// on the test's database (COMPAT_DB); the migrations add none.
//
// Proving that something did NOT arrive never waits for a timeout: a socket's
// frames arrive in the order the server sent them, so a later message that
// does arrive (a sentinel) shows the earlier one was never sent.
if (typeof globalThis.WebSocket === 'undefined') {
	const { WebSocket } = await import('ws');
	globalThis.WebSocket = WebSocket;
}
const { createClient } = await import('@supabase/supabase-js');
const { anonKey, check, done, eq, newUser, ok, sql, url } = await import('./lib.mjs');

const TIMEOUT_MS = 15000;
const run = process.pid;

// Values pushed by callbacks, taken in order with await next() (rejects after
// TIMEOUT_MS: a deadline for a broken server, never a wait a check relies on).
function inbox() {
	const queue = [];
	let wake = null;
	return {
		push(v) { queue.push(v); if (wake) wake(); },
		async next(what) {
			if (queue.length === 0) {
				await new Promise((resolve, reject) => {
					const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
					wake = () => { clearTimeout(t); resolve(); };
				});
				wake = null;
			}
			return queue.shift();
		},
		get length() { return queue.length; },
	};
}

// Resolves with the subscribe status and error (SUBSCRIBED, CHANNEL_ERROR, ...).
function subscribe(channel) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('no subscribe status')), TIMEOUT_MS);
		channel.subscribe((status, err) => {
			if (status === 'CLOSED') return;
			clearTimeout(t);
			resolve({ status, err });
		});
	});
}

async function joined(channel) {
	const { status, err } = await subscribe(channel);
	if (status !== 'SUBSCRIBED') throw new Error(`status ${status}${err ? ': ' + err.message : ''}`);
}

async function user(tag) {
	const u = await newUser(tag);
	const sb = createClient(url, anonKey);
	const { error } = await sb.auth.setSession(u.session);
	if (error) throw new Error(`setSession: ${error.message}`);
	return { ...u, sb };
}

// A channel whose broadcasts (any event) queue up in box.
function listening(sb, topic, config = {}) {
	const box = inbox();
	const channel = sb.channel(topic, { config })
		.on('broadcast', { event: '*' }, (m) => box.push(m));
	return { channel, box };
}

const a = await user('bc-a');
const b = await user('bc-b');
const c = await user('bc-c');

// ---------------------------------------------------------------- broadcast

const room = `room-${run}`;
const ra = listening(a.sb, room);
const rb = listening(b.sb, room);
const rc = listening(c.sb, room, { broadcast: { self: true, ack: true } });

await check('Broadcast: clients join a public topic with config.broadcast → SUBSCRIBED', async () => {
	await joined(ra.channel);
	await joined(rb.channel);
	await joined(rc.channel);
});

await check('Broadcast: a send() reaches every other client of the topic as {type: "broadcast", event, payload}; without self the sender does not get it back (BroadcastHandler: broadcast_from)', async () => {
	eq(await ra.channel.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } }), 'ok', 'send');
	eq(await rb.box.next('A\'s message at B'), { type: 'broadcast', event: 'cursor', payload: { x: 1 } }, 'at B');
	eq(await rc.box.next('A\'s message at C'), { type: 'broadcast', event: 'cursor', payload: { x: 1 } }, 'at C');
	// B's later message reaching A first shows A's own never came back.
	await rb.channel.send({ type: 'broadcast', event: 'cursor', payload: { x: 2 } });
	eq((await ra.box.next('B\'s message at A')).payload, { x: 2 }, 'A gets B\'s, not its own');
	eq((await rc.box.next('B\'s message at C')).payload, { x: 2 }, 'at C');
});

await check('Broadcast: config.broadcast.self delivers the sender\'s own message to it too (BroadcastHandler: self_broadcast)', async () => {
	await rc.channel.send({ type: 'broadcast', event: 'echo', payload: { n: 3 } });
	eq(await rc.box.next('C\'s own message'), { type: 'broadcast', event: 'echo', payload: { n: 3 } });
	eq((await ra.box.next('C\'s message at A')).payload, { n: 3 });
	eq((await rb.box.next('C\'s message at B')).payload, { n: 3 });
});

await check('Broadcast: config.broadcast.ack answers each send() with phx_reply ok (send resolves "ok" from the server\'s reply)', async () => {
	// With ack the client waits for the reply: a server that did not answer would time out.
	eq(await rc.channel.send({ type: 'broadcast', event: 'acked', payload: {} }, { timeout: TIMEOUT_MS }), 'ok');
	eq((await rc.box.next('the acked message')).event, 'acked');
	await ra.box.next('the acked message at A');
	await rb.box.next('the acked message at B');
});

await check('Broadcast: on(\'broadcast\', {event}) gets only that event (the payload\'s event names it)', async () => {
	const box = inbox();
	const ch = b.sb.channel(`ev-${run}`).on('broadcast', { event: 'wanted' }, (m) => box.push(m));
	const sender = a.sb.channel(`ev-${run}`);
	await joined(ch);
	await joined(sender);
	await sender.send({ type: 'broadcast', event: 'other', payload: { n: 1 } });
	await sender.send({ type: 'broadcast', event: 'wanted', payload: { n: 2 } });
	eq((await box.next('the wanted event')).payload, { n: 2 });
	eq(box.length, 0, 'nothing else');
	await a.sb.removeChannel(sender);
	await b.sb.removeChannel(ch);
});

await check('Broadcast: a channel of another topic hears nothing of this one', async () => {
	const other = listening(b.sb, `elsewhere-${run}`);
	await joined(other.channel);
	await ra.channel.send({ type: 'broadcast', event: 'cursor', payload: { only: 'room' } });
	eq((await rb.box.next('the room message')).payload, { only: 'room' });
	await rc.box.next('the room message at C');
	// The sentinel on the other topic arrives first: the room's message never came.
	await c.sb.channel(`elsewhere-${run}`).httpSend('sentinel', { s: 1 });
	eq((await other.box.next('the sentinel')).event, 'sentinel');
	await b.sb.removeChannel(other.channel);
});

await check('Broadcast: httpSend() (POST /realtime/v1/api/broadcast) reaches the joined clients and answers 202 → {success: true} (BatchBroadcast)', async () => {
	const outsider = c.sb.channel(room);	// never subscribed
	eq(await outsider.httpSend('rest', { via: 'http' }), { success: true });
	eq(await ra.box.next('the REST message at A'), { type: 'broadcast', event: 'rest', payload: { via: 'http' } });
	eq((await rb.box.next('the REST message at B')).event, 'rest');
	eq((await rc.box.next('the REST message at C')).event, 'rest');
});

await check('Broadcast: POST /realtime/v1/api/broadcast refuses a message without payload with 422 and a message', async () => {
	const r = await fetch(`${url}/realtime/v1/api/broadcast`, {
		method: 'POST',
		headers: { apikey: anonKey, 'Content-Type': 'application/json' },
		body: JSON.stringify({ messages: [{ topic: room, event: 'x' }] }),
	});
	eq(r.status, 422, 'status');
	ok(/payload/.test((await r.json()).message), 'message names payload');
});

await check('Broadcast: a malformed broadcast (no event) is answered with phx_reply error, and the channel keeps working', async () => {
	eq(await rc.channel.send({ type: 'broadcast' }, { timeout: TIMEOUT_MS }), 'error');
	await rc.channel.send({ type: 'broadcast', event: 'after', payload: {} });
	eq((await rc.box.next('the message after')).event, 'after');
	await ra.box.next('the message after at A');
	await rb.box.next('the message after at B');
});

// A vsn=2.0.0 socket without the client, for the binary frames newer
// realtime-js releases send broadcasts in.
function rawV2() {
	const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${anonKey}&vsn=2.0.0`);
	ws.binaryType = 'arraybuffer';
	const box = inbox();
	ws.onmessage = (m) => box.push(typeof m.data === 'string' ? JSON.parse(m.data) : m.data);
	const opened = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
	const closed = new Promise((resolve) => { ws.onclose = resolve; });
	return { ws, box, opened, closed };
}

// Realtime's V2Serializer user_broadcast_push: kind 3, five sizes, the
// payload's encoding (1: JSON), then join_ref, ref, topic, event, metadata, payload.
function userBroadcastPush(joinRef, ref, topic, event, payload) {
	const enc = new TextEncoder();
	const parts = [joinRef, ref, topic, event, ''].map((p) => enc.encode(p));
	const body = enc.encode(JSON.stringify(payload));
	const head = [3, ...parts.map((p) => p.length), 1];
	const out = new Uint8Array(head.length + parts.reduce((n, p) => n + p.length, 0) + body.length);
	let at = 0;
	for (const chunk of [Uint8Array.from(head), ...parts, body]) {
		out.set(chunk, at);
		at += chunk.length;
	}
	return out;
}

await check('Broadcast: a vsn=2.0.0 binary user_broadcast_push (newer realtime-js) is delivered as a broadcast and acked (V2Serializer)', async () => {
	const s = rawV2();
	await s.opened;
	s.ws.send(JSON.stringify(['1', '1', `realtime:${room}`, 'phx_join', { config: { broadcast: { ack: true } } }]));
	eq((await s.box.next('the join reply'))[4].status, 'ok', 'join');
	s.ws.send(userBroadcastPush('1', '2', `realtime:${room}`, 'bin', { b: 1 }));
	eq(await s.box.next('the ack'), ['1', '2', `realtime:${room}`, 'phx_reply', { status: 'ok', response: {} }], 'ack');
	eq(await ra.box.next('the binary broadcast at A'), { type: 'broadcast', event: 'bin', payload: { b: 1 } }, 'at A');
	await rb.box.next('the binary broadcast at B');
	await rc.box.next('the binary broadcast at C');
	s.ws.close();
});

await check('Broadcast: a binary frame with a raw (non-JSON) payload closes the socket with 1003 and a reason', async () => {
	const s = rawV2();
	await s.opened;
	const frame = userBroadcastPush('1', '2', `realtime:${room}`, 'bin', {});
	frame[6] = 0;
	s.ws.send(frame);
	const e = await s.closed;
	eq([e.code, e.reason], [1003, 'binary broadcast payloads are not supported: send JSON']);
});

// ---------------------------------------------------------------- private channels

const open = `priv-open-${run}`;
const closed = `priv-closed-${run}`;
const mine = `priv-mine-${run}`;
sql(`create policy "compat ${run} read" on realtime.messages for select to authenticated
	using (realtime.topic() = '${open}');
create policy "compat ${run} mine" on realtime.messages for select to authenticated
	using (realtime.topic() = '${mine}' and (select auth.uid()) = '${c.user.id}');
create policy "compat ${run} write" on realtime.messages for insert to authenticated
	with check (realtime.topic() = '${open}' and (select auth.uid()) = '${a.user.id}');`);

const pa = listening(a.sb, open, { private: true, broadcast: { ack: true } });
const pb = listening(b.sb, open, { private: true, broadcast: { ack: true } });

await check('Private channel: a join the SELECT policy on realtime.messages allows (realtime.topic() = the topic) → SUBSCRIBED', async () => {
	await joined(pa.channel);
	await joined(pb.channel);
});

await check('Private channel: a join no policy allows → CHANNEL_ERROR "Unauthorized: You do not have permissions to read from this Channel topic" (Realtime\'s Authorization)', async () => {
	const ch = a.sb.channel(closed, { config: { private: true } });
	const { status, err } = await subscribe(ch);
	eq(status, 'CHANNEL_ERROR', 'status');
	ok(err.message.includes(`Unauthorized: You do not have permissions to read from this Channel topic: ${closed}`),
		`reason: ${err.message}`);
	await a.sb.removeChannel(ch);
});

await check('Private channel: the apikey alone (role anon, no policy for it) cannot join', async () => {
	const anon = createClient(url, anonKey);
	const { status } = await subscribe(anon.channel(open, { config: { private: true } }));
	eq(status, 'CHANNEL_ERROR');
	anon.realtime.disconnect();
});

await check('Private channel: a send the INSERT policy allows is delivered and acked ok', async () => {
	eq(await pa.channel.send({ type: 'broadcast', event: 'secret', payload: { k: 1 } }), 'ok');
	eq(await pb.box.next('A\'s private message'), { type: 'broadcast', event: 'secret', payload: { k: 1 } });
});

await check('Private channel: a send the INSERT policy refuses is not delivered (an acked send gets phx_reply error)', async () => {
	eq(await pb.channel.send({ type: 'broadcast', event: 'forged', payload: { k: 2 } }), 'error');
	// A sentinel sent after the refusal reaches A first: the forged one never did.
	await a.sb.channel(open, { config: { private: true } }).httpSend('sentinel', { k: 3 });
	eq((await pa.box.next('the sentinel')).event, 'sentinel');
	eq((await pb.box.next('the sentinel at B')).event, 'sentinel');
});

await check('Private channel: httpSend() with private is delivered only when the INSERT policy allows it (BatchBroadcast drops the rest, still 202)', async () => {
	eq(await b.sb.channel(open, { config: { private: true } }).httpSend('forged', { k: 4 }), { success: true });
	eq(await a.sb.channel(open, { config: { private: true } }).httpSend('allowed', { k: 5 }), { success: true });
	eq((await pb.box.next('the allowed REST message')).event, 'allowed');
	// REST messages go out in order: B's forged one would have come first.
	eq((await pa.box.next('the allowed REST message at A')).event, 'allowed');
});

await check('Private channel: a new access_token whose user may no longer read the topic closes the channel (system error, then phx_close; Realtime re-authorises on access_token)', async () => {
	const sys = inbox();
	const ch = c.sb.channel(mine, { config: { private: true } }).on('system', {}, (p) => sys.push(p));
	const statuses = inbox();
	ch.subscribe((status) => statuses.push(status));
	eq(await statuses.next('the join'), 'SUBSCRIBED', 'C may read');
	await c.sb.realtime.setAuth(b.session.access_token);
	const e = await sys.next('the system error');
	eq([e.status, e.message], ['error', `You no longer have permission to read from this Channel topic: ${mine}`]);
	eq(await statuses.next('the close'), 'CLOSED', 'after phx_close');
});

await check('Private channel: a public channel of the same name hears none of its broadcasts', async () => {
	// A client of its own: supabase-js keeps one channel per topic name and client.
	const other = createClient(url, anonKey);
	const pub = listening(other, open);
	await joined(pub.channel);
	await pa.channel.send({ type: 'broadcast', event: 'private-only', payload: {} });
	eq((await pb.box.next('the private message')).event, 'private-only');
	await c.sb.channel(open).httpSend('public-sentinel', {});
	eq((await pub.box.next('the public sentinel')).event, 'public-sentinel');
	other.realtime.disconnect();
});

// ---------------------------------------------------------------- presence

// A channel with presence callbacks (which turns config.presence.enabled on).
function present(sb, topic, key) {
	const events = inbox();
	const channel = sb.channel(topic, { config: { presence: { key } } })
		.on('presence', { event: 'sync' }, () => events.push({ event: 'sync' }))
		.on('presence', { event: 'join' }, (e) => events.push({ event: 'join', key: e.key, metas: e.newPresences }))
		.on('presence', { event: 'leave' }, (e) => events.push({ event: 'leave', key: e.key, metas: e.leftPresences }));
	return { channel, events };
}

// The next join or leave, skipping syncs.
async function nextChange(p, what) {
	for (;;) {
		const e = await p.events.next(what);
		if (e.event !== 'sync') return e;
	}
}

function strip(metas) {
	return metas.map(({ presence_ref, ...rest }) => { ok(typeof presence_ref === 'string', 'presence_ref'); return rest; });
}

const lobby = `lobby-${run}`;
const alice = present(a.sb, lobby, 'alice');
const bob = present(b.sb, lobby, 'bob');

await check('Presence: presence_state follows the join (sync), then track() → phx_reply ok and a presence_diff join for the tracker', async () => {
	await joined(alice.channel);
	eq((await alice.events.next('the first sync')).event, 'sync');
	eq(await alice.channel.track({ status: 'online' }), 'ok', 'track');
	const j = await nextChange(alice, 'alice\'s own join');
	eq([j.event, j.key, strip(j.metas)], ['join', 'alice', [{ status: 'online' }]]);
});

await check('Presence: a client that joins later gets the present ones in presence_state (presenceState())', async () => {
	await joined(bob.channel);
	const j = await nextChange(bob, 'alice in bob\'s state');
	eq([j.event, j.key, strip(j.metas)], ['join', 'alice', [{ status: 'online' }]]);
	eq(Object.keys(bob.channel.presenceState()), ['alice'], 'state');
});

await check('Presence: another client\'s track() reaches the others as a presence_diff join (key, meta)', async () => {
	eq(await bob.channel.track({ status: 'busy' }), 'ok');
	const j = await nextChange(alice, 'bob\'s join at alice');
	eq([j.event, j.key, strip(j.metas)], ['join', 'bob', [{ status: 'busy' }]]);
	eq(Object.keys(alice.channel.presenceState()).sort(), ['alice', 'bob'], 'state');
	await nextChange(bob, 'bob\'s own join');
});

await check('Presence: track() again with another payload replaces the meta (a join of the new, a leave of the old; Phoenix.Tracker.update)', async () => {
	eq(await bob.channel.track({ status: 'away' }), 'ok');
	const seen = [await nextChange(alice, 'the update'), await nextChange(alice, 'the update')];
	const joinE = seen.find((e) => e.event === 'join');
	const leaveE = seen.find((e) => e.event === 'leave');
	eq([joinE.key, strip(joinE.metas)], ['bob', [{ status: 'away' }]], 'join');
	eq([leaveE.key, strip(leaveE.metas)], ['bob', [{ status: 'busy' }]], 'leave');
	eq(strip(alice.channel.presenceState().bob), [{ status: 'away' }], 'state');
});

await check('Presence: untrack() → phx_reply ok and a presence_diff leave at the others', async () => {
	eq(await bob.channel.untrack(), 'ok');
	const l = await nextChange(alice, 'bob\'s leave');
	eq([l.event, l.key, strip(l.metas)], ['leave', 'bob', [{ status: 'away' }]]);
	eq(Object.keys(alice.channel.presenceState()), ['alice'], 'state');
});

await check('Presence: a track payload that is not an object → phx_reply error "Presence track payload must be a map" (PresenceHandler), the channel keeps working', async () => {
	eq(await bob.channel.send({ type: 'presence', event: 'track', payload: 'nope' }, { timeout: TIMEOUT_MS }), 'error');
	eq(await bob.channel.send({ type: 'presence', event: 'dance', payload: {} }, { timeout: TIMEOUT_MS }), 'error', 'unknown event');
	eq(await bob.channel.track({ status: 'back' }), 'ok', 'a good track after');
	const j = await nextChange(alice, 'bob back');
	eq([j.key, strip(j.metas)], ['bob', [{ status: 'back' }]]);
});

await check('Presence: a client whose socket goes away leaves (presence_diff leave at the others)', async () => {
	b.sb.realtime.disconnect();
	const l = await nextChange(alice, 'bob\'s leave on disconnect');
	eq([l.event, l.key, strip(l.metas)], ['leave', 'bob', [{ status: 'back' }]]);
	eq(Object.keys(alice.channel.presenceState()), ['alice'], 'state');
});

await check('Presence: removeChannel() (phx_leave) makes the tracker leave too', async () => {
	const carol = present(c.sb, lobby, 'carol');
	await joined(carol.channel);
	eq(await carol.channel.track({ status: 'here' }), 'ok');
	eq((await nextChange(alice, 'carol joins')).key, 'carol');
	await c.sb.removeChannel(carol.channel);
	const l = await nextChange(alice, 'carol leaves');
	eq([l.event, l.key], ['leave', 'carol']);
});

a.sb.realtime.disconnect();
c.sb.realtime.disconnect();
done();
