/*
 * Inside the store only: the connection itself and the helpers its files
 * share. Code outside src/store/ sees struct store as opaque and reaches the
 * tables only through the functions of each table family's header, so every
 * SQL statement lives next to the table it touches.
 */
#ifndef AL_STORE_INTERNAL_H
#define AL_STORE_INTERNAL_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

#include "store/db.h"

struct sync_column;

/* Prepared statements of one connection, keyed by their SQL text. */
struct stmt_cache {
	struct cached_stmt {
		char *sql;
		sqlite3_stmt *stmt;
	} *slots;
	unsigned cap, used;
	/* store_cached_static's: by the text's address, no hashing of the text. */
	struct static_stmt {
		const char *sql;
		sqlite3_stmt *stmt;
	} by_address[64];
};

struct store {
	sqlite3 *db;
	char *path;
	/*
	 * Per connection, never shared: the browser's UI and sync threads each
	 * have a connection, and a statement belongs to the one that made it.
	 */
	struct stmt_cache cache;
	/* Set when store_check_writable found it good: when the last full check ran. */
	long long checked_at;
	/* Open while an import sums its new turns' analytics figures (turn-stats-batch.c). */
	struct turn_stats_batch *stats_batch;
	/* store_writeback's descriptor of the file, plus one: 0 until it is opened. */
	int writeback_fd;
};

/* Prepare or fail with a message naming the statement's SQLite error. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char *err);

/*
 * The connection's statement for sql, prepared on first use and kept until
 * store_close; reset and unbound. Reset it after use (an unreset read keeps
 * its snapshot), and never step two uses of one sql at once.
 */
sqlite3_stmt *store_cached(struct store *st, const char *sql, char *err);

/*
 * store_cached for a text that lives, unchanged, as long as the process (a
 * string literal, or built once and never freed): found by its address, not
 * by hashing and comparing the text, which cost a pull's client 7% of its
 * time for statements hundreds of characters long.
 */
sqlite3_stmt *store_cached_static(struct store *st, const char *sql, char *err);

int store_exec(struct store *st, const char *sql, char *err);

/* A one-row, one-integer query. */
int store_query_int(struct store *st, long long *out, const char *sql, char *err);

/*
 * A one-row, one-text query with one text parameter: the value newly
 * allocated, or NULL (no row, a NULL value, or an error: then err is set).
 */
char *store_query_text(struct store *st, const char *sql, const char *param, char *err);

/* Steps a write statement and resets it: the rows it changed, or -1 with err ("what: why"). */
int store_step_write(struct store *st, sqlite3_stmt *stmt, const char *what, char *err);

/* Fills err with "what: SQLite's message" and returns -1. */
int store_fail(struct store *st, const char *what, char *err);

/* Binds s, or NULL when s is NULL; the text must outlive the step. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *s);

/* Column i as a new string, NULL for NULL. */
char *store_column_dup(sqlite3_stmt *stmt, int i);

/* The value of column col of stmt (a synced table's column c) as JSON (synced-rows.c). */
cJSON *synced_column_json(const struct sync_column *c, sqlite3_stmt *stmt, int col);
/*
 * Binds a normalised value of column c to parameter i; -1 with err on the wrong
 * type. A text is not copied: v must outlive the statement's step.
 */
int synced_column_bind(const struct sync_column *c, sqlite3_stmt *stmt, int i, const cJSON *v,
    char *err);

#endif
