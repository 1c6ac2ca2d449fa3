#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/conflicts.h"
#include "store/internal.h"
#include "store/synced-rows.h"
#include "sync/tables.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

int
conflicts_record(struct store *st, const struct conflict_row *c, char *err)
{
	static const char *const sql[2] = {
		"UPDATE conflicts SET local_value = ?3, cloud_value = ?4,"
		" local_version = ?5, cloud_version = ?6, winner = ?7, detected_at = ?8"
		" WHERE table_name = 'cognitive_commits' AND record_id = ?1 AND field = ?2"
		" AND resolved_at IS NULL",
		"INSERT INTO conflicts (table_name, record_id, field,"
		" local_value, cloud_value, local_version, cloud_version, winner, detected_at)"
		" VALUES ('cognitive_commits', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	};
	char now[32];
	int i, n = 0;

	time_now_iso(now);
	/* The update first; the insert only when there was no open one. */
	for (i = 0; i < 2 && n == 0; i++) {
		sqlite3_stmt *s = store_cached(st, sql[i], err);
		if (s == NULL)
			return -1;
		store_bind_text(s, 1, c->record_id);
		store_bind_text(s, 2, c->field);
		store_bind_text(s, 3, c->local_value);
		store_bind_text(s, 4, c->cloud_value);
		sqlite3_bind_int64(s, 5, c->local_version);
		sqlite3_bind_int64(s, 6, c->cloud_version);
		store_bind_text(s, 7, c->winner);
		store_bind_text(s, 8, now);
		if ((n = store_step_write(st, s, "recording a conflict", err)) < 0)
			return -1;
	}
	return 0;
}

int
conflicts_count(struct store *st, const char *commit_id, struct conflict_counts *n, char *err)
{
	sqlite3_stmt *s = store_cached(st, "SELECT coalesce(sum(winner IS NULL), 0),"
	    " coalesce(sum(winner IS NOT NULL), 0), count(DISTINCT record_id)"
	    " FROM conflicts WHERE resolved_at IS NULL AND (?1 IS NULL OR record_id = ?1)", err);
	int rc;

	memset(n, 0, sizeof *n);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, commit_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n->held = sqlite3_column_int64(s, 0);
		n->settled = sqlite3_column_int64(s, 1);
		n->commits = sqlite3_column_int64(s, 2);
	} else
		store_fail(st, "counting conflicts", err);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

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
			.id = sqlite3_column_int64(s, 0),
			.record_id = (const char *)sqlite3_column_text(s, 1),
			.field = (const char *)sqlite3_column_text(s, 2),
			.local_value = (const char *)sqlite3_column_text(s, 3),
			.cloud_value = (const char *)sqlite3_column_text(s, 4),
			.winner = (const char *)sqlite3_column_text(s, 5),
			.detected_at = (const char *)sqlite3_column_text(s, 6),
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
	rc = synced_column_bind(c, s, 2, v, err);
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
	time_stamp_iso(now);	/* also the new version's updated_at */
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
		struct conflict_counts still;
		if ((rc = conflicts_count(st, commit_id, &still, err)) == 0)
			left = still.held;
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

const char *const conflict_fields[CONFLICT_FIELDS] = {
	"title", "published", "hidden", "display_order", "deleted_at"
};

static char *
json_text(const cJSON *v)
{
	return v != NULL ? cJSON_PrintUnformatted(v) : xstrdup("null");
}

/* This machine's values of the fields. */
static int
read_local(struct store *st, const char *commit_id, struct conflict_side *out, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT title, published, hidden, display_order,"
	    " deleted_at FROM cognitive_commits WHERE id = ?1", err);
	int i, rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (i = 0; i < CONFLICT_FIELDS; i++) {
			cJSON *v = synced_column_json(commit_column(conflict_fields[i]), s, i);
			out[i].local = json_text(v);
			cJSON_Delete(v);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return seterr(err, "reading the commit: %s", sqlite3_errmsg(st->db));
	return 0;
}

/* The cloud's, as the last sync saw them (the base of the next merge). */
static int
read_cloud(struct store *st, const char *commit_id, struct conflict_side *out, char *err)
{
	cJSON *row;
	int i;

	err[0] = '\0';
	if ((row = sync_base_read(st, commit_id, err)) == NULL && err[0] != '\0')
		return -1;
	for (i = 0; row != NULL && i < CONFLICT_FIELDS; i++)
		out[i].cloud = json_text(cJSON_GetObjectItemCaseSensitive(row, conflict_fields[i]));
	cJSON_Delete(row);
	return 0;
}

int
conflicts_sides(struct store *st, const char *commit_id, struct conflict_side out[CONFLICT_FIELDS],
    char *err)
{
	sqlite3_stmt *s;
	int i, rc;

	memset(out, 0, CONFLICT_FIELDS * sizeof *out);
	for (i = 0; i < CONFLICT_FIELDS; i++)
		out[i].field = conflict_fields[i];
	if (read_local(st, commit_id, out, err) != 0 || read_cloud(st, commit_id, out, err) != 0)
		goto fail;
	s = store_prepare(st, "SELECT id, field, local_value, cloud_value, winner FROM conflicts"
	    " WHERE record_id = ?1 AND resolved_at IS NULL ORDER BY id", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f = (const char *)sqlite3_column_text(s, 1);
		const char *lv = (const char *)sqlite3_column_text(s, 2);
		const char *cv = (const char *)sqlite3_column_text(s, 3);
		const char *w = (const char *)sqlite3_column_text(s, 4);
		for (i = 0; i < CONFLICT_FIELDS; i++) {
			if (strcmp(conflict_fields[i], f) != 0)
				continue;
			free(out[i].local);
			free(out[i].cloud);
			out[i].local = xstrdup(lv != NULL ? lv : "null");
			out[i].cloud = xstrdup(cv != NULL ? cv : "null");
			out[i].conflict = sqlite3_column_int64(s, 0);
			snprintf(out[i].winner, sizeof out[i].winner, "%s", w != NULL ? w : "");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		seterr(err, "reading conflicts: %s", sqlite3_errmsg(st->db));
		goto fail;
	}
	return 0;
fail:
	conflicts_sides_free(out);
	return -1;
}

void
conflicts_sides_free(struct conflict_side out[CONFLICT_FIELDS])
{
	int i;

	for (i = 0; i < CONFLICT_FIELDS; i++) {
		free(out[i].local);
		free(out[i].cloud);
		out[i].local = out[i].cloud = NULL;
	}
}

int
conflicts_review(struct store *st, const char *commit_id, const char *field, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE conflicts SET resolved_at = ?3"
	    " WHERE record_id = ?1 AND resolved_at IS NULL AND winner IS NOT NULL"
	    " AND (?2 IS NULL OR field = ?2)", err);
	char now[32];
	int n;

	if (s == NULL)
		return -1;
	time_now_iso(now);
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		seterr(err, "marking conflicts reviewed: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return n;
}
