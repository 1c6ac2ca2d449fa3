// Storage (/storage/v1) beyond a Buffer upload, through supabase-js's storage
// client with its defaults: Blob and File uploads (sent as multipart/form-data),
// a stream (sent chunked), exists, info, list, remove, signed URLs, object
// names with spaces, and RLS still refusing another user each of them.
// Expected values are written here (the PNG below is 68 bytes), from Supabase
// Storage's routes and sources.
import { check, done, eq, newUser, ok } from './lib.mjs';

// A 1x1 PNG: 68 bytes, starting with the PNG signature.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk' +
	'YAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const a = await newUser('storage-api-a');
const b = await newUser('storage-api-b');
const A = a.user.id;
const bucket = (u) => u.sb.storage.from('visuals');

async function bytesOf(u, p) {
	const { data, error } = await bucket(u).download(p);
	if (error) throw new Error(`download ${p}: ${error.message}`);
	return { bytes: Buffer.from(await data.arrayBuffer()), type: data.type };
}

function isThePng(got) {
	eq(got.length, 68, 'length');
	eq([...got.subarray(0, 8)], SIGNATURE, 'PNG signature');
	ok(got.equals(PNG), 'the bytes differ from the PNG');
}

await check('Storage: upload() of a Blob (multipart/form-data) stores the file part, not the form', async () => {
	const { error } = await bucket(a).upload(`${A}/blob.png`, new Blob([PNG], { type: 'image/png' }));
	eq(error, null, 'error');
	const got = await bytesOf(a, `${A}/blob.png`);
	isThePng(got.bytes);
	eq(got.type, 'image/png', 'content type: the file part\'s');
});

await check('Storage: upload() of a File stores its bytes and type', async () => {
	const { data, error } = await bucket(a).upload(`${A}/file.png`, new File([PNG], 'pixel.png', { type: 'image/png' }));
	eq(error, null, 'error');
	eq(data.path, `${A}/file.png`, 'path');
	const got = await bytesOf(a, `${A}/file.png`);
	isThePng(got.bytes);
	eq(got.type, 'image/png', 'type');
});

await check('Storage: a Blob without a type is stored as application/octet-stream', async () => {
	const { error } = await bucket(a).upload(`${A}/untyped.bin`, new Blob([PNG]));
	eq(error, null, 'error');
	const { data } = await bucket(a).info(`${A}/untyped.bin`);
	eq(data.contentType, 'application/octet-stream', 'contentType');
});

await check('Storage: an object name with spaces and ()&,;:=!\' is accepted (isValidKey)', async () => {
	const p = `${A}/my photo (1) & co, a;b:c=d!'.png`;
	const { data, error } = await bucket(a).upload(p, PNG, { contentType: 'image/png' });
	eq(error, null, 'error');
	eq(data.path, p, 'path');
	isThePng((await bytesOf(a, p)).bytes);
});

await check('Storage: a name with a character outside isValidKey (<) → 400 InvalidKey', async () => {
	const { error } = await bucket(a).upload(`${A}/a<b.png`, PNG, { contentType: 'image/png' });
	ok(error !== null, 'an error');
	eq(error.status, 400, 'status');
	eq(error.statusCode, '400', 'statusCode');
});

await check('Storage: upload() of a stream (chunked, no Content-Length; duplex: half) stores its bytes', async () => {
	const stream = new ReadableStream({
		start(ctl) {
			ctl.enqueue(PNG.subarray(0, 30));
			ctl.enqueue(PNG.subarray(30));
			ctl.close();
		},
	});
	const { error } = await bucket(a).upload(`${A}/stream.png`, stream, { contentType: 'image/png', duplex: 'half' });
	eq(error, null, 'error');
	isThePng((await bytesOf(a, `${A}/stream.png`)).bytes);
});

await check('Storage: exists() (HEAD /object) → true for an object', async () => {
	const { data, error } = await bucket(a).exists(`${A}/blob.png`);
	eq(error, null, 'error');
	eq(data, true, 'data');
});

await check('Storage: exists() → false for a missing object', async () => {
	const { data } = await bucket(a).exists(`${A}/missing.png`);
	eq(data, false, 'data');
});

await check('Storage RLS: exists() of another user\'s object → false', async () => {
	const { data } = await bucket(b).exists(`${A}/blob.png`);
	eq(data, false, 'data');
});

await check('Storage: info() (GET /object/info) → name, bucket, size and content type', async () => {
	const { data, error } = await bucket(a).info(`${A}/file.png`);
	eq(error, null, 'error');
	eq(data.name, `${A}/file.png`, 'name');
	eq(data.bucketId, 'visuals', 'bucketId');
	eq(data.size, 68, 'size');
	eq(data.contentType, 'image/png', 'contentType');
	ok(typeof data.id === 'string' && data.id.length === 36, `id ${data.id}`);
	ok(!Number.isNaN(Date.parse(data.createdAt)), `createdAt ${data.createdAt}`);
});

await check('Storage RLS: info() of another user\'s object is an error', async () => {
	const { data, error } = await bucket(b).info(`${A}/file.png`);
	ok(error !== null, `an error, got ${JSON.stringify(data)}`);
});

// A folder of its own: list/b.png, list/a.png, list/sub/c.png.
for (const n of ['b.png', 'a.png', 'sub/c.png']) {
	const { error } = await bucket(a).upload(`${A}/list/${n}`, PNG, { contentType: 'image/png' });
	if (error) throw new Error(`upload list/${n}: ${error.message}`);
}

await check('Storage: list(folder) (POST /object/list) → folders first, then objects by name', async () => {
	const { data, error } = await bucket(a).list(`${A}/list`);
	eq(error, null, 'error');
	eq(data.map((e) => e.name), ['sub', 'a.png', 'b.png'], 'names');
	eq(data[0].id, null, 'a folder has no id');
	eq(data[1].metadata.size, 68, 'an object\'s metadata.size');
	eq(data[1].metadata.mimetype, 'image/png', 'an object\'s metadata.mimetype');
});

await check('Storage: list() with sortBy name desc, limit and offset', async () => {
	const { data, error } = await bucket(a).list(`${A}/list`, {
		sortBy: { column: 'name', order: 'desc' }, limit: 2, offset: 1,
	});
	eq(error, null, 'error');
	eq(data.map((e) => e.name), ['b.png', 'a.png'], 'names');
});

await check('Storage: list() with search matches names starting with it', async () => {
	const { data, error } = await bucket(a).list(`${A}/list`, { search: 'b' });
	eq(error, null, 'error');
	eq(data.map((e) => e.name), ['b.png'], 'names');
});

await check('Storage: list() of the user\'s root folder shows the folder "list"', async () => {
	const { data, error } = await bucket(a).list(A, { limit: 100 });
	eq(error, null, 'error');
	ok(data.some((e) => e.name === 'list' && e.id === null), `names ${data.map((e) => e.name)}`);
});

await check('Storage RLS: list() of another user\'s folder → []', async () => {
	const { data, error } = await bucket(b).list(`${A}/list`);
	eq(error, null, 'error');
	eq(data, [], 'data');
});

await check('Storage: createSignedUrl() → a URL node\'s fetch downloads without a key', async () => {
	const { data, error } = await bucket(a).createSignedUrl(`${A}/file.png`, 60);
	eq(error, null, 'error');
	const res = await fetch(data.signedUrl);
	eq(res.status, 200, 'status');
	eq(res.headers.get('content-type'), 'image/png', 'content-type');
	isThePng(Buffer.from(await res.arrayBuffer()));
});

await check('Storage: the signed URL\'s token is a JWT {url, iat, exp = iat + expiresIn}', async () => {
	const { data } = await bucket(a).createSignedUrl(`${A}/file.png`, 60);
	const token = new URL(data.signedUrl).searchParams.get('token');
	const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
	eq(claims.url, `visuals/${A}/file.png`, 'url');
	eq(claims.exp - claims.iat, 60, 'exp - iat');
});

await check('Storage: a signed URL with a tampered token → 400, no bytes', async () => {
	const { data } = await bucket(a).createSignedUrl(`${A}/file.png`, 60);
	const u = new URL(data.signedUrl);
	const t = u.searchParams.get('token');
	u.searchParams.set('token', t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA'));
	const res = await fetch(u);
	eq(res.status, 400, 'status');
	ok(!Buffer.from(await res.arrayBuffer()).equals(PNG), 'the PNG was served');
});

await check('Storage: one object\'s token does not open another object', async () => {
	const { data } = await bucket(a).createSignedUrl(`${A}/file.png`, 60);
	const res = await fetch(data.signedUrl.replace('/file.png?', '/blob.png?'));
	eq(res.status, 400, 'status');
});

await check('Storage: a signed URL for a name with spaces works', async () => {
	const p = `${A}/my photo (1) & co, a;b:c=d!'.png`;
	const { data, error } = await bucket(a).createSignedUrl(p, 60);
	eq(error, null, 'error');
	const res = await fetch(data.signedUrl);
	eq(res.status, 200, 'status');
	isThePng(Buffer.from(await res.arrayBuffer()));
});

await check('Storage: createSignedUrls() → one entry per path, an error for a missing one', async () => {
	const { data, error } = await bucket(a).createSignedUrls([`${A}/blob.png`, `${A}/missing.png`], 60);
	eq(error, null, 'error');
	eq(data.length, 2, 'entries');
	eq(data[0].path, `${A}/blob.png`, 'path 0');
	eq(data[0].error, null, 'error 0');
	const res = await fetch(data[0].signedUrl);
	eq(res.status, 200, 'status');
	isThePng(Buffer.from(await res.arrayBuffer()));
	eq(data[1].path, `${A}/missing.png`, 'path 1');
	eq(data[1].error, 'Either the object does not exist or you do not have access to it', 'error 1');
	eq(data[1].signedUrl, null, 'signedUrl 1');
});

await check('Storage RLS: another user cannot sign the owner\'s object', async () => {
	const { data, error } = await bucket(b).createSignedUrl(`${A}/file.png`, 60);
	ok(error !== null, `an error, got ${JSON.stringify(data)}`);
	const many = await bucket(b).createSignedUrls([`${A}/file.png`], 60);
	eq(many.data[0].signedUrl, null, 'createSignedUrls entry');
});

await check('Storage RLS: remove() by another user removes nothing', async () => {
	const { data, error } = await bucket(b).remove([`${A}/blob.png`]);
	eq(error, null, 'error');
	eq(data, [], 'data');
	isThePng((await bytesOf(a, `${A}/blob.png`)).bytes);
});

await check('Storage: remove() (DELETE /object/<bucket> {prefixes}) → the removed objects', async () => {
	const { data, error } = await bucket(a).remove([`${A}/blob.png`, `${A}/list/a.png`, `${A}/never.png`]);
	eq(error, null, 'error');
	eq(data.map((e) => e.name).sort(), [`${A}/blob.png`, `${A}/list/a.png`], 'names');
	eq(data[0].bucket_id, 'visuals', 'bucket_id');
});

await check('Storage: download() after remove() → 400 with statusCode "404" (Storage\'s ObjectNotFound)', async () => {
	const { data, error } = await bucket(a).download(`${A}/blob.png`);
	eq(data, null, 'data');
	ok(error !== null, 'an error');
	// download() reads no JSON: the Response is the error's originalError.
	eq(error.originalError.status, 400, 'status');
	eq((await error.originalError.json()).statusCode, '404', 'statusCode');
	const ex = await bucket(a).exists(`${A}/list/a.png`);
	eq(ex.data, false, 'exists after remove');
});

await check('Storage: the removed name can be uploaded again', async () => {
	const { error } = await bucket(a).upload(`${A}/blob.png`, new Blob([PNG], { type: 'image/png' }));
	eq(error, null, 'error');
	isThePng((await bytesOf(a, `${A}/blob.png`)).bytes);
});

done();
