/*
 * /storage/v1 beyond one object: list a folder, an object's info, remove
 * several objects at once, each as Supabase Storage answers them and each
 * as the caller, so row-level security decides what is seen and removed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "db.h"
#include "server.h"
#include "storage.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define BUCKET STORAGE_BUCKET
/* Storage's cap on prefixes per remove and on a list's limit. */
#define MAX_REMOVE 1000
#define MAX_LIMIT 1000

/* s for ILIKE: its wildcards (and the escape) taken literally. */
static void
like_escape(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
}

/*
 * Runs sql (one row, one JSON text column) as the caller, read-only, and
 * answers its value with 200; NULL value (no row): Storage's not found.
 */
static void
answer_json_row(struct worker *w, const struct caller *c, const char *sql, int n,
    const char *const *params, struct http_response *res)
{
	char err[ERRLEN], state[6];
	PGresult *r;

	if (db_begin_as(w->pg, c->role, c->claims_json, err) != 0) {
		storage_sql_failure(res, w->pg, "", err);
		return;
	}
	r = db_exec(w->pg, sql, n, params, state, err);
	db_rollback(w->pg);
	if (r == NULL)
		storage_sql_failure(res, w->pg, state, err);
	else if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		storage_error(res, 400, "404", "not_found", "Object not found");
	else
		http_set_json(res, 200, PQgetvalue(r, 0, 0));
	PQclear(r);
}

/* A JSON body that must be an object; NULL with res answered 400 otherwise. */
static cJSON *
body_object(const struct http_request *req, struct http_response *res)
{
	cJSON *b = req->body != NULL ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;

	if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		storage_error(res, 400, "400", "InvalidRequest", "the body must be a JSON object");
		return NULL;
	}
	return b;
}

/* A whole number member of o in [min, max], def when absent; -1 when not one. */
static long
number_member(const cJSON *o, const char *key, long def, long min, long max)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		return def;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble ||
	    v->valuedouble < (double)min || v->valuedouble > (double)max)
		return -1;
	return (long)v->valuedouble;
}

/*
 * Storage's storage.search(): the folders at the level below prefix (a
 * prefix is a folder: "a" means "a/"), first, by name; then the objects at
 * that level, by sortBy; limit and offset over both. Names start with search.
 */
void
storage_list(struct worker *w, const struct caller *c, const struct http_request *req,
    struct http_response *res)
{
	static const char *const columns[] = { "name", "updated_at", "created_at",
		"last_accessed_at" };
	cJSON *b = body_object(req, res);
	const cJSON *prefix, *search, *sort, *col, *order;
	struct strbuf pat = STRBUF_INIT;
	char level[24], limit_s[24], offset_s[24], *sql;	/* a long in decimal */
	const char *params[4], *column = "name", *dir = "asc";
	long limit, offset, levels = 1;
	size_t i;

	if (b == NULL)
		return;
	prefix = cJSON_GetObjectItemCaseSensitive(b, "prefix");
	search = cJSON_GetObjectItemCaseSensitive(b, "search");
	sort = cJSON_GetObjectItemCaseSensitive(b, "sortBy");
	col = cJSON_GetObjectItemCaseSensitive(sort, "column");
	order = cJSON_GetObjectItemCaseSensitive(sort, "order");
	limit = number_member(b, "limit", 100, 0, MAX_LIMIT);
	offset = number_member(b, "offset", 0, 0, 1000000000L);
	for (i = 0; cJSON_IsString(col) && i < sizeof columns / sizeof columns[0]; i++) {
		if (strcmp(col->valuestring, columns[i]) == 0)
			column = strcmp(columns[i], "last_accessed_at") == 0 ? "updated_at" : columns[i];
	}
	if (cJSON_IsString(order) && strcasecmp(order->valuestring, "desc") == 0)
		dir = "desc";
	if (!cJSON_IsString(prefix) || (search != NULL && !cJSON_IsString(search)) ||
	    limit < 0 || offset < 0) {
		storage_error(res, 400, "400", "InvalidRequest",
		    "prefix must be a string; limit (0-1000) and offset whole numbers; search a string");
		cJSON_Delete(b);
		return;
	}
	like_escape(&pat, prefix->valuestring);
	if (pat.len > 0 && pat.buf[pat.len - 1] != '/')
		strbuf_addc(&pat, '/');
	for (i = 0; i < pat.len; i++)
		levels += pat.buf[i] == '/';
	if (cJSON_IsString(search))
		like_escape(&pat, search->valuestring);
	strbuf_addc(&pat, '%');
	snprintf(level, sizeof level, "%ld", levels);
	snprintf(limit_s, sizeof limit_s, "%ld", limit);
	snprintf(offset_s, sizeof offset_s, "%ld", offset);
	params[0] = pat.buf;
	params[1] = level;
	params[2] = limit_s;
	params[3] = offset_s;
	/* column and dir come from the lists above, never from the request. */
	sql = xprintf(
	    "WITH o AS (SELECT id, name, created_at, updated_at, metadata,"
	    "  string_to_array(name, '/') AS t FROM storage.objects"
	    "  WHERE bucket_id = '" BUCKET "' AND name ILIKE $1),"
	    " level AS ("
	    "  SELECT t[$2::int] AS name, NULL::uuid AS id, NULL::timestamptz AS updated_at,"
	    "   NULL::timestamptz AS created_at, NULL::timestamptz AS last_accessed_at,"
	    "   NULL::jsonb AS metadata, 0 AS k"
	    "  FROM o WHERE array_length(t, 1) <> $2::int GROUP BY 1"
	    "  UNION ALL"
	    "  SELECT t[$2::int], id, updated_at, created_at, updated_at, metadata, 1"
	    "  FROM o WHERE array_length(t, 1) = $2::int),"
	    " entries AS (SELECT * FROM level"
	    "  ORDER BY k, CASE WHEN k = 0 THEN name END %s, %s %s, name"
	    "  LIMIT $3::int OFFSET $4::int)"
	    " SELECT coalesce(json_agg(json_build_object('name', name, 'id', id,"
	    "  'updated_at', updated_at, 'created_at', created_at,"
	    "  'last_accessed_at', last_accessed_at, 'metadata', metadata)), '[]')::text"
	    " FROM entries", dir, column, dir);
	answer_json_row(w, c, sql, 4, params, res);
	free(sql);
	strbuf_free(&pat);
	cJSON_Delete(b);
}

/* Storage's GET /object/info: the object's row as its API shows it. */
void
storage_info(struct worker *w, const struct caller *c, const char *name,
    struct http_response *res)
{
	const char *params[1] = { name };

	answer_json_row(w, c,
	    "SELECT json_build_object('id', id, 'name', name, 'version', NULL,"
	    " 'bucket_id', bucket_id, 'size', (metadata->>'size')::bigint,"
	    " 'content_type', metadata->>'mimetype', 'cache_control', metadata->>'cacheControl',"
	    " 'etag', NULL, 'metadata', NULL, 'created_at', created_at,"
	    " 'last_modified', updated_at)::text"
	    " FROM storage.objects WHERE bucket_id = '" BUCKET "' AND name = $1",
	    1, params, res);
}

/*
 * Storage's DELETE /object/<bucket> {"prefixes": [names]}: removes those of
 * the named objects RLS lets the caller delete and answers them (an array,
 * empty when none); the bytes go once the rows are gone.
 */
void
storage_remove_many(struct server *srv, struct worker *w, const struct caller *c,
    const struct http_request *req, struct http_response *res)
{
	cJSON *b = body_object(req, res);
	const cJSON *prefixes = cJSON_GetObjectItemCaseSensitive(b, "prefixes"), *p;
	char err[ERRLEN], state[6], *names, *path;
	const char *params[1];
	struct strbuf out = STRBUF_INIT;
	PGresult *r;
	int i, n = 0;

	if (b == NULL)
		return;
	cJSON_ArrayForEach(p, prefixes) {
		n = cJSON_IsString(p) ? n + 1 : MAX_REMOVE + 1;
	}
	if (!cJSON_IsArray(prefixes) || n == 0 || n > MAX_REMOVE) {
		storage_error(res, 400, "400", "InvalidRequest",
		    "prefixes must be an array of 1 to 1000 object names");
		cJSON_Delete(b);
		return;
	}
	names = cJSON_PrintUnformatted(prefixes);
	params[0] = names;
	if (db_begin_as(w->pg, c->role, c->claims_json, err) != 0) {
		storage_sql_failure(res, w->pg, "", err);
		cJSON_free(names);
		cJSON_Delete(b);
		return;
	}
	r = db_exec(w->pg, "WITH d AS (DELETE FROM storage.objects WHERE bucket_id = '" BUCKET "'"
	    " AND name IN (SELECT jsonb_array_elements_text($1::jsonb)) RETURNING *)"
	    " SELECT name, json_build_object('name', name, 'bucket_id', bucket_id, 'owner', owner,"
	    " 'id', id, 'updated_at', updated_at, 'created_at', created_at,"
	    " 'last_accessed_at', updated_at, 'metadata', metadata)::text FROM d",
	    1, params, state, err);
	cJSON_free(names);
	cJSON_Delete(b);
	if (r == NULL || db_commit(w->pg, err) != 0) {
		db_rollback(w->pg);
		storage_sql_failure(res, w->pg, r == NULL ? state : "", err);
		PQclear(r);
		return;
	}
	strbuf_addc(&out, '[');
	for (i = 0; i < PQntuples(r); i++) {
		path = storage_blob_path(srv, PQgetvalue(r, i, 0));
		if (unlink(path) != 0)
			log_warn("storage: %s: could not remove the bytes of a removed object", path);
		free(path);
		if (i > 0)
			strbuf_addc(&out, ',');
		strbuf_adds(&out, PQgetvalue(r, i, 1));
	}
	strbuf_addc(&out, ']');
	http_set_json(res, 200, out.buf);
	strbuf_free(&out);
	PQclear(r);
}
