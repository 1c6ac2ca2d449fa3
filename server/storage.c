/*
 * /storage/v1: objects in bucket "visuals", the Supabase Storage subset
 * agentlogs uses: upload (a raw body, or a multipart/form-data form as
 * supabase-js sends a Blob or File), download, exists (HEAD) and routing;
 * storage-list.c and storage-sign.c do the rest. Metadata rows live in storage.objects and are written as the
 * caller, so the row-level security policies of the migrations decide who may
 * touch what (only the caller's own <user_id>/ folder); the bytes live in
 * files under --storage-dir. A file is written before its row commits and
 * removed after its row is deleted, so a crash leaves at worst an orphan
 * file, never a row without its bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "db.h"
#include "multipart.h"
#include "server.h"
#include "storage.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define BUCKET STORAGE_BUCKET

void
storage_error(struct http_response *res, int http_status, const char *status,
    const char *error, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	char *json;

	cJSON_AddStringToObject(o, "statusCode", status);
	cJSON_AddStringToObject(o, "error", error);
	cJSON_AddStringToObject(o, "message", message);
	json = cJSON_PrintUnformatted(o);
	http_set_json(res, http_status, json);
	cJSON_free(json);
	cJSON_Delete(o);
}

/*
 * Object names: Storage's isValidKey() (src/storage/limits.ts), S3's safe
 * characters plus those needing special handling: letters, digits, space and
 * _/!-.*'()&$@=;:+,? ; no "..", no empty part, no leading '/'. A part
 * becomes a file or folder name, so it is held to the file system's 255
 * bytes here rather than failing later.
 */
#define MAX_NAME 1024
#define MAX_PART 255
const char *
storage_invalid_name(const char *name)
{
	const char *p, *part = name;

	if (*name == '\0' || strlen(name) > MAX_NAME)
		return "Invalid key: the object name must be 1 to 1024 bytes long";
	for (p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			if (p == part || (p - part == 1 && part[0] == '.') ||
			    (p - part == 2 && part[0] == '.' && part[1] == '.'))
				return "Invalid key: empty, '.' and '..' parts are not allowed";
			if (p - part > MAX_PART)
				return "Invalid key: a part between slashes is longer than 255 bytes";
			if (*p == '\0')
				return NULL;
			part = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_!-.*'() &$@=;:+,?", *p) != NULL))
			return "Invalid key: only letters, digits, space and _!-.*'()&$@=;:+,? may appear between slashes";
	}
}

char *
storage_blob_path(const struct server *srv, const char *name)
{
	return xprintf("%s/%s/%s", srv->settings.storage_dir, BUCKET, name);
}

/*
 * Why an object cannot be stored at path under dir: one of its folders is an
 * object already ("a/b" then "a/b/c"), or it is a folder of other objects
 * ("a/b/c" then "a/b"). NULL when it can. One path cannot be both on disk.
 */
static const char *
name_clash(const char *dir, const char *path)
{
	struct stat st;
	char *copy = xstrdup(path), *p;
	const char *why = NULL;

	for (p = copy + strlen(dir) + 1; *p != '\0' && why == NULL; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (lstat(copy, &st) == 0 && !S_ISDIR(st.st_mode))
			why = "an object's name is used as a folder in this name";
		*p = '/';
	}
	if (why == NULL && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		why = "this name is a folder holding other objects";
	free(copy);
	return why;
}

/* mkdir -p for the folders of path. */
static int
make_parents(const char *path)
{
	char *copy = xstrdup(path), *p;
	int rc = 0;

	for (p = copy + 1; *p != '\0' && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(copy);
	return rc;
}

void
storage_sql_failure(struct http_response *res, PGconn *pg, const char *state, const char *err)
{
	if (strcmp(state, "42501") == 0)
		storage_error(res, 403, "403", "Unauthorized",
		    "new row violates row-level security policy");
	else if (strcmp(state, "23505") == 0)
		storage_error(res, 400, "409", "Duplicate", "The resource already exists");
	else if (!db_usable(pg)) {
		log_warn("storage: %s", err);
		storage_error(res, 503, "503", "unavailable", "the database is unavailable; try again");
	} else {
		log_warn("storage: %s", err);
		storage_error(res, 500, "500", "internal", "the database could not complete it");
	}
}

/* Whether the caller's session may write; when not, res holds the answer. */
static int
session_live(struct worker *w, const struct caller *c, struct http_response *res)
{
	char err[ERRLEN];
	int live = auth_session_live(w->pg, c, err);

	if (live < 0)
		storage_sql_failure(res, w->pg, "", err);
	else if (live == 0)
		storage_error(res, 401, "401", "InvalidJWT",
		    "the session has ended (signed out, or the user was deleted)");
	return live > 0;
}

/*
 * The object's bytes and content type: a multipart/form-data body is a form
 * (supabase-js sends a Blob or File so) whose file part is the object, as
 * Storage takes it; any other body is the object itself. 0, or -1 with res
 * answered 400.
 */
static int
object_body(const struct http_request *req, struct multipart_file *f,
    struct http_response *res)
{
	const char *type = http_header(req, "content-type"), *why;

	if (multipart_is_form(type)) {
		if (multipart_file(type, req->body != NULL ? req->body : "", req->body_len, f,
		    &why) == 0)
			return 0;
		storage_error(res, 400, "400", "InvalidRequest", why);
		return -1;
	}
	f->data = req->body != NULL ? req->body : "";
	f->len = req->body_len;
	snprintf(f->content_type, sizeof f->content_type, "%s",
	    type != NULL ? type : "application/octet-stream");
	return 0;
}

/* The metadata row's JSON: size and mimetype, as Storage records them. */
static char *
object_metadata(const struct multipart_file *f)
{
	cJSON *o = cJSON_CreateObject();
	char *json, *out;
	int plain = strspn(f->content_type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/+.-;= _") == strlen(f->content_type) && f->content_type[0] != '\0';

	cJSON_AddNumberToObject(o, "size", (double)f->len);
	cJSON_AddStringToObject(o, "mimetype", plain ? f->content_type : "application/octet-stream");
	json = cJSON_PrintUnformatted(o);
	out = xstrdup(json);
	cJSON_free(json);
	cJSON_Delete(o);
	return out;
}

static void
upload(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, const char *name, struct http_response *res)
{
	const char *upsert = http_header(req, "x-upsert");
	char err[ERRLEN], state[6], *path, *meta, *dir;
	const char *params[4], *clash;
	int is_upsert = strcmp(req->method, "PUT") == 0 ||
	    (upsert != NULL && strcmp(upsert, "true") == 0);
	struct multipart_file f;
	PGresult *r;

	if (object_body(req, &f, res) != 0)
		return;
	path = storage_blob_path(srv, name);
	dir = xprintf("%s/" BUCKET, srv->settings.storage_dir);
	clash = name_clash(dir, path);
	free(dir);
	if (clash != NULL) {
		storage_error(res, 409, "409", "Conflict", clash);
		free(path);
		return;
	}
	meta = object_metadata(&f);
	params[0] = name;
	params[1] = c->sub;
	params[2] = meta;
	if (db_begin_as(w->pg, c->role, c->claims_json, err) != 0) {
		free(meta);
		free(path);
		storage_sql_failure(res, w->pg, "", err);
		return;
	}
	r = db_exec(w->pg, is_upsert ?
	    "INSERT INTO storage.objects (bucket_id, name, owner, metadata)"
	    " VALUES ('" BUCKET "', $1, $2::uuid, $3::jsonb)"
	    " ON CONFLICT (bucket_id, name) DO UPDATE SET metadata = EXCLUDED.metadata,"
	    " updated_at = now() RETURNING id" :
	    "INSERT INTO storage.objects (bucket_id, name, owner, metadata)"
	    " VALUES ('" BUCKET "', $1, $2::uuid, $3::jsonb) RETURNING id",
	    3, params, state, err);
	free(meta);
	if (r == NULL || PQntuples(r) != 1) {
		db_rollback(w->pg);
		if (r == NULL)
			storage_sql_failure(res, w->pg, state, err);
		else
			storage_error(res, 403, "403", "Unauthorized",
			    "new row violates row-level security policy");
		PQclear(r);
		free(path);
		return;
	}
	if (make_parents(path) != 0 ||
	    paths_write_atomic(path, f.data, f.len, 0600, err) != 0 ||
	    db_commit(w->pg, err) != 0) {
		db_rollback(w->pg);
		log_warn("storage: %s", err);
		storage_error(res, 500, "500", "internal", "the object could not be stored");
	} else {
		cJSON *o = cJSON_CreateObject();
		char *key = xprintf(BUCKET "/%s", name), *json;
		cJSON_AddStringToObject(o, "Key", key);
		cJSON_AddStringToObject(o, "Id", PQgetvalue(r, 0, 0));
		json = cJSON_PrintUnformatted(o);
		http_set_json(res, 200, json);
		cJSON_free(json);
		cJSON_Delete(o);
		free(key);
	}
	PQclear(r);
	free(path);
}

/* The response must point at a string that outlives the query result. */
static const char *
known_type(const char *t)
{
	static const char *const types[] = { "image/png", "image/jpeg", "image/gif",
		"image/webp", "application/json", "text/plain" };
	size_t i, n = strcspn(t, "; ");

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strlen(types[i]) == n && strncasecmp(t, types[i], n) == 0)
			return types[i];
	}
	return "application/octet-stream";
}

/*
 * Reads only what RLS lets the caller see: the row decides, then the file
 * (storage.h).
 */
void
storage_serve(struct server *srv, struct worker *w, const struct caller *c,
    const char *name, int head, struct http_response *res)
{
	char err[ERRLEN], state[6], *path, buf[65536];
	const char *params[1] = { name };
	PGresult *r;
	FILE *f;
	size_t n;

	if ((c != NULL ? db_begin_as(w->pg, c->role, c->claims_json, err) :
	    db_begin(w->pg, err)) != 0) {
		storage_sql_failure(res, w->pg, "", err);
		return;
	}
	r = db_exec(w->pg, "SELECT coalesce(metadata->>'mimetype', 'application/octet-stream')"
	    " FROM storage.objects WHERE bucket_id = '" BUCKET "' AND name = $1", 1, params,
	    state, err);
	db_rollback(w->pg);
	if (r == NULL) {
		storage_sql_failure(res, w->pg, state, err);
		return;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		storage_error(res, 400, "404", "not_found", "Object not found");
		return;
	}
	path = storage_blob_path(srv, name);
	if ((f = fopen(path, "rb")) == NULL) {
		storage_error(res, 400, "404", "not_found", "Object not found");
	} else {
		res->status = 200;
		res->content_type = known_type(PQgetvalue(r, 0, 0));
		strbuf_reset(&res->body);
		while (!head && (n = fread(buf, 1, sizeof buf, f)) > 0)
			strbuf_add(&res->body, buf, n);
		fclose(f);
	}
	free(path);
	PQclear(r);
}

static void
remove_object(struct server *srv, struct worker *w, const struct caller *c, const char *name,
    struct http_response *res)
{
	char err[ERRLEN], state[6], *path;
	const char *params[1] = { name };
	PGresult *r;

	if (db_begin_as(w->pg, c->role, c->claims_json, err) != 0) {
		storage_sql_failure(res, w->pg, "", err);
		return;
	}
	r = db_exec(w->pg, "DELETE FROM storage.objects WHERE bucket_id = '" BUCKET "'"
	    " AND name = $1 RETURNING id", 1, params, state, err);
	if (r == NULL || db_commit(w->pg, err) != 0) {
		db_rollback(w->pg);
		storage_sql_failure(res, w->pg, r == NULL ? state : "", err);
		PQclear(r);
		return;
	}
	if (PQntuples(r) == 0)
		storage_error(res, 400, "404", "not_found", "Object not found");
	else {
		path = storage_blob_path(srv, name);
		unlink(path);
		free(path);
		http_set_json(res, 200, "{\"message\":\"Successfully deleted\"}");
	}
	PQclear(r);
}

/*
 * What follows "<prefix>visuals" in path: "" for the bucket itself, the object
 * name after "visuals/", or NULL when path is not under prefix and the bucket.
 */
static const char *
under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || strncmp(path + n, BUCKET, sizeof BUCKET - 1) != 0)
		return NULL;
	path += n + sizeof BUCKET - 1;
	return *path == '\0' ? path : *path == '/' ? path + 1 : NULL;
}

/* Whether name is valid; when not, res holds Storage's answer. */
static int
valid_name(const char *name, struct http_response *res)
{
	const char *why = storage_invalid_name(name);

	if (why != NULL)
		storage_error(res, 400, "400", "InvalidKey", why);
	return why == NULL;
}

static int
is(const struct http_request *req, const char *method)
{
	return strcmp(req->method, method) == 0;
}

/* An authenticated caller's request (c), routed by path. */
static void
route(struct server *srv, struct worker *w, struct caller *c,
    const struct http_request *req, const char *path, struct http_response *res)
{
	const char *name;

	if ((name = under(path, "/object/list/")) != NULL && *name == '\0' && is(req, "POST"))
		storage_list(w, c, req, res);
	else if (((name = under(path, "/object/info/authenticated/")) != NULL ||
	    (name = under(path, "/object/info/")) != NULL) && is(req, "GET")) {
		if (valid_name(name, res))
			storage_info(w, c, name, res);
	} else if ((name = under(path, "/object/sign/")) != NULL && is(req, "POST")) {
		if (*name == '\0')
			storage_sign_many(srv, w, c, req, res);
		else if (valid_name(name, res))
			storage_sign_one(srv, w, c, req, name, res);
	} else if ((name = under(path, "/object/")) != NULL && *name == '\0' && is(req, "DELETE"))
		storage_remove_many(srv, w, c, req, res);
	else if ((name = under(path, "/object/authenticated/")) == NULL &&
	    (name = under(path, "/object/")) == NULL)
		storage_error(res, 400, "400", "InvalidKey", "Invalid bucket or object name");
	else if (!valid_name(name, res))
		;	/* answered */
	else if (is(req, "POST") || is(req, "PUT"))
		upload(srv, w, c, req, name, res);
	else if (is(req, "GET") || is(req, "HEAD"))
		storage_serve(srv, w, c, name, is(req, "HEAD"), res);
	else if (is(req, "DELETE"))
		remove_object(srv, w, c, name, res);
	else
		storage_error(res, 405, "405", "method_not_allowed", "method not allowed");
}

void
storage_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res)
{
	struct caller c;
	const char *name;

	if (w == NULL || !db_usable(w->pg)) {
		storage_error(res, 503, "503", "unavailable", "the database is unavailable");
		return;
	}
	/* A signed URL needs no key: its token is the permission (as Storage). */
	if ((is(req, "GET") || is(req, "HEAD")) &&
	    (name = under(path, "/object/sign/")) != NULL && *name != '\0') {
		if (valid_name(name, res))
			storage_signed_get(srv, w, req, name, res);
		return;
	}
	if (caller_from_request(srv, req, &c, res) != 0)
		return;
	if (strcmp(c.role, "authenticated") != 0)
		storage_error(res, 403, "403", "Unauthorized", "sign in to use storage");
	else if (!is(req, "GET") && !is(req, "HEAD") && !session_live(w, &c, res))
		;	/* answered */
	else
		route(srv, w, &c, req, path, res);
	caller_free(&c);
}
