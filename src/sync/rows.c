#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "sync/rows.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/*
 * Prepared statements, per table, for the one store the sync runs on (the
 * sync core runs on a single thread with a connection of its own).
 */
static struct {
	struct store *st;
	sqlite3_stmt *read[NTABLES], *write[NTABLES], *base_read, *base_write;
} cache;

void
rows_finish(struct store *st)
{
	int i;

	if (cache.st != st)
		return;
	for (i = 0; i < NTABLES; i++) {
		sqlite3_finalize(cache.read[i]);
		sqlite3_finalize(cache.write[i]);
	}
	sqlite3_finalize(cache.base_read);
	sqlite3_finalize(cache.base_write);
	memset(&cache, 0, sizeof cache);
}

static sqlite3_stmt *
cached(struct store *st, sqlite3_stmt **slot, const char *sql, char *err)
{
	if (cache.st != st) {
		rows_finish(cache.st);
		cache.st = st;
	}
	if (*slot == NULL)
		*slot = store_prepare(st, sql, err);
	return *slot;
}

cJSON *
rows_from_cloud(const struct sync_table *t, const cJSON *record, char *err)
{
	cJSON *row = cJSON_CreateObject();
	char iso[32];
	int i;

	for (i = 0; i < t->ncolumns; i++) {
		const struct sync_column *c = &t->columns[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(record, c->name);
		cJSON *out = NULL;
		int64_t ms;

		if (v == NULL || cJSON_IsNull(v))
			out = cJSON_CreateNull();
		else if (c->kind == COL_INT && cJSON_IsNumber(v))
			out = cJSON_CreateNumber(v->valuedouble);
		else if (c->kind == COL_BOOL && cJSON_IsBool(v))
			out = cJSON_CreateBool(cJSON_IsTrue(v));
		else if (c->kind == COL_TIME && cJSON_IsString(v) &&
		    (ms = time_parse_iso_ms(v->valuestring)) >= 0) {
			time_format_iso_ms(ms, iso);
			out = cJSON_CreateString(iso);
		} else if (c->kind == COL_TEXT && cJSON_IsString(v))
			out = cJSON_CreateString(v->valuestring);
		if (out == NULL) {
			cJSON_Delete(row);
			seterr(err, "the cloud sent a bad %s.%s", t->name, c->name);
			return NULL;
		}
		cJSON_AddItemToObject(row, c->name, out);
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "id"))) {
		cJSON_Delete(row);
		seterr(err, "the cloud sent a %s row without an id", t->name);
		return NULL;
	}
	return row;
}

cJSON *
rows_read_local(struct store *st, const struct sync_table *t, const char *id, char status[16],
    char *err)
{
	int ti = (int)(t - sync_tables), rc, i;
	sqlite3_stmt *s;
	cJSON *row = NULL;

	if (cache.st != st || cache.read[ti] == NULL) {
		char *sql = xprintf("SELECT %s, sync_status FROM %s WHERE id = ?1",
		    sync_table_column_list(t), t->name);
		s = cached(st, &cache.read[ti], sql, err);
		free(sql);
		if (s == NULL)
			return NULL;
	}
	s = cache.read[ti];
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	status[0] = '\0';
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row = cJSON_CreateObject();
		for (i = 0; i < t->ncolumns; i++)
			cJSON_AddItemToObject(row, t->columns[i].name,
			    sync_column_to_json(&t->columns[i], s, i));
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(s, t->ncolumns));
	} else if (rc != SQLITE_DONE)
		seterr(err, "reading %s: %s", t->name, sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	return row;
}

int
rows_write(struct store *st, const struct sync_table *t, const cJSON *row, const char *status,
    long long cloud_version, char *err)
{
	int ti = (int)(t - sync_tables), i, n = t->ncolumns;
	char now[32];
	sqlite3_stmt *s;

	if (cache.st != st || cache.write[ti] == NULL) {
		struct strbuf sql = STRBUF_INIT;
		strbuf_addf(&sql, "INSERT INTO %s (%s, sync_status, cloud_version, last_synced_at)"
		    " VALUES (", t->name, sync_table_column_list(t));
		for (i = 1; i <= n + 3; i++)
			strbuf_addf(&sql, "%s?%d", i > 1 ? ", " : "", i);
		strbuf_adds(&sql, ") ON CONFLICT (id) DO UPDATE SET ");
		for (i = 1; i < n; i++)
			strbuf_addf(&sql, "\"%s\" = excluded.\"%s\", ", t->columns[i].name,
			    t->columns[i].name);
		strbuf_adds(&sql, "sync_status = excluded.sync_status, cloud_version ="
		    " excluded.cloud_version, last_synced_at = excluded.last_synced_at");
		s = cached(st, &cache.write[ti], sql.buf, err);
		strbuf_free(&sql);
		if (s == NULL)
			return -1;
	}
	s = cache.write[ti];
	for (i = 0; i < n; i++) {
		if (sync_column_bind(&t->columns[i], s, i + 1,
		    cJSON_GetObjectItemCaseSensitive(row, t->columns[i].name), err) != 0) {
			sqlite3_reset(s);
			return -1;
		}
	}
	time_now_iso(now);
	sqlite3_bind_text(s, n + 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, n + 2, cloud_version);
	sqlite3_bind_text(s, n + 3, now, -1, SQLITE_TRANSIENT);
	i = sqlite3_step(s);
	sqlite3_reset(s);
	if (i != SQLITE_DONE)
		return seterr(err, "writing %s: %s", t->name, sqlite3_errmsg(st->db));
	return 0;
}

int
rows_field_equal(const cJSON *a, const cJSON *b)
{
	int an = a == NULL || cJSON_IsNull(a), bn = b == NULL || cJSON_IsNull(b);

	if (an || bn)
		return an && bn;
	return cJSON_Compare(a, b, 1);
}

int
rows_clock_cmp(const cJSON *a, const cJSON *b)
{
	const cJSON *va = cJSON_GetObjectItemCaseSensitive(a, "version");
	const cJSON *vb = cJSON_GetObjectItemCaseSensitive(b, "version");
	const cJSON *ua = cJSON_GetObjectItemCaseSensitive(a, "updated_at");
	const cJSON *ub = cJSON_GetObjectItemCaseSensitive(b, "updated_at");
	double x = cJSON_IsNumber(va) ? va->valuedouble : 0, y = cJSON_IsNumber(vb) ? vb->valuedouble : 0;
	int c;

	if (x != y)
		return x < y ? -1 : 1;
	/* Normalised times compare as strings; a missing one is oldest. */
	c = strcmp(cJSON_IsString(ua) ? ua->valuestring : "", cJSON_IsString(ub) ? ub->valuestring : "");
	return c < 0 ? -1 : c > 0;
}

cJSON *
rows_read_base(struct store *st, const char *id, char *err)
{
	sqlite3_stmt *s = cached(st, &cache.base_read, "SELECT row FROM sync_base"
	    " WHERE table_name = 'cognitive_commits' AND record_id = ?1", err);
	cJSON *row = NULL;

	if (s == NULL)
		return NULL;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		row = cJSON_Parse((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return row;
}

int
rows_write_base(struct store *st, const char *id, const cJSON *row, char *err)
{
	sqlite3_stmt *s = cached(st, &cache.base_write, "INSERT OR REPLACE INTO sync_base"
	    " (table_name, record_id, row) VALUES ('cognitive_commits', ?1, ?2)", err);
	char *json;
	int rc;

	if (s == NULL)
		return -1;
	json = cJSON_PrintUnformatted(row);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, json, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(json);
	return rc == SQLITE_DONE ? 0 : seterr(err, "saving the sync base: %s", sqlite3_errmsg(st->db));
}
