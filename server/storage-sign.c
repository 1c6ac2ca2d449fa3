/*
 * Signed URLs, as Supabase Storage makes them: POST /object/sign/<bucket>/<name>
 * {"expiresIn": s} answers {"signedURL": "/object/sign/<bucket>/<name>?token=..."}
 * for an object the caller can read (RLS decides), and /object/sign/<bucket>
 * {"expiresIn", "paths"} one entry per path. The token is an HS256 JWT with
 * the server's secret, claims {url: "<bucket>/<name>", iat, exp}; whoever
 * holds it reads that object until exp, with no key (GET on the URL).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "db.h"
#include "jwt.h"
#include "server.h"
#include "storage.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define BUCKET STORAGE_BUCKET
#define NOT_SIGNABLE "Either the object does not exist or you do not have access to it"
#define MAX_PATHS 1000

/* "/object/sign/visuals/<name>?token=<jwt>" valid for expires seconds (new). */
static char *
signed_url(const struct server *srv, const char *name, long expires)
{
	cJSON *claims = cJSON_CreateObject();
	char *url = xprintf(BUCKET "/%s", name), *token, *out;
	long long now = (long long)time(NULL);

	cJSON_AddStringToObject(claims, "url", url);
	cJSON_AddNumberToObject(claims, "iat", (double)now);
	cJSON_AddNumberToObject(claims, "exp", (double)(now + expires));
	token = jwt_sign(claims, srv->settings.jwt_secret, srv->settings.jwt_secret_len);
	out = xprintf("/object/sign/%s?token=%s", url, token != NULL ? token : "");
	free(token);
	free(url);
	cJSON_Delete(claims);
	return out;
}

/*
 * The body's expiresIn (a whole number of seconds, at least 1) and, with
 * paths non-NULL, its paths (an array of 1 to 1000 strings). -1 with res
 * answered 400 when not so.
 */
static long
sign_request(const struct http_request *req, cJSON **body, const cJSON **paths,
    struct http_response *res)
{
	const cJSON *e, *p;
	int n = 0;

	*body = req->body != NULL ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
	e = cJSON_GetObjectItemCaseSensitive(*body, "expiresIn");
	if (paths != NULL) {
		*paths = cJSON_GetObjectItemCaseSensitive(*body, "paths");
		cJSON_ArrayForEach(p, *paths) {
			n = cJSON_IsString(p) ? n + 1 : MAX_PATHS + 1;
		}
	}
	if (!cJSON_IsNumber(e) || e->valuedouble < 1 || e->valuedouble > 1e10 ||
	    e->valuedouble != (double)(long)e->valuedouble ||
	    (paths != NULL && (!cJSON_IsArray(*paths) || n == 0 || n > MAX_PATHS))) {
		storage_error(res, 400, "400", "InvalidRequest", paths == NULL ?
		    "expiresIn must be a whole number of seconds, at least 1" :
		    "expiresIn must be a whole number of seconds, at least 1, and paths an array "
		    "of 1 to 1000 object names");
		cJSON_Delete(*body);
		*body = NULL;
		return -1;
	}
	return (long)e->valuedouble;
}

/* Which of names (a JSON array text) the caller may read, as rows; NULL: res answered. */
static PGresult *
readable(struct worker *w, const struct caller *c, const char *names,
    struct http_response *res)
{
	char err[ERRLEN], state[6];
	const char *params[1] = { names };
	PGresult *r;

	if (db_begin_as(w->pg, c->role, c->claims_json, err) != 0) {
		storage_sql_failure(res, w->pg, "", err);
		return NULL;
	}
	r = db_exec(w->pg, "SELECT name FROM storage.objects WHERE bucket_id = '" BUCKET "'"
	    " AND name IN (SELECT jsonb_array_elements_text($1::jsonb))", 1, params, state, err);
	db_rollback(w->pg);
	if (r == NULL)
		storage_sql_failure(res, w->pg, state, err);
	return r;
}

static int
has_row(const PGresult *r, const char *name)
{
	int i;

	for (i = 0; i < PQntuples(r); i++) {
		if (strcmp(PQgetvalue(r, i, 0), name) == 0)
			return 1;
	}
	return 0;
}

static void
answer(struct http_response *res, cJSON *o)
{
	char *json = cJSON_PrintUnformatted(o);

	http_set_json(res, 200, json);
	cJSON_free(json);
	cJSON_Delete(o);
}

void
storage_sign_one(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, const char *name, struct http_response *res)
{
	cJSON *body, *names, *o;
	long expires = sign_request(req, &body, NULL, res);
	char *json, *url;
	PGresult *r;

	if (expires < 0)
		return;
	cJSON_Delete(body);
	names = cJSON_CreateArray();
	cJSON_AddItemToArray(names, cJSON_CreateString(name));
	json = cJSON_PrintUnformatted(names);
	cJSON_Delete(names);
	r = readable(w, c, json, res);
	cJSON_free(json);
	if (r == NULL)
		return;
	if (!has_row(r, name))
		storage_error(res, 400, "404", "not_found", "Object not found");
	else {
		o = cJSON_CreateObject();
		url = signed_url(srv, name, expires);
		cJSON_AddStringToObject(o, "signedURL", url);
		free(url);
		answer(res, o);
	}
	PQclear(r);
}

void
storage_sign_many(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, struct http_response *res)
{
	cJSON *body, *out, *e;
	const cJSON *paths, *p;
	long expires = sign_request(req, &body, &paths, res);
	char *json, *url;
	PGresult *r;

	if (expires < 0)
		return;
	json = cJSON_PrintUnformatted(paths);
	r = readable(w, c, json, res);
	cJSON_free(json);
	if (r == NULL) {
		cJSON_Delete(body);
		return;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(p, paths) {
		int ok = storage_invalid_name(p->valuestring) == NULL && has_row(r, p->valuestring);
		e = cJSON_CreateObject();
		if (ok) {
			url = signed_url(srv, p->valuestring, expires);
			cJSON_AddNullToObject(e, "error");
			cJSON_AddStringToObject(e, "path", p->valuestring);
			cJSON_AddStringToObject(e, "signedURL", url);
			free(url);
		} else {
			cJSON_AddStringToObject(e, "error", NOT_SIGNABLE);
			cJSON_AddStringToObject(e, "path", p->valuestring);
			cJSON_AddNullToObject(e, "signedURL");
		}
		cJSON_AddItemToArray(out, e);
	}
	answer(res, out);
	PQclear(r);
	cJSON_Delete(body);
}

/*
 * GET /object/sign/<bucket>/<name>?token=: the token must verify with the
 * server's secret, not be expired, and name this very object.
 */
void
storage_signed_get(struct server *srv, struct worker *w, const struct http_request *req,
    const char *name, struct http_response *res)
{
	char *token = http_query_param(req, "token"), err[ERRLEN], *url;
	cJSON *claims = NULL;
	const cJSON *u;

	if (token == NULL) {
		storage_error(res, 400, "400", "InvalidRequest",
		    "querystring must have required property 'token'");
		return;
	}
	claims = jwt_verify(token, srv->settings.jwt_secret, srv->settings.jwt_secret_len,
	    (long long)time(NULL), err);
	free(token);
	if (claims == NULL) {
		storage_error(res, 400, "400", "InvalidJWT", err);
		return;
	}
	u = cJSON_GetObjectItemCaseSensitive(claims, "url");
	url = xprintf(BUCKET "/%s", name);
	if (!cJSON_IsString(u) || strcmp(u->valuestring, url) != 0)
		storage_error(res, 400, "400", "InvalidSignature",
		    "The url do not match the signature");
	else
		storage_serve(srv, w, NULL, name, strcmp(req->method, "HEAD") == 0, res);
	free(url);
	cJSON_Delete(claims);
}
