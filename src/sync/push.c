/*
 * Push: every pending record goes up through the push_batch function, whole
 * commits (with their sessions, turns and visuals) per batch, batches bounded
 * by bytes, so another machine never pulls half a commit. Once the cloud has
 * acknowledged a batch, its rows turn synced in one local transaction, each
 * only if it did not change meanwhile. A crash in between only repeats an
 * idempotent push: the cloud counts a row it already has as unchanged.
 *
 * Each row carries its base_version, the cloud version last merged here: the
 * cloud applies it only if its row is still at that version (compare-and-
 * swap), so a push never overwrites an edit this machine has not seen. A
 * refused row comes back as stale; the push then pulls (merging it field by
 * field, recording any true conflict) and pushes again, a few rounds at most.
 *
 * Rows go up positionally, through push_rows (each table's column names once,
 * each row an array: half the cloud's JSON parse); a cloud without it (a
 * hosted project that lacks its migration) answers that the function does not
 * exist, and the push starts again through push_batch, rows as objects.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/db.h"
#include "store/synced-rows.h"
#include "sync/cloud.h"
#include "sync/e2e-account.h"
#include "sync/engine.h"
#include "sync/pull.h"
#include "sync/push.h"
#include "sync/inflight.h"
#include "sync/visuals.h"
#include "util/fault.h"
#include "util/json.h"
#include "util/log.h"
#include "util/progress.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* A row sent, to be marked synced once acknowledged, if still as sent. */
struct sent_row {
	int table;
	char *id;
	long long version;
	long long local_version;
	char *updated_at;
	cJSON *base;	/* commits only: the base for later three-way merges */
};

struct batch {
	struct strbuf rows[NTABLES];	/* "{...},{...}", or positional "[...],[...]" */
	int positional;
	struct sent_row *sent;
	size_t nsent, capsent;
	size_t bytes;
	long commits;
};

static void
batch_reset(struct batch *b)
{
	size_t i;

	for (i = 0; i < NTABLES; i++)
		strbuf_reset(&b->rows[i]);
	for (i = 0; i < b->nsent; i++) {
		free(b->sent[i].id);
		free(b->sent[i].updated_at);
		cJSON_Delete(b->sent[i].base);
	}
	b->nsent = 0;
	b->bytes = 0;
	b->commits = 0;
}

static void
batch_free(struct batch *b)
{
	int i;

	batch_reset(b);
	for (i = 0; i < NTABLES; i++)
		strbuf_free(&b->rows[i]);
	free(b->sent);
}

/* A commit as sent, as an object without the push's own base_version. */
static cJSON *
commit_base(const char *json, int positional)
{
	const struct sync_table *t = &sync_tables[T_COMMITS];
	cJSON *row = cJSON_Parse(json), *base;
	int i;

	if (!positional) {
		cJSON_DeleteItemFromObjectCaseSensitive(row, "base_version");
		return row;
	}
	/* The values in the order of synced_push_columns; base_version last, left out. */
	base = cJSON_CreateObject();
	for (i = 0; i < t->ncolumns && cJSON_GetArraySize(row) > 0; i++)
		cJSON_AddItemToObject(base, t->columns[i].name, cJSON_DetachItemFromArray(row, 0));
	cJSON_Delete(row);
	return base;
}

/* Appends a pending row to the batch (a synced_row_cb). */
static int
add_row(const struct sync_table *t, const struct pending_row *row, void *arg)
{
	struct batch *b = arg;
	int table = (int)(t - sync_tables);
	struct strbuf *sb = &b->rows[table];
	struct sent_row *r;

	if (sb->len > 0)
		strbuf_addc(sb, ',');
	strbuf_adds(sb, row->json);
	b->bytes += strlen(row->json) + 1;

	if (b->nsent == b->capsent) {
		b->capsent = b->capsent ? b->capsent * 2 : 256;
		b->sent = xrealloc(b->sent, b->capsent * sizeof *b->sent);
	}
	r = &b->sent[b->nsent++];
	r->table = table;
	r->id = xstrdup(row->id);
	r->version = row->version;
	r->local_version = row->local_version;
	r->updated_at = row->updated_at != NULL ? xstrdup(row->updated_at) : NULL;
	r->base = table == T_COMMITS ? commit_base(row->json, b->positional) : NULL;
	return 0;
}

/* The commit and its pending sessions, turns and visuals. */
static int
add_commit(struct store *st, struct batch *b, const char *id, char *err)
{
	static const int tables[] = { T_COMMITS, T_SESSIONS, T_TURNS, T_VISUALS };
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (synced_pending_rows(st, &sync_tables[tables[i]], id, b->positional, add_row, b,
		    err) != 0)
			return -1;
	}
	b->commits++;
	return 0;
}

/*
 * Is (table, id) in the answer's "stale" list with a different clock? A row
 * kept only because another machine's id won the final tie-break holds the
 * same version and time as ours: the cloud has our data, it is synced.
 */
static int
is_stale(const cJSON *stale, const struct sent_row *r)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, stale) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "table");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "version");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(e, "updated_at");
		if (cJSON_IsString(t) && cJSON_IsString(id) &&
		    strcmp(t->valuestring, sync_tables[r->table].name) == 0 &&
		    strcmp(id->valuestring, r->id) == 0)
			return !cJSON_IsNumber(v) || (long long)v->valuedouble != r->version ||
			    !cJSON_IsString(u) || r->updated_at == NULL ||
			    time_parse_iso_ms(u->valuestring) != time_parse_iso_ms(r->updated_at);
	}
	return 0;
}

static long
count_of(const cJSON *answer, const char *key, const char *table)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(answer, key), table);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

/* The acknowledged rows turn synced, each only if unchanged since it was read. */
static int
mark_synced(struct sync_ctx *sc, struct batch *b, const cJSON *stale, struct sync_counts *n,
    char *err)
{
	struct strbuf marks[NTABLES];	/* "[[id, version, updated_at, local_version], ...]" */
	char now[32];
	size_t i;
	int t, rc = 0;

	time_now_iso(now);
	memset(marks, 0, sizeof marks);	/* each STRBUF_INIT */
	if (store_begin(sc->st, err) != 0)
		return -1;
	for (i = 0; i < b->nsent && rc == 0; i++) {
		struct sent_row *r = &b->sent[i];
		struct strbuf *m = &marks[r->table];
		if (is_stale(stale, r)) {
			n->stale++;
			continue;
		}
		strbuf_adds(m, m->len == 0 ? "[[" : ",[");
		json_add_string(m, r->id);
		strbuf_addf(m, ",%lld,", r->version);
		if (r->updated_at != NULL)
			json_add_string(m, r->updated_at);
		else
			strbuf_adds(m, "null");
		strbuf_addf(m, ",%lld]", r->local_version);
		/* The base as the cloud now has it, opened: merges compare plain values. */
		if (r->base != NULL && sc->e2e != NULL)
			rc = e2e_unseal_record(sc->e2e, &sync_tables[T_COMMITS], r->base, err);
		if (r->base != NULL && rc == 0)
			rc = sync_base_write(sc->st, r->id, r->base, err);
	}
	for (t = 0; t < NTABLES; t++) {
		if (rc == 0 && marks[t].len > 0) {
			strbuf_addc(&marks[t], ']');
			rc = synced_mark_synced(sc->st, &sync_tables[t], marks[t].buf, now, err);
		}
		strbuf_free(&marks[t]);
	}
	fault_point("push-before-local-commit");
	if (rc == 0)
		return store_commit(sc->st, err);
	store_rollback(sc->st);
	return -1;
}

/*
 * Whether the cloud answered that push_rows does not exist: PostgREST's
 * PGRST202 (not in its schema cache), or PostgreSQL's own undefined_function.
 */
static int
lacks_function(const struct cloud_response *r)
{
	cJSON *j = r->status == 404 && r->body.len > 0 ?
	    cJSON_ParseWithLength(r->body.buf, r->body.len) : NULL;
	const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "code"));
	int lacks = code != NULL && (strcmp(code, "PGRST202") == 0 || strcmp(code, "42883") == 0);

	cJSON_Delete(j);
	return lacks;
}

/*
 * The answer to the batch in flight, parsed; NULL with err filled, and
 * *lacks set when the cloud has no push_rows.
 */
static cJSON *
batch_answer(struct inflight *f, int positional, int *lacks, char *err)
{
	struct cloud_response r;
	cJSON *answer = NULL;

	if (inflight_wait(f, &r, err) != 0)
		return NULL;
	if (r.status != 200 && positional && lacks_function(&r)) {
		*lacks = 1;
		seterr(err, "the cloud has no push_rows");
	} else if (r.status != 200) {
		if (e2e_push_refused(&r, err) == 0)
			cloud_refused(&r, "the cloud refused a push", err);
	} else if ((answer = cJSON_ParseWithLength(r.body.buf, r.body.len)) == NULL)
		seterr(err, "the cloud answered a push with something other than JSON");
	cloud_response_free(&r);
	if (answer != NULL)
		fault_point("push-after-send");
	return answer;
}

static void
batch_submit(struct sync_ctx *sc, struct inflight *f, struct batch *b)
{
	int t;

	strbuf_reset(&f->body);
	strbuf_adds(&f->body, "{\"payload\":{\"machine_id\":");
	json_add_string(&f->body, sc->machine_id);
	for (t = 0; t < NTABLES; t++) {
		if (b->rows[t].len == 0)
			continue;
		/* push_rows: {"columns": [names], "rows": [[values], ...]}; push_batch: [{...}, ...] */
		strbuf_addf(&f->body, ",\"%s\":", sync_tables[t].name);
		if (b->positional) {
			strbuf_adds(&f->body, "{\"columns\":");
			synced_push_columns(&sync_tables[t], &f->body);
			strbuf_adds(&f->body, ",\"rows\":");
		}
		strbuf_addc(&f->body, '[');
		strbuf_add(&f->body, b->rows[t].buf, b->rows[t].len);
		strbuf_adds(&f->body, b->positional ? "]}" : "]");
	}
	strbuf_adds(&f->body, "}}");
	fault_point("push-before-send");
	fault_pause("push-before-send");
	inflight_submit(f, b->positional ? "/rest/v1/rpc/push_rows" : "/rest/v1/rpc/push_batch");
}

/* The cloud took the batch: count, and mark its rows synced. */
static int
finish_batch(struct sync_ctx *sc, struct batch *b, cJSON *answer, struct sync_counts *n,
    char *err)
{
	int t, rc;

	for (t = 0; t < NTABLES; t++) {
		n->pushed[t] += count_of(answer, "applied", sync_tables[t].name);
		n->unchanged += count_of(answer, "unchanged", sync_tables[t].name);
	}
	rc = mark_synced(sc, b, cJSON_GetObjectItemCaseSensitive(answer, "stale"), n, err);
	cJSON_Delete(answer);
	batch_reset(b);
	return rc;
}

struct pipeline {
	struct inflight sender;
	struct batch bufs[2];
	int cur;		/* the batch being filled */
	int inflight;		/* the batch being sent, or -1 */
	int started;
	int answered;		/* batches the cloud took */
	int lacks_push_rows;	/* the first answer said the cloud has no push_rows */
	long long rows_sent;	/* rows in batches sent, for the progress bar */
	double bytes_sent;
};

/*
 * The answer to batch sent, which was in flight. That push_rows is missing
 * counts only for the first: once the cloud took one, the rows it took are
 * marked synced and the push cannot start again from the beginning.
 */
static cJSON *
pipeline_answer(struct pipeline *p, int sent, char *err)
{
	int lacks = 0;
	cJSON *answer = batch_answer(&p->sender, p->bufs[sent].positional, &lacks, err);

	if (answer != NULL)
		p->answered++;
	else if (lacks && p->answered == 0)
		p->lacks_push_rows = 1;
	return answer;
}

/* Sends the batch being filled (if any), then settles the one sent before it. */
static int
pipeline_flush(struct sync_ctx *sc, struct pipeline *p, struct sync_counts *n, char *err)
{
	struct batch *b = &p->bufs[p->cur];
	cJSON *answer = NULL;
	int prev = p->inflight;

	if (b->nsent == 0)
		return 0;
	if (prev >= 0 && (answer = pipeline_answer(p, prev, err)) == NULL)
		return -1;
	batch_submit(sc, &p->sender, b);
	p->rows_sent += (long long)b->nsent;
	p->bytes_sent += (double)p->sender.body.len;
	p->inflight = p->cur;
	p->cur ^= 1;
	if (prev >= 0)
		return finish_batch(sc, &p->bufs[prev], answer, n, err);
	return 0;
}

/* Waits for the last batch and settles it. */
static int
pipeline_drain(struct sync_ctx *sc, struct pipeline *p, struct sync_counts *n, char *err)
{
	cJSON *answer;
	int prev = p->inflight;

	if (prev < 0)
		return 0;
	p->inflight = -1;
	if ((answer = pipeline_answer(p, prev, err)) == NULL)
		return -1;
	return finish_batch(sc, &p->bufs[prev], answer, n, err);
}

static int
pipeline_start(struct sync_ctx *sc, struct pipeline *p, int positional, char *err)
{
	memset(p, 0, sizeof *p);
	p->inflight = -1;
	p->bufs[0].positional = p->bufs[1].positional = positional;
	if (inflight_start(&p->sender, sc->cloud, err) != 0)
		return -1;
	p->started = 1;
	return 0;
}

static void
pipeline_stop(struct pipeline *p)
{
	if (!p->started)
		return;
	inflight_stop(&p->sender);
	batch_free(&p->bufs[0]);
	batch_free(&p->bufs[1]);
}

/* Rows sent and being batched, on the terminal (force: the last word). */
static void
show_progress(struct sync_ctx *sc, const struct pipeline *p, long long total, int force)
{
	const struct batch *b = &p->bufs[p->cur];

	if (sc->progress != NULL)
		progress_rows(sc->progress, "push", p->rows_sent + (long long)b->nsent, total,
		    p->bytes_sent + (double)b->bytes, force);
}

/* The pending rows of every table (-1 if unknown). */
static long long
pending_total(struct sync_ctx *sc)
{
	char err[ERRLEN];
	long long total = 0, c;
	int t;

	for (t = 0; t < NTABLES; t++) {
		if ((c = synced_pending_count(sc->st, &sync_tables[t], err)) < 0)
			return -1;
		total += c;
	}
	return total;
}

/*
 * The cloud that answered that it has no push_rows (its URL), or NULL: later
 * pushes to it go straight to push_batch, until the process ends (a cloud
 * that gains the function meanwhile only pushes the slower way). Another
 * cloud (the browser logged in elsewhere) is asked again.
 */
static pthread_mutex_t lacking_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cloud_lacking_push_rows;

static int
lacks_push_rows(const struct cloud *c)
{
	int lacks;

	pthread_mutex_lock(&lacking_lock);
	lacks = cloud_lacking_push_rows != NULL &&
	    strcmp(cloud_lacking_push_rows, cloud_url(c)) == 0;
	pthread_mutex_unlock(&lacking_lock);
	return lacks;
}

static void
note_lacks_push_rows(const struct cloud *c)
{
	pthread_mutex_lock(&lacking_lock);
	free(cloud_lacking_push_rows);
	cloud_lacking_push_rows = xstrdup(cloud_url(c));
	pthread_mutex_unlock(&lacking_lock);
}

/*
 * The pending rows up once, through push_rows if positional; -1 with
 * *lacks set if the cloud answered the first batch that it has none. total:
 * the pending rows for a progress bar, counted here when -1.
 */
static int
push_rows_once(struct sync_ctx *sc, int positional, long long total,
    struct sync_counts *n, int *lacks, char *err)
{
	struct pipeline p;
	char **ids = NULL;
	size_t nids = 0, i;
	int rc = 0;

	/*
	 * The ids are read first, then each commit's rows: marking rows synced
	 * in between must not disturb an open cursor.
	 */
	if (synced_pending_commits(sc->st, &ids, &nids, err) != 0)
		return -1;
	if (sc->progress != NULL && total < 0 && (total = pending_total(sc)) < 0)
		total = 0;
	if (pipeline_start(sc, &p, positional, err) != 0) {
		synced_ids_free(ids, nids);
		return -1;
	}
	/* Projects first: commits name them. There are few. */
	rc = synced_pending_rows(sc->st, &sync_tables[T_PROJECTS], NULL, positional, add_row,
	    &p.bufs[p.cur], err);
	for (i = 0; i < nids && rc == 0; i++) {
		if (add_commit(sc->st, &p.bufs[p.cur], ids[i], err) != 0)
			rc = -1;
		else if (p.bufs[p.cur].bytes >= sc->batch_bytes)
			rc = pipeline_flush(sc, &p, n, err);
		show_progress(sc, &p, total, 0);
	}
	synced_ids_free(ids, nids);
	/* Conflict records last: after the commits they name, in the same batch or later. */
	if (rc == 0)
		rc = synced_pending_rows(sc->st, &sync_tables[T_CONFLICTS], NULL, positional,
		    add_row, &p.bufs[p.cur], err);
	if (rc == 0)
		rc = pipeline_flush(sc, &p, n, err);
	if (rc == 0)
		rc = pipeline_drain(sc, &p, n, err);
	if (rc == 0)
		show_progress(sc, &p, total, 1);
	*lacks = p.lacks_push_rows;
	pipeline_stop(&p);
	return rc;
}

/*
 * Every pending row up once; n->stale counts the rows the cloud refused.
 * The progress bar's clock is started by the caller; total as push_rows_once's.
 */
static int
push_round(struct sync_ctx *sc, long long total, struct sync_counts *n, char *err)
{
	long uploaded;
	int rc, lacks = 0;

	/* A bulk read and write of the store: import's larger page cache spares
	 * re-reading pages (about a tenth of a large push's CPU). */
	if (store_tune_for_import(sc->st, err) != 0)
		return -1;
	/* The bytes first: a row never names a screenshot the cloud lacks. */
	if (visuals_upload(sc, &uploaded, err) != 0)
		return -1;
	rc = push_rows_once(sc, !lacks_push_rows(sc->cloud), total, n, &lacks, err);
	if (rc != 0 && lacks) {
		/* Nothing was taken nor marked synced: all again, as objects. */
		log_debug("push: the cloud has no push_rows; pushing through push_batch");
		note_lacks_push_rows(sc->cloud);
		rc = push_rows_once(sc, 0, total, n, &lacks, err);
	}
	if (sc->progress != NULL)
		progress_done(sc->progress);
	return rc;
}

/*
 * Refused rows are pulled, merged and pushed again: each round settles what
 * the one before was refused, unless another machine pushed the same rows
 * meanwhile (or the cloud still holds their change back from its feed), so a
 * few rounds end it; what remains stale is merged by the next sync.
 */
#define PUSH_ROUNDS 3

int
sync_push(struct sync_ctx *sc, struct sync_counts *n, char *err)
{
	int round, rc = 0;
	/* Counted through the tables' indexes; the first round's progress bar shows it. */
	long long pending = pending_total(sc);

	/* Nothing pending, nothing to do. */
	if (pending == 0)
		return 0;
	/* The key check's request counts in the second a bar waits for. */
	if (sc->progress != NULL)
		progress_start(sc->progress, PROGRESS_AFTER_MS);
	/* Plain text must not go up into an end-to-end encrypted account. */
	if (sc->e2e == NULL && e2e_gate_plain(sc, err) != 0)
		return -1;
	for (round = 1; rc == 0; round++) {
		n->stale = 0;
		if (round > 1 && sc->progress != NULL)
			progress_start(sc->progress, PROGRESS_AFTER_MS);
		/* A later round pushes what was refused: counted again. */
		rc = push_round(sc, round == 1 ? pending : -1, n, err);
		if (rc != 0 || n->stale == 0 || round == PUSH_ROUNDS)
			break;
		log_debug("push: %ld row%s changed in the cloud since last merged here:"
		    " pulling them", n->stale, n->stale == 1 ? "" : "s");
		rc = sync_pull(sc, n, err);
	}
	return rc;
}
