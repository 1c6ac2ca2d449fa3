#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "store/db.h"
#include "store/internal.h"
#include "store/repush.h"
#include "sync/tables.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Whether t has a content column (struct sync_column). */
static int
has_content(const struct sync_table *t)
{
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		if (t->columns[i].content)
			return 1;
	}
	return 0;
}

/* Screenshots whose bytes are in home: their cloud path cleared, so push uploads them again. */
static int
reupload_bytes(struct store *st, const char *home, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, path FROM visuals WHERE cloud_path IS NOT"
	    " NULL AND path IS NOT NULL AND deleted_at IS NULL", err);
	sqlite3_stmt *u = s != NULL ? store_prepare(st, "UPDATE visuals SET cloud_path = NULL"
	    " WHERE id = ?1", err) : NULL;
	int rc = s != NULL && u != NULL ? SQLITE_ROW : SQLITE_ERROR;

	while (rc == SQLITE_ROW && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *file = paths_in_home(home, (const char *)sqlite3_column_text(s, 1));
		if (access(file, R_OK) == 0) {
			store_bind_text(u, 1, (const char *)sqlite3_column_text(s, 0));
			rc = sqlite3_step(u) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
			sqlite3_reset(u);
		}
		free(file);
	}
	if (rc != SQLITE_DONE && s != NULL && u != NULL)
		store_fail(st, "marking screenshots to go up again", err);
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
repush_content_rows(struct store *st, const char *home, long long *rows, char *err)
{
	char now[32];
	int i, rc = 0;

	*rows = 0;
	time_stamp_iso(now);
	if (store_begin(st, err) != 0)
		return -1;
	for (i = 0; rc == 0 && i < NTABLES; i++) {
		char *sql;
		sqlite3_stmt *s;

		if (!has_content(&sync_tables[i]))
			continue;
		sql = xprintf("UPDATE %s SET version = version + 1, updated_at = ?1,"
		    " local_version = local_version + 1, sync_status = 'pending'"
		    " WHERE sync_status = 'synced'", sync_tables[i].name);
		if ((s = store_prepare(st, sql, err)) == NULL)
			rc = -1;
		else {
			store_bind_text(s, 1, now);
			if (sqlite3_step(s) == SQLITE_DONE)
				*rows += sqlite3_changes(st->db);
			else
				rc = store_fail(st, "marking rows to go up again", err);
			sqlite3_finalize(s);
		}
		free(sql);
	}
	if (rc == 0)
		rc = reupload_bytes(st, home, err);
	if (rc == 0)
		return store_commit(st, err);
	store_rollback(st);
	return -1;
}
