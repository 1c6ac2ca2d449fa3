/*
 * The schema cache: one snapshot shared by the workers, reference-counted so
 * a reload never frees one a request still reads.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rest-schema.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Tables, views, materialized views, foreign and partitioned tables, as PostgREST lists them. */
static const char tables_sql[] =
    "SELECT c.relname,"
    " (SELECT string_agg(a.attname, ',' ORDER BY k.pos)"
    "  FROM pg_catalog.pg_index x"
    "  CROSS JOIN LATERAL unnest(x.indkey::pg_catalog.int2[]) WITH ORDINALITY k(num, pos)"
    "  JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num"
    "  WHERE x.indrelid = c.oid AND x.indisprimary)"
    " FROM pg_catalog.pg_class c"
    " WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)"
    " AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition"
    " ORDER BY c.relname";

/* Every foreign key between two tables of the schema, its columns in key order. */
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

struct snapshot {
	struct rest_schema pub;		/* first: what callers get points here */
	struct pgrst_table *tables;
	struct pgrst_rel *rels;
	int refs;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;
static const struct rest_schema empty;	/* before the catalog could be read */
/* Set by a notification (or a replaced connection): the next request reloads. */
static atomic_int stale = 1;
/* The backend this thread's worker connection LISTENs on (0: none yet). */
static _Thread_local int listening_pid;

static int
exposed(const struct snapshot *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->pub.ntables; i++) {
		if (strcmp(s->tables[i].name, name) == 0)
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
snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->pub.ntables; i++) {
		free((char *)s->tables[i].name);
		free((char *)s->tables[i].primary_key);
	}
	for (i = 0; i < s->pub.nrels; i++) {
		free((char *)s->rels[i].constraint);
		free((char *)s->rels[i].table);
		free((char *)s->rels[i].cols);
		free((char *)s->rels[i].ref_table);
		free((char *)s->rels[i].ref_cols);
	}
	free(s->tables);
	free(s->rels);
	free(s);
}

/* A name we can quote and pass on: anything else is left out of the cache. */
static int
tables_read(struct snapshot *s, PGresult *r)
{
	int i;

	s->tables = xreallocarray(NULL, (size_t)PQntuples(r) + 1, sizeof *s->tables);
	for (i = 0; i < PQntuples(r); i++) {
		if (!pgrst_ident_valid(PQgetvalue(r, i, 0)) ||
		    (!PQgetisnull(r, i, 1) && !columns_valid(PQgetvalue(r, i, 1))))
			continue;
		s->tables[s->pub.ntables].name = xstrdup(PQgetvalue(r, i, 0));
		s->tables[s->pub.ntables++].primary_key = PQgetisnull(r, i, 1) ? NULL :
		    xstrdup(PQgetvalue(r, i, 1));
	}
	return 0;
}

static void
rels_read(struct snapshot *s, PGresult *r)
{
	int i, col;

	s->rels = xreallocarray(NULL, (size_t)PQntuples(r) + 1, sizeof *s->rels);
	for (i = 0; i < PQntuples(r); i++) {
		for (col = 0; col < 5 && !PQgetisnull(r, i, col); col++)
			;
		if (col < 5 || !pgrst_ident_valid(PQgetvalue(r, i, 0)) ||
		    !exposed(s, PQgetvalue(r, i, 1)) || !exposed(s, PQgetvalue(r, i, 3)) ||
		    !columns_valid(PQgetvalue(r, i, 2)) || !columns_valid(PQgetvalue(r, i, 4)))
			continue;
		s->rels[s->pub.nrels].constraint = xstrdup(PQgetvalue(r, i, 0));
		s->rels[s->pub.nrels].table = xstrdup(PQgetvalue(r, i, 1));
		s->rels[s->pub.nrels].cols = xstrdup(PQgetvalue(r, i, 2));
		s->rels[s->pub.nrels].ref_table = xstrdup(PQgetvalue(r, i, 3));
		s->rels[s->pub.nrels++].ref_cols = xstrdup(PQgetvalue(r, i, 4));
	}
}

/* A fresh snapshot, or NULL when the catalog cannot be read. */
static struct snapshot *
load(PGconn *pg, const char *schema)
{
	char state[6], err[ERRLEN];
	const char *params[1] = { schema };
	struct snapshot *s;
	PGresult *t, *r;

	if ((t = db_exec(pg, tables_sql, 1, params, state, err)) == NULL) {
		log_warn("rest: cannot read the schema cache: %s", err);
		return NULL;
	}
	if ((r = db_exec(pg, rels_sql, 1, params, state, err)) == NULL) {
		log_warn("rest: cannot read the schema cache: %s", err);
		PQclear(t);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	tables_read(s, t);
	rels_read(s, r);
	PQclear(t);
	PQclear(r);
	s->pub.tables = s->tables;
	s->pub.rels = s->rels;
	s->refs = 1;	/* the cache's own */
	return s;
}

/*
 * LISTEN pgrst on this worker's connection (again after a reconnection,
 * which may have missed a notification), then takes what has arrived.
 */
static void
notifications(PGconn *pg)
{
	char state[6], err[ERRLEN];
	PGnotify *n;
	int pid = PQbackendPID(pg);

	if (pid != listening_pid) {
		if (db_run(pg, "LISTEN pgrst", 0, NULL, state, err) != 0) {
			log_warn("rest: cannot LISTEN for schema reloads: %s", err);
			return;
		}
		if (listening_pid != 0)
			atomic_store(&stale, 1);
		listening_pid = pid;
	}
	if (!PQconsumeInput(pg))
		return;
	while ((n = PQnotifies(pg)) != NULL) {
		if (strcmp(n->relname, "pgrst") == 0 &&
		    (n->extra[0] == '\0' || strcmp(n->extra, "reload schema") == 0))
			atomic_store(&stale, 1);
		PQfreemem(n);
	}
}

const struct rest_schema *
rest_schema_get(PGconn *pg, const char *schema)
{
	struct snapshot *s, *old = NULL;

	notifications(pg);
	pthread_mutex_lock(&lock);
	if (atomic_exchange(&stale, 0)) {
		if ((s = load(pg, schema)) != NULL) {
			old = current;
			current = s;
		} else
			atomic_store(&stale, 1);
	}
	s = current;
	if (s != NULL)
		s->refs++;
	if (old != NULL && --old->refs == 0)
		snapshot_free(old);
	pthread_mutex_unlock(&lock);
	return s != NULL ? &s->pub : &empty;
}

void
rest_schema_put(const struct rest_schema *pub)
{
	struct snapshot *s = (struct snapshot *)(void *)pub;

	if (pub == NULL || pub == &empty)
		return;
	pthread_mutex_lock(&lock);
	if (--s->refs == 0)
		snapshot_free(s);
	pthread_mutex_unlock(&lock);
}
