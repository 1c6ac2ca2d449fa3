/*
 * Push: every pending record goes up through the push_batch function, whole
 * commits (with their sessions, turns and visuals) per batch, batches bounded
 * by bytes, so another machine never pulls half a commit. Once the cloud has
 * acknowledged a batch, its rows turn synced in one local transaction, each
 * only if it did not change meanwhile. A crash in between only repeats an
 * idempotent push: the cloud's last-write-wins trigger ignores a row it
 * already has.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/db.h"
#include "sync/cloud.h"
#include "sync/engine.h"
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
	char *json;	/* commits only: the base for later three-way merges */
};

struct batch {
	struct strbuf rows[NTABLES];	/* "{...},{...}" */
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
		free(b->sent[i].json);
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

/* Appends every row stmt yields (the table's columns, in order) to the batch. */
static int
add_rows(struct batch *b, int table, sqlite3_stmt *stmt, char *err)
{
	const struct sync_table *t = &sync_tables[table];
	struct strbuf *sb = &b->rows[table];
	int rc, i;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct sent_row *r;
		cJSON *row = cJSON_CreateObject();
		size_t start;

		for (i = 0; i < t->ncolumns; i++)
			cJSON_AddItemToObject(row, t->columns[i].name,
			    sync_column_to_json(&t->columns[i], stmt, i));
		if (sb->len > 0)
			strbuf_addc(sb, ',');
		start = sb->len;
		json_add(sb, row);
		cJSON_Delete(row);
		b->bytes += sb->len - start + 1;

		if (b->nsent == b->capsent) {
			b->capsent = b->capsent ? b->capsent * 2 : 256;
			b->sent = xrealloc(b->sent, b->capsent * sizeof *b->sent);
		}
		r = &b->sent[b->nsent++];
		r->table = table;
		r->id = xstrdup((const char *)sqlite3_column_text(stmt, 0));
		/* version, updated_at: the clock columns follow the table's own. */
		r->version = sqlite3_column_int64(stmt, t->ncolumns - 3);
		r->local_version = sqlite3_column_int64(stmt, t->ncolumns);
		r->updated_at = sqlite3_column_type(stmt, t->ncolumns - 2) == SQLITE_NULL ? NULL :
		    xstrdup((const char *)sqlite3_column_text(stmt, t->ncolumns - 2));
		r->json = table == T_COMMITS ? xstrndup(sb->buf + start, sb->len - start) : NULL;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return seterr(err, "reading pending %s: %s", t->name,
		    sqlite3_errmsg(sqlite3_db_handle(stmt)));
	return 0;
}

static char *
select_sql(int table, const char *alias, const char *where)
{
	const struct sync_table *t = &sync_tables[table];
	struct strbuf sb = STRBUF_INIT;
	int i;

	strbuf_adds(&sb, "SELECT ");
	for (i = 0; i < t->ncolumns; i++)
		strbuf_addf(&sb, "%s%s.\"%s\"", i ? ", " : "", alias, t->columns[i].name);
	/* local_version last: it tells whether the row changed while being pushed. */
	strbuf_addf(&sb, ", %s.local_version FROM %s %s %s", alias, t->name, alias, where);
	return strbuf_detach(&sb);
}

struct pending_stmts {
	sqlite3_stmt *commit, *sessions, *turns, *visuals;
};

static int
prepare_pending(struct store *st, struct pending_stmts *ps, char *err)
{
	char *sql[4];
	int i, rc = 0;

	/* "+": through the commit's index, never the sync_status one (most rows are synced). */
	sql[0] = select_sql(T_COMMITS, "c", "WHERE c.id = ?1");
	sql[1] = select_sql(T_SESSIONS, "s", "WHERE s.commit_id = ?1 AND +s.sync_status = 'pending'");
	sql[2] = select_sql(T_TURNS, "t", "JOIN sessions s ON s.id = t.session_id"
	    " WHERE s.commit_id = ?1 AND t.sync_status = 'pending'");
	sql[3] = select_sql(T_VISUALS, "v", "WHERE v.commit_id = ?1 AND +v.sync_status = 'pending'");
	memset(ps, 0, sizeof *ps);
	if ((ps->commit = store_prepare(st, sql[0], err)) == NULL ||
	    (ps->sessions = store_prepare(st, sql[1], err)) == NULL ||
	    (ps->turns = store_prepare(st, sql[2], err)) == NULL ||
	    (ps->visuals = store_prepare(st, sql[3], err)) == NULL)
		rc = -1;
	for (i = 0; i < 4; i++)
		free(sql[i]);
	return rc;
}

static void
finalize_pending(struct pending_stmts *ps)
{
	sqlite3_finalize(ps->commit);
	sqlite3_finalize(ps->sessions);
	sqlite3_finalize(ps->turns);
	sqlite3_finalize(ps->visuals);
}

static int
add_commit(struct batch *b, struct pending_stmts *ps, const char *id, char *err)
{
	sqlite3_stmt *s[4] = { ps->commit, ps->sessions, ps->turns, ps->visuals };
	int tables[4] = { T_COMMITS, T_SESSIONS, T_TURNS, T_VISUALS }, i;

	for (i = 0; i < 4; i++) {
		sqlite3_bind_text(s[i], 1, id, -1, SQLITE_STATIC);
		if (add_rows(b, tables[i], s[i], err) != 0)
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
	sqlite3_stmt *upd[NTABLES] = { 0 }, *base = NULL;
	char now[32];
	size_t i;
	int t, rc = 0;

	time_now_iso(now);
	if (store_begin(sc->st, err) != 0)
		return -1;
	for (t = 0; t < NTABLES && rc == 0; t++) {
		char *sql = xprintf("UPDATE %s SET sync_status = 'synced', cloud_version = version,"
		    " last_synced_at = ?4 WHERE id = ?1 AND version = ?2 AND updated_at IS ?3"
		    " AND local_version = ?5 AND sync_status = 'pending'", sync_tables[t].name);
		if ((upd[t] = store_prepare(sc->st, sql, err)) == NULL)
			rc = -1;
		free(sql);
	}
	if (rc == 0 && (base = store_prepare(sc->st, "INSERT OR REPLACE INTO sync_base"
	    " (table_name, record_id, row) VALUES ('cognitive_commits', ?1, ?2)", err)) == NULL)
		rc = -1;
	for (i = 0; i < b->nsent && rc == 0; i++) {
		struct sent_row *r = &b->sent[i];
		sqlite3_stmt *u = upd[r->table];
		if (is_stale(stale, r)) {
			n->stale++;
			continue;
		}
		sqlite3_bind_text(u, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u, 2, r->version);
		sqlite3_bind_text(u, 3, r->updated_at, -1, SQLITE_STATIC);
		sqlite3_bind_text(u, 4, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(u, 5, r->local_version);
		if (sqlite3_step(u) != SQLITE_DONE)
			rc = seterr(err, "marking rows synced: %s", sqlite3_errmsg(sc->st->db));
		sqlite3_reset(u);
		if (rc == 0 && r->json != NULL) {
			sqlite3_bind_text(base, 1, r->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(base, 2, r->json, -1, SQLITE_STATIC);
			if (sqlite3_step(base) != SQLITE_DONE)
				rc = seterr(err, "saving the sync base: %s", sqlite3_errmsg(sc->st->db));
			sqlite3_reset(base);
		}
	}
	for (t = 0; t < NTABLES; t++)
		sqlite3_finalize(upd[t]);
	sqlite3_finalize(base);
	fault_point("push-before-local-commit");
	if (rc == 0)
		return store_commit(sc->st, err);
	store_rollback(sc->st);
	return -1;
}

/* The answer to the batch in flight, parsed; NULL with err filled. */
static cJSON *
batch_answer(struct inflight *f, char *err)
{
	struct cloud_response r;
	cJSON *answer = NULL;

	if (inflight_wait(f, &r, err) != 0)
		return NULL;
	if (r.status != 200)
		cloud_refused(&r, "the cloud refused a push", err);
	else if ((answer = cJSON_ParseWithLength(r.body.buf, r.body.len)) == NULL)
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
		strbuf_addf(&f->body, ",\"%s\":[", sync_tables[t].name);
		strbuf_add(&f->body, b->rows[t].buf, b->rows[t].len);
		strbuf_addc(&f->body, ']');
	}
	strbuf_adds(&f->body, "}}");
	fault_point("push-before-send");
	inflight_submit(f, "/rest/v1/rpc/push_batch");
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
};

/* Sends the batch being filled (if any), then settles the one sent before it. */
static int
pipeline_flush(struct sync_ctx *sc, struct pipeline *p, struct sync_counts *n, char *err)
{
	struct batch *b = &p->bufs[p->cur];
	cJSON *answer = NULL;
	int prev = p->inflight;

	if (b->nsent == 0)
		return 0;
	if (prev >= 0 && (answer = batch_answer(&p->sender, err)) == NULL)
		return -1;
	batch_submit(sc, &p->sender, b);
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
	if ((answer = batch_answer(&p->sender, err)) == NULL)
		return -1;
	return finish_batch(sc, &p->bufs[prev], answer, n, err);
}

static int
pipeline_start(struct sync_ctx *sc, struct pipeline *p, char *err)
{
	memset(p, 0, sizeof *p);
	p->inflight = -1;
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

int
sync_push(struct sync_ctx *sc, struct sync_counts *n, char *err)
{
	struct pending_stmts ps;
	struct pipeline p;
	sqlite3_stmt *projects = NULL, *commits = NULL;
	long long total = 0, done = 0;
	char *sql, detail[64];
	int rc = 0, step;

	long uploaded;

	/* The bytes first: a row never names a screenshot the cloud lacks. */
	if (visuals_upload(sc, &uploaded, err) != 0)
		return -1;
	if (store_query_int(sc->st, &total, "SELECT count(*) FROM cognitive_commits"
	    " WHERE sync_status = 'pending'", err) != 0)
		return -1;
	if (prepare_pending(sc->st, &ps, err) != 0) {
		finalize_pending(&ps);
		return -1;
	}
	if (pipeline_start(sc, &p, err) != 0) {
		finalize_pending(&ps);
		return -1;
	}
	/* Projects first: commits name them. There are few. */
	sql = select_sql(T_PROJECTS, "p", "WHERE p.sync_status = 'pending'");
	projects = store_prepare(sc->st, sql, err);
	free(sql);
	if (projects == NULL || add_rows(&p.bufs[p.cur], T_PROJECTS, projects, err) != 0)
		rc = -1;
	if (rc == 0 && (commits = store_prepare(sc->st, "SELECT id FROM cognitive_commits"
	    " WHERE sync_status = 'pending' ORDER BY started_at, id", err)) == NULL)
		rc = -1;
	/*
	 * The ids are read first, then each commit's rows: marking rows synced
	 * in between must not disturb an open cursor.
	 */
	if (rc == 0) {
		char **ids = NULL;
		size_t nids = 0, cap = 0, i;
		while ((step = sqlite3_step(commits)) == SQLITE_ROW) {
			if (nids == cap) {
				cap = cap ? cap * 2 : 256;
				ids = xrealloc(ids, cap * sizeof *ids);
			}
			ids[nids++] = xstrdup((const char *)sqlite3_column_text(commits, 0));
		}
		if (step != SQLITE_DONE)
			rc = seterr(err, "reading pending commits: %s", sqlite3_errmsg(sc->st->db));
		sqlite3_finalize(commits);
		commits = NULL;
		for (i = 0; i < nids && rc == 0; i++) {
			if (add_commit(&p.bufs[p.cur], &ps, ids[i], err) != 0)
				rc = -1;
			else if (p.bufs[p.cur].bytes >= sc->batch_bytes)
				rc = pipeline_flush(sc, &p, n, err);
			done++;
			if (sc->progress != NULL && total > 0) {
				snprintf(detail, sizeof detail, "%lld/%lld commits", done, total);
				progress_update(sc->progress, "push", (double)done / (double)total,
				    detail, 0);
			}
		}
		for (i = 0; i < nids; i++)
			free(ids[i]);
		free(ids);
	}
	if (rc == 0)
		rc = pipeline_flush(sc, &p, n, err);
	if (rc == 0)
		rc = pipeline_drain(sc, &p, n, err);
	pipeline_stop(&p);
	if (sc->progress != NULL)
		progress_done(sc->progress);
	sqlite3_finalize(projects);
	sqlite3_finalize(commits);
	finalize_pending(&ps);
	return rc;
}
