/*
 * Pull: pages of the cloud's change feed (pull_changes) since the saved
 * cursor, each page applied together with the new cursor in one local
 * transaction, so a crash repeats at most one page, harmlessly. The feed never
 * hands out a row before every older transaction has ended, so the cursor
 * cannot pass a row that commits late.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/sync-state.h"
#include "store/synced-rows.h"
#include "sync/cloud.h"
#include "sync/engine.h"
#include "sync/merge.h"
#include "sync/pull.h"
#include "sync/inflight.h"
#include "sync/visuals.h"
#include "sync/rows.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/xmalloc.h"

char *
sync_cursor_key(const struct sync_ctx *sc)
{
	return xprintf("pull_cursor %s %s", sc->auth.url, sc->auth.user_id);
}

static cJSON *
load_cursor(struct store *st, const char *key)
{
	char *v = sync_state_get(st, key);
	cJSON *c = v != NULL ? cJSON_Parse(v) : NULL;

	free(v);
	return c;
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
	cmp = local != NULL ? rows_clock_cmp(cloud, local) : 1;
	if (local != NULL && strcmp(status, "synced") != 0 && t == &sync_tables[T_COMMITS]) {
		rc = sync_merge_commit(sc, cloud, n, err);
		n->pulled[T_COMMITS]++;
	} else if (local != NULL && cmp == 0 && strcmp(status, "synced") == 0 &&
	    cJSON_Compare(local, cloud, 1)) {
		/* Our own push coming back, or a row we already have. */
	} else if (local != NULL && cmp == 0 && strcmp(status, "synced") == 0) {
		/*
		 * Another machine's edit with the very same clock as ours: the cloud
		 * kept one of the two by origin machine id. Take the one it kept, or
		 * the machines would disagree for good.
		 */
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
		if (rc == 0 && t == &sync_tables[T_COMMITS])
			rc = sync_base_write(sc->st, id, cloud, err);
		n->pulled[t - sync_tables]++;
	} else if (local != NULL && cmp < 0) {
		/* Ours is newer: it goes up with the next push. */
	} else if (local != NULL && cmp == 0) {
		/* The cloud holds exactly our pending edit: nothing left to push. */
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
	} else {
		rc = synced_row_write(sc->st, t, cloud, "synced", cv, err);
		if (rc == 0 && t == &sync_tables[T_COMMITS])
			rc = sync_base_write(sc->st, id, cloud, err);
		n->pulled[t - sync_tables]++;
	}
	cJSON_Delete(local);
	cJSON_Delete(cloud);
	return rc;
}

static int
apply_page(struct sync_ctx *sc, const cJSON *rows, const cJSON *next, const char *key,
    struct sync_counts *n, char *err)
{
	const cJSON *row;
	char *cursor;
	int rc = 0;

	/*
	 * A child can come before its parent, even pages before it (the parent was
	 * rewritten later and moved on in the feed). The cloud's own foreign keys
	 * guarantee the parent follows, so local ones are off while pulling. The
	 * pragma only takes effect outside a transaction.
	 */
	if (store_foreign_keys(sc->st, 0, err) != 0 ||
	    store_begin(sc->st, err) != 0)
		return -1;
	cJSON_ArrayForEach(row, rows) {
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(row, "table");
		const struct sync_table *t = cJSON_IsString(tn) ? sync_table_find(tn->valuestring) :
		    NULL;
		if (rc != 0)
			break;
		if (t == NULL) {
			rc = seterr(err, "the cloud's change feed names an unknown table");
			break;
		}
		rc = apply_row(sc, t, cJSON_GetObjectItemCaseSensitive(row, "record"), n, err);
	}
	if (rc == 0 && cJSON_IsObject(next)) {
		cursor = cJSON_PrintUnformatted(next);
		rc = sync_state_set(sc->st, key, cursor, err);
		free(cursor);
	}
	fault_point("pull-before-local-commit");
	if (rc == 0)
		rc = store_commit(sc->st, err);
	else
		store_rollback(sc->st);
	{
		char e2[ERRLEN];
		if (store_foreign_keys(sc->st, 1, e2) != 0 && rc == 0)
			rc = seterr(err, "%s", e2);
	}
	return rc;
}

/* Asks for the page after cursor (NULL: from the beginning). */
static void
request_page(struct sync_ctx *sc, struct inflight *f, const cJSON *cursor)
{
	cJSON *args = cJSON_CreateObject();
	char *body;

	if (cursor != NULL) {
		cJSON_AddItemToObject(args, "cursor_txid",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cursor, "txid"), 1));
		cJSON_AddItemToObject(args, "cursor_table",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cursor, "table"), 1));
		cJSON_AddItemToObject(args, "cursor_id",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cursor, "id"), 1));
	}
	cJSON_AddNumberToObject(args, "page_size", sc->page_rows);
	body = cJSON_PrintUnformatted(args);
	cJSON_Delete(args);
	strbuf_reset(&f->body);
	strbuf_adds(&f->body, body);
	free(body);
	inflight_submit(f, "/rest/v1/rpc/pull_changes");
}

/* The page in flight, parsed; NULL with err filled. */
static cJSON *
page_answer(struct inflight *f, char *err)
{
	struct cloud_response r;
	cJSON *answer = NULL;

	if (inflight_wait(f, &r, err) != 0)
		return NULL;
	if (r.status != 200)
		cloud_refused(&r, "the cloud refused a pull", err);
	else if ((answer = cJSON_ParseWithLength(r.body.buf, r.body.len)) == NULL ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(answer, "rows"))) {
		cJSON_Delete(answer);
		answer = NULL;
		seterr(err, "the cloud answered a pull with something unexpected");
	}
	cloud_response_free(&r);
	return answer;
}

/*
 * The next page is asked for as soon as a page arrives (its cursor is in the
 * answer), so the cloud reads page k+1 while the store applies page k.
 */
int
sync_pull(struct sync_ctx *sc, struct sync_counts *n, char *err)
{
	char *key = sync_cursor_key(sc), detail[64];
	cJSON *cursor = load_cursor(sc->st, key), *answer;
	struct inflight f;
	long rows_seen = 0;
	int rc, more = 1;

	if ((rc = inflight_start(&f, sc->cloud, err)) == 0)
		request_page(sc, &f, cursor);
	while (rc == 0 && more) {
		const cJSON *rows, *next;

		if ((answer = page_answer(&f, err)) == NULL) {
			rc = -1;
			break;
		}
		rows = cJSON_GetObjectItemCaseSensitive(answer, "rows");
		next = cJSON_GetObjectItemCaseSensitive(answer, "next_cursor");
		more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "more")) &&
		    cJSON_GetArraySize(rows) > 0 && cJSON_IsObject(next);
		if (more)
			request_page(sc, &f, next);
		if (cJSON_GetArraySize(rows) > 0) {
			rc = apply_page(sc, rows, next, key, n, err);
			rows_seen += cJSON_GetArraySize(rows);
		}
		cJSON_Delete(answer);
		if (sc->progress != NULL && rc == 0) {
			snprintf(detail, sizeof detail, "%ld rows", rows_seen);
			progress_update(sc->progress, "pull", more ? 0.5 : 1.0, detail, 0);
		}
	}
	inflight_stop(&f);
	if (sc->progress != NULL)
		progress_done(sc->progress);
	cJSON_Delete(cursor);
	free(key);
	if (rc == 0) {
		long downloaded;
		rc = visuals_download(sc, &downloaded, err);
	}
	return rc;
}
