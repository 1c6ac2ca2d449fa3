#include "config.h"

#include "store/internal.h"
#include "store/sync-state.h"
#include "util/log.h"
#include "util/xmalloc.h"

char *
sync_state_get(struct store *st, const char *key)
{
	char err[ERRLEN], *v = NULL;
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM sync_state WHERE key = ?1", err);

	if (s == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

int
sync_state_set(struct store *st, const char *key, const char *value, char *err)
{
	sqlite3_stmt *s = store_prepare(st, value != NULL ?
	    "INSERT OR REPLACE INTO sync_state (key, value) VALUES (?1, ?2)" :
	    "DELETE FROM sync_state WHERE key = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 :
	    seterr(err, "saving %s: %s", key, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}
