/*
 * The local store: one SQLite database in WAL mode at $AGENTLOGS_HOME/data.db.
 * Opening it applies any missing migration; a database newer than this binary,
 * or a file that is not a database, is refused without being touched. A store
 * this process may not write is opened read-only, for the commands that read.
 */
#ifndef AL_DB_H
#define AL_DB_H

#include <sqlite3.h>

struct store {
	sqlite3 *db;
	char *path;
};

/* Opens (creating when missing) and migrates to the newest version. */
struct store *store_open(const char *path, char *err);
/* Opens and migrates only up to target_version (tests build old databases with it). */
struct store *store_open_version(const char *path, int target_version, char *err);
void store_close(struct store *st);
/*
 * Before a command writes: fails with a message when the store was opened
 * read-only (a store this process may not write is) or has a damaged page.
 * Reads the whole file (PRAGMA quick_check).
 */
int store_check_writable(struct store *st, char *err);

/* The newest schema version this binary knows. */
int store_latest_version(void);
/* The version recorded in the database; -1 on error. */
int store_version(struct store *st);

int store_exec(struct store *st, const char *sql, char *err);
int store_begin(struct store *st, char *err);
int store_commit(struct store *st, char *err);
void store_rollback(struct store *st);

/* Prepare or fail with a message naming the statement's SQLite error. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char *err);

/* A one-row, one-integer query, with optional text parameters bound in order. */
int store_query_int(struct store *st, long long *out, const char *sql, char *err);

#endif
