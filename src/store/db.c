#include "config.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>	/* malloc_trim */
#endif
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/check.h"
#include "store/fresh-schema.h"
#include "store/internal.h"
#include "store/redact-fn.h"
#include "store/migrations.h"
#include "store/seal-hook.h"
#include "store/turn-stats.h"
#include "store/turn-stats-batch.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

int
store_latest_version(void)
{
	return migrations[migrations_count - 1].version;
}

int
store_exec(struct store *st, const char *sql, char *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		seterr(err, "%s: %s", st->path, msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st, char *err)
{
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int
store_commit(struct store *st, char *err)
{
	return store_exec(st, "COMMIT", err);
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	turn_stats_batch_discard(st);	/* its rows went with the transaction */
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql, char *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		seterr(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
		return NULL;
	}
	return stmt;
}

int
store_foreign_keys(struct store *st, int on, char *err)
{
	return store_exec(st, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", err);
}

int
store_defer_foreign_keys(struct store *st, char *err)
{
	return store_exec(st, "PRAGMA defer_foreign_keys = ON", err);
}

int
store_check_constraints(struct store *st, int on, char *err)
{
	return store_exec(st, on ? "PRAGMA ignore_check_constraints = OFF" :
	    "PRAGMA ignore_check_constraints = ON", err);
}

int
store_tune_for_import(struct store *st, char *err)
{
	/*
	 * temp_store: a write that fires triggers (the analytics figures, v14)
	 * keeps a statement journal, a temporary file by default: one write
	 * system call per page each turn touches. In memory it is a copy; it
	 * holds one statement's pages.
	 */
	return store_exec(st, "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 8192;"
	    " PRAGMA temp_store = MEMORY;", err);
}

int
store_journal_mode(struct store *st, const char *mode, char *err)
{
	sqlite3_stmt *s = store_prepare(st, strcmp(mode, "wal") == 0 ?
	    "PRAGMA journal_mode = wal" : "PRAGMA journal_mode = delete", err);
	int rc = -1;

	if (s == NULL)
		return -1;
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		rc = sqlite3_stricmp((const char *)sqlite3_column_text(s, 0), mode) == 0;
		break;
	case SQLITE_BUSY:
		rc = 0;
		break;
	default:
		store_fail(st, st->path, err);
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * With the WAL every page of a first import went to the log, then a
 * checkpoint copied it into the file (a tenth of the import's CPU). A
 * rollback journal holds only the pages that were there before, a few in a
 * new store, and a crash still loses nothing committed. Other connections
 * wait for each commit instead of reading beside it, during a first import
 * only; while one has the store open in WAL mode, SQLite keeps the WAL.
 */
int
store_first_import_journal(struct store *st, char *err)
{
	long long first = 0;
	int rc;

	if (store_query_int(st, &first, "SELECT NOT EXISTS (SELECT 1 FROM import_files)"
	    " AND NOT EXISTS (SELECT 1 FROM turns)", err) != 0)
		return -1;
	if (!first)
		return 0;
	rc = store_journal_mode(st, "delete", err);
	/*
	 * A smaller page cache (8 MB, not 16): a first import's pages are new
	 * ones, written once. Those it lets go reach the file as it reads, where
	 * store_writeback starts them to disk; what the cache holds, the last
	 * commit's fdatasync writes while nothing else is left to do. At 4 MB,
	 * a second transaction spent more on journalling the pages it evicted.
	 */
	if (rc == 1 && store_exec(st, "PRAGMA cache_size = -8192", err) != 0)
		return -1;
	return rc;
}

void
store_release_memory(struct store *st)
{
	sqlite3_db_release_memory(st->db);
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* FNV-1a: the cache's keys are short SQL texts. */
static unsigned
sql_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct cached_stmt *
cache_slot(struct stmt_cache *c, const char *sql)
{
	unsigned i = sql_hash(sql) & (c->cap - 1);

	while (c->slots[i].sql != NULL && strcmp(c->slots[i].sql, sql) != 0)
		i = (i + 1) & (c->cap - 1);
	return &c->slots[i];
}

static void
cache_grow(struct stmt_cache *c)
{
	struct cached_stmt *old = c->slots;
	unsigned i, n = c->cap;

	c->cap = n == 0 ? 64 : n * 2;
	c->slots = xcalloc(c->cap, sizeof *c->slots);
	for (i = 0; i < n; i++) {
		if (old[i].sql != NULL)
			*cache_slot(c, old[i].sql) = old[i];
	}
	free(old);
}

sqlite3_stmt *
store_cached(struct store *st, const char *sql, char *err)
{
	struct stmt_cache *c = &st->cache;
	struct cached_stmt *slot;
	sqlite3_stmt *stmt;

	if (c->cap > 0) {
		slot = cache_slot(c, sql);
		if (slot->sql != NULL) {
			sqlite3_reset(slot->stmt);
			sqlite3_clear_bindings(slot->stmt);
			return slot->stmt;
		}
	}
	if ((stmt = store_prepare(st, sql, err)) == NULL)
		return NULL;
	if (2 * (c->used + 1) > c->cap)
		cache_grow(c);
	slot = cache_slot(c, sql);
	slot->sql = xstrdup(sql);
	slot->stmt = stmt;
	c->used++;
	return stmt;
}

sqlite3_stmt *
store_cached_static(struct store *st, const char *sql, char *err)
{
	struct static_stmt *m = &st->cache.by_address[((uintptr_t)sql >> 4) %
	    (sizeof st->cache.by_address / sizeof st->cache.by_address[0])];

	if (m->sql == sql) {
		sqlite3_reset(m->stmt);
		sqlite3_clear_bindings(m->stmt);
		return m->stmt;
	}
	/* The statement stays the text cache's (finalized with it). */
	if ((m->stmt = store_cached(st, sql, err)) == NULL) {
		m->sql = NULL;
		return NULL;
	}
	m->sql = sql;
	return m->stmt;
}

static void
cache_free(struct stmt_cache *c)
{
	unsigned i;

	for (i = 0; i < c->cap; i++) {
		free(c->slots[i].sql);
		sqlite3_finalize(c->slots[i].stmt);
	}
	free(c->slots);
	memset(c, 0, sizeof *c);
}

int
store_fail(struct store *st, const char *what, char *err)
{
	return seterr(err, "%s: %s", what, sqlite3_errmsg(st->db));
}

int
store_step_write(struct store *st, sqlite3_stmt *stmt, const char *what, char *err)
{
	int rc = sqlite3_step(stmt), changed = sqlite3_changes(st->db);

	if (rc != SQLITE_DONE)
		store_fail(st, what, err);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc == SQLITE_DONE ? changed : -1;
}

void
store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

char *
store_column_dup(sqlite3_stmt *stmt, int i)
{
	const char *s = (const char *)sqlite3_column_text(stmt, i);

	return s != NULL ? xstrdup(s) : NULL;
}

char *
store_query_text(struct store *st, const char *sql, const char *param, char *err)
{
	sqlite3_stmt *s = store_cached(st, sql, err);
	char *v = NULL;
	int rc;

	if (s == NULL)
		return NULL;
	store_bind_text(s, 1, param);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		v = store_column_dup(s, 0);
	else if (rc != SQLITE_DONE)
		store_fail(st, st->path, err);
	sqlite3_reset(s);
	return v;
}

int
store_query_int(struct store *st, long long *out, const char *sql, char *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_prepare(st, sql, err)) == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	else
		seterr(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_version(struct store *st)
{
	long long v;

	if (store_query_int(st, &v, "PRAGMA user_version", NULL) != 0)
		return -1;
	return (int)v;
}

/* One migration and its version record commit together, or not at all. */
static int
apply_migration(struct store *st, const struct migration *m, char *err)
{
	char now[32], *record;
	int rc;

	if (store_begin(st, err) != 0)
		return -1;
	/* Another process opening the same new store may have got there first. */
	if (store_version(st) >= m->version)
		return store_commit(st, err);
	if (store_exec(st, m->sql, err) != 0)
		goto fail;
	time_now_iso(now);
	record = sqlite3_mprintf(
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
	    "INSERT INTO schema_migrations VALUES (%d, %Q, %Q);"
	    "PRAGMA user_version = %d;", m->version, m->name, now, m->version);
	rc = store_exec(st, record, err);
	sqlite3_free(record);
	if (rc != 0 || store_commit(st, err) != 0)
		goto fail;
	log_debug("migrated %s to v%d (%s)", st->path, m->version, m->name);
	return 0;
fail:
	store_rollback(st);
	/* Keep the SQLite detail but say which migration failed. */
	{
		char detail[ERRLEN];
		snprintf(detail, sizeof detail, "%s", err);
		seterr(err, "migration v%d (%s) failed: %s", m->version, m->name, detail);
	}
	return -1;
}

/*
 * A new, empty store at the latest version in one transaction: the final
 * schema at once (store/fresh-schema.h), then every migration recorded as
 * applied, as apply_migration would have left them.
 */
static int
create_fresh(struct store *st, char *err)
{
	sqlite3_stmt *s;
	char now[32], *pragma;
	int i, rc;

	if (store_begin(st, err) != 0)
		return -1;
	/* Another process opening the same new store may have got there first. */
	if (store_version(st) > 0)
		return store_commit(st, err);
	if (store_exec(st, fresh_schema_sql, err) != 0 ||
	    (s = store_prepare(st, "INSERT INTO schema_migrations VALUES (?1, ?2, ?3)", err)) == NULL)
		goto fail;
	time_now_iso(now);
	for (i = 0; i < migrations_count && migrations[i].version <= fresh_schema_version; i++) {
		sqlite3_bind_int(s, 1, migrations[i].version);
		store_bind_text(s, 2, migrations[i].name);
		store_bind_text(s, 3, now);
		if (store_step_write(st, s, st->path, err) < 0) {
			sqlite3_finalize(s);
			goto fail;
		}
	}
	sqlite3_finalize(s);
	pragma = sqlite3_mprintf("PRAGMA user_version = %d", fresh_schema_version);
	rc = store_exec(st, pragma, err);
	sqlite3_free(pragma);
	if (rc != 0 || store_commit(st, err) != 0)
		goto fail;
	log_debug("created %s at v%d", st->path, fresh_schema_version);
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/*
 * An existing store we may not write (a read-only mount, a file of another
 * user's) is opened read-only and immutable: SQLite could not create the WAL
 * index beside it, and without immutable every read of a WAL store fails.
 */
static int
open_read_only(const char *path, sqlite3 **db)
{
	struct strbuf uri = STRBUF_INIT;
	int rc;

	/* SQLite decodes every %XX of a URI's path, so any byte may be encoded. */
	strbuf_adds(&uri, "file:");
	percent_encode(&uri, path, strlen(path), "/");
	strbuf_adds(&uri, "?immutable=1");
	rc = sqlite3_open_v2(uri.buf, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
	    SQLITE_OPEN_FULLMUTEX, NULL);
	strbuf_free(&uri);
	return rc;
}

/*
 * SQLite counts every allocation under a global mutex unless told not to; no
 * one here reads the counts, and a write that fires triggers allocates for
 * each of them. Only possible before SQLite starts: the first open.
 */
static void
no_memory_statistics(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *
store_open_version(const char *path, int target, char *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *st;
	int version, i, rc, read_only;

	pthread_once(&once, no_memory_statistics);
	st = xcalloc(1, sizeof *st);

	st->path = xstrdup(path);
	read_only = access(path, F_OK) == 0 && access(path, W_OK) != 0;
	if (read_only)
		rc = open_read_only(path, &st->db);
	else
		rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		seterr(err, "cannot open %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	if (turn_stats_functions(st) != 0 || seal_hook_set(st, NULL, NULL) != 0 ||
	    store_set_redactor(st, NULL, err) != 0) {
		seterr(err, "cannot open %s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}

	/*
	 * Read before any write: a corrupt or foreign file fails here, untouched.
	 * The version and the tables are read in one transaction, so a store
	 * that another process is creating right now looks consistent.
	 */
	if (store_exec(st, "BEGIN", err) != 0)
		goto fail;
	if ((version = store_version(st)) < 0) {
		seterr(err, "%s is not an agentlogs database (%s); it was left untouched",
		    path, sqlite3_errmsg(st->db));
		store_rollback(st);
		goto fail;
	}
	if (version == 0) {
		long long tables = 0;
		if (store_query_int(st, &tables, "SELECT count(*) FROM sqlite_master", err) != 0) {
			store_rollback(st);
			goto fail;
		}
		if (tables > 0) {
			seterr(err, "%s is an SQLite database of another program; it was left "
			    "untouched", path);
			store_rollback(st);
			goto fail;
		}
	}
	if (store_commit(st, err) != 0)
		goto fail;
	if (version > store_latest_version()) {
		seterr(err, "%s is at schema v%d but this agentlogs knows only v%d: "
		    "upgrade agentlogs (the database was left untouched)",
		    path, version, store_latest_version());
		goto fail;
	}
	if (read_only) {
		if (version == store_latest_version())
			return st;
		seterr(err, "%s is read-only and at schema v%d; this agentlogs needs v%d: "
		    "run it once where the store is writable", path, version,
		    store_latest_version());
		goto fail;
	}
	if (version == 0) {
		/* Turns are a few kilobytes each: larger pages keep most off overflow chains.
		 * Only a new, empty file can still choose its page size. */
		if (store_exec(st, "PRAGMA page_size = 16384", err) != 0)
			goto fail;
	}
	if (store_exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;", err) != 0)
		goto fail;

	/* A new store is created at once; the loop below then finds nothing left to do. */
	if (version == 0 && target == fresh_schema_version) {
		if (create_fresh(st, err) != 0 || (version = store_version(st)) < 0)
			goto fail;
	}
	for (i = 0; i < migrations_count; i++) {
		if (migrations[i].version <= version || migrations[i].version > target)
			continue;
		if (apply_migration(st, &migrations[i], err) != 0)
			goto fail;
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

struct store *
store_open(const char *path, char *err)
{
	return store_open_version(path, store_latest_version(), err);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	turn_stats_batch_discard(st);
	cache_free(&st->cache);
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	if (st->writeback_fd > 0)
		close(st->writeback_fd - 1);
	/* After the close: its checkpoint is the last write the record must see. */
	if (st->checked_at != 0)
		check_record_write(st->path, st->checked_at);
	free(st->path);
	free(st);
}
