/*
 * The foreign keys between the tables /rest/v1 exposes: PostgREST's schema
 * cache of relationships, which select= embeds through. Read from pg_catalog
 * once per server process (on the first request that gets them) and kept: a
 * migration that changes foreign keys takes a server restart to be seen
 * (there is no NOTIFY pgrst, 'reload schema' listener).
 */
#ifndef AL_SERVER_REST_RELS_H
#define AL_SERVER_REST_RELS_H

#include <stddef.h>
#include <libpq-fe.h>

#include "pgrst-query.h"

/*
 * The relationships between tables of the allow-list in schema; *n set.
 * Thread-safe. If the catalog cannot be read, none (and the next call tries
 * again).
 */
const struct pgrst_rel *rest_rels(PGconn *pg, const char *schema,
    const struct pgrst_table *tables, size_t ntables, size_t *n);

#endif
