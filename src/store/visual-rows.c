#include "config.h"

#include <stdlib.h>

#include "store/internal.h"
#include "store/visual-rows.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "util/timeutil.h"

/*
 * Calls cb with the three text columns of each row of sql. The rows are read
 * in full first: a read left open across the callbacks (uploads, downloads)
 * could not become the write that records an upload once another process had
 * written (SQLITE_BUSY_SNAPSHOT: "database is locked", whatever the busy
 * timeout).
 */
static int
each_visual(struct store *st, const char *sql, const char *param, visual_cb cb, void *arg,
    char *err)
{
	sqlite3_stmt *s = store_cached(st, sql, err);
	char **col = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, step;

	if (s == NULL)
		return -1;
	if (param != NULL)
		store_bind_text(s, 1, param);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n + 3 > cap) {
			cap = cap == 0 ? 48 : cap * 2;
			col = xreallocarray(col, cap, sizeof *col);
		}
		for (i = 0; i < 3; i++) {
			const char *v = (const char *)sqlite3_column_text(s, (int)i);
			col[n++] = v != NULL ? xstrdup(v) : NULL;
		}
	}
	if (step != SQLITE_DONE)
		rc = store_fail(st, "reading visuals", err);
	sqlite3_reset(s);
	for (i = 0; i < n; i += 3) {
		if (rc == 0)
			rc = cb(col[i], col[i + 1], col[i + 2], arg);
		free(col[i]);
		free(col[i + 1]);
		free(col[i + 2]);
	}
	free(col);
	return rc;
}

int
visuals_to_upload(struct store *st, visual_cb cb, void *arg, char *err)
{
	return each_visual(st, "SELECT id, sha256, path FROM visuals"
	    " WHERE sync_status = 'pending' AND cloud_path IS NULL AND path IS NOT NULL"
	    " AND deleted_at IS NULL", NULL, cb, arg, err);
}

/* Runs a write on one visual: ?1 its id, ?2 value, ?3 the time now. */
static int
write_visual(struct store *st, const char *sql, const char *id, const char *value,
    const char *what, char *err)
{
	sqlite3_stmt *s = store_cached(st, sql, err);
	char now[32];

	if (s == NULL)
		return -1;
	time_now_iso(now);
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, value);
	store_bind_text(s, 3, now);
	return store_step_write(st, s, what, err) < 0 ? -1 : 0;
}

int
visuals_set_cloud_path(struct store *st, const char *id, const char *cloud_path, char *err)
{
	return write_visual(st, "UPDATE visuals SET cloud_path = ?2, updated_at = ?3,"
	    " local_version = local_version + 1 WHERE id = ?1", id, cloud_path,
	    "recording an upload", err);
}

int
visuals_of_turn(struct store *st, const char *turn_id, visual_cb cb, void *arg, char *err)
{
	/* By the turn's commit (idx_visuals_commit): a drawn turn must not scan every visual. */
	return each_visual(st, "SELECT id, sha256, coalesce(cloud_path, path) FROM visuals"
	    " WHERE commit_id = (SELECT s.commit_id FROM turns t JOIN sessions s"
	    " ON s.id = t.session_id WHERE t.id = ?1) AND turn_id = ?1 AND deleted_at IS NULL"
	    " ORDER BY captured_at, id", turn_id, cb, arg, err);
}
