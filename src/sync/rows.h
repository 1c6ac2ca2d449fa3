/*
 * Rows of the synced tables as JSON objects in the local representation
 * (times as "YYYY-MM-DDTHH:MM:SS.mmmZ", booleans true/false): the form in
 * which pull compares and merges them. Reading and writing them in the store
 * is store/synced-rows.h.
 */
#ifndef AL_SYNC_ROWS_H
#define AL_SYNC_ROWS_H

#include <cjson/cJSON.h>

#include "sync/tables.h"

/* A cloud record reduced to the shared columns, normalised; NULL with err on a bad value. */
cJSON *rows_from_cloud(const struct sync_table *t, const cJSON *record, char *err);

/*
 * local as pull compares it with cloud: the columns each machine keeps for
 * itself (struct sync_table's here) take cloud's values, as if they agreed.
 */
void rows_compare_shared(const struct sync_table *t, cJSON *local, const cJSON *cloud);

/* (version, updated_at) of a normalised row, compared: <0, 0, >0. */
int rows_clock_cmp(const cJSON *a, const cJSON *b);

/* Field equality, an absent field counting as null. */
int rows_field_equal(const cJSON *a, const cJSON *b);

#endif
