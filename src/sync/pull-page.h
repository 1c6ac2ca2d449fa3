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

/*
 * The columns of cloud rows whose values the store's CHECKs limit, as a pull
 * checks them itself while it writes with the CHECKs off: the i-th, or NULL
 * past the last. test-pull-bulk compares them with the store's own schema.
 */
struct pull_checked_column {
	int table;			/* T_COMMITS...: sync/tables.h */
	const char *column;
	const char *const *allowed;	/* NULL-ended */
	int nullable;
};
const struct pull_checked_column *pull_checked_column(int i);

#endif
