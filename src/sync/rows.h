/*
 * Rows of the synced tables as JSON objects in the local representation
 * (times as "YYYY-MM-DDTHH:MM:SS.mmmZ", booleans true/false): the form in
 * which pull compares, merges and writes them.
 */
#ifndef AL_SYNC_ROWS_H
#define AL_SYNC_ROWS_H

#include <cjson/cJSON.h>

#include "sync/tables.h"

struct store;

/* A cloud record reduced to the shared columns, normalised; NULL with err on a bad value. */
cJSON *rows_from_cloud(const struct sync_table *t, const cJSON *record, char *err);

/* The local row with this id (NULL when absent) and its sync_status. */
cJSON *rows_read_local(struct store *st, const struct sync_table *t, const char *id,
    char status[16], char *err);

/*
 * Inserts or replaces the local row from a normalised object, with the given
 * sync_status, cloud_version and last_synced_at now.
 */
int rows_write(struct store *st, const struct sync_table *t, const cJSON *row,
    const char *status, long long cloud_version, char *err);

/* (version, updated_at) of a normalised row, compared: <0, 0, >0. */
int rows_clock_cmp(const cJSON *a, const cJSON *b);

/* Field equality, an absent field counting as null. */
int rows_field_equal(const cJSON *a, const cJSON *b);

/* The saved base of a commit (its last synced state), or NULL. */
cJSON *rows_read_base(struct store *st, const char *id, char *err);
int rows_write_base(struct store *st, const char *id, const cJSON *row, char *err);

/* Frees the prepared statements these functions cache for st. */
void rows_finish(struct store *st);

#endif
