/*
 * PostgREST's relationships from pg_catalog: every foreign key whose two
 * tables are exposed, its columns in key order (conkey and confkey pair up
 * by position).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rest-rels.h"
#include "util/log.h"
#include "util/xmalloc.h"

static const char rels_sql[] =
    "SELECT c.conname, t.relname,"
    " (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(c.conkey)"
    "  WITH ORDINALITY k(num, i) JOIN pg_catalog.pg_attribute a"
    "  ON a.attrelid = c.conrelid AND a.attnum = k.num),"
    " r.relname,"
    " (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(c.confkey)"
    "  WITH ORDINALITY k(num, i) JOIN pg_catalog.pg_attribute a"
    "  ON a.attrelid = c.confrelid AND a.attnum = k.num)"
    " FROM pg_catalog.pg_constraint c"
    " JOIN pg_catalog.pg_class t ON t.oid = c.conrelid"
    " JOIN pg_catalog.pg_class r ON r.oid = c.confrelid"
    " WHERE c.contype = 'f'"
    " AND t.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)"
    " AND r.relnamespace = t.relnamespace"
    " ORDER BY c.conname";

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pgrst_rel *cache;
static size_t ncache;
static int loaded;

static int
exposed(const char *name, const struct pgrst_table *tables, size_t ntables)
{
	size_t i;

	for (i = 0; i < ntables; i++) {
		if (strcmp(tables[i].name, name) == 0)
			return 1;
	}
	return 0;
}

/* Column lists are spliced (quoted) into SQL, so each name must be an identifier. */
static int
columns_valid(const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *col;
	int ok = 1;

	for (col = strtok_r(copy, ",", &save); col != NULL; col = strtok_r(NULL, ",", &save))
		ok &= pgrst_ident_valid(col);
	free(copy);
	return ok;
}

static void
load(PGconn *pg, const char *schema, const struct pgrst_table *tables, size_t ntables)
{
	char state[6], err[ERRLEN];
	const char *params[1] = { schema };
	PGresult *r = db_exec(pg, rels_sql, 1, params, state, err);
	int i, col;

	if (r == NULL)
		return;
	cache = xreallocarray(NULL, (size_t)PQntuples(r) + 1, sizeof *cache);
	for (i = 0; i < PQntuples(r); i++) {
		for (col = 0; col < 5 && !PQgetisnull(r, i, col); col++)
			;
		if (col < 5 || !pgrst_ident_valid(PQgetvalue(r, i, 0)) ||
		    !exposed(PQgetvalue(r, i, 1), tables, ntables) ||
		    !exposed(PQgetvalue(r, i, 3), tables, ntables) ||
		    !columns_valid(PQgetvalue(r, i, 2)) || !columns_valid(PQgetvalue(r, i, 4)))
			continue;
		cache[ncache].constraint = xstrdup(PQgetvalue(r, i, 0));
		cache[ncache].table = xstrdup(PQgetvalue(r, i, 1));
		cache[ncache].cols = xstrdup(PQgetvalue(r, i, 2));
		cache[ncache].ref_table = xstrdup(PQgetvalue(r, i, 3));
		cache[ncache].ref_cols = xstrdup(PQgetvalue(r, i, 4));
		ncache++;
	}
	PQclear(r);
	loaded = 1;
}

const struct pgrst_rel *
rest_rels(PGconn *pg, const char *schema, const struct pgrst_table *tables, size_t ntables,
    size_t *n)
{
	pthread_mutex_lock(&lock);
	if (!loaded)
		load(pg, schema, tables, ntables);
	*n = ncache;
	pthread_mutex_unlock(&lock);
	return cache;
}
