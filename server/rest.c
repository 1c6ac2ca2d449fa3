/*
 * /rest/v1: the PostgREST subset on the tables of the schema cache
 * (rest-schema.c: every table of public, as PostgREST exposes them) and an
 * allow-list of functions. Each request is one transaction run as the
 * caller's role with its claims in request.jwt.claims, so grants and
 * row-level security decide what it may see and change; pgrst-query builds
 * the statement with every value bound.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "pgrst-media.h"
#include "pgrst-query.h"
#include "request.h"
#include "rest-schema.h"
#include "server.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Hosted Supabase caps a read at 1000 rows; so do we, so clients learn to page. */
#define MAX_ROWS 1000

/* The one schema exposed, as hosted Supabase's default db-schemas. */
#define SCHEMA "public"

static const struct pgrst_arg push_args[] = { { "payload", "jsonb" } };
/* The functions' signatures in supabase/migrations/20261125000004_sync_functions.sql
 * (bodies replaced by 20261206000001 and 20261206000002, signatures kept). */
static const struct pgrst_arg pull_args[] = {
	{ "cursor_txid", "text" }, { "cursor_table", "text" }, { "cursor_id", "uuid" },
	{ "page_size", "integer" }, { "max_bytes", "integer" },
};

/* 20261206000002_tombstone_clock.sql: before is optional (the cloud's clock decides). */
static const struct pgrst_arg purge_args[] = { { "before", "timestamptz" } };

static const struct pgrst_function functions[] = {
	{ "push_batch", push_args, sizeof push_args / sizeof push_args[0], 0 },
	/* 20261207000014_push_speed.sql: the same with positional rows. */
	{ "push_rows", push_args, sizeof push_args / sizeof push_args[0], 0 },
	{ "pull_changes", pull_args, sizeof pull_args / sizeof pull_args[0], 0 },
	{ "purge_tombstones", purge_args, sizeof purge_args / sizeof purge_args[0], 0 },
	/* 20261207000010_aggregate_analytics.sql: sums only, anon may call it. */
	{ "analytics_totals", NULL, 0, 0 },
};

static void
reply_error(struct http_response *res, const struct pgrst_error *e)
{
	char *json = pgrst_error_json(e);

	http_set_json(res, e->status, json);
	free(json);
}

/* A PostgreSQL failure as PostgREST reports it. */
static void
reply_sql_error(struct http_response *res, PGconn *pg, const char *state, const char *msg,
    int authenticated)
{
	char *json = pgrst_error_body(state[0] != '\0' ? state : "PGRST000", msg, NULL, NULL);

	(void)pg;
	http_set_json(res, state[0] != '\0' ? pgrst_sqlstate_status(state, authenticated) : 503,
	    json);
	free(json);
}

/*
 * A refused caller as PostgREST answers: PGRST301 for a token that does not
 * verify, PGRST303 for an expired one; no API key at all is PGRST302 (no
 * anonymous access without the key). The reason never quotes the token.
 */
static void
reply_caller_error(struct http_response *res, enum caller_status st, const char *reason)
{
	const char *code = st == CALLER_EXPIRED ? "PGRST303" :
	    st == CALLER_NO_KEY ? "PGRST302" : "PGRST301";
	char *json, msg[ERRLEN + 16], auth[ERRLEN + 128];

	if (st == CALLER_EXPIRED)
		snprintf(msg, sizeof msg, "JWT expired");
	else if (st == CALLER_BAD_JWT)
		snprintf(msg, sizeof msg, "JWT invalid: %s", reason);
	else
		snprintf(msg, sizeof msg, "%s", reason);
	json = pgrst_error_body(code, msg, NULL, st == CALLER_NO_KEY ?
	    "Send the anon key in the apikey header." : NULL);
	http_set_json(res, 401, json);
	free(json);
	snprintf(auth, sizeof auth, "Bearer error=\"invalid_token\", error_description=\"%s\"",
	    msg);
	http_add_header(res, "WWW-Authenticate", auth);
}

/*
 * The headers PostgREST negotiates before it plans: the schema profile, what
 * the client accepts (into pr->accept) and the body's Content-Type.
 */
static int
negotiate(const struct http_request *req, int writes, struct pgrst_request *pr,
    struct pgrst_error *e)
{
	if (pgrst_media_profile(req->method, http_header(req, "accept-profile"),
	    http_header(req, "content-profile"), SCHEMA, e) != 0 ||
	    pgrst_media_accept(http_header(req, "accept"), &pr->accept, e) != 0)
		return -1;
	if (writes && strcmp(req->method, "DELETE") != 0 &&
	    pgrst_media_body(http_header(req, "content-type"), pr->rpc, SCHEMA, pr->name, e) != 0)
		return -1;
	return 0;
}

/*
 * An offset past the rows there are, when their count is known: PostgREST's
 * 416 PGRST103 instead of an empty page.
 */
static int
refuse_out_of_range(struct http_response *res, long long offset, long long total)
{
	char details[128], *json;

	if (total < 0 || offset <= total)
		return 0;
	snprintf(details, sizeof details, "An offset of %lld was requested, but there are only"
	    " %lld rows.", offset, total);
	json = pgrst_error_body("PGRST103", "Requested range not satisfiable", details, NULL);
	http_set_json(res, 416, json);
	free(json);
	return -1;
}

/*
 * count=planned: the planner's row estimate, "Plan Rows" of the EXPLAIN
 * (FORMAT JSON) of the matching rows, as PostgREST takes it. -1 when it
 * cannot be had (the answer then says "*", as with no count at all).
 */
static long long
planned_count(PGconn *pg, const struct pgrst_sql *sql)
{
	char state[6], err[ERRLEN];
	const char *plan, *rows;
	long long total = -1;
	PGresult *r = db_exec(pg, sql->count_sql, sql->count_nparams,
	    (const char *const *)sql->count_params, state, err);

	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1 && (plan = PQgetvalue(r, 0, 0)) != NULL &&
	    (rows = strstr(plan, "\"Plan Rows\":")) != NULL)
		total = atoll(rows + strlen("\"Plan Rows\":"));
	PQclear(r);
	return total;
}

/*
 * Accept: application/vnd.pgrst.object+json wants exactly one row: PostgREST
 * answers 406 PGRST116 otherwise (and rolls a write back; the caller has not
 * committed yet). supabase-js's maybeSingle() reads "0 rows" in the details
 * as no row and no error.
 */
static int
refuse_not_single(struct http_response *res, long long n)
{
	char details[64], *json;

	if (n == 1)
		return 0;
	snprintf(details, sizeof details, "The result contains %lld rows", n);
	json = pgrst_error_body("PGRST116", "Cannot coerce the result to a single JSON object",
	    details, NULL);
	http_set_json(res, 406, json);
	free(json);
	return -1;
}

void
rest_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res)
{
	struct pgrst_request pr;
	struct pgrst_sql sql;
	struct pgrst_error e;
	const struct rest_schema *schema;
	struct caller c;
	char err[ERRLEN], state[6], range[64], *query;
	PGresult *r;
	enum caller_status st;
	long long n, total;
	int authenticated, writes;

	if (w == NULL || !db_usable(w->pg)) {
		http_set_json(res, 503, "{\"code\":\"PGRST000\",\"details\":null,\"hint\":null,"
		    "\"message\":\"the database is unavailable\"}");
		return;
	}
	if ((st = caller_verify(srv, req, &c, err)) != CALLER_OK) {
		reply_caller_error(res, st, err);
		return;
	}
	authenticated = strcmp(c.role, "anon") != 0;
	writes = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
	/* A signed-out or deleted user's token must not write, however long it has left. */
	if (writes) {
		int live = auth_session_live(w->pg, &c, err);

		if (live <= 0) {
			if (live == 0)
				reply_caller_error(res, CALLER_BAD_JWT, "the session has ended"
				    " (signed out, or the user was deleted)");
			else
				reply_sql_error(res, w->pg, "", err, authenticated);
			caller_free(&c);
			return;
		}
	}
	memset(&pr, 0, sizeof pr);
	memset(&e, 0, sizeof e);
	pr.method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	if (strncmp(path, "/rpc/", 5) == 0) {
		pr.rpc = 1;
		pr.name = path + 5;
	} else
		pr.name = path[0] == '/' ? path + 1 : path;
	/* The apikey may come as a parameter; it is not a filter (Supabase's gateway drops it). */
	query = request_query_without(req->query, "apikey");
	pr.query = query;
	pr.prefer = http_header(req, "prefer");
	pr.body = req->body;
	pr.body_len = req->body_len;
	pr.schema = SCHEMA;
	schema = rest_schema_get(w->pg, SCHEMA);
	pr.tables = schema->tables;
	pr.ntables = schema->ntables;
	pr.functions = functions;
	pr.nfunctions = sizeof functions / sizeof functions[0];
	pr.max_rows = MAX_ROWS;
	pr.rels = schema->rels;
	pr.nrels = schema->nrels;
	memset(&sql, 0, sizeof sql);
	if (negotiate(req, writes, &pr, &e) != 0 || pgrst_build(&pr, &sql, &e) != 0) {
		reply_error(res, &e);
		goto out;
	}
	if (db_begin_as(w->pg, c.role, c.claims_json, err) != 0) {
		reply_sql_error(res, w->pg, "", err, authenticated);
		goto out;
	}
	/*
	 * PostgREST runs GET /rpc/<fn> read-only: a function that writes fails
	 * (405). A table read cannot write, so it is spared the round trip.
	 */
	if (!writes && pr.rpc && db_run(w->pg, "SET TRANSACTION READ ONLY", 0, NULL, state, err) != 0) {
		db_rollback(w->pg);
		reply_sql_error(res, w->pg, state, err, authenticated);
		goto out;
	}
	/* PUT: 200 when it replaces a row, 201 when it inserts one. */
	if (sql.exists_sql != NULL) {
		r = db_exec(w->pg, sql.exists_sql, sql.exists_nparams,
		    (const char *const *)sql.exists_params, state, err);
		if (r == NULL) {
			db_rollback(w->pg);
			reply_sql_error(res, w->pg, state, err, authenticated);
			goto out;
		}
		if (PQntuples(r) > 0)
			sql.status = 200;
		PQclear(r);
	}
	r = db_exec(w->pg, sql.sql, sql.nparams, (const char *const *)sql.params, state, err);
	if (r == NULL) {
		db_rollback(w->pg);
		reply_sql_error(res, w->pg, state, err, authenticated);
		goto out;
	}
	n = sql.returns_body ? (PQntuples(r) > 0 && PQnfields(r) > 1 ?
	    atoll(PQgetvalue(r, 0, 1)) : 0) : atoll(PQcmdTuples(r));
	if (sql.must_write && n == 0) {
		char *json = pgrst_error_body("PGRST115",
		    "Payload values do not match URL in primary key column(s)", NULL, NULL);

		http_set_json(res, 400, json);
		free(json);
		PQclear(r);
		db_rollback(w->pg);
		goto out;
	}
	if (pr.accept == PGRST_ACCEPT_OBJECT && !pr.rpc && refuse_not_single(res, n) != 0) {
		PQclear(r);
		db_rollback(w->pg);
		goto out;
	}
	total = sql.has_total && PQntuples(r) > 0 ? atoll(PQgetvalue(r, 0, 2)) : -1;
	if (sql.count_sql != NULL && (!sql.count_estimated || total > sql.max_rows))
		total = planned_count(w->pg, &sql);
	if (!writes && !pr.rpc && refuse_out_of_range(res, sql.offset, total) != 0) {
		PQclear(r);
		db_rollback(w->pg);
		goto out;
	}
	if (db_commit(w->pg, err) != 0) {
		PQclear(r);
		reply_sql_error(res, w->pg, "40001", err, authenticated);
		goto out;
	}
	/*
	 * A write may have grown a table a lot. The foreign-key checks' plans are
	 * cached per connection, and one made while a table was empty picks any
	 * index that starts with user_id, then scans all of a user's rows for
	 * every check: a big first push slowed down batch after batch. Dropping
	 * the cached plans after a write makes the next checks plan afresh.
	 */
	if (writes) {
		PGresult *d = db_exec(w->pg, "DISCARD PLANS", 0, NULL, state, err);
		PQclear(d);
	}
	res->status = sql.status;
	res->content_type = pr.accept == PGRST_ACCEPT_OBJECT && !pr.rpc ?
	    "application/vnd.pgrst.object+json; charset=utf-8" :
	    pr.accept == PGRST_ACCEPT_CSV && !pr.rpc ? "text/csv; charset=utf-8" :
	    "application/json";
	strbuf_reset(&res->body);
	if (sql.returns_body && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		strbuf_adds(&res->body, PQgetvalue(r, 0, 0));
		if (PQnfields(r) > 1 && !pr.rpc) {
			if (n > 0)
				snprintf(range, sizeof range, "%lld-%lld/", sql.offset,
				    sql.offset + n - 1);
			else
				snprintf(range, sizeof range, "*/");
			if (total >= 0)
				snprintf(range + strlen(range), sizeof range - strlen(range), "%lld",
				    total);
			else
				strcat(range, "*");
			http_add_header(res, "Content-Range", range);
			/* PostgREST: a range short of the total is partial content. */
			if (total >= 0 && n < total && res->status == 200)
				res->status = 206;
		}
	} else if (sql.returns_body)
		strbuf_adds(&res->body, pr.rpc ? "null" : "[]");
	if (strcmp(req->method, "HEAD") == 0)
		strbuf_reset(&res->body);
	PQclear(r);
out:
	pgrst_sql_free(&sql);
	rest_schema_put(schema);
	free(query);
	caller_free(&c);
}
