#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/conflicts.h"
#include "store/db.h"
#include "sync/tables.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

int
conflicts_list(struct store *st, conflict_cb cb, void *arg, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, record_id, field, local_value,"
	    " cloud_value, winner, detected_at FROM conflicts WHERE resolved_at IS NULL"
	    " ORDER BY id", err);
	int rc = 0, step;

	if (s == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_row c = {
			sqlite3_column_int64(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),
			(const char *)sqlite3_column_text(s, 5),
			(const char *)sqlite3_column_text(s, 6),
		};
		rc = cb(&c, arg);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = seterr(err, "reading conflicts: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}

static const struct sync_column *
commit_column(const char *field)
{
	const struct sync_table *t = &sync_tables[T_COMMITS];
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		if (strcmp(t->columns[i].name, field) == 0)
			return &t->columns[i];
	}
	return NULL;
}

/* Writes the chosen value of one conflict into the commit. */
static int
apply_choice(struct store *st, const char *commit_id, const char *field, const char *json,
    char *err)
{
	const struct sync_column *c = commit_column(field);
	cJSON *v = json != NULL ? cJSON_Parse(json) : NULL;
	sqlite3_stmt *s;
	char *sql;
	int rc;

	if (c == NULL) {
		cJSON_Delete(v);
		return seterr(err, "a conflict names an unknown field '%s'", field);
	}
	sql = xprintf("UPDATE cognitive_commits SET \"%s\" = ?2 WHERE id = ?1", field);
	s = store_prepare(st, sql, err);
	free(sql);
	if (s == NULL) {
		cJSON_Delete(v);
		return -1;
	}
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	rc = sync_column_bind(c, s, 2, v, err);
	if (rc == 0 && sqlite3_step(s) != SQLITE_DONE)
		rc = seterr(err, "resolving: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	cJSON_Delete(v);
	return rc;
}

int
conflicts_resolve(struct store *st, const char *commit_id, const char *field, const char *side,
    char *err)
{
	sqlite3_stmt *s, *done;
	char now[32];
	long long left = 0;
	int n = 0, rc = 0, step;

	if (strcmp(side, "local") != 0 && strcmp(side, "cloud") != 0)
		return seterr(err, "keep 'local' or 'cloud', not '%s'", side);
	time_now_iso(now);
	if (store_begin(st, err) != 0)
		return -1;
	s = store_prepare(st, "SELECT id, field, local_value, cloud_value FROM conflicts"
	    " WHERE record_id = ?1 AND resolved_at IS NULL AND (?2 IS NULL OR field = ?2)", err);
	done = store_prepare(st, "UPDATE conflicts SET resolved_at = ?2, winner = ?3"
	    " WHERE id = ?1", err);
	if (s == NULL || done == NULL)
		rc = -1;
	if (rc == 0) {
		sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	}
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(s, 1);
		const char *v = (const char *)sqlite3_column_text(s, strcmp(side, "local") == 0 ? 2 : 3);
		rc = apply_choice(st, commit_id, f, v, err);
		if (rc == 0) {
			sqlite3_bind_int64(done, 1, sqlite3_column_int64(s, 0));
			sqlite3_bind_text(done, 2, now, -1, SQLITE_STATIC);
			sqlite3_bind_text(done, 3, side, -1, SQLITE_STATIC);
			if (sqlite3_step(done) != SQLITE_DONE)
				rc = seterr(err, "resolving: %s", sqlite3_errmsg(st->db));
			sqlite3_reset(done);
			n++;
		}
	}
	sqlite3_finalize(s);
	sqlite3_finalize(done);
	if (rc == 0 && n == 0 && field != NULL)
		rc = seterr(err, "no open conflict on %s of that commit", field);
	else if (rc == 0 && n == 0)
		rc = seterr(err, "no open conflict on that commit");
	/* A new version above the cloud's, so the decision wins everywhere. */
	if (rc == 0) {
		sqlite3_stmt *q = store_prepare(st, "SELECT count(*) FROM conflicts WHERE"
		    " record_id = ?1 AND resolved_at IS NULL AND winner IS NULL", err);
		if (q == NULL)
			rc = -1;
		else {
			sqlite3_bind_text(q, 1, commit_id, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW)
				left = sqlite3_column_int64(q, 0);
			sqlite3_finalize(q);
		}
	}
	if (rc == 0) {
		sqlite3_stmt *u = store_prepare(st, "UPDATE cognitive_commits SET"
		    " version = max(version, cloud_version) + 1, updated_at = ?2,"
		    " local_version = local_version + 1,"
		    " sync_status = CASE WHEN ?3 > 0 THEN 'conflict' ELSE 'pending' END WHERE id = ?1",
		    err);
		if (u == NULL)
			rc = -1;
		else {
			sqlite3_bind_text(u, 1, commit_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(u, 2, now, -1, SQLITE_STATIC);
			sqlite3_bind_int64(u, 3, left);
			if (sqlite3_step(u) != SQLITE_DONE)
				rc = seterr(err, "resolving: %s", sqlite3_errmsg(st->db));
			sqlite3_finalize(u);
		}
	}
	if (rc == 0 && store_commit(st, err) == 0)
		return n;
	store_rollback(st);
	return -1;
}
