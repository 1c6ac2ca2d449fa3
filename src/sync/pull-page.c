#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/conflicts.h"
#include "store/project-names.h"
#include "store/synced-rows.h"
#include "sync/decide.h"
#include "sync/e2e-account.h"
#include "sync/merge.h"
#include "sync/pull-page.h"
#include "sync/redact-rows.h"
#include "sync/rows.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Whether local and cloud differ only in the time of a tombstone both carry. */
static int
only_tombstone_time(const cJSON *local, const cJSON *cloud)
{
	const cJSON *cd = cJSON_GetObjectItemCaseSensitive(cloud, "deleted_at");
	cJSON *copy;
	int same;

	if (!cJSON_IsString(cd) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(local, "deleted_at")))
		return 0;
	copy = cJSON_Duplicate(local, 1);
	cJSON_ReplaceItemInObjectCaseSensitive(copy, "deleted_at", cJSON_Duplicate(cd, 1));
	same = cJSON_Compare(copy, cloud, 1);
	cJSON_Delete(copy);
	return same;
}

/* One cloud row into the store: new, newer, or merged with local edits. */
static int
apply_row(struct sync_ctx *sc, const struct sync_table *t, const cJSON *record,
    struct sync_counts *n, char *err)
{
	cJSON *cloud = rows_from_cloud(t, record, err), *local;
	const char *id;
	char status[16];
	long long cv;
	int rc = 0, cmp;
	enum pull_step step;

	if (cloud == NULL)
		return -1;
	id = cJSON_GetObjectItemCaseSensitive(cloud, "id")->valuestring;
	cv = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cloud, "version"));
	err[0] = '\0';
	local = synced_row_read(sc->st, t, id, status, err);
	if (local == NULL && err[0] != '\0') {
		cJSON_Delete(cloud);
		return -1;
	}
	/* A project's name and path are each machine's own (sync/tables.h). */
	if (local != NULL) {
		rows_compare_shared(t, local, cloud);
		redact_rows_restore(sc->redactor, t, local, cloud);
	}
	else if (t == &sync_tables[T_PROJECTS] && project_fit_pulled(sc->st, cloud, err) != 0) {
		cJSON_Delete(cloud);
		return -1;
	}
	cmp = local != NULL ? rows_clock_cmp(cloud, local) : 1;
	step = pull_decide(local != NULL, strcmp(status, "synced") == 0,
	    t == &sync_tables[T_COMMITS], cmp, local != NULL && cJSON_Compare(local, cloud, 1));
	switch (step) {
	case PULL_MERGE: {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(record, "origin_machine_id");
		rc = sync_merge_commit(sc, cloud, cJSON_IsString(o) ? o->valuestring : NULL, n, err);
		n->pulled[T_COMMITS]++;
		break;
	}
	case PULL_HAVE:
		break;
	case PULL_TAKE_TIE:
		/*
		 * Same clock, other content: take the one the cloud kept, or the
		 * machines would disagree for good. Our own delete dated by the
		 * cloud is taken too, but is no news to report.
		 */
	case PULL_TAKE:
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
		if (rc == 0 && t == &sync_tables[T_COMMITS])
			rc = sync_base_write(sc->st, id, cloud, err);
		if (step == PULL_TAKE || !only_tombstone_time(local, cloud))
			n->pulled[t - sync_tables]++;
		break;
	case PULL_KEEP_OURS:
		/*
		 * It goes up with the next push, checked against the cloud's
		 * version seen here (or that push would be refused for good).
		 */
		rc = synced_set_cloud_version(sc->st, t, id, cv, err);
		break;
	case PULL_NOW_SYNCED:
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
		break;
	}
	/* A conflict closed on another machine may release a commit held here. */
	if (rc == 0 && t == &sync_tables[T_CONFLICTS] && step != PULL_HAVE &&
	    step != PULL_KEEP_OURS)
		rc = conflicts_closed_elsewhere(sc->st, cloud, err);
	cJSON_Delete(local);
	cJSON_Delete(cloud);
	return rc;
}

/*
 * The values the store's CHECK constraints allow in the columns a cloud row
 * fills (migrations.c; the cloud's schema has the same checks). A pull
 * writes with the checks off (sync_pull), so a row that the cloud should
 * never have sent is refused here instead, before anything of it is stored.
 */
static const char *const closed_by_values[] = { "git_commit", "session_end", "open", NULL };
static const char *const role_values[] = { "user", "assistant", NULL };
static const char *const winner_values[] = { "local", "cloud", NULL };
static const char *const state_values[] = { "open", "acknowledged", "resolved", NULL };
static const struct pull_checked_column checked_columns[] = {
	{ T_COMMITS, "closed_by", closed_by_values, 0 },
	{ T_TURNS, "role", role_values, 0 },
	{ T_CONFLICTS, "winner", winner_values, 1 },
	{ T_CONFLICTS, "state", state_values, 0 },
};

const struct pull_checked_column *
pull_checked_column(int i)
{
	return i >= 0 && (size_t)i < sizeof checked_columns / sizeof checked_columns[0] ?
	    &checked_columns[i] : NULL;
}

/* 0, or -1 with err when a checked column of rec (a row of t) holds a value the store refuses. */
static int
check_values(const struct sync_table *t, const cJSON *rec, char *err)
{
	size_t i;
	int k;

	for (i = 0; i < sizeof checked_columns / sizeof checked_columns[0]; i++) {
		const cJSON *v;

		if (&sync_tables[checked_columns[i].table] != t)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(rec, checked_columns[i].column);
		if (cJSON_IsNull(v) && checked_columns[i].nullable)
			continue;
		for (k = 0; cJSON_IsString(v) && checked_columns[i].allowed[k] != NULL; k++)
			if (strcmp(v->valuestring, checked_columns[i].allowed[k]) == 0)
				break;
		if (!cJSON_IsString(v) || checked_columns[i].allowed[k] == NULL)
			return seterr(err, "the cloud sent a %s row whose %s is not one this store"
			    " accepts", t->name, checked_columns[i].column);
	}
	return 0;
}

/* Whether t's rows may go in bulk: nothing but the row itself is written for them. */
static int
bulk_table(const struct sync_table *t)
{
	return t == &sync_tables[T_SESSIONS] || t == &sync_tables[T_TURNS] ||
	    t == &sync_tables[T_VISUALS];
}

/*
 * [id, version, updated_at] of each record, the time normalised as the store
 * keeps it: JSON written straight from the page, not a tree built and printed.
 */
static char *
clocks_json(const struct sync_table *t, const cJSON *const *recs, int nr, char *err)
{
	struct strbuf sb = STRBUF_INIT;
	char iso[32];
	int i;

	strbuf_addc(&sb, '[');
	for (i = 0; i < nr; i++) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(recs[i], "id");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(recs[i], "version");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(recs[i], "updated_at");
		int64_t ms;

		if (!cJSON_IsString(id)) {
			strbuf_free(&sb);
			seterr(err, "the cloud sent a %s row without an id", t->name);
			return NULL;
		}
		strbuf_adds(&sb, i > 0 ? ",[" : "[");
		json_add_string(&sb, id->valuestring);
		/* A version is a whole number: printed as one, not through printf's %g. */
		strbuf_addf(&sb, ",%lld,", cJSON_IsNumber(v) ? (long long)v->valuedouble : 0LL);
		if (cJSON_IsString(u) && (ms = time_parse_iso_ms(u->valuestring)) >= 0) {
			time_format_iso_ms(ms, iso);
			json_add_string(&sb, iso);
		} else
			strbuf_adds(&sb, "null");
		strbuf_addc(&sb, ']');
	}
	strbuf_addc(&sb, ']');
	return strbuf_detach(&sb);
}

/*
 * A page's records of t: those new here or newer than a synced row in one
 * statement (a row taken: counted as pulled), the rest one by one.
 */
static int
apply_bulk(struct sync_ctx *sc, const struct sync_table *t, const cJSON **recs, int nr,
    struct sync_counts *n, char *err)
{
	unsigned char *held = xcalloc((size_t)nr, 1);
	const cJSON **one = xcalloc((size_t)nr, sizeof *one);
	char *clocks = clocks_json(t, recs, nr, err);
	int i, m = 0, h = 0, rc = clocks != NULL ? 0 : -1;
	long written = 0;

	if (rc == 0)
		rc = synced_rows_held(sc->st, t, clocks, held, nr, err);
	free(clocks);
	for (i = 0; rc == 0 && i < nr; i++) {
		if (held[i])
			one[h++] = recs[i];
		else
			recs[m++] = recs[i];
	}
	if (rc == 0 && m > 0)
		rc = synced_rows_write_bulk(sc->st, t, recs, m, &written, err);
	n->pulled[t - sync_tables] += written;
	for (i = 0; rc == 0 && i < h; i++)
		rc = apply_row(sc, t, one[i], n, err);
	free(one);
	free(held);
	return rc;
}

int
pull_apply_rows(struct sync_ctx *sc, cJSON *rows, int bulk, struct sync_counts *n,
    char *err)
{
	const cJSON **recs[NTABLES] = { NULL };
	int nrec[NTABLES] = { 0 }, size = cJSON_GetArraySize(rows), i, rc = 0;
	cJSON *row;

	cJSON_ArrayForEach(row, rows) {
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(row, "table");
		cJSON *rec = cJSON_GetObjectItemCaseSensitive(row, "record");
		const struct sync_table *t = cJSON_IsString(tn) ? sync_table_find(tn->valuestring) :
		    NULL;
		if (t == NULL) {
			rc = seterr(err, "the cloud's change feed names an unknown table");
			break;
		}
		/* Opened before anything compares or stores it. */
		if (sc->e2e != NULL && cJSON_IsObject(rec) &&
		    (rc = e2e_unseal_record(sc->e2e, t, rec, err)) != 0)
			break;
		if (sc->e2e == NULL && (rc = e2e_refuse_sealed(t, rec, err)) != 0)
			break;
		if (cJSON_IsObject(rec) && (rc = check_values(t, rec, err)) != 0)
			break;
		if (bulk && bulk_table(t) && cJSON_IsObject(rec)) {
			int k = (int)(t - sync_tables);
			if (recs[k] == NULL)
				recs[k] = xcalloc((size_t)size, sizeof *recs[k]);
			recs[k][nrec[k]++] = rec;
		} else if ((rc = apply_row(sc, t, rec, n, err)) != 0)
			break;
	}
	for (i = 0; i < NTABLES; i++) {
		if (rc == 0 && nrec[i] > 0)
			rc = apply_bulk(sc, &sync_tables[i], recs[i], nrec[i], n, err);
		free(recs[i]);
	}
	return rc;
}
