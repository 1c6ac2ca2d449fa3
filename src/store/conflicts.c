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
#include "util/uuid.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* The other side's name: a record's sides as seen from the machine that did not find it. */
static const char *
other_side(const char *side)
{
	if (side == NULL)
		return NULL;
	return strcmp(side, "local") == 0 ? "cloud" : "local";
}

/* Whether a record found by local_machine reads swapped on machine me. */
static int
swapped(const char *local_machine, const char *me)
{
	return local_machine != NULL && me != NULL && *me != '\0' && strcmp(local_machine, me) != 0;
}

/* c, as machine me sees it. */
static void
from_view_of(struct conflict_row *c, const char *me)
{
	struct conflict_row r = *c;

	if (!swapped(c->local_machine, me))
		return;
	c->local_value = r.cloud_value;
	c->cloud_value = r.local_value;
	c->local_machine = r.cloud_machine;
	c->cloud_machine = r.local_machine;
	c->local_version = r.cloud_version;
	c->cloud_version = r.local_version;
	c->winner = other_side(r.winner);
}

/*
 * The same disagreement, whichever machine holds which value, is one record:
 * the id is taken over the two values in a fixed order.
 */
static void
conflict_id(char out[UUID_STRLEN], const struct conflict_row *c)
{
	const char *a = c->local_value != NULL ? c->local_value : "null";
	const char *b = c->cloud_value != NULL ? c->cloud_value : "null";

	if (strcmp(a, b) > 0) {
		const char *x = a;
		a = b;
		b = x;
	}
	uuid_v5_join(out, "conflict", c->record_id, c->field, a, b, (char *)NULL);
}

int
conflicts_record(struct store *st, const struct conflict_row *c, char *err)
{
	/*
	 * A repeat of an open record changes nothing (held conflicts are merged
	 * again at every pull); the same one found again after it closed, or from
	 * the other side, is open again, as this machine sees it now.
	 */
	sqlite3_stmt *s = store_cached(st, "INSERT INTO conflicts (id, record_id, field,"
	    " local_value, cloud_value, local_row_version, cloud_row_version, winner,"
	    " detected_at, local_machine, cloud_machine, state, version, updated_at, sync_status)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'open', 1, ?9, 'pending')"
	    " ON CONFLICT (id) DO UPDATE SET local_value = excluded.local_value,"
	    " cloud_value = excluded.cloud_value, local_row_version = excluded.local_row_version,"
	    " cloud_row_version = excluded.cloud_row_version, winner = excluded.winner,"
	    " detected_at = excluded.detected_at, local_machine = excluded.local_machine,"
	    " cloud_machine = excluded.cloud_machine, state = 'open', resolved_at = NULL,"
	    " resolved_by = NULL, version = max(version, cloud_version) + 1,"
	    " updated_at = excluded.updated_at, sync_status = 'pending',"
	    " local_version = local_version + 1"
	    " WHERE state <> 'open' OR winner IS NOT excluded.winner"
	    " OR local_machine IS NOT excluded.local_machine", err);
	char now[32], id[UUID_STRLEN];

	if (s == NULL)
		return -1;
	time_stamp_iso(now);
	conflict_id(id, c);
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, c->record_id);
	store_bind_text(s, 3, c->field);
	store_bind_text(s, 4, c->local_value);
	store_bind_text(s, 5, c->cloud_value);
	sqlite3_bind_int64(s, 6, c->local_version);
	sqlite3_bind_int64(s, 7, c->cloud_version);
	store_bind_text(s, 8, c->winner);
	store_bind_text(s, 9, now);
	store_bind_text(s, 10, c->local_machine);
	store_bind_text(s, 11, c->cloud_machine);
	return store_step_write(st, s, "recording a conflict", err) < 0 ? -1 : 0;
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

/* The columns a conflict_row is read from, in read_row's order. */
#define ROW_COLUMNS "id, record_id, field, local_value, cloud_value, winner, detected_at," \
	" local_row_version, cloud_row_version, local_machine, cloud_machine, table_name"

static void
read_row(sqlite3_stmt *s, struct conflict_row *c)
{
	c->id = (const char *)sqlite3_column_text(s, 0);
	c->record_id = (const char *)sqlite3_column_text(s, 1);
	c->field = (const char *)sqlite3_column_text(s, 2);
	c->local_value = (const char *)sqlite3_column_text(s, 3);
	c->cloud_value = (const char *)sqlite3_column_text(s, 4);
	c->winner = (const char *)sqlite3_column_text(s, 5);
	c->detected_at = (const char *)sqlite3_column_text(s, 6);
	c->local_version = sqlite3_column_int64(s, 7);
	c->cloud_version = sqlite3_column_int64(s, 8);
	c->local_machine = (const char *)sqlite3_column_text(s, 9);
	c->cloud_machine = (const char *)sqlite3_column_text(s, 10);
	c->table = (const char *)sqlite3_column_text(s, 11);
}

int
conflicts_list(struct store *st, const char *me, conflict_cb cb, void *arg, char *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT " ROW_COLUMNS " FROM conflicts"
	    " WHERE resolved_at IS NULL ORDER BY detected_at, id", err);
	int rc = 0, step;

	if (s == NULL)
		return -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_row c;
		read_row(s, &c);
		from_view_of(&c, me);
		rc = cb(&c, arg);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = seterr(err, "reading conflicts: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}

/*
 * Closes a record as state ("resolved" or "acknowledged") by me, keeping
 * winner (the record's own side names), as a new version that goes up.
 */
static int
close_record(struct store *st, const char *id, const char *state, const char *winner,
    const char *me, const char *now, char *err)
{
	sqlite3_stmt *s = store_cached(st, "UPDATE conflicts SET state = ?2, winner = ?3,"
	    " resolved_at = ?4, resolved_by = ?5, updated_at = ?4,"
	    " version = max(version, cloud_version) + 1, local_version = local_version + 1,"
	    " sync_status = 'pending' WHERE id = ?1", err);

	if (s == NULL)
		return -1;
	store_bind_text(s, 1, id);
	store_bind_text(s, 2, state);
	store_bind_text(s, 3, winner);
	store_bind_text(s, 4, now);
	store_bind_text(s, 5, me);
	return store_step_write(st, s, "closing a conflict", err) < 0 ? -1 : 0;
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
conflicts_resolve(struct store *st, const char *me, const char *commit_id, const char *field,
    const char *side, char *err)
{
	sqlite3_stmt *s, *u;
	char now[32];
	long long left = 0;
	int n = 0, rc = 0, step;

	if (strcmp(side, "local") != 0 && strcmp(side, "cloud") != 0)
		return seterr(err, "keep 'local' or 'cloud', not '%s'", side);
	time_stamp_iso(now);	/* also the new version's updated_at */
	if (store_begin(st, err) != 0)
		return -1;
	/* Oldest first: with two on one field, the newer one's choice is the last applied. */
	s = store_prepare(st, "SELECT " ROW_COLUMNS " FROM conflicts WHERE record_id = ?1"
	    " AND resolved_at IS NULL AND (?2 IS NULL OR field = ?2) ORDER BY detected_at, id", err);
	if (s == NULL)
		rc = -1;
	else {
		sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	}
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_row c;
		const char *kept;

		read_row(s, &c);
		/* The side chosen here, in the record's own names. */
		kept = swapped(c.local_machine, me) ? other_side(side) : side;
		rc = apply_choice(st, commit_id, c.field, strcmp(kept, "local") == 0 ?
		    c.local_value : c.cloud_value, err);
		if (rc == 0)
			rc = close_record(st, c.id, "resolved", kept, me, now, err);
		n += rc == 0;
	}
	sqlite3_finalize(s);
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
	if (rc == 0 && (u = store_prepare(st, "UPDATE cognitive_commits SET"
	    " version = max(version, cloud_version) + 1, updated_at = ?2,"
	    " local_version = local_version + 1,"
	    " sync_status = CASE WHEN ?3 > 0 THEN 'conflict' ELSE 'pending' END WHERE id = ?1",
	    err)) == NULL)
		rc = -1;
	else if (rc == 0) {
		sqlite3_bind_text(u, 1, commit_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(u, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u, 3, left);
		if (sqlite3_step(u) != SQLITE_DONE)
			rc = seterr(err, "resolving: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(u);
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
conflicts_sides(struct store *st, const char *me, const char *commit_id,
    struct conflict_side out[CONFLICT_FIELDS], char *err)
{
	sqlite3_stmt *s;
	int i, rc;

	memset(out, 0, CONFLICT_FIELDS * sizeof *out);
	for (i = 0; i < CONFLICT_FIELDS; i++)
		out[i].field = conflict_fields[i];
	if (read_local(st, commit_id, out, err) != 0 || read_cloud(st, commit_id, out, err) != 0)
		goto fail;
	/* Oldest first: a field with two open conflicts shows the newer. */
	s = store_prepare(st, "SELECT " ROW_COLUMNS " FROM conflicts"
	    " WHERE record_id = ?1 AND resolved_at IS NULL ORDER BY detected_at, id", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct conflict_row c;
		read_row(s, &c);
		from_view_of(&c, me);
		for (i = 0; i < CONFLICT_FIELDS; i++) {
			if (strcmp(conflict_fields[i], c.field) != 0)
				continue;
			free(out[i].local);
			free(out[i].cloud);
			out[i].local = xstrdup(c.local_value != NULL ? c.local_value : "null");
			out[i].cloud = xstrdup(c.cloud_value != NULL ? c.cloud_value : "null");
			snprintf(out[i].conflict, sizeof out[i].conflict, "%s", c.id);
			snprintf(out[i].winner, sizeof out[i].winner, "%s",
			    c.winner != NULL ? c.winner : "");
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
conflicts_review(struct store *st, const char *me, const char *commit_id, const char *field,
    char *err)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE conflicts SET state = 'acknowledged',"
	    " resolved_at = ?3, resolved_by = ?4, updated_at = ?3,"
	    " version = max(version, cloud_version) + 1, local_version = local_version + 1,"
	    " sync_status = 'pending' WHERE resolved_at IS NULL AND winner IS NOT NULL"
	    " AND (?1 IS NULL OR record_id = ?1) AND (?2 IS NULL OR field = ?2)", err);
	char now[32];
	int n;

	if (s == NULL)
		return -1;
	time_stamp_iso(now);
	sqlite3_bind_text(s, 1, commit_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, me, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		seterr(err, "acknowledging conflicts: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	n = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return n;
}

static const char *
text_of(const cJSON *row, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Whether the commit is held here for the person (sync_status 'conflict'). */
static int
commit_held(struct store *st, const char *commit_id, char *err)
{
	char *status = store_query_text(st, "SELECT sync_status FROM cognitive_commits"
	    " WHERE id = ?1", commit_id, err);
	int held = status != NULL && strcmp(status, "conflict") == 0;

	free(status);
	return held;
}

int
conflicts_closed_elsewhere(struct store *st, const cJSON *row, char *err)
{
	const char *commit_id = text_of(row, "record_id"), *field = text_of(row, "field");
	const char *state = text_of(row, "state"), *winner = text_of(row, "winner");
	struct conflict_counts still;
	sqlite3_stmt *u;
	char now[32];
	int rc = 0;

	if (commit_id == NULL || field == NULL || state == NULL || strcmp(state, "open") == 0)
		return 0;
	if (conflicts_count(st, commit_id, &still, err) != 0)
		return -1;
	err[0] = '\0';
	if (still.held > 0 || !commit_held(st, commit_id, err))
		return err[0] != '\0' ? -1 : 0;
	/* The value chosen there, in place here (the merge kept this machine's while held). */
	/* (A field this version does not know is left alone rather than fail every pull.) */
	if (strcmp(state, "resolved") == 0 && winner != NULL && commit_column(field) != NULL)
		rc = apply_choice(st, commit_id, field, text_of(row, strcmp(winner, "local") == 0 ?
		    "local_value" : "cloud_value"), err);
	time_stamp_iso(now);
	if (rc == 0 && (u = store_cached(st, "UPDATE cognitive_commits SET"
	    " version = max(version, cloud_version) + 1, updated_at = ?2,"
	    " local_version = local_version + 1, sync_status = 'pending'"
	    " WHERE id = ?1 AND sync_status = 'conflict'", err)) == NULL)
		rc = -1;
	else if (rc == 0) {
		store_bind_text(u, 1, commit_id);
		store_bind_text(u, 2, now);
		rc = store_step_write(st, u, "releasing a held commit", err) < 0 ? -1 : 0;
	}
	return rc;
}
