/*
 * A commit changed on both sides: merged field by field against the last
 * state both sides agreed on (the base, saved at each sync). A field changed
 * on one side only takes that side's value silently. A curation field (what
 * people edit) changed on both sides to different values is a true conflict:
 * by default the last write wins and the losing value is kept in `conflicts`
 * for review; with sync.conflicts = manual the local value stays, the record
 * is held (sync_status 'conflict', not pushed) until the person decides.
 * Transcript-derived fields never conflict: the newer write wins.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "sync/engine.h"
#include "sync/rows.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static const char *const curation_fields[] = {
	"title", "published", "hidden", "display_order", "deleted_at", NULL
};

static int
is_curation(const char *name)
{
	int i;

	for (i = 0; curation_fields[i] != NULL; i++) {
		if (strcmp(curation_fields[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Keeps one open conflict per record and field: a repeat updates it. */
static int
record_conflict(struct store *st, const char *id, const char *field, const cJSON *local,
    const cJSON *cloud, const cJSON *lrow, const cJSON *crow, const char *winner, char *err)
{
	sqlite3_stmt *s;
	char *lv = cJSON_PrintUnformatted(local), *cv = cJSON_PrintUnformatted(cloud), now[32];
	int rc;

	time_now_iso(now);
	s = store_prepare(st, "UPDATE conflicts SET local_value = ?3, cloud_value = ?4,"
	    " local_version = ?5, cloud_version = ?6, winner = ?7, detected_at = ?8"
	    " WHERE table_name = 'cognitive_commits' AND record_id = ?1 AND field = ?2"
	    " AND resolved_at IS NULL", err);
	if (s == NULL)
		goto fail;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, lv, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, cv, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (long long)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(lrow, "version")));
	sqlite3_bind_int64(s, 6, (long long)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(crow, "version")));
	sqlite3_bind_text(s, 7, winner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		s = store_prepare(st, "INSERT INTO conflicts (table_name, record_id, field,"
		    " local_value, cloud_value, local_version, cloud_version, winner, detected_at)"
		    " VALUES ('cognitive_commits', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
		if (s == NULL)
			goto fail;
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, field, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, lv, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, cv, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(lrow, "version")));
		sqlite3_bind_int64(s, 6, (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(crow, "version")));
		sqlite3_bind_text(s, 7, winner, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	free(lv);
	free(cv);
	return 0;
fail:
	free(lv);
	free(cv);
	if (err[0] == '\0')
		seterr(err, "recording a conflict: %s", sqlite3_errmsg(st->db));
	return -1;
}

int
sync_merge_commit(struct sync_ctx *sc, const cJSON *cloud, struct sync_counts *n, char *err)
{
	const struct sync_table *t = &sync_tables[T_COMMITS];
	const char *id = cJSON_GetObjectItemCaseSensitive(cloud, "id")->valuestring;
	cJSON *local, *base, *merged;
	char status[16];
	int i, held = 0, same_as_cloud = 1, cloud_newer, rc;
	long long cv = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cloud,
	    "version"));

	err[0] = '\0';
	if ((local = rows_read_local(sc->st, t, id, status, err)) == NULL)
		return err[0] != '\0' ? -1 : rows_write(sc->st, t, cloud, "synced", cv, err);
	base = rows_read_base(sc->st, id, err);
	cloud_newer = rows_clock_cmp(cloud, local) > 0;
	merged = cJSON_Duplicate(local, 1);
	/*
	 * A commit held for the person stays held whatever else merges in: only
	 * resolve lets its local values go up.
	 */
	if (strcmp(status, "conflict") == 0) {
		held = 1;
		same_as_cloud = 0;
	}

	for (i = 1; i < t->ncolumns; i++) {
		const char *f = t->columns[i].name;
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(local, f);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(cloud, f);
		const cJSON *b = base != NULL ? cJSON_GetObjectItemCaseSensitive(base, f) : NULL;
		int lchanged, rchanged;

		if (strcmp(f, "version") == 0 || strcmp(f, "updated_at") == 0 ||
		    rows_field_equal(l, r))
			continue;
		lchanged = base == NULL || !rows_field_equal(l, b);
		rchanged = base == NULL || !rows_field_equal(r, b);
		if (!lchanged || (rchanged && !is_curation(f) && cloud_newer)) {
			cJSON_ReplaceItemInObjectCaseSensitive(merged, f, cJSON_Duplicate(r, 1));
			continue;
		}
		if (!rchanged || !is_curation(f)) {
			same_as_cloud = 0;
			continue;
		}
		/* Both sides changed a curation field, differently. */
		n->conflicts++;
		if (sc->manual) {
			held = 1;
			same_as_cloud = 0;
			if (record_conflict(sc->st, id, f, l, r, local, cloud, NULL, err) != 0)
				goto fail;
			continue;
		}
		if (record_conflict(sc->st, id, f, l, r, local, cloud,
		    cloud_newer ? "cloud" : "local", err) != 0)
			goto fail;
		if (cloud_newer)
			cJSON_ReplaceItemInObjectCaseSensitive(merged, f, cJSON_Duplicate(r, 1));
		else
			same_as_cloud = 0;
	}

	if (same_as_cloud)
		rc = rows_write(sc->st, t, cloud, "synced", cv, err);
	else {
		/* A new version above both, so the merge wins everywhere once pushed. */
		long long lv = (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(local, "version"));
		char now[32];
		time_now_iso(now);
		cJSON_ReplaceItemInObjectCaseSensitive(merged, "version",
		    cJSON_CreateNumber((double)((lv > cv ? lv : cv) + 1)));
		cJSON_ReplaceItemInObjectCaseSensitive(merged, "updated_at", cJSON_CreateString(now));
		rc = rows_write(sc->st, t, merged, held ? "conflict" : "pending", cv, err);
		n->merged++;
	}
	if (rc == 0)
		rc = rows_write_base(sc->st, id, cloud, err);
	if (held)
		n->held++;
	cJSON_Delete(local);
	cJSON_Delete(base);
	cJSON_Delete(merged);
	return rc;
fail:
	cJSON_Delete(local);
	cJSON_Delete(base);
	cJSON_Delete(merged);
	return -1;
}
