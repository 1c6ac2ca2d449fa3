/*
 * PostgREST's schema cache for /rest/v1: the tables and views of the exposed
 * schema with their primary keys, and the foreign keys between them (the
 * relationships select= embeds through), read from pg_catalog. As upstream,
 * every table of the schema is exposed; grants and row-level security
 * decide what a caller may do with it.
 *
 * It is read on the first request and again after `NOTIFY pgrst, 'reload
 * schema'` (or an empty payload; 'reload config' is accepted and changes
 * nothing): every worker connection LISTENs on the channel pgrst, as
 * PostgREST's listener does, and looks for notifications before each
 * request. A worker whose connection was replaced may have missed one, so
 * that too makes the cache reload.
 */
#ifndef AL_SERVER_REST_SCHEMA_H
#define AL_SERVER_REST_SCHEMA_H

#include <stddef.h>
#include <libpq-fe.h>

#include "pgrst-query.h"

struct rest_schema {
	const struct pgrst_table *tables;
	size_t ntables;
	const struct pgrst_rel *rels;
	size_t nrels;
};

/*
 * The cache for schema, reloaded first when a notification asked for it;
 * hand it back with rest_schema_put(). Thread-safe; pg is the calling
 * worker's connection, outside a transaction. If the catalog cannot be
 * read, the last cache read (or an empty one), and the next call tries again.
 */
const struct rest_schema *rest_schema_get(PGconn *pg, const char *schema);
void rest_schema_put(const struct rest_schema *s);

#endif
