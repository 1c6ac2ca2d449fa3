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

#include "store/conflicts.h"
#include "store/synced-rows.h"
#include "sync/decide.h"
#include "sync/engine.h"
#include "sync/merge.h"
#include "sync/redact-rows.h"
#include "sync/rows.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Whose the two rows are: this machine's, and the one that wrote the cloud's. */
struct sides {
	const cJSON *local, *cloud;
	const char *local_machine, *cloud_machine;
};

/* The conflict of field as both rows have it; winner NULL holds it for the person. */
static int
record_conflict(struct store *st, const char *id, const char *field, const cJSON *local,
    const cJSON *cloud, const struct sides *rows, const char *winner, char *err)
{
	struct conflict_row c = { .record_id = id, .field = field, .winner = winner,
	    .local_machine = rows->local_machine, .cloud_machine = rows->cloud_machine };
	const cJSON *lrow = rows->local, *crow = rows->cloud;
	char *lv = cJSON_PrintUnformatted(local), *cv = cJSON_PrintUnformatted(cloud);
	int rc;

	c.local_value = lv;
	c.cloud_value = cv;
	c.local_version = (long long)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(lrow, "version"));
	c.cloud_version = (long long)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(crow, "version"));
	rc = conflicts_record(st, &c, err);
	free(lv);
	free(cv);
	return rc;
}

int
sync_merge_commit(struct sync_ctx *sc, const cJSON *cloud, const char *origin,
    struct sync_counts *n, char *err)
{
	struct sides rows = { NULL, cloud, sc->machine_id, origin };
	const struct sync_table *t = &sync_tables[T_COMMITS];
	const char *id = cJSON_GetObjectItemCaseSensitive(cloud, "id")->valuestring;
	cJSON *local, *base, *merged;
	char status[16];
	int i, held = 0, same_as_cloud = 1, cloud_newer, rc;
	long long cv = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cloud,
	    "version"));

	err[0] = '\0';
	if ((local = synced_row_read(sc->st, t, id, status, err)) == NULL)
		return err[0] != '\0' ? -1 : synced_row_write(sc->st, t, cloud, "synced", cv, err);
	rows.local = local;
	base = sync_base_read(sc->st, id, err);
	/* The base as pushed is redacted: where it is, it means our original. */
	redact_rows_restore(sc->redactor, t, local, base);
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
		enum merge_step step = merge_decide(f, local, cloud, base, cloud_newer, sc->manual);
		static const char *const winners[] = {
			[MERGE_CONFLICT_CLOUD] = "cloud", [MERGE_CONFLICT_LOCAL] = "local",
			[MERGE_CONFLICT_HELD] = NULL,
		};

		if (step == MERGE_SAME)
			continue;
		if (step >= MERGE_CONFLICT_CLOUD) {
			n->conflicts++;
			if (record_conflict(sc->st, id, f, l, r, &rows, winners[step], err) != 0)
				goto fail;
		}
		if (step == MERGE_TAKE_CLOUD || step == MERGE_CONFLICT_CLOUD)
			cJSON_ReplaceItemInObjectCaseSensitive(merged, f, cJSON_Duplicate(r, 1));
		else
			same_as_cloud = 0;
		if (step == MERGE_CONFLICT_HELD)
			held = 1;
	}

	if (same_as_cloud)
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
	else {
		/* A new version above both, so the merge wins everywhere once pushed. */
		long long lv = (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(local, "version"));
		char now[32];
		time_stamp_iso(now);
		cJSON_ReplaceItemInObjectCaseSensitive(merged, "version",
		    cJSON_CreateNumber((double)((lv > cv ? lv : cv) + 1)));
		cJSON_ReplaceItemInObjectCaseSensitive(merged, "updated_at", cJSON_CreateString(now));
		rc = synced_row_write(sc->st, t, merged, held ? "conflict" : "pending", cv, err);
		n->merged++;
	}
	if (rc == 0)
		rc = sync_base_write(sc->st, id, cloud, err);
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
