/*
 * Pull: pages of the cloud's change feed (pull_changes) since the saved
 * cursor, each page applied together with the new cursor in one local
 * transaction, so a crash repeats at most one page, harmlessly. The feed never
 * hands out a row before every older transaction has ended, so the cursor
 * cannot pass a row that commits late.
 *
 * Purges: the cloud drops tombstones 30 days old (by its clock) and raises
 * the user's purge watermark to the newest feed position it dropped. A
 * machine whose cursor is not past the watermark may never have pulled one of
 * those deletes, and the feed can no longer show it: it pulls everything again
 * and drops what the cloud no longer has (store/resync.h), or its next edit
 * of such a row would bring it back everywhere. The re-pull's watermark is
 * kept ("pull_resync ..." while it runs, "pull_purge ..." once done), so an
 * interrupted one resumes and a finished one is not repeated.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/resync.h"
#include "store/search.h"
#include "store/sync-state.h"
#include "store/turn-stats.h"
#include "sync/cloud.h"
#include "sync/engine.h"
#include "sync/pull.h"
#include "sync/pull-page.h"
#include "sync/inflight.h"
#include "util/arena.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/xmalloc.h"

/* The sync_state key of what, for this login's cloud and user. */
static char *
state_key_of(const struct auth_session *a, const char *what)
{
	return xprintf("%s %s %s", what, a->url, a->user_id);
}

static char *
state_key(const struct sync_ctx *sc, const char *what)
{
	return state_key_of(&sc->auth, what);
}

char *
sync_cursor_key(const struct sync_ctx *sc)
{
	return state_key(sc, "pull_cursor");
}

char *
sync_cursor_key_of(const struct auth_session *a)
{
	return state_key_of(a, "pull_cursor");
}

static cJSON *
load_cursor(struct store *st, const char *key)
{
	char *v = sync_state_get(st, key);
	cJSON *c = v != NULL ? cJSON_Parse(v) : NULL;

	free(v);
	return c;
}

/* The ids of a page's rows, for resync_seen. */
static int
note_seen(struct store *st, const cJSON *rows, char *err)
{
	int n = 0, rc;
	const char **ids = xcalloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof *ids);
	const cJSON *row;

	cJSON_ArrayForEach(row, rows) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(row, "record"), "id");
		if (cJSON_IsString(id))
			ids[n++] = id->valuestring;
	}
	rc = resync_seen(st, ids, n, err);
	free(ids);
	return rc;
}

/* resyncing: a full re-pull is under way; the page's ids are noted. */
static int
apply_page(struct sync_ctx *sc, cJSON *rows, const cJSON *next, const char *key,
    int resyncing, struct sync_counts *n, char *err)
{
	char *cursor;
	int rc;

	/* Foreign keys are off (sync_pull). */
	if (store_begin(sc->st, err) != 0)
		return -1;
	/*
	 * The page's new turns are left for the next search to index, as an
	 * import's are (store/search.h): a turn's trigger tokenizing it was a
	 * large share of a pull's writes. Updates and deletes of turns indexed
	 * before keep the index right by their triggers.
	 */
	rc = search_batch_open(sc->st, err);
	if (rc == 0)
		rc = pull_apply_rows(sc, rows, 1, n, err);
	if (rc == 0 && resyncing)
		rc = note_seen(sc->st, rows, err);
	if (rc == 0 && cJSON_IsObject(next)) {
		cursor = cJSON_PrintUnformatted(next);
		rc = sync_state_set(sc->st, key, cursor, err);
		free(cursor);
	}
	fault_point("pull-before-local-commit");
	if (rc == 0)
		rc = turn_stats_count_prompts(sc->st, err);
	if (rc == 0)
		rc = store_commit(sc->st, err);
	else
		store_rollback(sc->st);
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

/*
 * The page in flight, parsed into the arena pages (its size added to *bytes);
 * NULL with err filled. A page is a tree of some 100,000 nodes dropped as a
 * whole once applied: from an arena, not a malloc and a free each (about a
 * fifth of a large pull's client instructions). Every tree made from it while
 * it is applied (rows_from_cloud, merges) is the heap's, as before.
 */
static cJSON *
page_answer(struct inflight *f, struct arena *pages, double *bytes, char *err)
{
	struct cloud_response r;
	struct arena *prev;
	cJSON *answer = NULL;

	if (inflight_wait(f, &r, err) != 0)
		return NULL;
	*bytes += (double)r.body.len;
	arena_reset(pages);
	if (r.status != 200)
		cloud_refused(&r, "the cloud refused a pull", err);
	else {
		prev = arena_use(pages);
		answer = cJSON_ParseWithLength(r.body.buf, r.body.len);
		arena_use(prev);
		if (answer == NULL || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(answer, "rows"))) {
			answer = NULL;
			seterr(err, "the cloud answered a pull with something unexpected");
		}
	}
	cloud_response_free(&r);
	return answer;
}

/* A feed position's txid, a decimal string, as a number (0 when there is none). */
static uint64_t
txid_of(const char *s)
{
	return s != NULL ? strtoull(s, NULL, 10) : 0;
}

/*
 * Whether the machine may have missed a purged delete: its cursor is not past
 * the watermark wm (a page can end inside one transaction, so "at" counts),
 * and no re-pull has dealt with wm yet.
 */
static int
missed_purge(const cJSON *cursor, const char *wm, const char *done)
{
	const cJSON *txid = cJSON_GetObjectItemCaseSensitive(cursor, "txid");

	return cursor != NULL && wm != NULL && (done == NULL || strcmp(done, wm) != 0) &&
	    cJSON_IsString(txid) && txid_of(txid->valuestring) <= txid_of(wm);
}

/* The keys of a pull's state in sync_state, for this session's cloud and user. */
struct pull_keys {
	char *cursor;	/* the feed position reached */
	char *resync;	/* the watermark of a re-pull under way */
	char *done;	/* the watermark the last re-pull (or the first pull) dealt with */
};

/* One transaction: the store's state steps ahead of a re-pull, or after it. */
static int
resync_step(struct sync_ctx *sc, const struct pull_keys *k, const char *wm, int finish,
    char *err)
{
	long dropped;
	int rc;

	if (store_begin(sc->st, err) != 0)
		return -1;
	if (finish) {
		rc = resync_sweep(sc->st, &dropped, err);
		if (rc == 0)
			rc = sync_state_set(sc->st, k->done, wm, err);
		if (rc == 0)
			rc = sync_state_set(sc->st, k->resync, NULL, err);
		if (rc == 0 && dropped > 0)
			log_debug("pull: %ld commit%s purged in the cloud dropped here", dropped,
			    dropped == 1 ? "" : "s");
	} else {
		rc = resync_reset(sc->st, err);
		if (rc == 0)
			rc = sync_state_set(sc->st, k->cursor, NULL, err);
		if (rc == 0)
			rc = sync_state_set(sc->st, k->resync, wm, err);
	}
	if (rc == 0)
		return store_commit(sc->st, err);
	store_rollback(sc->st);
	return -1;
}

/*
 * The next page is asked for as soon as a page arrives (its cursor is in the
 * answer), so the cloud reads page k+1 while the store applies page k.
 */
int
sync_pull(struct sync_ctx *sc, struct sync_counts *n, char *err)
{
	struct pull_keys k = { sync_cursor_key(sc), state_key(sc, "pull_resync"),
	    state_key(sc, "pull_purge") };
	cJSON *cursor = load_cursor(sc->st, k.cursor), *answer;
	char *resync = sync_state_get(sc->st, k.resync);
	char *done = sync_state_get(sc->st, k.done), *wm = NULL;
	struct inflight f = { 0 };
	struct arena *pages = arena_new();
	long rows_seen = 0;
	double bytes = 0;
	int rc, more = 1, first = 1, held = 0, fresh = cursor == NULL && resync == NULL;

	if (sc->progress != NULL)
		progress_start(sc->progress, PROGRESS_AFTER_MS);
	/*
	 * A bulk write of the store, as import's: the statement journal of each
	 * turn's triggers in memory, not a temporary file written a page at a
	 * time (a fifth of a large pull's CPU), and the larger page cache.
	 */
	rc = store_tune_for_import(sc->st, err);
	/*
	 * A child can come before its parent, even pages before it (the parent was
	 * rewritten later and moved on in the feed). The cloud's own foreign keys
	 * guarantee the parent follows, so local ones are off while the pages go
	 * in, and on again before the re-pull's sweep (its deletes cascade). Once
	 * for all the pages: the pragma (only taken outside a transaction) expires
	 * every prepared statement, and turned off and on around each page it had
	 * each page's writes compiled again (14% of a large pull's instructions).
	 */
	if (rc == 0)
		rc = store_foreign_keys(sc->st, 0, err);
	/*
	 * Nor the CHECKs: SQLite (3.40) builds a temporary table for the IN list
	 * of each check of each row, a tenth of a large pull's instructions. The
	 * checked columns a cloud row fills are checked as the page is read
	 * (pull-page.c); the others hold this code's constants.
	 */
	if (rc == 0)
		rc = store_check_constraints(sc->st, 0, err);
	if (rc == 0 && (rc = inflight_start(&f, sc->cloud, err)) == 0)
		request_page(sc, &f, cursor);
	while (rc == 0 && more) {
		cJSON *rows;
		const cJSON *next, *w;

		if ((answer = page_answer(&f, pages, &bytes, err)) == NULL) {
			rc = -1;
			break;
		}
		if (first) {
			first = 0;
			w = cJSON_GetObjectItemCaseSensitive(answer, "purge_watermark");
			wm = cJSON_IsString(w) ? xstrdup(w->valuestring) : NULL;
			if (resync == NULL && missed_purge(cursor, wm, done)) {
				/* Start again from the beginning, noting what comes. */
				rc = resync_step(sc, &k, wm, 0, err);
				resync = xstrdup(wm);
				if (rc == 0)
					request_page(sc, &f, NULL);
				continue;
			}
		}
		rows = cJSON_GetObjectItemCaseSensitive(answer, "rows");
		next = cJSON_GetObjectItemCaseSensitive(answer, "next_cursor");
		more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "more")) &&
		    cJSON_GetArraySize(rows) > 0 && cJSON_IsObject(next);
		held = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "held_back"));
		if (more)
			request_page(sc, &f, next);
		if (cJSON_GetArraySize(rows) > 0) {
			rc = apply_page(sc, rows, next, k.cursor, resync != NULL, n, err);
			rows_seen += cJSON_GetArraySize(rows);
		}
		if (sc->progress != NULL && rc == 0)
			progress_rows(sc->progress, "pull", rows_seen, 0, bytes, !more);
	}
	inflight_stop(&f);
	arena_free(pages);
	{
		char e2[ERRLEN];
		if (store_foreign_keys(sc->st, 1, e2) != 0 && rc == 0)
			rc = seterr(err, "%s", e2);
		if (store_check_constraints(sc->st, 1, e2) != 0 && rc == 0)
			rc = seterr(err, "%s", e2);
	}
	if (sc->progress != NULL)
		progress_done(sc->progress);
	/*
	 * A re-pull ends only when nothing was held back: a row rewritten by a
	 * transaction still waiting for an older one was in neither place the
	 * feed shows, yet it is not gone. The next pull finishes the job.
	 */
	n->held_back = rc == 0 && held;
	if (rc == 0 && resync != NULL && !held)
		rc = resync_step(sc, &k, resync, 1, err);
	else if (rc == 0 && fresh && wm != NULL)
		rc = sync_state_set(sc->st, k.done, wm, err);
	cJSON_Delete(cursor);
	free(k.cursor);
	free(k.resync);
	free(k.done);
	free(resync);
	free(done);
	free(wm);
	return rc;
}
