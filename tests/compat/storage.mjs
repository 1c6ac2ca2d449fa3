// Storage (/storage/v1) through supabase-js's storage client, bucket "visuals"
// (supabase/migrations/*_storage_realtime.sql: each user writes and reads only
// under their own <user id>/ folder). Bodies are Buffers, which the client
// sends as they are (Blobs and Files, sent as multipart/form-data, and the
// rest of the storage API: storage-api.mjs).
import { createHash, randomBytes } from 'node:crypto';
import { check, done, eq, newUser, ok } from './lib.mjs';

const a = await newUser('storage-a');
const b = await newUser('storage-b');
const bytes = randomBytes(4096);
const path = `${a.user.id}/${createHash('sha256').update(bytes).digest('hex')}.png`;
const bucket = (u) => u.sb.storage.from('visuals');

async function downloaded(u, p) {
	const { data, error } = await bucket(u).download(p);
	if (error) throw new Error(`download ${p}: ${error.message}`);
	return Buffer.from(await data.arrayBuffer());
}

await check('Storage: upload() of a Buffer → the path and the full key', async () => {
	const { data, error } = await bucket(a).upload(path, bytes, { contentType: 'image/png' });
	eq(error, null, 'error');
	eq(data.path, path, 'path');
	eq(data.fullPath, `visuals/${path}`, 'fullPath');
});

await check('Storage: download() gives back the same bytes', async () => {
	const got = await downloaded(a, path);
	eq(got.length, bytes.length, 'length');
	ok(got.equals(bytes), 'the bytes differ');
});

await check('Storage: download() answers the content type it was uploaded with', async () => {
	const { data } = await bucket(a).download(path);
	eq(data.type, 'image/png', 'type');
});

await check('Storage: a second upload() to the same path without upsert → 409 Duplicate', async () => {
	const { error } = await bucket(a).upload(path, bytes, { contentType: 'image/png' });
	ok(error !== null, 'an error');
	eq(error.statusCode, '409', 'statusCode');
});

await check('Storage: upload() with upsert: true replaces the object', async () => {
	const other = randomBytes(100);
	const { error } = await bucket(a).upload(path, other, { contentType: 'image/png', upsert: true });
	eq(error, null, 'error');
	ok((await downloaded(a, path)).equals(other), 'the new bytes');
});

await check('Storage: update() (PUT) replaces the object', async () => {
	const { error } = await bucket(a).update(path, bytes, { contentType: 'image/png' });
	eq(error, null, 'error');
	ok((await downloaded(a, path)).equals(bytes), 'the updated bytes');
});

await check('Storage RLS: another user cannot download the object', async () => {
	const { data, error } = await bucket(b).download(path);
	ok(error !== null, `an error, got ${data}`);
	ok((await downloaded(a, path)).equals(bytes), 'the owner still has it');
});

await check('Storage RLS: another user cannot upload into the owner\'s folder', async () => {
	const { error } = await bucket(b).upload(`${a.user.id}/intruder.png`, bytes, { contentType: 'image/png' });
	ok(error !== null, 'an error');
	const { error: gone } = await bucket(a).download(`${a.user.id}/intruder.png`);
	ok(gone !== null, 'no intruder object');
});

await check('Storage RLS: another user cannot overwrite with upsert', async () => {
	const { error } = await bucket(b).upload(path, randomBytes(10), { contentType: 'image/png', upsert: true });
	ok(error !== null, 'an error');
	ok((await downloaded(a, path)).equals(bytes), 'the owner\'s bytes kept');
});

await check('Storage: download() of a missing object is an error', async () => {
	const { data, error } = await bucket(a).download(`${a.user.id}/missing.png`);
	ok(error !== null, `an error, got ${data}`);
	eq(data, null, 'data');
});

await check('Storage: each user uploads into their own folder', async () => {
	const p = `${b.user.id}/own.png`;
	const { error } = await bucket(b).upload(p, bytes, { contentType: 'image/png' });
	eq(error, null, 'error');
	ok((await downloaded(b, p)).equals(bytes), 'B reads their own');
});

done();
