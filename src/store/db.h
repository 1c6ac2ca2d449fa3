/*
 * The local store: one SQLite database in WAL mode at $AGENTLOGS_HOME/data.db.
 * Opening it applies any missing migration; a database newer than this binary,
 * or a file that is not a database, is refused without being touched. A store
 * this process may not write is opened read-only, for the commands that read.
 */
#ifndef AL_DB_H
#define AL_DB_H

/* Opaque: its SQL lives in src/store/, one file per table family (store/internal.h). */
struct store;

/* Opens (creating when missing) and migrates to the newest version. */
struct store *store_open(const char *path, char *err);
/* Opens and migrates only up to target_version (tests build old databases with it). */
struct store *store_open_version(const char *path, int target_version, char *err);
void store_close(struct store *st);
/*
 * Before a command writes: fails with a message when the store was opened
 * read-only (a store this process may not write is) or has a damaged page.
 * Reads the whole file (PRAGMA quick_check) unless it is unchanged since a
 * command that found it good closed it (src/store/check.c).
 */
int store_check_writable(struct store *st, char *err);
/*
 * One process, two connections (--sync-once: import, then sync): the second
 * trusts the first's check, as the writes between them are this process's own.
 */
void store_share_check(struct store *st, const struct store *checked);

/* The newest schema version this binary knows. */
int store_latest_version(void);
/* The version recorded in the database; -1 on error. */
int store_version(struct store *st);

int store_begin(struct store *st, char *err);
int store_commit(struct store *st, char *err);
void store_rollback(struct store *st);

/*
 * Turns foreign-key checks off or on (pull applies a child before its
 * parent). SQLite ignores this inside a transaction.
 */
int store_foreign_keys(struct store *st, int on, char *err);
/* Until the open transaction ends, foreign keys are checked at its COMMIT, not per row. */
int store_defer_foreign_keys(struct store *st, char *err);

/*
 * Turns the schema's CHECK constraints off or on for this connection (its
 * prepared statements are compiled again). Only for writers whose checked
 * values are constants of their own code.
 */
int store_check_constraints(struct store *st, int on, char *err);

/* A bigger page cache and rarer checkpoints, for the length of a bulk import. */
int store_tune_for_import(struct store *st, char *err);

/*
 * Sets the journal mode ("delete" or "wal", outside a transaction): 1 when
 * the store is in that mode after it, 0 when SQLite kept the other one (a
 * rollback journal is refused while another connection has the store open
 * in WAL mode), -1 with err on an error.
 */
int store_journal_mode(struct store *st, const char *mode, char *err);
/*
 * For a store that holds no transcript yet (no import_files, no turns): a
 * rollback journal instead of the WAL (store_journal_mode) and a smaller page
 * cache, 1 when in use, 0 when not (not a first import, or refused), -1 with err.
 */
int store_first_import_journal(struct store *st, char *err);

/*
 * Gives back what a long-lived process no longer needs after an import: the
 * connection's cached pages (SQLite reads them again when asked) and the
 * allocator's free memory (malloc_trim: the import's reading thread leaves an
 * arena of freed buffers behind).
 */
void store_release_memory(struct store *st);

#endif
