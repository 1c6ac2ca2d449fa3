// GoTrue (/auth/v1) user metadata, updateUser, sign-out scopes, ended
// sessions and refresh retries, as supabase-js's auth client uses them with
// its defaults.
import { anonKey, check, client, done, eq, newUser, ok, url } from './lib.mjs';

// The refresh grant called directly, as a client whose answer got lost would
// have sent it: the answer is read here and never reaches the client.
async function refreshBehindTheClientsBack(refreshToken) {
	const res = await fetch(`${url}/auth/v1/token?grant_type=refresh_token`, {
		method: 'POST',
		headers: { apikey: anonKey, 'Content-Type': 'application/json' },
		body: JSON.stringify({ refresh_token: refreshToken }),
	});
	eq(res.status, 200, 'the lost refresh answer: status');
	return res.json();
}

// GET /user with an access token, called directly: [status, error_code]
// ([200, null] for a live session). supabase-js turns GoTrue's 403
// session_not_found into its AuthSessionMissingError, hiding both.
async function userAnswer(accessToken) {
	const res = await fetch(`${url}/auth/v1/user`, {
		headers: { apikey: anonKey, Authorization: `Bearer ${accessToken}` } });
	const body = await res.json();
	return [res.status, res.status === 200 ? null : body.error_code];
}

// A second client signed in as the same user: another device's session.
async function secondDevice(u) {
	const sb = client();
	const { data, error } = await sb.auth.signInWithPassword({
		email: u.email, password: `password ${u.email}` });
	eq(error, null, 'second sign-in error');
	return { sb, session: data.session };
}

await check('GoTrue: signUp({options: {data}}) stores data as user_metadata (sent as the body\'s data)', async () => {
	const sb = client();
	const email = `meta-${process.pid}@example.com`;
	const { data, error } = await sb.auth.signUp({ email, password: 'metadata password',
		options: { data: { display_name: 'Ann', plan: 'free' } } });
	eq(error, null, 'error');
	eq(data.user.user_metadata, { plan: 'free', display_name: 'Ann' }, 'signUp user_metadata');
	const u = await sb.auth.getUser();
	eq(u.data.user.user_metadata, { plan: 'free', display_name: 'Ann' }, 'getUser user_metadata');
});

await check('GoTrue: updateUser({data}) merges into user_metadata; a null value removes the key', async () => {
	const u = await newUser('update-data');
	eq((await u.sb.auth.updateUser({ data: { a: 1, b: 'two' } })).error, null, 'first update');
	const { data, error } = await u.sb.auth.updateUser({ data: { b: null, c: [3] } });
	eq(error, null, 'error');
	eq(data.user.user_metadata, { a: 1, c: [3] }, 'user_metadata after the merge');
	eq((await u.sb.auth.getUser()).data.user.user_metadata, { a: 1, c: [3] }, 'getUser');
});

await check('GoTrue: updateUser emits USER_UPDATED and the stored session carries the new user', async () => {
	const u = await newUser('update-event');
	const events = [];
	const { data: sub } = u.sb.auth.onAuthStateChange((event) => events.push(event));
	await u.sb.auth.updateUser({ data: { theme: 'dark' } });
	sub.subscription.unsubscribe();
	ok(events.includes('USER_UPDATED'), `events: ${events.join(',')}`);
	const { data } = await u.sb.auth.getSession();
	eq(data.session.user.user_metadata, { theme: 'dark' }, 'session.user.user_metadata');
});

await check('GoTrue: updateUser({password}) changes the password and ends the user\'s other sessions', async () => {
	const u = await newUser('update-password');
	const other = await secondDevice(u);
	const { error } = await u.sb.auth.updateUser({ password: 'a brand new password' });
	eq(error, null, 'error');
	const old = await client().auth.signInWithPassword({ email: u.email, password: `password ${u.email}` });
	eq(old.error && old.error.code, 'invalid_credentials', 'the old password');
	const now = await client().auth.signInWithPassword({ email: u.email, password: 'a brand new password' });
	eq(now.error, null, 'the new password');
	const gone = await client().auth.refreshSession({ refresh_token: other.session.refresh_token });
	eq(gone.error && gone.error.status, 400, 'the other device\'s refresh');
	eq((await u.sb.auth.getUser()).error, null, 'the changing session stays');
});

await check('GoTrue: updateUser with the current password → 422 same_password', async () => {
	const u = await newUser('same-password');
	const { error } = await u.sb.auth.updateUser({ password: `password ${u.email}` });
	eq(error && [error.status, error.code], [422, 'same_password'], 'error');
});

await check('GoTrue: updateUser with a 5-character password → 422 weak_password', async () => {
	const u = await newUser('weak-password');
	const { error } = await u.sb.auth.updateUser({ password: 'short' });
	eq(error && [error.status, error.code], [422, 'weak_password'], 'error');
});

await check('GoTrue (mailer_autoconfirm, no mailer): updateUser({email}) changes the e-mail at once', async () => {
	const u = await newUser('update-email');
	const email = `renamed-${process.pid}@example.com`;
	const { data, error } = await u.sb.auth.updateUser({ email });
	eq(error, null, 'error');
	eq(data.user.email, email, 'user.email');
	const again = await client().auth.signInWithPassword({ email, password: `password ${u.email}` });
	eq(again.error, null, 'sign-in with the new e-mail');
	eq(again.data.user.id, u.user.id, 'the same user');
});

await check('GoTrue: updateUser({email}) of another user\'s e-mail → 422 email_exists', async () => {
	const a = await newUser('email-a');
	const b = await newUser('email-b');
	const { error } = await a.sb.auth.updateUser({ email: b.email });
	eq(error && [error.status, error.code], [422, 'email_exists'], 'error');
});

await check('GoTrue: signOut() is scope=global: every session of the user ends', async () => {
	const u = await newUser('signout-global');
	const other = await secondDevice(u);
	eq((await u.sb.auth.signOut()).error, null, 'signOut error');
	const r = await client().auth.refreshSession({ refresh_token: other.session.refresh_token });
	eq(r.error && r.error.status, 400, 'the other device\'s refresh');
	eq(await userAnswer(other.session.access_token), [403, 'session_not_found'], 'the other device\'s GET /user');
});

await check('GoTrue: signOut({scope: "local"}) ends this session only', async () => {
	const u = await newUser('signout-local');
	const other = await secondDevice(u);
	const { data } = await u.sb.auth.getSession();
	eq((await u.sb.auth.signOut({ scope: 'local' })).error, null, 'signOut error');
	eq(await userAnswer(data.session.access_token), [403, 'session_not_found'], 'this session');
	eq((await other.sb.auth.getUser()).error, null, 'the other device\'s getUser');
	eq((await other.sb.auth.refreshSession()).error, null, 'the other device\'s refresh');
});

await check('GoTrue: signOut({scope: "others"}) ends the other sessions and keeps this one', async () => {
	const u = await newUser('signout-others');
	const other = await secondDevice(u);
	eq((await u.sb.auth.signOut({ scope: 'others' })).error, null, 'signOut error');
	eq((await u.sb.auth.getUser()).error, null, 'this session\'s getUser');
	eq((await u.sb.auth.refreshSession()).error, null, 'this session\'s refresh');
	eq(await userAnswer(other.session.access_token), [403, 'session_not_found'], 'the other device');
});

await check('GoTrue: an unexpired access token of a signed-out session → getUser 403 session_not_found', async () => {
	const u = await newUser('ended');
	const token = u.session.access_token;
	eq((await u.sb.auth.signOut()).error, null, 'signOut error');
	eq(await userAnswer(token), [403, 'session_not_found'], 'GET /user');
	const { data, error } = await client().auth.getUser(token);
	eq(error && error.name, 'AuthSessionMissingError', 'supabase-js\'s error for session_not_found');
	eq(data.user, null, 'user');
});

await check('GoTrue: a refresh retried after its answer was lost gets the active token pair', async () => {
	const u = await newUser('lost-refresh');
	const lost = await refreshBehindTheClientsBack(u.session.refresh_token);
	ok(lost.refresh_token !== u.session.refresh_token, 'the lost refresh rotated the token');
	const { data, error } = await u.sb.auth.refreshSession();
	eq(error, null, 'the retry\'s error');
	eq(data.session.refresh_token, lost.refresh_token, 'the retry\'s refresh token');
	eq((await u.sb.auth.getUser()).error, null, 'getUser after the retry');
	const next = await client().auth.refreshSession({ refresh_token: lost.refresh_token });
	eq(next.error, null, 'the active token still refreshes');
});

done();
