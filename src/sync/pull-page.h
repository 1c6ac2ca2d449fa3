/*
 * A pulled page's rows applied to the store (inside the caller's
 * transaction): each row new here, newer in the cloud, the same, older, or
 * merged with local edits (sync/decide.h).
 */
#ifndef AL_SYNC_PULL_PAGE_H
#define AL_SYNC_PULL_PAGE_H

#include <cjson/cJSON.h>

#include "sync/engine.h"

/*
 * rows: the feed's array of {table, record} (content opened in place when
 * end-to-end encryption is on). bulk: the sessions, turns and
 * visuals that are new here or replace a synced row with an older clock go in
 * with one statement a table (most of a large pull); the others, and every
 * row when bulk is 0, one by one. Both give the same store.
 */
int pull_apply_rows(struct sync_ctx *sc, cJSON *rows, int bulk, struct sync_counts *n,
    char *err);

#endif
