/*
 * /auth/v1: the GoTrue subset agentlogs and supabase-js use. Email and password
 * sign-up and login, refresh tokens that rotate (a spent one is refused, and
 * its whole session with it, unless it is the active token's parent or comes
 * back within the reuse interval), GET and PUT /user, /logout with its
 * scopes; a token whose session ended is refused at once. Access tokens are HS256 JWTs with the
 * claims PostgREST and Realtime read: sub, role, aud, exp, iat, email,
 * session_id. Passwords are hashed with Argon2id (libsodium).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "jwt.h"
#include "server.h"
#include "util/log.h"
#include "util/random.h"
#include "util/xmalloc.h"

#define MIN_PASSWORD 8
#define MAX_PASSWORD 1024
/*
 * Seconds during which a spent refresh token still gets the session's active
 * token, as GoTrue's refresh_token_reuse_interval: a client whose answer was
 * lost retries with the token it holds, and of a client's concurrent
 * refreshes only one can win the rotation; neither is a leak.
 */
#define REFRESH_REUSE_INTERVAL "10"

/* GoTrue's error shape, with OAuth's error/error_description for /token. */
void
auth_error(struct http_response *res, int status, const char *code, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *json;

	cJSON_AddNumberToObject(o, "code", status);
	cJSON_AddStringToObject(o, "error_code", code);
	cJSON_AddStringToObject(o, "msg", msg);
	cJSON_AddStringToObject(o, "error", code);
	cJSON_AddStringToObject(o, "error_description", msg);
	json = cJSON_PrintUnformatted(o);
	http_set_json(res, status, json);
	cJSON_free(json);
	cJSON_Delete(o);
}

static void
reply_json(struct http_response *res, int status, cJSON *o)
{
	char *json = cJSON_PrintUnformatted(o);

	http_set_json(res, status, json);
	cJSON_free(json);
	cJSON_Delete(o);
}

void
auth_database_error(struct http_response *res, PGconn *pg, const char *err)
{
	log_warn("auth: %s", err);
	if (!db_usable(pg))
		auth_error(res, 503, "unavailable", "the database is unavailable; try again");
	else
		auth_error(res, 500, "unexpected_failure",
		    "the database could not complete the request");
}

/* The user as GoTrue returns it, from one row of auth.users. */
static cJSON *
user_json(PGresult *r, int row)
{
	cJSON *u = cJSON_CreateObject(), *app, *meta;

	cJSON_AddStringToObject(u, "id", PQgetvalue(r, row, 0));
	cJSON_AddStringToObject(u, "aud", "authenticated");
	cJSON_AddStringToObject(u, "role", "authenticated");
	if (!PQgetisnull(r, row, 1))
		cJSON_AddStringToObject(u, "email", PQgetvalue(r, row, 1));
	app = cJSON_Parse(PQgetisnull(r, row, 2) ? "{}" : PQgetvalue(r, row, 2));
	meta = cJSON_Parse(PQgetisnull(r, row, 3) ? "{}" : PQgetvalue(r, row, 3));
	cJSON_AddItemToObject(u, "app_metadata", app != NULL ? app : cJSON_CreateObject());
	cJSON_AddItemToObject(u, "user_metadata", meta != NULL ? meta : cJSON_CreateObject());
	cJSON_AddStringToObject(u, "created_at", PQgetvalue(r, row, 4));
	cJSON_AddStringToObject(u, "updated_at", PQgetvalue(r, row, 5));
	if (!PQgetisnull(r, row, 6))
		cJSON_AddStringToObject(u, "last_sign_in_at", PQgetvalue(r, row, 6));
	return u;
}

#define USER_COLUMNS "id, email, raw_app_meta_data, raw_user_meta_data," \
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')," \
	" to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')," \
	" to_char(last_sign_in_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/*
 * Answers with an access token for user (one row of USER_COLUMNS) in a
 * session: a new one (sessions row and first refresh token) when session_id
 * is NULL; else a new refresh token, child of parent, or when active is not
 * NULL that one again (a reuse within the interval). Runs inside the
 * caller's transaction; the caller commits before the answer counts.
 */
static int
issue_session(struct server *srv, struct worker *w, PGresult *user, const char *parent,
    const char *session_id, const char *active, struct http_response *res, char *err)
{
	const struct settings *s = &srv->settings;
	const char *uid = PQgetvalue(user, 0, 0);
	const char *email = PQgetisnull(user, 0, 1) ? NULL : PQgetvalue(user, 0, 1);
	char refresh[65], sid[64];
	const char *params[4];
	PGresult *r;
	long long now = (long long)time(NULL);
	char *access;
	cJSON *o;

	if (session_id == NULL) {
		params[0] = uid;
		r = db_exec(w->pg, "INSERT INTO auth.sessions (user_id) VALUES ($1) RETURNING id",
		    1, params, NULL, err);
		if (r == NULL)
			return -1;
		snprintf(sid, sizeof sid, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	} else
		snprintf(sid, sizeof sid, "%s", session_id);
	if (active != NULL)
		snprintf(refresh, sizeof refresh, "%s", active);
	else {
		if (random_hex(refresh, sizeof refresh, 32) != 0)
			return seterr(err, "the random generator failed");
		params[0] = refresh;
		params[1] = uid;
		params[2] = sid;
		params[3] = parent;
		if (db_run(w->pg, "INSERT INTO auth.refresh_tokens (token, user_id, session_id,"
		    " parent) VALUES ($1, $2, $3, $4)", 4, params, NULL, err) != 0)
			return -1;
	}
	params[0] = uid;
	if (db_run(w->pg, "UPDATE auth.users SET last_sign_in_at = now() WHERE id = $1", 1,
	    params, NULL, err) != 0)
		return -1;

	access = jwt_make_access(s->jwt_secret, s->jwt_secret_len, uid, email, "authenticated",
	    sid, now, s->access_token_ttl);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", access);
	cJSON_AddStringToObject(o, "token_type", "bearer");
	cJSON_AddNumberToObject(o, "expires_in", (double)s->access_token_ttl);
	cJSON_AddNumberToObject(o, "expires_at", (double)(now + s->access_token_ttl));
	cJSON_AddStringToObject(o, "refresh_token", refresh);
	cJSON_AddItemToObject(o, "user", user_json(user, 0));
	free(access);
	reply_json(res, 200, o);
	return 0;
}

int
auth_session_for_user(struct server *srv, struct worker *w, const char *user_id,
    struct http_response *res, char *err)
{
	const char *params[1] = { user_id };
	PGresult *user;
	int rc;

	user = db_exec(w->pg, "SELECT " USER_COLUMNS " FROM auth.users WHERE id = $1::uuid", 1,
	    params, NULL, err);
	if (user == NULL)
		return -1;
	rc = PQntuples(user) != 1 ? 1 : issue_session(srv, w, user, NULL, NULL, NULL, res, err);
	PQclear(user);
	return rc;
}

static cJSON *
body_object(const struct http_request *req, struct http_response *res)
{
	cJSON *body = req->body != NULL ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;

	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		auth_error(res, 400, "bad_json", "the request body must be a JSON object");
		return NULL;
	}
	return body;
}

static const char *
str_member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
valid_email(const char *e)
{
	const char *at = strchr(e, '@');

	return at != NULL && at != e && strchr(at + 1, '.') != NULL && strlen(e) < 256 &&
	    strpbrk(e, " \t\r\n<>") == NULL;
}

/*
 * A new password's hash, as GoTrue checks it (422 weak_password under 8
 * characters); 0, or -1 after answering.
 */
static int
hash_new_password(const char *password, char hash[crypto_pwhash_STRBYTES],
    struct http_response *res)
{
	if (password == NULL || strlen(password) < MIN_PASSWORD)
		auth_error(res, 422, "weak_password",
		    "the password must be at least 8 characters long");
	else if (strlen(password) > MAX_PASSWORD)
		auth_error(res, 422, "validation_failed",
		    "the password must be at most 1024 bytes long");
	else if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		auth_error(res, 500, "unexpected_failure", "out of memory hashing the password");
	else
		return 0;
	return -1;
}

/*
 * The body's "data" (user_metadata) as JSON text, NULL when absent; -1 after
 * answering when it is no object or over --max-user-metadata. supabase-js
 * sends signUp's options.data and updateUser's data as this top-level member.
 */
static int
metadata_member(struct server *srv, const cJSON *body, char **meta, struct http_response *res)
{
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");

	*meta = NULL;
	if (data == NULL || cJSON_IsNull(data))
		return 0;
	if (!cJSON_IsObject(data)) {
		auth_error(res, 400, "validation_failed", "data must be a JSON object");
		return -1;
	}
	*meta = cJSON_PrintUnformatted(data);
	if (*meta != NULL && strlen(*meta) <= (size_t)srv->settings.max_user_metadata)
		return 0;
	cJSON_free(*meta);
	*meta = NULL;
	auth_error(res, 400, "validation_failed", "data (user_metadata) is too large");
	return -1;
}

static void
signup(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	cJSON *body = body_object(req, res);
	const char *email, *password, *params[3];
	char hash[crypto_pwhash_STRBYTES], err[ERRLEN], state[6], *meta = NULL;
	PGresult *r;

	if (body == NULL)
		return;
	email = str_member(body, "email");
	password = str_member(body, "password");
	if (email == NULL || !valid_email(email))
		auth_error(res, 400, "validation_failed", "a valid email is required");
	else if (metadata_member(srv, body, &meta, res) == 0 &&
	    hash_new_password(password, hash, res) == 0) {
		params[0] = email;
		params[1] = hash;
		params[2] = meta != NULL ? meta : "{}";
		if (db_begin(w->pg, err) != 0)
			auth_database_error(res, w->pg, err);
		else if ((r = db_exec(w->pg, "INSERT INTO auth.users (email, encrypted_password,"
		    " raw_app_meta_data, raw_user_meta_data) VALUES (lower($1), $2,"
		    " '{\"provider\":\"email\",\"providers\":[\"email\"]}', $3::jsonb)"
		    " RETURNING " USER_COLUMNS, 3, params, state, err)) == NULL) {
			db_rollback(w->pg);
			if (strcmp(state, "23505") == 0)
				auth_error(res, 422, "user_already_exists",
				    "User already registered");
			else
				auth_database_error(res, w->pg, err);
		} else {
			if (issue_session(srv, w, r, NULL, NULL, NULL, res, err) != 0 ||
			    db_commit(w->pg, err) != 0) {
				db_rollback(w->pg);
				auth_database_error(res, w->pg, err);
			}
			PQclear(r);
		}
	}
	cJSON_free(meta);
	cJSON_Delete(body);
}

static void
grant_password(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	cJSON *body = body_object(req, res);
	const char *email, *password, *params[1];
	char err[ERRLEN], *hash = NULL;
	PGresult *r = NULL;
	int ok = 0;

	if (body == NULL)
		return;
	email = str_member(body, "email");
	password = str_member(body, "password");
	if (email == NULL || password == NULL || strlen(password) > MAX_PASSWORD) {
		auth_error(res, 400, "validation_failed", password != NULL && email != NULL ?
		    "the password must be at most 1024 bytes long" :
		    "email and password are required");
		cJSON_Delete(body);
		return;
	}
	params[0] = email;
	if (db_begin(w->pg, err) != 0) {
		auth_database_error(res, w->pg, err);
		cJSON_Delete(body);
		return;
	}
	r = db_exec(w->pg, "SELECT " USER_COLUMNS ", encrypted_password FROM auth.users"
	    " WHERE email = lower($1)", 1, params, NULL, err);
	if (r == NULL) {
		db_rollback(w->pg);
		auth_database_error(res, w->pg, err);
		cJSON_Delete(body);
		return;
	}
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 7)) {
		hash = PQgetvalue(r, 0, 7);
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	} else {
		/* Spend the same time as a real check: no hint that the email exists. */
		char dummy[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(dummy, password, strlen(password),
		    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			log_debug("password hash failed");
	}
	if (!ok) {
		db_rollback(w->pg);
		auth_error(res, 400, "invalid_credentials", "Invalid login credentials");
	} else if (issue_session(srv, w, r, NULL, NULL, NULL, res, err) != 0 ||
	    db_commit(w->pg, err) != 0) {
		db_rollback(w->pg);
		auth_database_error(res, w->pg, err);
	}
	PQclear(r);
	cJSON_Delete(body);
}

/*
 * A spent refresh token presented again, inside the caller's transaction.
 * As GoTrue's RefreshTokenGrant: the parent of the session's active token is
 * the same client (its answer was lost, or it lost a race of its own
 * concurrent refreshes, waiting on the winner's row lock) and gets the
 * active token, at any time, so the winner's token stays valid; an older
 * one too within REFRESH_REUSE_INTERVAL of being spent. Later an older one
 * has leaked: the session ends (reuse detection). The transaction is
 * committed or rolled back here.
 */
static void
refresh_reused(struct server *srv, struct worker *w, const char *token,
    struct http_response *res)
{
	const char *params[1] = { token };
	char err[ERRLEN], sid[64], active[128];
	PGresult *r, *user;

	r = db_exec(w->pg, "SELECT t.session_id, t.user_id,"
	    " t.updated_at > now() - interval '" REFRESH_REUSE_INTERVAL " seconds'"
	    "  OR a.parent = t.token, a.token"
	    " FROM auth.refresh_tokens t LEFT JOIN LATERAL (SELECT a.token, a.parent"
	    "  FROM auth.refresh_tokens a WHERE a.session_id = t.session_id AND NOT a.revoked"
	    "  ORDER BY a.id DESC LIMIT 1) a ON true"
	    " WHERE t.token = $1 AND t.revoked", 1, params, NULL, err);
	if (r == NULL)
		goto dberror;
	if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
		PQclear(r);
		db_rollback(w->pg);
		auth_error(res, 400, "refresh_token_not_found",
		    "Invalid Refresh Token: Refresh Token Not Found");
		return;
	}
	snprintf(sid, sizeof sid, "%s", PQgetvalue(r, 0, 0));
	if (strcmp(PQgetvalue(r, 0, 2), "t") == 0 && !PQgetisnull(r, 0, 3)) {
		snprintf(active, sizeof active, "%s", PQgetvalue(r, 0, 3));
		params[0] = PQgetvalue(r, 0, 1);
		user = db_exec(w->pg, "SELECT " USER_COLUMNS " FROM auth.users WHERE id = $1", 1,
		    params, NULL, err);
		PQclear(r);
		if (user == NULL)
			goto dberror;
		if (PQntuples(user) != 1)
			seterr(err, "the user of session %s no longer exists", sid);
		if (PQntuples(user) != 1 ||
		    issue_session(srv, w, user, NULL, sid, active, res, err) != 0 ||
		    db_commit(w->pg, err) != 0) {
			PQclear(user);
			goto dberror;
		}
		PQclear(user);
		return;
	}
	PQclear(r);
	params[0] = sid;
	if (db_run(w->pg, "DELETE FROM auth.sessions WHERE id = $1", 1, params, NULL, err) != 0 ||
	    db_run(w->pg, "UPDATE auth.refresh_tokens SET revoked = true WHERE session_id = $1",
	    1, params, NULL, err) != 0 || db_commit(w->pg, err) != 0)
		goto dberror;
	auth_error(res, 400, "refresh_token_already_used", "Invalid Refresh Token: Already Used");
	return;
dberror:
	db_rollback(w->pg);
	auth_database_error(res, w->pg, err);
}

/*
 * Rotation: the presented token is spent in the same statement that checks
 * it, so two refreshes racing with one token cannot both rotate it.
 */
static void
grant_refresh(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	cJSON *body = body_object(req, res);
	const char *token, *params[2];
	char err[ERRLEN], uid[64], sid[64];
	PGresult *r, *user = NULL;

	if (body == NULL)
		return;
	if ((token = str_member(body, "refresh_token")) == NULL || strlen(token) > 256) {
		auth_error(res, 400, "validation_failed", "refresh_token is required");
		cJSON_Delete(body);
		return;
	}
	params[0] = token;
	if (db_begin(w->pg, err) != 0) {
		auth_database_error(res, w->pg, err);
		cJSON_Delete(body);
		return;
	}
	r = db_exec(w->pg, "UPDATE auth.refresh_tokens t SET revoked = true, updated_at = now()"
	    " FROM auth.sessions s WHERE t.token = $1 AND NOT t.revoked AND s.id = t.session_id"
	    " RETURNING t.user_id, t.session_id", 1, params, NULL, err);
	if (r == NULL)
		goto dberror;
	if (PQntuples(r) == 0) {
		PQclear(r);
		refresh_reused(srv, w, token, res);
		cJSON_Delete(body);
		return;
	}
	snprintf(uid, sizeof uid, "%s", PQgetvalue(r, 0, 0));
	snprintf(sid, sizeof sid, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	params[0] = uid;
	user = db_exec(w->pg, "SELECT " USER_COLUMNS " FROM auth.users WHERE id = $1", 1, params,
	    NULL, err);
	if (user == NULL)
		goto dberror;
	if (PQntuples(user) != 1) {
		PQclear(user);
		db_rollback(w->pg);
		auth_error(res, 400, "user_not_found", "the user no longer exists");
		cJSON_Delete(body);
		return;
	}
	if (issue_session(srv, w, user, token, sid, NULL, res, err) != 0 ||
	    db_commit(w->pg, err) != 0)
		goto dberror;
	PQclear(user);
	cJSON_Delete(body);
	return;
dberror:
	PQclear(user);
	db_rollback(w->pg);
	auth_database_error(res, w->pg, err);
	cJSON_Delete(body);
}

/*
 * Whether the token's user and its session (the session_id claim; none for a
 * token without one) still exist: 1 both, 0 the user is gone, -2 the session
 * ended (logout, reuse detection, password change), -1 a database error.
 */
static int
session_state(PGconn *pg, const struct caller *c, char *err)
{
	const cJSON *sid = cJSON_GetObjectItemCaseSensitive(c->claims, "session_id");
	const char *params[2] = { c->sub, cJSON_IsString(sid) ? sid->valuestring : NULL };
	PGresult *r;
	int state;

	/* A malformed id is no live session (and must not fail the cast). */
	r = db_exec(pg, "SELECT EXISTS (SELECT FROM auth.users u WHERE u.id = CASE WHEN"
	    "  $1 ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN $1::uuid END),"
	    " $2::text IS NULL OR EXISTS (SELECT FROM auth.sessions s WHERE s.id = CASE WHEN"
	    "  $2 ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN $2::uuid END"
	    "  AND s.user_id::text = lower($1))", 2, params, NULL, err);
	if (r == NULL)
		return -1;
	state = strcmp(PQgetvalue(r, 0, 0), "t") != 0 ? 0 :
	    strcmp(PQgetvalue(r, 0, 1), "t") != 0 ? -2 : 1;
	PQclear(r);
	return state;
}

int
auth_session_live(PGconn *pg, const struct caller *c, char *err)
{
	int state;

	if (c->sub == NULL)
		return 1;	/* an API key: no user, no session */
	state = session_state(pg, c, err);
	return state == -2 ? 0 : state;
}

/* The authenticated caller's claims, or NULL after answering 401. */
static struct caller *
require_user(struct server *srv, const struct http_request *req, struct caller *c,
    struct http_response *res)
{
	if (caller_from_request(srv, req, c, res) != 0)
		return NULL;
	if (strcmp(c->role, "authenticated") != 0) {
		caller_free(c);
		auth_error(res, 401, "no_authorization", "This endpoint requires a Bearer token");
		return NULL;
	}
	return c;
}

/*
 * As require_user, and the token's user and session still exist, as
 * GoTrue's requireAuthentication checks: a token outliving its logout is
 * refused with 403 session_not_found at once, not when it expires.
 */
static struct caller *
require_session(struct server *srv, struct worker *w, const struct http_request *req,
    struct caller *c, struct http_response *res)
{
	char err[ERRLEN];
	int state;

	if (require_user(srv, req, c, res) == NULL)
		return NULL;
	if ((state = db_ensure(w->pg, err) != 0 ? -1 : session_state(w->pg, c, err)) == 1)
		return c;
	if (state == -1)
		auth_database_error(res, w->pg, err);
	else if (state == 0)
		auth_error(res, 403, "user_not_found", "User from sub claim in JWT does not exist");
	else
		auth_error(res, 403, "session_not_found",
		    "Session from session_id claim in JWT does not exist");
	caller_free(c);
	return NULL;
}

static void
get_user(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	struct caller c;
	const char *params[1];
	char err[ERRLEN];
	PGresult *r;

	if (require_session(srv, w, req, &c, res) == NULL)
		return;
	params[0] = c.sub;
	if ((r = db_exec(w->pg, "SELECT " USER_COLUMNS " FROM auth.users WHERE id = $1", 1,
	    params, NULL, err)) == NULL)
		auth_database_error(res, w->pg, err);
	else {
		if (PQntuples(r) == 1)
			reply_json(res, 200, user_json(r, 0));
		else
			auth_error(res, 404, "user_not_found", "User not found");
		PQclear(r);
	}
	caller_free(&c);
}

/*
 * PUT /user, GoTrue's updateUser: "data" merges into user_metadata (a key
 * whose value is null is removed); "password" is replaced (422
 * same_password when unchanged) and every other session of the user ends;
 * "email" changes at once. GoTrue mails a confirmation link for an email
 * change; this server has no mailer and confirms sign-ups automatically
 * (mailer_autoconfirm), so it confirms the change the same way.
 */
static void
update_user(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	struct caller c;
	cJSON *body;
	const cJSON *sid;
	const char *email, *password, *params[5];
	char hash[crypto_pwhash_STRBYTES], err[ERRLEN], state[6], *meta = NULL;
	PGresult *r = NULL;

	if (require_session(srv, w, req, &c, res) == NULL)
		return;
	if ((body = body_object(req, res)) == NULL) {
		caller_free(&c);
		return;
	}
	sid = cJSON_GetObjectItemCaseSensitive(c.claims, "session_id");
	email = str_member(body, "email");
	password = str_member(body, "password");
	if (email != NULL && !valid_email(email))
		auth_error(res, 400, "validation_failed",
		    "Unable to validate email address: invalid format");
	else if (metadata_member(srv, body, &meta, res) != 0 ||
	    (password != NULL && hash_new_password(password, hash, res) != 0))
		;	/* answered */
	else if (db_begin(w->pg, err) != 0)
		auth_database_error(res, w->pg, err);
	else {
		params[0] = c.sub;
		r = db_exec(w->pg, "SELECT encrypted_password FROM auth.users WHERE id = $1"
		    " FOR UPDATE", 1, params, NULL, err);
		if (r == NULL || PQntuples(r) != 1) {
			if (r != NULL)
				seterr(err, "user %s vanished", c.sub);
			goto dberror;
		}
		if (password != NULL && !PQgetisnull(r, 0, 0) &&
		    crypto_pwhash_str_verify(PQgetvalue(r, 0, 0), password, strlen(password)) == 0) {
			db_rollback(w->pg);
			auth_error(res, 422, "same_password",
			    "New password should be different from the old password.");
			goto out;
		}
		PQclear(r);
		params[1] = email;
		params[2] = password != NULL ? hash : NULL;
		params[3] = meta;
		params[4] = cJSON_IsString(sid) ? sid->valuestring : NULL;
		r = db_exec(w->pg, "UPDATE auth.users SET email = coalesce(lower($2), email),"
		    " encrypted_password = coalesce($3, encrypted_password),"
		    " raw_user_meta_data = CASE WHEN $4::jsonb IS NULL THEN raw_user_meta_data"
		    "  ELSE (raw_user_meta_data || $4::jsonb) - ARRAY(SELECT k FROM"
		    "  jsonb_each($4::jsonb) AS e(k, v) WHERE v = 'null'::jsonb) END,"
		    " updated_at = now() WHERE id = $1 RETURNING " USER_COLUMNS, 4, params, state,
		    err);
		if (r == NULL && strcmp(state, "23505") == 0) {
			db_rollback(w->pg);
			auth_error(res, 422, "email_exists",
			    "A user with this email address has already been registered");
			goto out;
		}
		if (r == NULL)
			goto dberror;
		/* GoTrue's UpdatePassword: the other sessions end with the old password. */
		params[1] = params[4];
		if (password != NULL && db_run(w->pg, "DELETE FROM auth.sessions WHERE user_id = $1"
		    " AND id::text IS DISTINCT FROM $2", 2, params, NULL, err) != 0)
			goto dberror;
		if (db_commit(w->pg, err) != 0)
			goto dberror;
		reply_json(res, 200, user_json(r, 0));
	}
	goto out;
dberror:
	db_rollback(w->pg);
	auth_database_error(res, w->pg, err);
out:
	PQclear(r);
	cJSON_free(meta);
	cJSON_Delete(body);
	caller_free(&c);
}

/*
 * POST /logout?scope=global|local|others, as GoTrue: every session of the
 * user (the default, and supabase-js signOut()'s), the token's own, or all
 * but it. Their refresh tokens go with them (ON DELETE CASCADE).
 */
static void
logout(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	static const char *const sql[] = {
		"DELETE FROM auth.sessions WHERE user_id = $1",
		"DELETE FROM auth.sessions WHERE user_id = $1 AND id::text = $2",
		"DELETE FROM auth.sessions WHERE user_id = $1 AND id::text IS DISTINCT FROM $2",
	};
	struct caller c;
	const cJSON *sid;
	const char *params[2];
	char err[ERRLEN], *scope = http_query_param(req, "scope");
	int which = scope == NULL || strcmp(scope, "global") == 0 ? 0 :
	    strcmp(scope, "local") == 0 ? 1 : strcmp(scope, "others") == 0 ? 2 : -1;

	free(scope);
	if (which < 0) {
		auth_error(res, 400, "validation_failed",
		    "Unsupported logout scope (use global, local or others)");
		return;
	}
	if (require_session(srv, w, req, &c, res) == NULL)
		return;
	sid = cJSON_GetObjectItemCaseSensitive(c.claims, "session_id");
	params[0] = c.sub;
	params[1] = cJSON_IsString(sid) ? sid->valuestring : NULL;
	/* A token without a session: GoTrue logs the user out everywhere. */
	if (params[1] == NULL)
		which = 0;
	if (db_run(w->pg, sql[which], which == 0 ? 1 : 2, params, NULL, err) != 0) {
		auth_database_error(res, w->pg, err);
		caller_free(&c);
		return;
	}
	res->status = 204;
	res->content_type = "application/json";
	strbuf_reset(&res->body);
	caller_free(&c);
}

void
auth_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res)
{
	struct caller c;
	char *grant;

	if (w == NULL || !db_usable(w->pg)) {
		auth_error(res, 503, "unavailable", "the database is unavailable");
		return;
	}
	/* The browser legs of OAuth carry no apikey; everything else needs one. */
	if (strcmp(path, "/authorize") == 0 || strcmp(path, "/callback") == 0) {
		if (strcmp(req->method, "GET") != 0)
			auth_error(res, 405, "method_not_allowed", "use GET");
		else if (strcmp(path, "/authorize") == 0)
			oauth_authorize(srv, w, req, res);
		else
			oauth_callback(srv, w, req, res);
		return;
	}
	if (caller_from_request(srv, req, &c, res) != 0)
		return;
	caller_free(&c);
	if (strcmp(path, "/signup") == 0 && strcmp(req->method, "POST") == 0)
		signup(srv, w, req, res);
	else if (strcmp(path, "/token") == 0 && strcmp(req->method, "POST") == 0) {
		grant = http_query_param(req, "grant_type");
		if (grant == NULL)
			auth_error(res, 400, "validation_failed", "grant_type is required");
		else if (strcmp(grant, "password") == 0)
			grant_password(srv, w, req, res);
		else if (strcmp(grant, "refresh_token") == 0)
			grant_refresh(srv, w, req, res);
		else if (strcmp(grant, "pkce") == 0)
			oauth_grant_pkce(srv, w, req, res);
		else
			auth_error(res, 400, "unsupported_grant_type", "unsupported grant_type");
		free(grant);
	} else if (strcmp(path, "/user") == 0 && strcmp(req->method, "GET") == 0)
		get_user(srv, w, req, res);
	else if (strcmp(path, "/user") == 0 && strcmp(req->method, "PUT") == 0)
		update_user(srv, w, req, res);
	else if (strcmp(path, "/logout") == 0 && strcmp(req->method, "POST") == 0)
		logout(srv, w, req, res);
	else if (strcmp(path, "/settings") == 0 || strcmp(path, "/health") == 0)
		http_set_json(res, 200, "{\"external\":{\"github\":true,\"email\":true},"
		    "\"disable_signup\":false,\"mailer_autoconfirm\":true}");
	else
		auth_error(res, 404, "not_found", "no such auth endpoint");
}
