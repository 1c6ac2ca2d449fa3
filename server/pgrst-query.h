/*
 * The PostgREST subset of /rest/v1 (ARCHITECTURE §4), turned into one SQL
 * statement with bound parameters. No I/O: the caller runs the statement with
 * PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0).
 *
 * paramTypes must be NULL. Each filter value is sent untyped, so PostgreSQL
 * gives it the type of the column it is compared with, exactly as an untyped
 * literal would be ('5' next to an integer column is an integer); PostgREST
 * does the same. Request bodies are one jsonb parameter and rows are built
 * with jsonb_populate_recordset(NULL::<table>, ...), so column types come
 * from the table too. No value is ever spliced into the SQL text, and every
 * identifier is checked ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes) and quoted.
 *
 * Query string (percent-decoded, '+' read as a space like every form decoder
 * and PostgREST itself, so a literal '+' must be sent as %2B):
 *   select=*|col,alias:col,...   (GET; also shapes a return=representation)
 *          [alias:]table[!hint][!inner|!left](cols) embeds related
 *                                rows, nested up to PGRST_EMBED_DEPTH
 *                                levels, through the relationship pgrst-rel.c
 *                                finds: an object through a key of ours
 *                                (many-to-one, null if none), an array through
 *                                one of table's (one-to-many) or a junction's
 *                                (many-to-many). !inner keeps only the rows
 *                                with a related row (at any depth; GET only).
 *          ...table(cols)        spreads a many-to-one embedding's named
 *                                columns into the row (PGRST119 otherwise).
 *                                Each embedding is a correlated subquery run
 *                                as the caller, so row-level security filters
 *                                embedded rows too.
 *   <path>.<col>=..., <path>.order=, <path>.limit=, <path>.offset=,
 *   <path>.or=, <path>.and=, <path>.not.or=, <path>.not.and=
 *                                the same on an embedding's rows: path is its
 *                                table's name or alias, dotted for nested
 *                                ones; none embedded so: 400 PGRST108.
 *   <embedding>=is.null, =not.is.null
 *                                only rows without / with a related row;
 *                                another operator there: 400 PGRST120
 *   <col>=[not.]<op>.<value>     op: eq neq gt gte lt lte like ilike (with *
 *                                for %), in.(a,b,"c,d"), is.null|true|false|
 *                                unknown; several are ANDed, also on one column
 *   or=(f,f,...), and=(...), not.or=, not.and=
 *                                logic trees, ANDed with the other filters;
 *                                an item is col.[not.]op.value (a value may be
 *                                "double-quoted" to hold , or parentheses) or
 *                                a nested [not.]or(...)/[not.]and(...); at most
 *                                16 levels deep, so a request cannot exhaust
 *                                the stack
 *   order=col[.asc|.desc][.nullsfirst|.nullslast],...
 *   limit=N, offset=N            (GET only; a read returns at most max_rows)
 *   on_conflict=col,...          (POST with Prefer: resolution=...)
 *   columns=col,...              (POST: the columns to insert, as supabase-js
 *                                sends for bodies whose objects differ)
 * PUT, with filters that are exactly the primary key's columns, each eq
 * (else 405 PGRST105; limit or offset: 400 PGRST114): the body's first object
 * is inserted (201) or replaces that row (200, when exists_sql finds it),
 * only if its key is the URL's (must_write).
 * Prefer: return=minimal|representation, resolution=merge-duplicates|
 * ignore-duplicates, count=exact|planned|estimated (GET: the total in
 * Content-Range; planned is the planner's estimate, which the caller asks
 * for with count_sql; estimated is exact up to max_rows, planned beyond),
 * missing=default (POST with columns=: a key an object lacks takes the
 * column's default, not NULL); others are ignored.
 * Accept (the caller's pgrst_request.accept): a JSON array by default;
 * PGRST_ACCEPT_OBJECT (application/vnd.pgrst.object+json) answers the one
 * row as an object, and the caller refuses 0 or several rows (406 PGRST116)
 * and rolls a write back; PGRST_ACCEPT_CSV (text/csv) answers PostgREST's
 * CSV: a header of the column names, then each row.
 *
 * Where we are stricter than PostgREST, to protect data:
 * - PATCH and DELETE need at least one filter (400, code 21000, the error
 *   hosted Supabase's pg-safeupdate gives).
 * - Without columns=, every object of a POST body must have the same keys
 *   (400 PGRST102, as PostgREST). With columns=, a missing key inserts NULL.
 * - A parameter other than a filter may appear once; limit and offset are
 *   refused on writes, filters on POST.
 */
#ifndef AL_SERVER_PGRST_QUERY_H
#define AL_SERVER_PGRST_QUERY_H

#include <stddef.h>

#include "pgrst-error.h"

#define PGRST_NAME_MAX 63	/* PostgreSQL's NAMEDATALEN - 1 */
#define PGRST_MAX_PARAMS 256	/* query-string parameters in one request */

/* A table the API exposes. */
struct pgrst_table {
	const char *name;
	/* Comma-separated primary key, the conflict target of an upsert without
	 * on_conflict (PostgREST's default); NULL: such an upsert is refused. */
	const char *primary_key;
};

#define PGRST_EMBED_DEPTH 4	/* embeddings inside embeddings */

/*
 * A foreign key between two exposed tables (PostgREST's relationship), as
 * pg_catalog has it; cols and ref_cols are comma-separated in key order.
 */
struct pgrst_rel {
	const char *table;	/* the table holding the key */
	const char *cols;
	const char *ref_table;	/* the table it references */
	const char *ref_cols;
	const char *constraint;
};

/* A named argument of an exposed SQL function, with its SQL type. */
struct pgrst_arg {
	const char *name;
	const char *type;	/* as format_type() prints it: "jsonb", "uuid", "text[]" */
};

/* A function the API exposes as POST /rpc/<name>. */
struct pgrst_function {
	const char *name;
	const struct pgrst_arg *args;
	size_t nargs;
	int returns_set;	/* SETOF or TABLE: the answer is a JSON array */
};

enum pgrst_accept { PGRST_ACCEPT_JSON, PGRST_ACCEPT_OBJECT, PGRST_ACCEPT_CSV };

struct pgrst_request {
	const char *method;	/* GET, POST, PATCH, PUT or DELETE (HEAD: ask for GET) */
	const char *schema;	/* NULL: "public" */
	const char *name;	/* the table, or the function when rpc is set */
	int rpc;
	const char *query;	/* raw query string without '?', or NULL */
	const char *prefer;	/* the Prefer header(s) joined with ',', or NULL */
	const char *body;	/* POST and PATCH */
	size_t body_len;
	const struct pgrst_table *tables;	/* the allow-lists */
	size_t ntables;
	const struct pgrst_function *functions;
	size_t nfunctions;
	long long max_rows;	/* cap on the rows one read returns; 0: none */
	enum pgrst_accept accept;
	const struct pgrst_rel *rels;	/* the foreign keys select= may embed through */
	size_t nrels;
};

/*
 * The statement. When returns_body is set it yields one row whose column 0
 * ("body") is the response's JSON text and, for reads and representations,
 * column 1 ("n") the number of rows in it. Otherwise it yields no rows and
 * PQcmdTuples() says how many were written.
 */
struct pgrst_sql {
	char *sql;
	char **params;
	int nparams;
	int status;		/* HTTP status on success: 200, 201 or 204 */
	/* PUT: writing no row means the body's key is not the URL's: 400 PGRST115 */
	int must_write;
	/* PUT: run first, in the same transaction: a row means the PUT replaces
	 * it (200), none that it inserts (201, status) */
	char *exists_sql;
	char **exists_params;
	int exists_nparams;
	int returns_body;
	int has_total;		/* column 2 ("total"): the rows the filters match (count=exact) */
	/* count=planned or estimated: EXPLAIN (FORMAT JSON) of the matching rows,
	 * run with count_params; its "Plan Rows" is the planner's total. */
	char *count_sql;
	char **count_params;
	int count_nparams;
	int count_estimated;	/* estimated: the exact total when it is at most max_rows */
	long long max_rows;
	long long offset;	/* first row's index, for Content-Range */
};

/* Fills out, or returns -1 with e filled (HTTP status, code, message). */
int pgrst_build(const struct pgrst_request *req, struct pgrst_sql *out, struct pgrst_error *e);
void pgrst_sql_free(struct pgrst_sql *s);

/* Whether s is an identifier we quote and pass on. */
int pgrst_ident_valid(const char *s);

#endif
