/*
 * Rows of the synced tables (sync/tables.h) as JSON objects in the local
 * representation (times as stored, booleans true/false): how pull reads,
 * merges and writes them, how push reads what is pending and marks it synced,
 * and the sync base (a commit's last synced state, for three-way merges).
 */
#ifndef AL_STORE_SYNCED_ROWS_H
#define AL_STORE_SYNCED_ROWS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sync/tables.h"

struct strbuf;

struct store;

/* The local row with this id (NULL when absent; err set on error) and its sync_status. */
cJSON *synced_row_read(struct store *st, const struct sync_table *t, const char *id,
    char status[16], char *err);

/*
 * Inserts or replaces the local row from a normalised object, with the given
 * sync_status, cloud_version and last_synced_at now. Returns 0 or -1.
 */
int synced_row_write(struct store *st, const struct sync_table *t, const cJSON *row,
    const char *status, long long cloud_version, char *err);

/*
 * A pulled page's rows of t that must go one by one (held[i] set; n rows):
 * clocks is a JSON array of [id, version, updated_at] (normalised), one a row;
 * a row here that is not synced, or whose clock is not older than the cloud's,
 * is held. The others are new here or replaced by a newer cloud row.
 */
int synced_rows_held(struct store *st, const struct sync_table *t, const char *clocks,
    unsigned char *held, int n, char *err);

/*
 * Writes cloud records (as the cloud sends them) of t synced, with one
 * statement a chunk of rows, each only where it is new here or replaces a
 * synced row with an older clock; the rows written added to *written.
 */
int synced_rows_write_bulk(struct store *st, const struct sync_table *t,
    const cJSON *const *rows, int n, long *written, char *err);

/* A commit's saved base (its last synced state), or NULL. */
cJSON *sync_base_read(struct store *st, const char *commit_id, char *err);
/* Saves a commit's base. */
int sync_base_write(struct store *st, const char *commit_id, const cJSON *row, char *err);

/* How many rows of t are pending; -1 on error. */
long long synced_pending_count(struct store *st, const struct sync_table *t, char *err);

/*
 * The ids of the commits with a pending row (the commit, or a session, turn or
 * visual of it), in push order (started_at, id); free with synced_ids_free.
 */
int synced_pending_commits(struct store *st, char ***ids, size_t *n, char *err);
void synced_ids_free(char **ids, size_t n);

/*
 * A pending row for push, borrowed for the call: json is the object the
 * cloud gets, or positional, the array of the same values in the order of
 * synced_push_columns (its columns, then base_version: the cloud version last merged
 * here, 0 when never seen in the cloud, which the push's compare-and-swap
 * checks); id, version and updated_at (or NULL) mark it synced later, if
 * local_version, which tells whether it changed while pushed, has not moved.
 */
struct pending_row {
	const char *json;
	const char *id;
	long long version;
	const char *updated_at;
	long long local_version;
};

/* Nonzero stops the walk and is returned. */
typedef int (*synced_row_cb)(const struct sync_table *t, const struct pending_row *r,
    void *arg);

/*
 * What goes up with a commit: the commit itself, and its pending sessions,
 * turns or visuals, by t. For projects and conflicts (commit_id NULL): every
 * pending one. Positional: each row's JSON an array (push_rows), not an object
 * (push_batch).
 */
int synced_pending_rows(struct store *st, const struct sync_table *t, const char *commit_id,
    int positional, synced_row_cb cb, void *arg, char *err);

/* The names of a positional row's values, as a JSON array, appended to sb. */
void synced_push_columns(const struct sync_table *t, struct strbuf *sb);

/*
 * Notes that the cloud's version cloud_version of a row was seen and merged
 * here, the row itself kept as it is (a pending row newer than the cloud's):
 * its next push is checked against that version.
 */
int synced_set_cloud_version(struct store *st, const struct sync_table *t, const char *id,
    long long cloud_version, char *err);

/*
 * Marks pushed rows of table t synced, each only if it is still as it was
 * read: rows is a JSON array of [id, version, updated_at, local_version], one
 * a row; a row changed meanwhile stays pending. One statement for them all:
 * one a row cost half of a push's CPU on the client.
 */
int synced_mark_synced(struct store *st, const struct sync_table *t, const char *rows,
    const char *now, char *err);

#endif
