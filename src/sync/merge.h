/*
 * A commit changed on both sides, merged field by field against the last
 * state both agreed on (see merge.c).
 */
#ifndef AL_SYNC_MERGE_H
#define AL_SYNC_MERGE_H

#include <cjson/cJSON.h>

#include "sync/engine.h"

/*
 * Merges the cloud's version of a commit with the local pending one and its
 * base; origin: the machine-id that wrote the cloud's (NULL when unknown).
 */
int sync_merge_commit(struct sync_ctx *sc, const cJSON *cloud, const char *origin,
    struct sync_counts *n, char *err);

#endif
