#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/curate.h"
#include "store/internal.h"
#include "store/search.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/*
 * A held conflict stays held ('conflict') until resolved; any other commit
 * turns pending. local_version tells a push in flight that the row moved.
 */
#define BUMP "version = version + 1, updated_at = ?2, local_version = local_version + 1," \
	" sync_status = CASE sync_status WHEN 'conflict' THEN 'conflict' ELSE 'pending' END"

/* Runs sql (?1 = id, ?2 = now, ?3 = value) on one live commit. */
static int
update_commit(struct store *st, const char *sql, const char *id, const char *text, int num,
    int use_text, char *err)
{
	sqlite3_stmt *s = store_cached(st, sql, err);
	char now[32];
	int rc;

	if (s == NULL)
		return -1;
	time_stamp_iso(now);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
	if (use_text)
		sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(s, 3, num);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return seterr(err, "cannot update commit %s: %s", id, sqlite3_errmsg(st->db));
	if (sqlite3_changes(st->db) == 0)
		return seterr(err, "no commit %s (deleted?)", id);
	return 0;
}

int
curate_title(struct store *st, const char *id, const char *title, char *err)
{
	return update_commit(st, "UPDATE cognitive_commits SET title = ?3, " BUMP
	    " WHERE id = ?1 AND deleted_at IS NULL", id, title, 0, 1, err);
}

int
curate_flag(struct store *st, const char *id, const char *field, int on, char *err)
{
	char *sql;
	int rc;

	if (strcmp(field, "published") != 0 && strcmp(field, "hidden") != 0)
		return seterr(err, "'%s' is not a flag", field);
	sql = xprintf("UPDATE cognitive_commits SET %s = ?3, " BUMP
	    " WHERE id = ?1 AND deleted_at IS NULL AND %s IS NOT ?3", field, field);
	rc = update_commit(st, sql, id, NULL, on ? 1 : 0, 0, err);
	free(sql);
	/* Already in that state: nothing to sync, not an error. */
	if (rc != 0 && strncmp(err, "no commit", 9) == 0) {
		long long live = 0;
		sqlite3_stmt *s = store_cached(st, "SELECT count(*) FROM cognitive_commits"
		    " WHERE id = ?1 AND deleted_at IS NULL", err);
		if (s != NULL) {
			sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				live = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
		}
		if (live)
			return 0;
		seterr(err, "no commit %s (deleted?)", id);
	}
	return rc;
}

int
curate_remove(struct store *st, const char *id, char *err)
{
	char now[32];

	time_stamp_iso(now);
	return update_commit(st, "UPDATE cognitive_commits SET deleted_at = ?2, " BUMP
	    " WHERE id = ?1 AND deleted_at IS NULL", id, NULL, 0, 0, err);
}

int
curate_move(struct store *st, const char *id, const char *other, int after, char *err)
{
	sqlite3_stmt *list, *set;
	char **ids = NULL, now[32];
	size_t n = 0, cap = 0, i, from = (size_t)-1;
	int rc = 0, step;

	if (strcmp(id, other) == 0)
		return seterr(err, "cannot move a commit relative to itself");
	/* The project's commits in their display order. */
	list = store_cached(st, "SELECT c.id FROM cognitive_commits c, cognitive_commits o"
	    " WHERE o.id = ?2 AND o.deleted_at IS NULL AND c.deleted_at IS NULL"
	    " AND c.project_id IS o.project_id"
	    " ORDER BY c.display_order, c.started_at, c.id", err);
	if (list == NULL)
		return -1;
	sqlite3_bind_text(list, 2, other, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(list)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n] = xstrdup((const char *)sqlite3_column_text(list, 0));
		if (strcmp(ids[n], id) == 0)
			from = n;
		n++;
	}
	sqlite3_reset(list);
	if (step != SQLITE_DONE)
		rc = seterr(err, "cannot read the display order: %s", sqlite3_errmsg(st->db));
	else if (n == 0)
		rc = seterr(err, "no commit %s (deleted?)", other);
	else if (from == (size_t)-1)
		rc = seterr(err, "commit %s is not in the same project as %s", id, other);
	if (rc != 0)
		goto done;

	/* Take id out, put it back beside other, then number 1, 2, 3... */
	{
		char *moving = ids[from];
		size_t to;
		memmove(ids + from, ids + from + 1, (n - from - 1) * sizeof *ids);
		for (to = 0; to < n - 1 && strcmp(ids[to], other) != 0; to++)
			;
		if (after)
			to++;
		memmove(ids + to + 1, ids + to, (n - 1 - to) * sizeof *ids);
		ids[to] = moving;
	}
	time_stamp_iso(now);
	if (store_begin(st, err) != 0) {
		rc = -1;
		goto done;
	}
	set = store_cached(st, "UPDATE cognitive_commits SET display_order = ?3, " BUMP
	    " WHERE id = ?1 AND display_order IS NOT ?3", err);
	for (i = 0; set != NULL && i < n && rc == 0; i++) {
		sqlite3_bind_text(set, 1, ids[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(set, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(set, 3, (long long)i + 1);
		if (sqlite3_step(set) != SQLITE_DONE)
			rc = seterr(err, "cannot reorder: %s", sqlite3_errmsg(st->db));
		sqlite3_reset(set);
	}
	if (set == NULL)
		rc = -1;
	if (rc == 0)
		rc = store_commit(st, err);
	else
		store_rollback(st);
done:
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return rc;
}

int
curate_drop(struct store *st, const char *where, const char *arg, long *commits, char *err)
{
	/* Children first: the local foreign keys do not cascade. */
	static const char *const steps[] = {
		"CREATE TEMP TABLE IF NOT EXISTS drop_ids (id TEXT PRIMARY KEY)",
		"DELETE FROM drop_ids",
		"INSERT INTO drop_ids SELECT id FROM cognitive_commits WHERE %s",
		"DELETE FROM turns WHERE session_id IN (SELECT s.id FROM sessions s"
		" WHERE s.commit_id IN (SELECT id FROM drop_ids)) OR (%s)",
		"DELETE FROM sessions WHERE commit_id IN (SELECT id FROM drop_ids) OR (%s)",
		"DELETE FROM visuals WHERE commit_id IN (SELECT id FROM drop_ids) OR (%s)",
		"DELETE FROM sync_base WHERE record_id IN (SELECT id FROM drop_ids)",
		"DELETE FROM conflicts WHERE record_id IN (SELECT id FROM drop_ids)",
		"DELETE FROM cognitive_commits WHERE id IN (SELECT id FROM drop_ids)",
		NULL
	};
	size_t i;
	int rc = 0;

	*commits = 0;
	for (i = 0; steps[i] != NULL && rc == 0; i++) {
		/* `where` is each step's only conversion, if it has one. */
		char *sql = xprintf(steps[i], where);
		sqlite3_stmt *s = store_cached(st, sql, err);
		free(sql);
		if (s == NULL) {
			rc = -1;
			break;
		}
		if (sqlite3_bind_parameter_count(s) > 0)
			sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = seterr(err, "dropping commits: %s", sqlite3_errmsg(st->db));
		else if (i == 2)
			*commits = sqlite3_changes(st->db);
		sqlite3_reset(s);
	}
	return rc == 0 ? search_batch_after_delete(st, err) : rc;
}

int
curate_purge(struct store *st, const char *horizon, long *purged, char *err)
{
	if (store_begin(st, err) != 0)
		return -1;
	if (curate_drop(st, "deleted_at < ?1 AND sync_status = 'synced'", horizon, purged,
	    err) == 0)
		return store_commit(st, err);
	store_rollback(st);
	return -1;
}
