#include "config.h"

#include "store/curate.h"
#include "store/internal.h"
#include "store/resync.h"
#include "util/log.h"

int
resync_reset(struct store *st, char *err)
{
	return store_exec(st, "DELETE FROM resync_seen", err);
}

int
resync_seen(struct store *st, const char *const *ids, int n, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR IGNORE INTO resync_seen (id) VALUES (?1)",
	    err);
	int i, rc = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		sqlite3_bind_text(s, 1, ids[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = seterr(err, "noting a pulled row: %s", sqlite3_errmsg(st->db));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

int
resync_sweep(struct store *st, long *commits, char *err)
{
	/* Rows never in the cloud (cloud_version 0) are new here: they stay. */
	if (curate_drop(st, "cloud_version > 0 AND id NOT IN (SELECT id FROM resync_seen)", NULL,
	    commits, err) != 0)
		return -1;
	return resync_reset(st, err);
}
