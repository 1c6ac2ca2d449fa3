#include "config.h"

#include <stdlib.h>

#include "store/db.h"
#include "store/internal.h"
#include "store/repush.h"
#include "sync/tables.h"
#include "util/log.h"
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

int
repush_content_rows(struct store *st, long long *rows, char *err)
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
		return store_commit(st, err);
	store_rollback(st);
	return -1;
}
