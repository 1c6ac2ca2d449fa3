/*
 * The analytics figures of the turns an import inserts, summed in memory and
 * written once per session and tool when its transaction commits, instead of
 * by the per-row insert triggers on turns (v14), which the batch drops for
 * the length of its transaction. Updates and deletes keep their triggers.
 * The batch's new turns are indexed for search the same way, in one
 * statement at the end (store/search.h, search_batch_open and _write).
 */
#ifndef AL_TURN_STATS_BATCH_H
#define AL_TURN_STATS_BATCH_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/db.h"

/*
 * Opens a batch in the current transaction: until turn_stats_batch_write,
 * turns has no insert triggers, so every insert into it must be counted with
 * turn_stats_batch_add. Nothing to do when one is open.
 */
int turn_stats_batch_open(struct store *st, char *err);

/* 1 while a batch is open on st. */
int turn_stats_batch_is_open(const struct store *st);

/*
 * Counts one inserted, live turn: is_user and typed as turns.role and
 * turns.typed, the token figures, and calls (its tool_calls) as
 * turn_tool_summary reads them.
 */
void turn_stats_batch_add(struct store *st, const char *session_id, int is_user, int typed,
    int64_t input, int64_t output, int64_t cache_read, int64_t cache_creation,
    const cJSON *calls);

/*
 * Writes the sums into turn_stats and tool_stats and makes the insert
 * triggers again, closing the batch; call it before the transaction commits
 * (committing without would leave the store without its triggers). Nothing
 * to do without an open batch.
 */
int turn_stats_batch_write(struct store *st, char *err);

/* Forgets the batch unwritten: its transaction was rolled back (and the triggers with it). */
void turn_stats_batch_discard(struct store *st);

#endif
