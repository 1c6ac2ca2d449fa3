// GoTrue (/auth/v1) as supabase-js's auth client uses it.
import { check, client, done, eq, newUser, ok } from './lib.mjs';

const email = `auth-${process.pid}@example.com`;
const password = 'correct horse battery staple';
const sb = client();
let first;

await check('GoTrue: signUp with e-mail and password returns a user and a session', async () => {
	const { data, error } = await sb.auth.signUp({ email, password });
	eq(error, null, 'error');
	eq(data.user.email, email, 'user.email');
	ok(/^[0-9a-f-]{36}$/.test(data.user.id), `user.id is a uuid: ${data.user.id}`);
	eq(data.session.token_type, 'bearer', 'session.token_type');
	eq(data.session.user.id, data.user.id, 'session.user.id');
	first = data.session;
});

await check('GoTrue: the access token is a JWT whose sub is the user and role authenticated', async () => {
	const [, payload] = first.access_token.split('.');
	const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
	eq(claims.sub, first.user.id, 'sub');
	eq(claims.role, 'authenticated', 'role');
	eq(claims.aud, 'authenticated', 'aud');
	ok(claims.exp > Math.floor(Date.now() / 1000), 'exp is in the future');
});

await check('GoTrue: signUp with a registered e-mail → 422 user_already_exists', async () => {
	const { data, error } = await client().auth.signUp({ email, password });
	ok(error !== null, `an error, got ${JSON.stringify(data)}`);
	eq(error.status, 422, 'status');
	eq(error.code, 'user_already_exists', 'code');
});

await check('GoTrue: signInWithPassword returns a session for the same user', async () => {
	const other = client();
	const { data, error } = await other.auth.signInWithPassword({ email, password });
	eq(error, null, 'error');
	eq(data.user.id, first.user.id, 'user.id');
	ok(data.session.access_token.length > 0, 'an access token');
});

await check('GoTrue: a wrong password → 400 invalid_credentials "Invalid login credentials"', async () => {
	const { error } = await client().auth.signInWithPassword({ email, password: 'wrong' });
	ok(error !== null, 'an error');
	eq(error.status, 400, 'status');
	eq(error.code, 'invalid_credentials', 'code');
	eq(error.message, 'Invalid login credentials', 'message');
});

await check('GoTrue: an unknown e-mail → 400 invalid_credentials (no account enumeration)', async () => {
	const { error } = await client().auth.signInWithPassword({
		email: `nobody-${process.pid}@example.com`, password });
	ok(error !== null, 'an error');
	eq(error.status, 400, 'status');
	eq(error.code, 'invalid_credentials', 'code');
});

await check('GoTrue: getUser() (GET /user) answers the signed-in user', async () => {
	const { data, error } = await sb.auth.getUser();
	eq(error, null, 'error');
	eq(data.user.id, first.user.id, 'id');
	eq(data.user.email, email, 'email');
});

await check('GoTrue: getSession() holds the session signUp stored', async () => {
	const { data } = await sb.auth.getSession();
	eq(data.session.access_token, first.access_token, 'access_token');
});

await check('GoTrue: refreshSession() rotates the refresh token and keeps the user', async () => {
	const { data, error } = await sb.auth.refreshSession();
	eq(error, null, 'error');
	ok(data.session.refresh_token !== first.refresh_token, 'a new refresh token');
	eq(data.user.id, first.user.id, 'user.id');
	const u = await sb.auth.getUser();
	eq(u.data.user.id, first.user.id, 'getUser with the new token');
});

await check('GoTrue: a bad JWT given to getUser(jwt) → 403/401, no user', async () => {
	const { data, error } = await client().auth.getUser('not.a.jwt');
	ok(error !== null, 'an error');
	ok(error.status === 401 || error.status === 403, `status 401 or 403, got ${error.status}`);
	eq(data.user, null, 'user');
});

await check('GoTrue: signOut() ends the session: its refresh token no longer refreshes', async () => {
	const u = await newUser('signout');
	const { data } = await u.sb.auth.getSession();
	const refresh = data.session.refresh_token;
	eq((await u.sb.auth.signOut()).error, null, 'signOut error');
	const again = await client().auth.refreshSession({ refresh_token: refresh });
	ok(again.error !== null, 'refresh after sign-out is refused');
	eq(again.error.status, 400, 'status');
});

await check('GoTrue: onAuthStateChange reports SIGNED_IN on signInWithPassword', async () => {
	const c = client();
	const events = [];
	const { data: sub } = c.auth.onAuthStateChange((event) => events.push(event));
	await c.auth.signInWithPassword({ email, password });
	sub.subscription.unsubscribe();
	ok(events.includes('SIGNED_IN'), `events: ${events.join(',')}`);
});

done();
