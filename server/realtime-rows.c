#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>
#include <libwebsockets.h>

#include "db.h"
#include "realtime-rows.h"
#include "server.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

struct rows_worker {
	struct rt_rows *r;
	pthread_t thread;
	int started;
	PGcancel *cancel;	/* while a read runs, under r->lock: stopping cancels it */
};

struct rt_rows {
	char *db;
	void (*wake)(void *);
	void *wake_arg;
	struct db_backoff backoff;
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct rt_fetch *head, *tail;	/* queued */
	struct rt_fetch *done, *done_tail;
	int stop;
	struct rows_worker *w;
	int nw;
};

struct rt_msg *
rt_msg_new(const char *s, size_t n)
{
	struct rt_msg *m = xmalloc(sizeof *m + LWS_PRE + n);

	m->next = NULL;
	m->len = n;
	memcpy(m->data + LWS_PRE, s, n);
	return m;
}

void
rt_fetch_free(struct rt_fetch *f)
{
	struct rt_msg *m;
	int i;

	if (f == NULL)
		return;
	free(f->schema);
	free(f->table);
	free(f->type);
	free(f->user_id);
	free(f->commit_timestamp);
	free(f->ids);
	free(f->role);
	free(f->claims);
	for (i = 0; i < f->nb; i++) {
		rt_filter_free(&f->b[i].f);
		free(f->b[i].schema);
		free(f->b[i].table);
	}
	free(f->error);
	if (f->join != NULL)
		f->join_free(f->join);
	free(f->join_ref);
	free(f->topic_json);
	while ((m = f->out) != NULL) {
		f->out = m->next;
		free(m);
	}
	while ((m = f->after) != NULL) {
		f->after = m->next;
		free(m);
	}
	free(f);
}

/* ---------------------------------------------------------------- frames */

static void
add_string_or_null(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* A JSON value's column type for realtime-js, which converts by it. */
static const char *
json_type(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return "float8";
	if (cJSON_IsBool(v))
		return "bool";
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return "jsonb";
	return "text";
}

char *
rt_row_data(const char *schema, const char *table, const char *commit_timestamp,
    const char *type, const char *id, const char *user_id, cJSON *full)
{
	cJSON *d = cJSON_CreateObject(), *key = cJSON_CreateObject(), *cols, *col;
	const cJSON *v;
	char *s;

	cJSON_AddStringToObject(d, "schema", schema);
	cJSON_AddStringToObject(d, "table", table);
	add_string_or_null(d, "commit_timestamp", commit_timestamp);
	cJSON_AddStringToObject(d, "type", type);
	cols = cJSON_AddArrayToObject(d, "columns");
	cJSON_ArrayForEach(v, full) {
		col = cJSON_CreateObject();
		cJSON_AddStringToObject(col, "name", v->string);
		cJSON_AddStringToObject(col, "type", json_type(v));
		cJSON_AddItemToArray(cols, col);
	}
	if (strcmp(type, "INSERT") != 0) {
		add_string_or_null(key, "id", id);
		cJSON_AddStringToObject(key, "user_id", user_id);
	}
	cJSON_AddItemToObject(d, "record", full != NULL ? full : cJSON_CreateObject());
	cJSON_AddItemToObject(d, "old_record", key);
	cJSON_AddNullToObject(d, "errors");
	if ((s = cJSON_PrintUnformatted(d)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(d);
	return s;
}

char *
rt_change_frame(int v2, const char *join_ref, const char *topic_json, const uint32_t *ids,
    int nids, const char *data)
{
	struct strbuf sb = STRBUF_INIT;
	int j;

	if (v2)
		strbuf_addf(&sb, "[%s,null,%s,\"postgres_changes\",{\"ids\":[", join_ref, topic_json);
	else
		strbuf_addf(&sb, "{\"topic\":%s,\"event\":\"postgres_changes\",\"payload\":{\"ids\":[",
		    topic_json);
	for (j = 0; j < nids; j++)
		strbuf_addf(&sb, "%s%u", j > 0 ? "," : "", (unsigned)ids[j]);
	strbuf_addf(&sb, v2 ? "],\"data\":%s}]" : "],\"data\":%s},\"ref\":null}", data);
	return strbuf_detach(&sb);
}

/* ---------------------------------------------------------------- reading */

static void
fetch_add_frame(struct rt_fetch *f, char *s)
{
	struct rt_msg *m = rt_msg_new(s, strlen(s));

	if (f->out_tail != NULL)
		f->out_tail->next = m;
	else
		f->out = m;
	f->out_tail = m;
	f->out_bytes += m->len;
	free(s);
}

/*
 * The statement: the chunk's rows in the trigger's order, each with whether
 * it passes each binding's filter (a filter that cannot be evaluated on a
 * row, a NULL, counts as not passing). Every value is bound.
 */
static char *
fetch_sql(PGconn *pg, const struct rt_fetch *f, const char **params, int *np)
{
	struct strbuf sb = STRBUF_INIT;
	char *qs, *qt;
	int k;

	if ((qs = PQescapeIdentifier(pg, f->schema, strlen(f->schema))) == NULL)
		return NULL;
	if ((qt = PQescapeIdentifier(pg, f->table, strlen(f->table))) == NULL) {
		PQfreemem(qs);
		return NULL;
	}
	params[0] = f->ids;
	params[1] = f->user_id;
	*np = 2;
	strbuf_adds(&sb, "SELECT pg_catalog.to_jsonb(t)::text");
	for (k = 0; k < f->nb; k++) {
		if (!f->b[k].filtered) {
			strbuf_adds(&sb, ", true");
			continue;
		}
		params[(*np)++] = f->b[k].f.param;
		strbuf_adds(&sb, ", coalesce(");
		rt_filter_sql(&f->b[k].f, *np, &sb);
		strbuf_adds(&sb, ", false)");
	}
	strbuf_addf(&sb, " FROM pg_catalog.unnest($1::pg_catalog.uuid[]) WITH ORDINALITY AS k(id, n)"
	    " JOIN %s.%s t ON t.id = k.id WHERE t.user_id = $2 ORDER BY k.n", qs, qt);
	PQfreemem(qs);
	PQfreemem(qt);
	return strbuf_detach(&sb);
}

/* Turns each row of res into a frame for the bindings whose filter it passes. */
static void
fetch_frames(struct rt_fetch *f, PGresult *res)
{
	uint32_t ids[RT_MAX_BINDINGS];
	int i, k, nids;
	cJSON *row;
	const cJSON *id;
	char *data;

	for (i = 0; i < PQntuples(res); i++) {
		for (k = nids = 0; k < f->nb; k++) {
			if (strcmp(PQgetvalue(res, i, k + 1), "t") == 0)
				ids[nids++] = f->b[k].id;
		}
		if (nids == 0 || (row = cJSON_Parse(PQgetvalue(res, i, 0))) == NULL)
			continue;
		id = cJSON_GetObjectItemCaseSensitive(row, "id");
		data = rt_row_data(f->schema, f->table, f->commit_timestamp, f->type,
		    cJSON_IsString(id) ? id->valuestring : NULL, f->user_id, row);
		fetch_add_frame(f, rt_change_frame(f->v2, f->join_ref, f->topic_json, ids, nids,
		    data));
		cJSON_free(data);
	}
}

/* A check: the first binding whose filter PostgreSQL refuses sets f->error. */
static void
check_run(PGconn *pg, struct rt_fetch *f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *params[1];
	char err[ERRLEN], *qs, *qt;
	int k, rc;

	for (k = 0; k < f->nb && f->error == NULL; k++) {
		if (db_begin(pg, err) != 0) {
			f->error = xprintf("cannot check the filter: %.200s", err);
			break;
		}
		qs = PQescapeIdentifier(pg, f->b[k].schema, strlen(f->b[k].schema));
		qt = qs != NULL ? PQescapeIdentifier(pg, f->b[k].table, strlen(f->b[k].table)) : NULL;
		if (qt != NULL) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "SELECT 1 FROM %s.%s t WHERE ", qs, qt);
			rt_filter_sql(&f->b[k].f, 1, &sb);
			strbuf_adds(&sb, " LIMIT 0");
			params[0] = f->b[k].f.param;
			if ((rc = db_run(pg, sb.buf, 1, params, NULL, err)) != 0)
				f->error = xprintf("Error parsing `filter` params: %.200s", err);
		} else
			f->error = xstrdup("cannot check the filter: out of memory");
		db_rollback(pg);
		PQfreemem(qs);
		PQfreemem(qt);
	}
	strbuf_free(&sb);
}

static void
fetch_run(struct rows_worker *w, PGconn *pg, struct rt_fetch *f)
{
	const char *params[2 + RT_MAX_BINDINGS];
	char err[ERRLEN], *sql = NULL;
	PGresult *res = NULL;
	int np = 0;

	if (db_ready(pg, &w->r->backoff, err) != 0) {
		if (f->check)
			f->error = xprintf("cannot check the filter: %.200s", err);
		else
			log_warn("realtime: cannot read changed rows: %s", err);
		return;
	}
	if (!f->check && (sql = fetch_sql(pg, f, params, &np)) == NULL) {
		log_warn("realtime: cannot read changed rows: out of memory");
		return;
	}
	pthread_mutex_lock(&w->r->lock);
	w->cancel = PQgetCancel(pg);
	pthread_mutex_unlock(&w->r->lock);
	if (f->check)
		check_run(pg, f);
	else if (db_begin_as(pg, f->role, f->claims, err) != 0 ||
	    (res = db_exec(pg, sql, np, params, NULL, err)) == NULL)
		log_debug("realtime: reading changed rows: %s", err);
	else
		fetch_frames(f, res);
	PQclear(res);
	if (!f->check)
		db_rollback(pg);
	pthread_mutex_lock(&w->r->lock);
	PQfreeCancel(w->cancel);
	w->cancel = NULL;
	pthread_mutex_unlock(&w->r->lock);
	free(sql);
}

static void *
worker_main(void *arg)
{
	struct rows_worker *w = arg;
	struct rt_rows *r = w->r;
	struct rt_fetch *f;
	char err[ERRLEN];
	PGconn *pg = NULL;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (!r->stop && r->head == NULL)
			pthread_cond_wait(&r->work, &r->lock);
		if (r->stop) {
			pthread_mutex_unlock(&r->lock);
			break;
		}
		f = r->head;
		if ((r->head = f->next) == NULL)
			r->tail = NULL;
		f->next = NULL;
		pthread_mutex_unlock(&r->lock);

		/* Connected at first use: a server without realtime subscribers holds no connection. */
		if (pg == NULL && (pg = db_open(r->db, err)) == NULL) {
			log_warn("realtime: cannot read changed rows: %s", err);
			if (f->check)
				f->error = xstrdup("cannot check the filter: out of memory");
		}
		if (pg != NULL)
			fetch_run(w, pg, f);

		pthread_mutex_lock(&r->lock);
		if (r->done_tail != NULL)
			r->done_tail->next = f;
		else
			r->done = f;
		r->done_tail = f;
		pthread_mutex_unlock(&r->lock);
		r->wake(r->wake_arg);
	}
	PQfinish(pg);
	return NULL;
}

/* ---------------------------------------------------------------- lifecycle */

struct rt_rows *
rt_rows_start(const char *db, int nthreads, void (*wake)(void *), void *arg)
{
	struct rt_rows *r = xcalloc(1, sizeof *r);
	sigset_t all, old;
	int i, started = 0;

	r->db = xstrdup(db);
	r->wake = wake;
	r->wake_arg = arg;
	db_backoff_init(&r->backoff);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	r->w = xcalloc((size_t)nthreads, sizeof *r->w);
	r->nw = nthreads;
	/* Signals belong to the service thread, whose handler stops the server. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < nthreads; i++) {
		r->w[i].r = r;
		r->w[i].started = pthread_create(&r->w[i].thread, NULL, worker_main, &r->w[i]) == 0;
		started += r->w[i].started;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started == 0) {
		rt_rows_stop(r);
		return NULL;
	}
	return r;
}

void
rt_rows_submit(struct rt_rows *r, struct rt_fetch *f)
{
	f->next = NULL;
	pthread_mutex_lock(&r->lock);
	if (r->tail != NULL)
		r->tail->next = f;
	else
		r->head = f;
	r->tail = f;
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->lock);
}

struct rt_fetch *
rt_rows_take_done(struct rt_rows *r)
{
	struct rt_fetch *list;

	pthread_mutex_lock(&r->lock);
	list = r->done;
	r->done = r->done_tail = NULL;
	pthread_mutex_unlock(&r->lock);
	return list;
}

static void
free_list(struct rt_fetch *f)
{
	struct rt_fetch *next;

	for (; f != NULL; f = next) {
		next = f->next;
		rt_fetch_free(f);
	}
}

void
rt_rows_stop(struct rt_rows *r)
{
	char buf[256];
	int i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	for (i = 0; i < r->nw; i++) {
		if (r->w[i].cancel != NULL)
			PQcancel(r->w[i].cancel, buf, sizeof buf);
	}
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < r->nw; i++) {
		if (r->w[i].started)
			pthread_join(r->w[i].thread, NULL);
	}
	free_list(r->head);
	free_list(r->done);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->lock);
	db_backoff_free(&r->backoff);
	free(r->w);
	free(r->db);
	free(r);
}
