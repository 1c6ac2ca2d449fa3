/*
 * PostgREST requests to SQL: the exact statements and parameters, and the
 * refusals (bad syntax, unknown tables, injection attempts, unfiltered
 * writes). The statements themselves were run on PostgreSQL 15 when written.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "pgrst-media.h"
#include "pgrst-query.h"

static const struct pgrst_table tables[] = {
	{ "turns", "user_id,id" },
	{ "sessions", "user_id,id" },
	{ "notes", NULL },
	{ "tags", "id" },
	{ "session_tags", "session_id,tag_id" },
};

static const struct pgrst_arg push_args[] = { { "payload", "jsonb" } };
static const struct pgrst_arg pull_args[] = {
	{ "cursor_txid", "text" }, { "cursor_id", "uuid" }, { "page_size", "integer" },
};
static const struct pgrst_arg misc_args[] = {
	{ "ids", "uuid[]" }, { "doc", "json" }, { "at", "timestamp with time zone" },
};
static const struct pgrst_arg bad_args[] = { { "x", "text); drop table turns; --" } };
static const struct pgrst_function functions[] = {
	{ "push_batch", push_args, 1, 0 },
	{ "pull_changes", pull_args, 3, 1 },
	{ "misc", misc_args, 3, 0 },
	{ "broken", bad_args, 1, 0 },
};

/*
 * turns -> sessions once; notes -> sessions twice (ambiguous without a hint);
 * sessions <-> tags through session_tags, whose primary key holds both keys.
 */
static const struct pgrst_rel rels[] = {
	{ "turns", "user_id,session_id", "sessions", "user_id,id", "turns_session_fkey" },
	{ "notes", "session_id", "sessions", "id", "notes_first_fkey" },
	{ "notes", "other_id", "sessions", "id", "notes_other_fkey" },
	{ "session_tags", "session_id", "sessions", "id", "session_tags_session_fkey" },
	{ "session_tags", "tag_id", "tags", "id", "session_tags_tag_fkey" },
};

#define AGG "SELECT coalesce(json_agg(pgrst_t.*), '[]')::text AS body, count(*) AS n FROM ("

static int
build_max(struct pgrst_sql *s, struct pgrst_error *e, const char *method, const char *name,
    int rpc, const char *query, const char *prefer, const char *body, long long max_rows)
{
	struct pgrst_request r;

	memset(&r, 0, sizeof r);
	r.method = method;
	r.name = name;
	r.rpc = rpc;
	r.query = query;
	r.prefer = prefer;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	r.tables = tables;
	r.ntables = sizeof tables / sizeof tables[0];
	r.functions = functions;
	r.nfunctions = sizeof functions / sizeof functions[0];
	r.max_rows = max_rows;
	r.rels = rels;
	r.nrels = sizeof rels / sizeof rels[0];
	return pgrst_build(&r, s, e);
}

static int
build(struct pgrst_sql *s, struct pgrst_error *e, const char *method, const char *name,
    const char *query, const char *prefer, const char *body)
{
	return build_max(s, e, method, name, 0, query, prefer, body, 1000);
}

/* Asserts the statement and its parameters (nparams strings follow). */
static void
check_sql(const struct pgrst_sql *s, const char *sql, int nparams, ...)
{
	va_list ap;
	int i;

	assert_non_null(s->sql);
	assert_string_equal(s->sql, sql);
	assert_int_equal(s->nparams, nparams);
	va_start(ap, nparams);
	for (i = 0; i < nparams; i++)
		assert_string_equal(s->params[i], va_arg(ap, const char *));
	va_end(ap);
}

/* Builds a request that must fail with status and code. */
static void
refused(const char *method, const char *name, const char *query, const char *prefer,
    const char *body, int status, const char *code)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	if (build(&s, &e, method, name, query, prefer, body) == 0) {
		fail_msg("%s %s?%s built: %s", method, name, query != NULL ? query : "", s.sql);
		pgrst_sql_free(&s);
	}
	assert_int_equal(e.status, status);
	assert_string_equal(e.code, code);
	assert_true(e.message[0] != '\0');
	assert_null(s.sql);
	assert_int_equal(s.nparams, 0);
}

static void
get_simple(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build(&s, &e, "GET", "turns",
	    "select=id,content&session_id=eq.abc&order=timestamp.asc&limit=50", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", \"content\" FROM \"public\".\"turns\""
	    " WHERE \"session_id\" = $1 ORDER BY \"timestamp\" ASC LIMIT $2) pgrst_t",
	    2, "abc", "50");
	assert_int_equal(s.status, 200);
	assert_true(s.returns_body);
	assert_int_equal(s.offset, 0);
	pgrst_sql_free(&s);

	/* No query at all: everything, capped. */
	assert_int_equal(build(&s, &e, "GET", "sessions", NULL, NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"sessions\" LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "sessions", "", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"sessions\" LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	/* No cap configured: no LIMIT. */
	assert_int_equal(build_max(&s, &e, "GET", "sessions", 0, "select=*", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"sessions\") pgrst_t", 0);
	pgrst_sql_free(&s);
	/* Aliases, quoted names, spaces, empty segments. */
	assert_int_equal(build(&s, &e, "GET", "turns",
	    "&select=%22id%22,%20body:content%20,*&&", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", \"content\" AS \"body\", * FROM \"public\".\"turns\""
	    " LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
}

static void
every_operator(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0,
	    "a=eq.1&b=neq.2&c=gt.3&d=gte.4&e=lt.5&f=lte.6&g=like.*x*&h=ilike.A*"
	    "&i=in.(1,2)&j=is.null&k=is.true&l=is.false&m=is.unknown"
	    "&n=not.eq.7&o=not.in.(x)&p=not.is.null&q=eq.a.b.c&r=eq.", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" WHERE"
	    " \"a\" = $1 AND \"b\" <> $2 AND \"c\" > $3 AND \"d\" >= $4 AND \"e\" < $5"
	    " AND \"f\" <= $6 AND \"g\" LIKE $7 AND \"h\" ILIKE $8 AND \"i\" = ANY($9)"
	    " AND \"j\" IS NULL AND \"k\" IS TRUE AND \"l\" IS FALSE AND \"m\" IS UNKNOWN"
	    " AND NOT (\"n\" = $10) AND NOT (\"o\" = ANY($11)) AND NOT (\"p\" IS NULL)"
	    " AND \"q\" = $12 AND \"r\" = $13) pgrst_t",
	    13, "1", "2", "3", "4", "5", "6", "%x%", "A%", "{\"1\",\"2\"}", "7", "{\"x\"}",
	    "a.b.c", "");
	pgrst_sql_free(&s);

	/* Two filters on one column are both applied. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0, "n=gt.1&n=lt.9", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" WHERE \"n\" > $1 AND \"n\" < $2)"
	    " pgrst_t", 2, "1", "9");
	pgrst_sql_free(&s);

	refused("GET", "turns", "a=eqq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=not.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=is.maybe", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=is.NULL%3B", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "a=cs.{1}", NULL, NULL, 400, "PGRST100");
	/* Logic trees that do not parse. */
	refused("GET", "turns", "or=a.eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=()", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=(a.eq.1,)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=(a.eq.1,(b.eq.2)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=(a.eq.1))", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=(a.eq.\"1)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "and=(a.zz.1)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "and=(a)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "and=(xor(a.eq.1))", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "or=(a%3Bb.eq.1)", NULL, NULL, 400, "PGRST100");
}

static void
in_lists(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* Quoted items keep their commas and parentheses; \ escapes. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0,
	    "id=in.(a,b,%22c,d%22,%22e%5C%22f%22,%22(g)%22,h%5Ci,)", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" WHERE \"id\" = ANY($1)) pgrst_t",
	    1, "{\"a\",\"b\",\"c,d\",\"e\\\"f\",\"(g)\",\"h\\\\i\",\"\"}");
	pgrst_sql_free(&s);
	/* NULL is a string here, never SQL NULL; braces are plain characters. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0, "id=in.(NULL,{x})", NULL, NULL, 0), 0);
	assert_string_equal(s.params[0], "{\"NULL\",\"{x}\"}");
	pgrst_sql_free(&s);
	/* The empty list matches nothing. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0, "id=in.()", NULL, NULL, 0), 0);
	assert_string_equal(s.params[0], "{}");
	pgrst_sql_free(&s);

	refused("GET", "turns", "id=in.(a,%22b", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id=in.a,b", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id=in.(%22a%22b)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id=in.(a", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id=in.", NULL, NULL, 400, "PGRST100");
}

static void
ordering(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0,
	    "order=a.desc.nullslast,b.nullsfirst,c,d.asc.nullsfirst", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" ORDER BY \"a\" DESC NULLS LAST,"
	    " \"b\" ASC NULLS FIRST, \"c\" ASC, \"d\" ASC NULLS FIRST) pgrst_t", 0);
	pgrst_sql_free(&s);

	refused("GET", "turns", "order=a.up", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a.nullsfirst.desc", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a.asc.desc", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a.", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a,", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a;drop", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=random()", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "order=a&order=b", NULL, NULL, 400, "PGRST100");
}

static void
limits(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* Asking for more than the cap gets the cap, silently, as hosted Supabase. */
	assert_int_equal(build(&s, &e, "GET", "turns", "limit=5000", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", "limit=10&offset=20", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" LIMIT $1 OFFSET $2) pgrst_t",
	    2, "10", "20");
	assert_int_equal(s.offset, 20);
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", "limit=0", NULL, NULL), 0);
	assert_string_equal(s.params[0], "0");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", "offset=7", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" LIMIT $1 OFFSET $2) pgrst_t",
	    2, "1000", "7");
	pgrst_sql_free(&s);

	refused("GET", "turns", "limit=-1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "limit=abc", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "limit=1e3", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "limit=", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "limit=99999999999999999999", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "limit=1&limit=2", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "offset=%2B5", NULL, NULL, 400, "PGRST100");
}

static void
percent_decoding(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* %XX decoded, '+' is a space (PostgREST and URLSearchParams), %2B a plus. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0,
	    "title=eq.hello%20world%2B1+x&%22user_id%22=eq.caf%C3%A9&ts=gte.2024-01-01T00:00:00%2B00:00",
	    NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" WHERE \"title\" = $1"
	    " AND \"user_id\" = $2 AND \"ts\" >= $3) pgrst_t",
	    3, "hello world+1 x", "caf\xc3\xa9", "2024-01-01T00:00:00+00:00");
	pgrst_sql_free(&s);
	/* An encoded key and operator. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0, "%69d=%65q.%31", NULL, NULL, 0), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\" WHERE \"id\" = $1) pgrst_t", 1, "1");
	pgrst_sql_free(&s);

	refused("GET", "turns", "title=eq.a%00b", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "ti%00tle=eq.a", NULL, NULL, 400, "PGRST100");
}

/* Hostile values are bound, hostile names refused: never part of the SQL text. */
static void
injection(void **state)
{
	static const char *values[] = {
		"';drop table turns;--", "\\", "\\'", "''", "$1", "\"", "x\" OR 1=1 --",
		"1; DELETE FROM turns", "%27", "\xff\xfe",
	};
	struct pgrst_sql s;
	struct pgrst_error e;
	char *q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		/* Sent raw (not percent-encoded): the decoder leaves these as they are
		 * but for %27, which becomes a quote. */
		q = malloc(strlen(values[i]) + 16);
		strcpy(q, "title=eq.");
		strcat(q, values[i]);
		assert_int_equal(build_max(&s, &e, "GET", "turns", 0, q, NULL, NULL, 0), 0);
		assert_int_equal(s.nparams, 1);
		assert_string_equal(s.params[0], strcmp(values[i], "%27") == 0 ? "'" : values[i]);
		assert_string_equal(s.sql, AGG "SELECT * FROM \"public\".\"turns\""
		    " WHERE \"title\" = $1) pgrst_t");
		pgrst_sql_free(&s);
		free(q);
	}

	/* Column names. */
	refused("GET", "turns", "id%22%3Bdrop%20table%20turns%3B--=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id;drop=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id--=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "%22id%22%22=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "1id=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "id%20or%201=eq.1", NULL, NULL, 400, "PGRST100");
	/* A dotted key is a filter on an embedding: PostgREST's PGRST108 when there is none. */
	refused("GET", "turns", "t.id=eq.1", NULL, NULL, 400, "PGRST108");
	refused("GET", "turns", "select=sessions(id)&sessions.id%3Bdrop=eq.1", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "turns", "select=sessions(id)&sess%22ions.id=eq.1", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "turns", "content->>x=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=id,%22x%22%22%20from%20pg_user--", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=(select%201)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=id::text", NULL, NULL, 400, "PGRST100");
	/* An embedding names a table of the schema cache, never a function or SQL. */
	refused("GET", "turns", "select=sessions(id)%20from%20pg_user--(id)", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "turns", "select=sessions(id%29%20from%20pg_user--)", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "turns", "select=count(*)", NULL, NULL, 400, "PGRST200");
	refused("GET", "turns", "select=", NULL, NULL, 400, "PGRST100");
	refused("POST", "turns", "on_conflict=id)%20do%20nothing;--",
	    "resolution=merge-duplicates", "[]", 400, "PGRST100");
	refused("POST", "turns", NULL, NULL, "{\"a\\\"); drop table x; --\": 1}", 400, "PGRST204");
	refused("POST", "turns", NULL, NULL, "[{\"id\":1,\"\":2}]", 400, "PGRST204");
	refused("PATCH", "turns", "id=eq.1", NULL, "{\"a b\": 1}", 400, "PGRST204");
	/* 63 bytes is PostgreSQL's longest name; 64 would be cut short by it. */
	assert_int_equal(build_max(&s, &e, "GET", "turns", 0,
	    "a23456789012345678901234567890123456789012345678901234567890123=eq.1",
	    NULL, NULL, 0), 0);
	pgrst_sql_free(&s);
	refused("GET", "turns",
	    "a234567890123456789012345678901234567890123456789012345678901234=eq.1",
	    NULL, NULL, 400, "PGRST100");

	/* Tables: only the allow-list, whatever the spelling. */
	refused("GET", "users", NULL, NULL, NULL, 404, "PGRST205");
	refused("GET", "turns\";drop table turns;--", NULL, NULL, NULL, 404, "PGRST205");
	refused("GET", "Turns", NULL, NULL, NULL, 404, "PGRST205");
	refused("GET", "auth.users", NULL, NULL, NULL, 404, "PGRST205");
	refused("GET", "", NULL, NULL, NULL, 404, "PGRST205");
	refused("DELETE", "pg_authid", "id=eq.1", NULL, NULL, 404, "PGRST205");
	refused("POST", "rpc", NULL, NULL, "{}", 404, "PGRST205");
}

static const char bulk[] =
    "[{\"user_id\":\"u\",\"id\":\"1\",\"content\":\"a\"},"
    "{\"user_id\":\"u\",\"id\":\"2\",\"content\":\"b\"}]";

static void
post_upsert(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* ARCHITECTURE §4's bulk upsert. */
	assert_int_equal(build(&s, &e, "POST", "turns", "on_conflict=user_id,id",
	    "resolution=merge-duplicates,return=minimal", bulk), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" (\"user_id\",\"id\",\"content\")"
	    " SELECT \"user_id\",\"id\",\"content\" FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)"
	    " ON CONFLICT (\"user_id\",\"id\") DO UPDATE SET \"user_id\" = EXCLUDED.\"user_id\","
	    " \"id\" = EXCLUDED.\"id\", \"content\" = EXCLUDED.\"content\"", 1, bulk);
	assert_int_equal(s.status, 201);
	assert_false(s.returns_body);
	pgrst_sql_free(&s);

	/* Without on_conflict the primary key is the target, as in PostgREST. */
	assert_int_equal(build(&s, &e, "POST", "turns", NULL,
	    " resolution=merge-duplicates , return=minimal", bulk), 0);
	assert_non_null(strstr(s.sql, " ON CONFLICT (\"user_id\",\"id\") DO UPDATE SET "));
	pgrst_sql_free(&s);
	refused("POST", "notes", NULL, "resolution=merge-duplicates", bulk, 400, "PGRST100");

	assert_int_equal(build(&s, &e, "POST", "turns", "on_conflict=id",
	    "resolution=ignore-duplicates", bulk), 0);
	assert_non_null(strstr(s.sql, "$1::jsonb) ON CONFLICT (\"id\") DO NOTHING"));
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "POST", "notes", NULL, "resolution=ignore-duplicates",
	    bulk), 0);
	assert_non_null(strstr(s.sql, "$1::jsonb) ON CONFLICT DO NOTHING"));
	pgrst_sql_free(&s);

	/* A plain insert: on_conflict alone changes nothing, as in PostgREST. */
	assert_int_equal(build(&s, &e, "POST", "turns", "on_conflict=id", NULL,
	    "{\"id\":\"1\",\"content\":\"x\"}"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" (\"id\",\"content\")"
	    " SELECT \"id\",\"content\" FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)",
	    1, "[{\"id\":\"1\",\"content\":\"x\"}]");
	pgrst_sql_free(&s);

	/* return=representation: the written rows come back, shaped by select. */
	assert_int_equal(build(&s, &e, "POST", "turns", "select=id&on_conflict=user_id,id",
	    "return=representation,resolution=merge-duplicates", "[{\"user_id\":\"u\",\"id\":\"1\"}]"),
	    0);
	check_sql(&s, "WITH pgrst_w AS (INSERT INTO \"public\".\"turns\" (\"user_id\",\"id\")"
	    " SELECT \"user_id\",\"id\" FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)"
	    " ON CONFLICT (\"user_id\",\"id\") DO UPDATE SET \"user_id\" = EXCLUDED.\"user_id\","
	    " \"id\" = EXCLUDED.\"id\" RETURNING *) " AGG "SELECT \"id\" FROM pgrst_w) pgrst_t",
	    1, "[{\"user_id\":\"u\",\"id\":\"1\"}]");
	assert_int_equal(s.status, 201);
	assert_true(s.returns_body);
	pgrst_sql_free(&s);
}

static void
post_bodies(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* Objects that differ: refused, unless columns= says what to insert. */
	refused("POST", "turns", NULL, NULL, "[{\"a\":1,\"b\":2},{\"a\":1}]", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "[{\"a\":1},{\"a\":1,\"b\":2}]", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "[{\"a\":1},{\"b\":1}]", 400, "PGRST102");
	assert_int_equal(build(&s, &e, "POST", "turns", "columns=%22a%22,%22b%22", NULL,
	    "[{\"a\":1,\"b\":2},{\"a\":1}]"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" (\"a\",\"b\") SELECT \"a\",\"b\" FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)",
	    1, "[{\"a\":1,\"b\":2},{\"a\":1}]");
	pgrst_sql_free(&s);
	/* The same keys in another order, and a repeated key, are the same set. */
	assert_int_equal(build(&s, &e, "POST", "turns", NULL, NULL,
	    "[{\"a\":1,\"b\":2},{\"b\":3,\"a\":4,\"a\":5}]"), 0);
	assert_non_null(strstr(s.sql, "(\"a\",\"b\") SELECT \"a\",\"b\" FROM"));
	pgrst_sql_free(&s);
	/* Whitespace around the body. */
	assert_int_equal(build(&s, &e, "POST", "turns", NULL, NULL, "\n {\"a\":1} \n"), 0);
	assert_string_equal(s.params[0], "[{\"a\":1} \n]");
	pgrst_sql_free(&s);
	/* [] inserts nothing; {} one row of defaults. */
	assert_int_equal(build(&s, &e, "POST", "turns", NULL, NULL, "[]"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" SELECT FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)", 1, "[]");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "POST", "turns", NULL, "resolution=merge-duplicates",
	    "{}"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" SELECT FROM"
	    " jsonb_populate_recordset(NULL::\"public\".\"turns\", $1::jsonb)"
	    " ON CONFLICT (\"user_id\",\"id\") DO NOTHING", 1, "[{}]");
	pgrst_sql_free(&s);

	refused("POST", "turns", NULL, NULL, NULL, 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "  ", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "{\"a\":", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "{\"a\":1} x", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "[1,2]", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "[{\"a\":1},[]]", 400, "PGRST102");
	refused("POST", "turns", NULL, NULL, "\"text\"", 400, "PGRST102");
	refused("POST", "turns", "columns=a", NULL, "42", 400, "PGRST102");
	/* Filters, limits and a repeated parameter make no sense on an insert. */
	refused("POST", "turns", "id=eq.1", NULL, "{\"a\":1}", 400, "PGRST100");
	refused("POST", "turns", "limit=1", NULL, "{\"a\":1}", 400, "PGRST100");
	refused("POST", "turns", "on_conflict=id&on_conflict=id", "resolution=merge-duplicates",
	    "{\"a\":1}", 400, "PGRST100");
	refused("GET", "turns", "on_conflict=id", NULL, NULL, 400, "PGRST100");
}

static void
body_with_nul(void **state)
{
	static const char body[] = "{\"a\":1}\0{\"b\":2}";
	struct pgrst_request r;
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	memset(&r, 0, sizeof r);
	r.method = "POST";
	r.name = "turns";
	r.body = body;
	r.body_len = sizeof body - 1;
	r.tables = tables;
	r.ntables = 1;
	assert_int_equal(pgrst_build(&r, &s, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST102");
	/* Only body_len bytes count: a body that is not NUL-terminated. */
	r.body = "{\"a\":1}garbage";
	r.body_len = 7;
	assert_int_equal(pgrst_build(&r, &s, &e), 0);
	assert_string_equal(s.params[0], "[{\"a\":1}]");
	pgrst_sql_free(&s);
}

static void
patch_and_delete(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build(&s, &e, "PATCH", "turns", "id=eq.5&user_id=eq.u", NULL,
	    "{\"title\":\"x\",\"published\":true}"), 0);
	check_sql(&s, "UPDATE \"public\".\"turns\" SET (\"title\",\"published\") ="
	    " (SELECT \"title\",\"published\" FROM"
	    " jsonb_populate_record(NULL::\"public\".\"turns\", $1::jsonb))"
	    " WHERE \"id\" = $2 AND \"user_id\" = $3",
	    3, "{\"title\":\"x\",\"published\":true}", "5", "u");
	assert_int_equal(s.status, 204);
	assert_false(s.returns_body);
	pgrst_sql_free(&s);

	assert_int_equal(build(&s, &e, "PATCH", "turns", "id=in.(1,2)&select=id,title&order=id",
	    "return=representation", "{\"title\":null}"), 0);
	check_sql(&s, "WITH pgrst_w AS (UPDATE \"public\".\"turns\" SET (\"title\") ="
	    " (SELECT \"title\" FROM jsonb_populate_record(NULL::\"public\".\"turns\", $1::jsonb))"
	    " WHERE \"id\" = ANY($2) RETURNING *) " AGG "SELECT \"id\", \"title\" FROM pgrst_w"
	    " ORDER BY \"id\" ASC) pgrst_t", 2, "{\"title\":null}", "{\"1\",\"2\"}");
	assert_int_equal(s.status, 200);
	assert_true(s.returns_body);
	pgrst_sql_free(&s);

	assert_int_equal(build(&s, &e, "DELETE", "turns", "id=eq.5&user_id=eq.u", NULL, NULL), 0);
	check_sql(&s, "DELETE FROM \"public\".\"turns\" WHERE \"id\" = $1 AND \"user_id\" = $2",
	    2, "5", "u");
	assert_int_equal(s.status, 204);
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "DELETE", "turns", "deleted_at=not.is.null",
	    "return=representation", NULL), 0);
	check_sql(&s, "WITH pgrst_w AS (DELETE FROM \"public\".\"turns\" WHERE"
	    " NOT (\"deleted_at\" IS NULL) RETURNING *) " AGG "SELECT * FROM pgrst_w) pgrst_t", 0);
	assert_int_equal(s.status, 200);
	pgrst_sql_free(&s);

	/* Whole-table writes are refused (PostgREST allows them; pg-safeupdate does not). */
	refused("DELETE", "turns", NULL, NULL, NULL, 400, "21000");
	refused("DELETE", "turns", "select=*&order=id", NULL, NULL, 400, "21000");
	refused("PATCH", "turns", NULL, NULL, "{\"title\":\"x\"}", 400, "21000");
	refused("PATCH", "turns", "", NULL, "{\"title\":\"x\"}", 400, "21000");
	/* Bounded writes and other parameters we do not support on writes. */
	refused("DELETE", "turns", "id=eq.1&limit=1", NULL, NULL, 400, "PGRST100");
	refused("PATCH", "turns", "id=eq.1&offset=1", NULL, "{\"a\":1}", 400, "PGRST100");
	refused("DELETE", "turns", "id=eq.1&on_conflict=id", NULL, NULL, 400, "PGRST100");
	/* PATCH bodies. */
	refused("PATCH", "turns", "id=eq.1", NULL, "[{\"a\":1}]", 400, "PGRST102");
	refused("PATCH", "turns", "id=eq.1", NULL, "{}", 400, "PGRST102");
	refused("PATCH", "turns", "id=eq.1", NULL, NULL, 400, "PGRST102");
	refused("PATCH", "turns", "id=eq.1", NULL, "nope", 400, "PGRST102");
	/* Other methods. */
	refused("OPTIONS", "turns", "id=eq.1", NULL, "{\"a\":1}", 405, "PGRST117");
	refused("get", "turns", NULL, NULL, NULL, 405, "PGRST117");
}

static void
rpc(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	const char *body;

	(void)state;
	body = "{\"payload\":{\"commits\":[]}}";
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL, body, 1000), 0);
	check_sql(&s, "SELECT coalesce(to_json(pgrst_r.*)::text, 'null') AS body FROM"
	    " \"public\".\"push_batch\"(\"payload\" => ($1::jsonb->'payload')) pgrst_r", 1, body);
	assert_int_equal(s.status, 200);
	assert_true(s.returns_body);
	pgrst_sql_free(&s);

	body = "{\"page_size\":500,\"cursor_txid\":\"0\",\"cursor_id\":null}";
	assert_int_equal(build_max(&s, &e, "POST", "pull_changes", 1, "", NULL, body, 1000), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_r.*), '[]')::text AS body, count(*) AS n"
	    " FROM \"public\".\"pull_changes\"(\"cursor_txid\" => ($1::jsonb->>'cursor_txid')::text,"
	    " \"cursor_id\" => ($1::jsonb->>'cursor_id')::uuid,"
	    " \"page_size\" => ($1::jsonb->>'page_size')::integer) pgrst_r", 1, body);
	pgrst_sql_free(&s);

	/* Omitted arguments take their defaults; no body is no arguments. */
	assert_int_equal(build_max(&s, &e, "POST", "pull_changes", 1, NULL, NULL,
	    "{\"page_size\":5}", 1000), 0);
	assert_non_null(strstr(s.sql, "\"pull_changes\"(\"page_size\" =>"
	    " ($1::jsonb->>'page_size')::integer) pgrst_r"));
	pgrst_sql_free(&s);
	assert_int_equal(build_max(&s, &e, "POST", "pull_changes", 1, NULL, NULL, NULL, 1000), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_r.*), '[]')::text AS body, count(*) AS n"
	    " FROM \"public\".\"pull_changes\"() pgrst_r", 0);
	pgrst_sql_free(&s);

	/* Arrays, json and types with spaces. */
	assert_int_equal(build_max(&s, &e, "POST", "misc", 1, NULL, NULL,
	    "{\"at\":\"2024-01-01\",\"doc\":[1],\"ids\":[]}", 1000), 0);
	assert_non_null(strstr(s.sql, "\"misc\"("
	    "\"ids\" => ARRAY(SELECT jsonb_array_elements_text($1::jsonb->'ids'))::uuid[], "
	    "\"doc\" => ($1::jsonb->'doc')::json, "
	    "\"at\" => ($1::jsonb->>'at')::timestamp with time zone) pgrst_r"));
	pgrst_sql_free(&s);

	/* Refusals: unknown function or argument, another method, a bad body. */
	assert_int_equal(build_max(&s, &e, "POST", "drop_everything", 1, NULL, NULL, "{}", 0), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "PGRST202");
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL,
	    "{\"payload\":{},\"x') ; drop table turns; --\":1}", 0), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "PGRST202");
	assert_int_equal(build_max(&s, &e, "PUT", "push_batch", 1, NULL, NULL, NULL, 0), -1);
	assert_int_equal(e.status, 405);
	assert_string_equal(e.code, "PGRST101");
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL, "[{}]", 0), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST102");
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, "limit=1", NULL, "{}", 0), -1);
	assert_int_equal(e.status, 400);
	/* A type that is not a type is a configuration error, never spliced. */
	assert_int_equal(build_max(&s, &e, "POST", "broken", 1, NULL, NULL, "{\"x\":1}", 0), -1);
	assert_int_equal(e.status, 500);
	/* A table is not a function, nor a function a table. */
	assert_int_equal(build_max(&s, &e, "POST", "turns", 1, NULL, NULL, "{}", 0), -1);
	assert_int_equal(e.status, 404);
	refused("GET", "push_batch", NULL, NULL, NULL, 404, "PGRST205");
}

/* An RPC body: POST push_batch with it is built (1) or refused as not JSON (0). */
static int
rpc_body_accepted(const char *body)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	if (build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL, body, 0) == 0) {
		pgrst_sql_free(&s);
		return 1;
	}
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST102");
	return 0;
}

/*
 * The body of a function call is checked as JSON and its argument names read
 * without building it: every value must still be valid JSON, and escaped
 * names are compared unescaped.
 */
static void
rpc_body(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	char deep[2100];
	size_t i;

	(void)state;
	assert_true(rpc_body_accepted(" {\"payload\" : {\"turns\":[{\"a\":-1.5e+3,\"b\":"
	    "[true,false,null,\"x\\\"\\u00e9\\n\"],\"c\":{}},[],0]}}\r\n"));
	assert_true(rpc_body_accepted("{}"));
	assert_true(rpc_body_accepted("{\"p\\u0061yload\":1}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"turns\":[1,]}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":tru}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":01}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":1.}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":\"\\x\"}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":\"\\u12\"}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":\"tab\there\"}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\":[}}"));
	assert_false(rpc_body_accepted("{\"payload\":{\"a\" 1}}"));
	assert_false(rpc_body_accepted("{\"payload\":{}"));
	assert_false(rpc_body_accepted("{\"payload\":{}} {}"));
	assert_false(rpc_body_accepted("{\"payload\":{},}"));
	assert_false(rpc_body_accepted("{payload:{}}"));
	assert_false(rpc_body_accepted("[]"));
	/* Nesting beyond cJSON's limit of 1000, which this check replaces. */
	memcpy(deep, "{\"payload\":", 11);
	for (i = 11; i < 11 + 1000; i++)
		deep[i] = '[';
	for (; i < 11 + 2000; i++)
		deep[i] = ']';
	strcpy(deep + i, "}");
	assert_false(rpc_body_accepted(deep));
	deep[11 + 999] = ' ';
	deep[11 + 1000] = ' ';
	assert_true(rpc_body_accepted(deep));

	/* An escaped name is the name it spells; an unknown one is named unescaped. */
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL,
	    "{\"p\\u0061yload\":{}}", 0), 0);
	assert_non_null(strstr(s.sql, "\"payload\" => ($1::jsonb->'payload')"));
	pgrst_sql_free(&s);
	assert_int_equal(build_max(&s, &e, "POST", "push_batch", 1, NULL, NULL,
	    "{\"payload\":{},\"m\\u0061chine\":1}", 0), -1);
	assert_int_equal(e.status, 404);
	assert_non_null(strstr(e.message, "push_batch(machine)"));
}

static void
too_many_parameters(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	char *q = malloc(PGRST_MAX_PARAMS * 8 + 16), *p = q;
	int i;

	(void)state;
	for (i = 0; i < PGRST_MAX_PARAMS; i++)
		p += sprintf(p, "%sa=eq.%d", i > 0 ? "&" : "", i % 10);
	assert_int_equal(build(&s, &e, "GET", "turns", q, NULL, NULL), 0);
	assert_int_equal(s.nparams, PGRST_MAX_PARAMS + 1);	/* and the limit */
	pgrst_sql_free(&s);
	strcpy(p, "&a=eq.1");
	assert_int_equal(build(&s, &e, "GET", "turns", q, NULL, NULL), -1);
	assert_int_equal(e.status, 400);
	free(q);
}

static void
error_bodies(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	char *j;
	cJSON *o;

	(void)state;
	j = pgrst_error_body("23505", "duplicate key \"x\"", NULL, NULL);
	assert_string_equal(j, "{\"code\":\"23505\",\"details\":null,\"hint\":null,"
	    "\"message\":\"duplicate key \\\"x\\\"\"}");
	free(j);
	j = pgrst_error_body("P0001", "no", "why", "try this");
	assert_string_equal(j, "{\"code\":\"P0001\",\"details\":\"why\",\"hint\":\"try this\","
	    "\"message\":\"no\"}");
	free(j);

	/* Our own refusals: echoed input is cut and made printable, JSON stays valid. */
	assert_int_equal(build(&s, &e, "GET", "t\x01\xff\"x", NULL, NULL, NULL), -1);
	assert_string_equal(e.message,
	    "Could not find the table 'public.t??\"x' in the schema cache");
	j = pgrst_error_json(&e);
	o = cJSON_Parse(j);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "code")->valuestring, "PGRST205");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "details")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "hint")));
	cJSON_Delete(o);
	free(j);

	assert_int_equal(build(&s, &e, "DELETE", "turns", NULL, NULL, NULL), -1);
	j = pgrst_error_json(&e);
	assert_string_equal(j, "{\"code\":\"21000\",\"details\":\"Add a filter such as"
	    " id=eq.<value>.\",\"hint\":null,\"message\":\"DELETE requires a WHERE clause\"}");
	free(j);

	assert_int_equal(build(&s, &e, "GET", "turns",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "=zz.1", NULL, NULL), -1);
	assert_true(strlen(e.message) < 120);
	assert_non_null(strstr(e.message, "..."));
}

static void
sqlstate_statuses(void **state)
{
	(void)state;
	assert_int_equal(pgrst_sqlstate_status("23505", 1), 409);
	assert_int_equal(pgrst_sqlstate_status("23503", 1), 409);
	assert_int_equal(pgrst_sqlstate_status("42501", 1), 403);
	assert_int_equal(pgrst_sqlstate_status("42501", 0), 401);
	assert_int_equal(pgrst_sqlstate_status("42P01", 1), 404);
	assert_int_equal(pgrst_sqlstate_status("42883", 1), 404);
	assert_int_equal(pgrst_sqlstate_status("42703", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("22P02", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("23502", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("23514", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("21000", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("P0001", 1), 400);
	assert_int_equal(pgrst_sqlstate_status("P0002", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("42P17", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("08006", 1), 503);
	assert_int_equal(pgrst_sqlstate_status("53300", 1), 503);
	assert_int_equal(pgrst_sqlstate_status("53400", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("25006", 1), 405);
	assert_int_equal(pgrst_sqlstate_status("25P02", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("40001", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("57014", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("28P01", 1), 403);
	assert_int_equal(pgrst_sqlstate_status("XX000", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("PT402", 1), 402);
	assert_int_equal(pgrst_sqlstate_status("PT999", 1), 400);	/* not a status: other */
	assert_int_equal(pgrst_sqlstate_status(NULL, 1), 500);
	assert_int_equal(pgrst_sqlstate_status("", 1), 500);
	assert_int_equal(pgrst_sqlstate_status("235050", 1), 500);
}

static void
identifiers(void **state)
{
	(void)state;
	assert_true(pgrst_ident_valid("user_id"));
	assert_true(pgrst_ident_valid("_x9"));
	assert_true(pgrst_ident_valid("CamelCase"));
	assert_false(pgrst_ident_valid(NULL));
	assert_false(pgrst_ident_valid(""));
	assert_false(pgrst_ident_valid("9x"));
	assert_false(pgrst_ident_valid("a-b"));
	assert_false(pgrst_ident_valid("a\"b"));
	assert_false(pgrst_ident_valid("a b"));
	assert_false(pgrst_ident_valid("caf\xc3\xa9"));
	assert_false(pgrst_ident_valid("a$"));
	/* NAMEDATALEN - 1: PostgreSQL would silently cut a longer name. */
	assert_true(pgrst_ident_valid(
	    "a23456789012345678901234567890123456789012345678901234567890123"));
	assert_false(pgrst_ident_valid(
	    "a234567890123456789012345678901234567890123456789012345678901234"));
}

/* Prefer: count=exact adds the total the filters match, whatever the range. */
static void
count_exact(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build(&s, &e, "GET", "turns", "select=id&session_id=eq.abc&limit=10&offset=5",
	    "count=exact", NULL), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_t.*), '[]')::text AS body, count(*) AS n,"
	    " (SELECT count(*) FROM \"public\".\"turns\" WHERE \"session_id\" = $1) AS total"
	    " FROM (SELECT \"id\" FROM \"public\".\"turns\" WHERE \"session_id\" = $2"
	    " LIMIT $3 OFFSET $4) pgrst_t", 4, "abc", "abc", "10", "5");
	assert_true(s.has_total);
	assert_int_equal(s.offset, 5);
	pgrst_sql_free(&s);
	/* Without filters; and ignored on writes, unknown counts ignored. */
	assert_int_equal(build(&s, &e, "GET", "turns", NULL, "return=minimal, count=exact", NULL), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_t.*), '[]')::text AS body, count(*) AS n,"
	    " (SELECT count(*) FROM \"public\".\"turns\") AS total"
	    " FROM (SELECT * FROM \"public\".\"turns\" LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", NULL, "count=planned", NULL), 0);
	assert_false(s.has_total);
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "DELETE", "turns", "id=eq.1", "count=exact", NULL), 0);
	assert_false(s.has_total);
	pgrst_sql_free(&s);
}

static void
logic_trees(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	char q[512];
	int i;

	(void)state;
	assert_int_equal(build(&s, &e, "GET", "turns", "or=(a.eq.1,and(b.gt.2,c.not.is.null))",
	    NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\""
	    " WHERE (\"a\" = $1 OR (\"b\" > $2 AND NOT (\"c\" IS NULL))) LIMIT $3) pgrst_t",
	    3, "1", "2", "1000");
	pgrst_sql_free(&s);
	/* not.and, ANDed with a plain filter; a quoted value keeps its comma. */
	assert_int_equal(build(&s, &e, "GET", "turns",
	    "not.and=(a.eq.1,b.eq.%22x,y%22)&c=eq.3", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\""
	    " WHERE NOT (\"a\" = $1 AND \"b\" = $2) AND \"c\" = $3 LIMIT $4) pgrst_t",
	    4, "1", "x,y", "3", "1000");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", "or=(a.in.(1,%22b,c%22),not.or(d.eq.1))",
	    NULL, NULL), 0);
	check_sql(&s, AGG "SELECT * FROM \"public\".\"turns\""
	    " WHERE (\"a\" = ANY($1) OR NOT (\"d\" = $2)) LIMIT $3) pgrst_t",
	    3, "{\"1\",\"b,c\"}", "1", "1000");
	pgrst_sql_free(&s);
	/* 16 levels build, 17 do not. */
	for (i = 16; i <= 17; i++) {
		int k, n = snprintf(q, sizeof q, "and=");

		for (k = 1; k <= i; k++)
			n += snprintf(q + n, sizeof q - (size_t)n, "%s", k == 1 ? "(" : "and(");
		n += snprintf(q + n, sizeof q - (size_t)n, "a.eq.1");
		for (k = 1; k <= i; k++)
			n += snprintf(q + n, sizeof q - (size_t)n, ")");
		if (i == 16) {
			assert_int_equal(build(&s, &e, "GET", "turns", q, NULL, NULL), 0);
			pgrst_sql_free(&s);
		} else
			refused("GET", "turns", q, NULL, NULL, 400, "PGRST100");
	}
}

static void
accept_and_prefer(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;
	struct pgrst_request r;

	(void)state;
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.name = "turns";
	r.query = "select=id";
	r.tables = tables;
	r.ntables = sizeof tables / sizeof tables[0];
	r.accept = PGRST_ACCEPT_OBJECT;
	assert_int_equal(pgrst_build(&r, &s, &e), 0);
	check_sql(&s, "SELECT coalesce((json_agg(pgrst_t.*)->0)::text, 'null') AS body,"
	    " count(*) AS n FROM (SELECT \"id\" FROM \"public\".\"turns\") pgrst_t", 0);
	pgrst_sql_free(&s);
	r.accept = PGRST_ACCEPT_CSV;
	assert_int_equal(pgrst_build(&r, &s, &e), 0);
	check_sql(&s, "SELECT coalesce((SELECT string_agg(pgrst_k, ',') FROM json_object_keys("
	    "(array_agg(to_json(pgrst_t.*)))[1]) pgrst_k), '') || E'\\n' ||"
	    " coalesce(string_agg(substring(pgrst_t::text, 2, length(pgrst_t::text) - 2), E'\\n'), '')"
	    " AS body, count(*) AS n FROM (SELECT \"id\" FROM \"public\".\"turns\") pgrst_t", 0);
	pgrst_sql_free(&s);

	/* missing=default: a key an object lacks is DEFAULT. */
	assert_int_equal(build(&s, &e, "POST", "turns", "columns=a,b", "missing=default",
	    "[{\"a\":1},{\"b\":2}]"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" (\"a\",\"b\") VALUES"
	    " ((jsonb_populate_record(NULL::\"public\".\"turns\", $1::jsonb->0)).\"a\", DEFAULT),"
	    " (DEFAULT, (jsonb_populate_record(NULL::\"public\".\"turns\", $1::jsonb->1)).\"b\")",
	    1, "[{\"a\":1},{\"b\":2}]");
	pgrst_sql_free(&s);
	refused("POST", "turns", "columns=a", "missing=default", "[1]", 400, "PGRST102");

	/* count=planned: a statement of its own, with its own parameters. */
	assert_int_equal(build(&s, &e, "GET", "turns", "a=eq.1", "count=planned", NULL), 0);
	assert_string_equal(s.count_sql,
	    "EXPLAIN (FORMAT JSON) SELECT 1 FROM \"public\".\"turns\" WHERE \"a\" = $1");
	assert_int_equal(s.count_nparams, 1);
	assert_string_equal(s.count_params[0], "1");
	assert_false(s.has_total);
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "turns", NULL, "count=estimated", NULL), 0);
	assert_non_null(s.count_sql);
	assert_true(s.has_total);
	assert_true(s.count_estimated);
	pgrst_sql_free(&s);
}

static void
rpc_get(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	assert_int_equal(build_max(&s, &e, "GET", "pull_changes", 1, "page_size=5&cursor_txid=x%26y",
	    NULL, NULL, 0), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_r.*), '[]')::text AS body, count(*) AS n"
	    " FROM \"public\".\"pull_changes\"(\"cursor_txid\" => ($1::jsonb->>'cursor_txid')::text,"
	    " \"page_size\" => ($1::jsonb->>'page_size')::integer) pgrst_r",
	    1, "{\"page_size\":\"5\",\"cursor_txid\":\"x&y\"}");
	pgrst_sql_free(&s);
	/* Array and json arguments are read from their text too. */
	assert_int_equal(build_max(&s, &e, "GET", "misc", 1, "ids=%7Ba,b%7D", NULL, NULL, 0), 0);
	assert_non_null(strstr(s.sql, "\"ids\" => ($1::jsonb->>'ids')::uuid[]"));
	pgrst_sql_free(&s);
	assert_int_equal(build_max(&s, &e, "GET", "pull_changes", 1, "nope=1", NULL, NULL, 0), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "PGRST202");
	assert_int_equal(build_max(&s, &e, "GET", "pull_changes", 1, "page_size=1&page_size=2",
	    NULL, NULL, 0), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST100");
}

#define TURNS_OF_SESSION "(SELECT coalesce(json_agg(pgrst_e1.*), '[]') FROM (SELECT \"id\"" \
	" FROM \"public\".\"turns\" pgrst_1 WHERE pgrst_1.\"user_id\" = pgrst_0.\"user_id\"" \
	" AND pgrst_1.\"session_id\" = pgrst_0.\"id\") pgrst_e1) AS \"turns\""

/* select= embeddings: correlated subqueries through the foreign keys, PostgREST's errors. */
static void
embedding(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* One-to-many: an array; the outer table is pgrst_0, filters stay on it. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns(id)&id=eq.s1", NULL,
	    NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", " TURNS_OF_SESSION " FROM \"public\".\"sessions\""
	    " pgrst_0 WHERE \"id\" = $1 LIMIT $2) pgrst_t", 2, "s1", "1000");
	pgrst_sql_free(&s);
	/* Many-to-one with an alias: one object, the key's columns the other way round. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=*,s:sessions(*)", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT *, (SELECT row_to_json(pgrst_e1.*) FROM (SELECT * FROM"
	    " \"public\".\"sessions\" pgrst_1 WHERE pgrst_1.\"user_id\" = pgrst_0.\"user_id\""
	    " AND pgrst_1.\"id\" = pgrst_0.\"session_id\") pgrst_e1) AS \"s\""
	    " FROM \"public\".\"turns\" pgrst_0 LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	/* One level deeper: pgrst_1 inside pgrst_2's join. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=sessions(turns(id))", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT (SELECT row_to_json(pgrst_e1.*) FROM (SELECT (SELECT"
	    " coalesce(json_agg(pgrst_e2.*), '[]') FROM (SELECT \"id\" FROM \"public\".\"turns\""
	    " pgrst_2 WHERE pgrst_2.\"user_id\" = pgrst_1.\"user_id\" AND pgrst_2.\"session_id\" ="
	    " pgrst_1.\"id\") pgrst_e2) AS \"turns\" FROM \"public\".\"sessions\" pgrst_1 WHERE"
	    " pgrst_1.\"user_id\" = pgrst_0.\"user_id\" AND pgrst_1.\"id\" = pgrst_0.\"session_id\")"
	    " pgrst_e1) AS \"sessions\" FROM \"public\".\"turns\" pgrst_0 LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	/* !inner: only sessions with turns, in the count too. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns!inner(id)",
	    "count=exact", NULL), 0);
	check_sql(&s, "SELECT coalesce(json_agg(pgrst_t.*), '[]')::text AS body, count(*) AS n,"
	    " (SELECT count(*) FROM \"public\".\"sessions\" pgrst_0 WHERE EXISTS (SELECT 1 FROM"
	    " \"public\".\"turns\" pgrst_1 WHERE pgrst_1.\"user_id\" = pgrst_0.\"user_id\" AND"
	    " pgrst_1.\"session_id\" = pgrst_0.\"id\")) AS total FROM ("
	    "SELECT \"id\", " TURNS_OF_SESSION " FROM \"public\".\"sessions\" pgrst_0"
	    " WHERE EXISTS (SELECT 1 FROM \"public\".\"turns\" pgrst_1 WHERE pgrst_1.\"user_id\" ="
	    " pgrst_0.\"user_id\" AND pgrst_1.\"session_id\" = pgrst_0.\"id\") LIMIT $1) pgrst_t", 1,
	    "1000");
	pgrst_sql_free(&s);
	/* A constraint name picks one of two keys. */
	assert_int_equal(build(&s, &e, "GET", "notes", "select=sessions!notes_other_fkey(id)", NULL,
	    NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_1.\"id\" = pgrst_0.\"other_id\""));
	pgrst_sql_free(&s);

	/* PostgREST's PGRST200, word for word. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=id,notes(id)", NULL, NULL), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST200");
	assert_string_equal(e.message,
	    "Could not find a relationship between 'turns' and 'notes' in the schema cache");
	assert_string_equal(e.details, "Searched for a foreign key relationship between 'turns'"
	    " and 'notes' in the schema 'public', but no matches were found.");
	refused("GET", "turns", "select=sessions!nope(id)", NULL, NULL, 400, "PGRST200");
	/* Two keys and no hint: PGRST201, 300 Multiple Choices. */
	refused("GET", "notes", "select=sessions(id)", NULL, NULL, 300, "PGRST201");
	/* Malformed or too deep: PGRST100. */
	refused("GET", "turns", "select=sessions(id", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=sessions(id))", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=sessions()", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=(id)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=a:b:sessions(id)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=sessions(turns(sessions(turns(sessions(id)))))", NULL, NULL,
	    400, "PGRST100");
	refused("PATCH", "sessions", "select=turns!inner(id)&id=eq.1", NULL, "{}", 400, "PGRST100");
}

#define FROM_TURNS_OF_SESSION " FROM \"public\".\"turns\" pgrst_1 WHERE pgrst_1.\"user_id\" =" \
	" pgrst_0.\"user_id\" AND pgrst_1.\"session_id\" = pgrst_0.\"id\""

/* PostgREST's content negotiation: Accept, Content-Type and the profile headers. */
static void
media_types(void **state)
{
	struct pgrst_error e;
	enum pgrst_accept a;

	(void)state;
	assert_int_equal(pgrst_media_accept(NULL, &a, &e), 0);
	assert_int_equal(a, PGRST_ACCEPT_JSON);
	assert_int_equal(pgrst_media_accept("application/vnd.pgrst.object+json;nulls=stripped", &a,
	    &e), 0);
	assert_int_equal(a, PGRST_ACCEPT_OBJECT);
	/* The highest quality first; between equals the first; q=0 refuses a type. */
	assert_int_equal(pgrst_media_accept("application/json;q=0.5, text/csv", &a, &e), 0);
	assert_int_equal(a, PGRST_ACCEPT_CSV);
	assert_int_equal(pgrst_media_accept("text/csv;q=0, */*", &a, &e), 0);
	assert_int_equal(a, PGRST_ACCEPT_JSON);
	assert_int_equal(pgrst_media_accept("text/html,application/xml;q=0.9,*/*;q=0.8", &a, &e), 0);
	assert_int_equal(a, PGRST_ACCEPT_JSON);
	/* PostgREST's PGRST107, word for word. */
	assert_int_equal(pgrst_media_accept("application/geo+json", &a, &e), -1);
	assert_int_equal(e.status, 406);
	assert_string_equal(e.code, "PGRST107");
	assert_string_equal(e.message, "None of these media types are available: application/geo+json");
	assert_int_equal(pgrst_media_accept("text/plain; q=1, text/csv;q=0", &a, &e), -1);
	assert_string_equal(e.message, "None of these media types are available: text/plain, text/csv");
	assert_int_equal(pgrst_media_accept("a/\x01" "b", &a, &e), -1);
	assert_string_equal(e.message, "None of these media types are available: a/?b");

	assert_int_equal(pgrst_media_body(NULL, 0, "public", "t", &e), 0);
	assert_int_equal(pgrst_media_body("Application/JSON; charset=utf-8", 0, "public", "t", &e), 0);
	assert_int_equal(pgrst_media_body("text/plain", 0, "public", "t", &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST102");
	assert_string_equal(e.message, "Content-Type not acceptable: text/plain");
	assert_int_equal(pgrst_media_body("application/octet-stream", 1, "public", "f", &e), -1);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "PGRST202");
	assert_string_equal(e.message, "Could not find the function public.f in the schema cache");
	assert_string_equal(e.details, "Searched for the function public.f with a single unnamed"
	    " bytea parameter, but no matches were found in the schema cache.");
	assert_int_equal(pgrst_media_body("text/csv", 1, "public", "f", &e), -1);
	assert_string_equal(e.code, "PGRST102");

	/* Reads name the schema in Accept-Profile, writes in Content-Profile. */
	assert_int_equal(pgrst_media_profile("GET", NULL, "other", "public", &e), 0);
	assert_int_equal(pgrst_media_profile("GET", "public", NULL, "public", &e), 0);
	assert_int_equal(pgrst_media_profile("POST", "other", NULL, "public", &e), 0);
	assert_int_equal(pgrst_media_profile("HEAD", "other", NULL, "public", &e), -1);
	assert_int_equal(e.status, 406);
	assert_string_equal(e.code, "PGRST106");
	assert_string_equal(e.message, "The schema must be one of the following: public");
	assert_int_equal(pgrst_media_profile("DELETE", NULL, "auth", "public", &e), -1);
}

/* PUT: PostgREST's single upsert, by the whole primary key in eq filters. */
static void
put_upsert(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* The body's first object, taken only where its key is the URL's. */
	assert_int_equal(build(&s, &e, "PUT", "turns", "id=eq.t1&user_id=eq.u1", NULL,
	    "[{\"id\":\"t1\",\"user_id\":\"u1\",\"seq\":2},{\"id\":\"t2\"}]"), 0);
	check_sql(&s, "INSERT INTO \"public\".\"turns\" (\"id\",\"user_id\",\"seq\") SELECT"
	    " \"id\",\"user_id\",\"seq\" FROM jsonb_populate_recordset(NULL::\"public\".\"turns\","
	    " $1::jsonb) WHERE \"id\" = $2 AND \"user_id\" = $3 ON CONFLICT (\"id\",\"user_id\") DO"
	    " UPDATE SET \"id\" = EXCLUDED.\"id\", \"user_id\" = EXCLUDED.\"user_id\", \"seq\" ="
	    " EXCLUDED.\"seq\"", 3, "[{\"id\":\"t1\",\"user_id\":\"u1\",\"seq\":2}]", "t1", "u1");
	assert_int_equal(s.must_write, 1);
	assert_int_equal(s.status, 201);
	assert_int_equal(s.returns_body, 0);
	/* Whether the row is there decides 200 (replaced) or 201 (inserted). */
	assert_string_equal(s.exists_sql, "SELECT 1 FROM \"public\".\"turns\" WHERE \"id\" = $1 AND"
	    " \"user_id\" = $2");
	assert_int_equal(s.exists_nparams, 2);
	assert_string_equal(s.exists_params[0], "t1");
	assert_string_equal(s.exists_params[1], "u1");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "PUT", "tags", "id=eq.7", "return=representation",
	    "{\"id\":7}"), 0);
	assert_int_equal(s.returns_body, 1);
	assert_non_null(strstr(s.sql, "WITH pgrst_w AS (INSERT INTO"));
	pgrst_sql_free(&s);
	/* PostgREST's PGRST105, word for word, for anything but the whole key in eq. */
	assert_int_equal(build(&s, &e, "PUT", "turns", "id=eq.t1", NULL, "{\"id\":\"t1\"}"), -1);
	assert_int_equal(e.status, 405);
	assert_string_equal(e.code, "PGRST105");
	assert_string_equal(e.message,
	    "Filters must include all and only primary key columns with 'eq' operators");
	refused("PUT", "turns", "id=eq.1&user_id=not.eq.2", NULL, "{}", 405, "PGRST105");
	refused("PUT", "turns", "id=eq.1&user_id=in.(2)", NULL, "{}", 405, "PGRST105");
	refused("PUT", "turns", "id=eq.1&and=(user_id.eq.2)", NULL, "{}", 405, "PGRST105");
	refused("PUT", "turns", "id=eq.1&id=eq.2", NULL, "{}", 405, "PGRST105");
	refused("PUT", "turns", "id=eq.1&user_id=eq.2&seq=eq.3", NULL, "{}", 405, "PGRST105");
	refused("PUT", "notes", "id=eq.1", NULL, "{\"id\":1}", 405, "PGRST105");
	refused("PUT", "tags", "id=eq.1&limit=1", NULL, "{\"id\":1}", 400, "PGRST114");
	refused("PUT", "tags", "id=eq.1", NULL, "[1]", 400, "PGRST102");
	refused("PUT", "tags", "id=eq.1", NULL, "{}", 400, "PGRST102");
	refused("PUT", "tags", "id=eq.1", NULL, "[]", 400, "PGRST102");
}

/* PostgREST's embedded filters, order and range: name.col=, name.order=, name.limit=, ... */
static void
embedded_parameters(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* The embedded rows' own filter, order and range, on the embedded table's columns
	 * (named through its alias, so an outer column of the same name is never meant);
	 * the parameters in the order their $n appear. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "turns.limit=2&select=id,turns(id)"
	    "&turns.role=eq.user&turns.order=at.desc.nullslast&id=eq.s1&turns.offset=1", NULL,
	    NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", (SELECT coalesce(json_agg(pgrst_e1.*), '[]') FROM"
	    " (SELECT \"id\"" FROM_TURNS_OF_SESSION " AND pgrst_1.\"role\" = $1"
	    " ORDER BY pgrst_1.\"at\" DESC NULLS LAST LIMIT $2 OFFSET $3) pgrst_e1) AS \"turns\""
	    " FROM \"public\".\"sessions\" pgrst_0 WHERE \"id\" = $4 LIMIT $5) pgrst_t", 5,
	    "user", "2", "1", "s1", "1000");
	pgrst_sql_free(&s);
	/* or= and not.and= on an embedding; a path through an alias. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=t:turns(id)"
	    "&t.or=(role.eq.a,id.in.(x,y))&t.not.and=(id.eq.z,role.is.null)", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT (SELECT coalesce(json_agg(pgrst_e1.*), '[]') FROM"
	    " (SELECT \"id\"" FROM_TURNS_OF_SESSION " AND (pgrst_1.\"role\" = $1 OR"
	    " pgrst_1.\"id\" = ANY($2)) AND NOT (pgrst_1.\"id\" = $3 AND pgrst_1.\"role\" IS"
	    " NULL)) pgrst_e1) AS \"t\" FROM \"public\".\"sessions\" pgrst_0 LIMIT $4) pgrst_t", 4,
	    "a", "{\"x\",\"y\"}", "z", "1000");
	pgrst_sql_free(&s);
	/* !inner with an embedded filter filters the outer rows by it too. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns!inner(id)"
	    "&turns.role=eq.user", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", (SELECT coalesce(json_agg(pgrst_e1.*), '[]') FROM"
	    " (SELECT \"id\"" FROM_TURNS_OF_SESSION " AND pgrst_1.\"role\" = $1) pgrst_e1)"
	    " AS \"turns\" FROM \"public\".\"sessions\" pgrst_0 WHERE EXISTS (SELECT 1"
	    FROM_TURNS_OF_SESSION " AND pgrst_1.\"role\" = $2) LIMIT $3) pgrst_t", 3,
	    "user", "user", "1000");
	pgrst_sql_free(&s);
	/* Null filters on an embedding: not.is.null as !inner, is.null the rows without. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns(id)&turns=is.null",
	    NULL, NULL), 0);
	assert_non_null(strstr(s.sql, " pgrst_0 WHERE NOT EXISTS (SELECT 1" FROM_TURNS_OF_SESSION
	    ") LIMIT $1"));
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns(id)&turns=not.is.null",
	    NULL, NULL), 0);
	assert_non_null(strstr(s.sql, " pgrst_0 WHERE EXISTS (SELECT 1" FROM_TURNS_OF_SESSION
	    ") LIMIT $1"));
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,turns(id)&turns=eq.1",
	    NULL, NULL), -1);
	assert_string_equal(e.code, "PGRST120");
	assert_string_equal(e.message, "Bad operator on the 'turns' embedded resource");
	assert_string_equal(e.details,
	    "Only is null or not is null filters are allowed on embedded resources");
	/* !inner one level down filters the level above it. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=sessions(turns!inner(id))", NULL,
	    NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_1.\"id\" = pgrst_0.\"session_id\" AND EXISTS"
	    " (SELECT 1 FROM \"public\".\"turns\" pgrst_2 WHERE pgrst_2.\"user_id\" ="
	    " pgrst_1.\"user_id\" AND pgrst_2.\"session_id\" = pgrst_1.\"id\")) pgrst_e1)"));
	pgrst_sql_free(&s);
	/* A path two embeddings deep. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=sessions(turns(id))"
	    "&sessions.turns.id=eq.x", NULL, NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_2.\"session_id\" = pgrst_1.\"id\" AND"
	    " pgrst_2.\"id\" = $1) pgrst_e2"));
	pgrst_sql_free(&s);

	/* PostgREST's PGRST108, word for word: a filter on what select= does not embed. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id&turns.id=eq.1", NULL, NULL),
	    -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "PGRST108");
	assert_string_equal(e.message, "'turns' is not an embedded resource in this request");
	assert_string_equal(e.hint,
	    "Verify that 'turns' is included in the 'select' query parameter.");
	refused("GET", "sessions", "select=turns(id)&turns.sessions.id=eq.1", NULL, NULL, 400,
	    "PGRST108");
	refused("GET", "sessions", "select=turns(id)&turns.select=id", NULL, NULL, 400, "PGRST100");
	refused("GET", "sessions", "select=turns(id)&turns.limit=x", NULL, NULL, 400, "PGRST100");
	refused("GET", "sessions", "select=turns(id)&turns.order=a,b&turns.order=c", NULL, NULL,
	    400, "PGRST100");
	refused("GET", "sessions", "select=turns(id)&turns.or=(id.eq.1", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "sessions", "select=turns(id)&turns.=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "sessions", "select=turns(id)&.id=eq.1", NULL, NULL, 400, "PGRST100");
	refused("GET", "sessions", "select=turns(id)&a.b.c.d.e.f.g.h=eq.1", NULL, NULL, 400,
	    "PGRST100");
	refused("DELETE", "sessions", "select=turns(id)&turns=not.is.null&id=eq.1", NULL, NULL,
	    400, "PGRST100");
}

/* Many-to-many, spreads and hints, as PostgREST's findRel picks relationships. */
static void
relationships(void **state)
{
	struct pgrst_sql s;
	struct pgrst_error e;

	(void)state;
	/* Through the junction, whose primary key holds both keys; each tag once. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=id,tags(name)", NULL, NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", (SELECT coalesce(json_agg(pgrst_e1.*), '[]') FROM"
	    " (SELECT \"name\" FROM \"public\".\"tags\" pgrst_1 WHERE EXISTS (SELECT 1 FROM"
	    " \"public\".\"session_tags\" pgrst_j1 WHERE pgrst_j1.\"tag_id\" = pgrst_1.\"id\" AND"
	    " pgrst_j1.\"session_id\" = pgrst_0.\"id\")) pgrst_e1) AS \"tags\" FROM"
	    " \"public\".\"sessions\" pgrst_0 LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	/* The junction's name as the hint; the junction itself is one-to-many. */
	assert_int_equal(build(&s, &e, "GET", "tags", "select=sessions!session_tags(id)", NULL,
	    NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_j1.\"session_id\" = pgrst_1.\"id\" AND"
	    " pgrst_j1.\"tag_id\" = pgrst_0.\"id\""));
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "tags", "select=session_tags(session_id)", NULL,
	    NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_1.\"tag_id\" = pgrst_0.\"id\") pgrst_e1"));
	pgrst_sql_free(&s);
	refused("GET", "tags", "select=sessions!notes(id)", NULL, NULL, 400, "PGRST200");
	/* A column of a one-column key, on either side, picks it; so does a hint then !inner. */
	assert_int_equal(build(&s, &e, "GET", "notes", "select=sessions!other_id(id)", NULL,
	    NULL), 0);
	assert_non_null(strstr(s.sql, "pgrst_1.\"id\" = pgrst_0.\"other_id\""));
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "notes",
	    "select=sessions!notes_first_fkey!inner(id)", NULL, NULL), 0);
	assert_non_null(strstr(s.sql, " pgrst_0 WHERE EXISTS (SELECT 1 FROM \"public\".\"sessions\""
	    " pgrst_1 WHERE pgrst_1.\"id\" = pgrst_0.\"session_id\")"));
	pgrst_sql_free(&s);
	refused("GET", "notes", "select=sessions!id(id)", NULL, NULL, 300, "PGRST201");
	refused("GET", "notes", "select=sessions!inner!left(id)", NULL, NULL, 400, "PGRST100");
	refused("GET", "notes", "select=sessions!inner!notes_first_fkey(id)", NULL, NULL, 400,
	    "PGRST100");
	refused("GET", "notes", "select=sessions!a!b(id)", NULL, NULL, 400, "PGRST100");
	refused("GET", "notes", "select=sessions!a!inner!left(id)", NULL, NULL, 400, "PGRST100");

	/* PostgREST's PGRST201: every candidate in details, each hint in hint. */
	assert_int_equal(build(&s, &e, "GET", "notes", "select=sessions(id)", NULL, NULL), -1);
	assert_int_equal(e.status, 300);
	assert_string_equal(e.message,
	    "Could not embed because more than one relationship was found for 'notes' and 'sessions'");
	assert_string_equal(e.details_json, "[{\"cardinality\":\"many-to-one\","
	    "\"embedding\":\"notes with sessions\",\"relationship\":\"notes_first_fkey using"
	    " notes(session_id) and sessions(id)\"},{\"cardinality\":\"many-to-one\","
	    "\"embedding\":\"notes with sessions\",\"relationship\":\"notes_other_fkey using"
	    " notes(other_id) and sessions(id)\"}]");
	assert_string_equal(e.hint, "Try changing 'sessions' to one of the following:"
	    " 'sessions!notes_first_fkey', 'sessions!notes_other_fkey'. Find the desired"
	    " relationship in the 'details' key.");
	{
		char *json = pgrst_error_json(&e);
		cJSON *o = cJSON_Parse(json);

		assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "details")));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "details")), 2);
		cJSON_Delete(o);
		free(json);
	}
	/* The other way round: one-to-many, the origin's columns first. */
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=notes(id)", NULL, NULL), -1);
	assert_non_null(strstr(e.details_json, "\"cardinality\":\"one-to-many\",\"embedding\":"
	    "\"sessions with notes\",\"relationship\":\"notes_first_fkey using sessions(id) and"
	    " notes(session_id)\""));
	/* With a hint, PGRST200's details say which. */
	assert_int_equal(build(&s, &e, "GET", "tags", "select=sessions!nope(id)", NULL, NULL), -1);
	assert_string_equal(e.details, "Searched for a foreign key relationship between 'tags'"
	    " and 'sessions' using the hint 'nope' in the schema 'public', but no matches were"
	    " found.");

	/* A spread: the one related row's columns in the outer row. */
	assert_int_equal(build(&s, &e, "GET", "turns", "select=id,...sessions(title,n:name)", NULL,
	    NULL), 0);
	check_sql(&s, AGG "SELECT \"id\", (SELECT pgrst_1.\"title\" FROM \"public\".\"sessions\""
	    " pgrst_1 WHERE pgrst_1.\"user_id\" = pgrst_0.\"user_id\" AND pgrst_1.\"id\" ="
	    " pgrst_0.\"session_id\") AS \"title\", (SELECT pgrst_1.\"name\" FROM"
	    " \"public\".\"sessions\" pgrst_1 WHERE pgrst_1.\"user_id\" = pgrst_0.\"user_id\" AND"
	    " pgrst_1.\"id\" = pgrst_0.\"session_id\") AS \"n\" FROM \"public\".\"turns\" pgrst_0"
	    " LIMIT $1) pgrst_t", 1, "1000");
	pgrst_sql_free(&s);
	assert_int_equal(build(&s, &e, "GET", "sessions", "select=...turns(id)", NULL, NULL), -1);
	assert_string_equal(e.code, "PGRST119");
	assert_string_equal(e.message, "A spread operation on 'turns' is not possible");
	assert_string_equal(e.details,
	    "'sessions' and 'turns' do not form a many-to-one or one-to-one relationship");
	refused("GET", "turns", "select=...sessions(*)", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=...sessions(turns(id))", NULL, NULL, 400, "PGRST100");
	refused("GET", "turns", "select=...s:sessions(id)", NULL, NULL, 400, "PGRST100");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_simple),
		cmocka_unit_test(every_operator),
		cmocka_unit_test(in_lists),
		cmocka_unit_test(ordering),
		cmocka_unit_test(limits),
		cmocka_unit_test(percent_decoding),
		cmocka_unit_test(injection),
		cmocka_unit_test(post_upsert),
		cmocka_unit_test(post_bodies),
		cmocka_unit_test(body_with_nul),
		cmocka_unit_test(patch_and_delete),
		cmocka_unit_test(rpc),
		cmocka_unit_test(rpc_body),
		cmocka_unit_test(too_many_parameters),
		cmocka_unit_test(error_bodies),
		cmocka_unit_test(sqlstate_statuses),
		cmocka_unit_test(identifiers),
		cmocka_unit_test(count_exact),
		cmocka_unit_test(logic_trees),
		cmocka_unit_test(accept_and_prefer),
		cmocka_unit_test(rpc_get),
		cmocka_unit_test(embedding),
		cmocka_unit_test(embedded_parameters),
		cmocka_unit_test(put_upsert),
		cmocka_unit_test(media_types),
		cmocka_unit_test(relationships),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
