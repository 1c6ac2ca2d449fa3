// What every compat file shares: the server's address and keys (from the
// driver, tests/integration/compat-supabase-js.sh), clients with the official
// library's default options, and check(), which prints one line per check:
// "ok - <the upstream behaviour it mirrors>" or "not ok - ...: <why>".
import { execFileSync } from 'node:child_process';
import { createClient } from '@supabase/supabase-js';

export const url = process.env.COMPAT_URL;
export const anonKey = process.env.COMPAT_ANON;
if (!url || !anonKey) {
	console.log('not ok - COMPAT_URL and COMPAT_ANON must be set (run through the driver)');
	process.exit(1);
}

let passed = 0;
let failed = 0;

// A client as an app makes one: createClient(url, anon key), nothing else.
export function client() {
	return createClient(url, anonKey);
}

// A client signed up as a fresh user; resolves to { sb, user, session }.
// The e-mail is unique per file and run (the database is the test's own).
let users = 0;
export async function newUser(tag) {
	const sb = client();
	const email = `${tag}-${++users}-${process.pid}@example.com`;
	const { data, error } = await sb.auth.signUp({ email, password: `password ${email}` });
	if (error) throw new Error(`signUp ${email}: ${error.message}`);
	return { sb, email, user: data.user, session: data.session };
}

export async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`ok - ${name}`);
	} catch (e) {
		failed++;
		console.log(`not ok - ${name}: ${e && e.message ? e.message : e}`);
	}
}

// eq(actual, expected, what): deep equality through JSON, key order included.
export function eq(actual, expected, what) {
	const a = JSON.stringify(actual);
	const b = JSON.stringify(expected);
	if (a !== b) throw new Error(`${what || 'value'}: expected ${b}, got ${a}`);
}

export function ok(cond, what) {
	if (!cond) throw new Error(what);
}

// The { data, error } of a query that must succeed: its data.
export function must(res, what) {
	if (res.error) throw new Error(`${what || 'query'}: ${JSON.stringify(res.error)}`);
	return res.data;
}

// The error of a query that must fail, checked against PostgREST's answer.
export function refused(res, status, code, what) {
	if (!res.error) throw new Error(`${what || 'query'}: expected an error, got data ${JSON.stringify(res.data)}`);
	eq(res.status, status, `${what || 'query'}: status`);
	if (code !== undefined) eq(res.error.code, code, `${what || 'query'}: error code`);
	return res.error;
}

// SQL as the database's superuser (COMPAT_DB, the test's own database), for
// checks that need tables of their own: psql's output, unaligned, tuples only.
export function sql(text) {
	if (!process.env.COMPAT_DB) throw new Error('COMPAT_DB is not set (run through the driver)');
	return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', process.env.COMPAT_DB, '-c', text],
		{ encoding: 'utf8' }).trim();
}

// A fixed uuid numbered n, so expected rows are written out here, not read back.
export function uuid(n) {
	return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function done() {
	console.log(`# ${passed} passed, ${failed} failed`);
	// The client's token refresh timer must not keep the process alive.
	process.exit(failed === 0 ? 0 : 1);
}
