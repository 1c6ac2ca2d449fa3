#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "workers.h"

struct queue {
	struct job *head, *tail;
};

enum kind { GENERAL, HASHING, NKINDS };

struct workers {
	const struct http_options *o;
	void (*wake)(void *);
	void *wake_arg;
	pthread_mutex_t lock;
	pthread_cond_t work[NKINDS];	/* a job queued, or stop */
	pthread_cond_t ready;		/* a worker ran its init */
	struct queue jobs[NKINDS], done;
	int waiting[NKINDS];		/* jobs queued, not yet taken */
	int stop;
	int inited, started[NKINDS];
	pthread_t *threads;
	int nthreads;
};

struct worker_arg {
	struct workers *ws;
	enum kind kind;
};

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	request_free(&j->req);
	strbuf_free(&j->res.headers);
	strbuf_free(&j->res.body);
	free(j);
}

static void
queue_push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *
queue_pop(struct queue *q)
{
	struct job *j = q->head;

	if (j != NULL && (q->head = j->next) == NULL)
		q->tail = NULL;
	return j;
}

static void
queue_free(struct queue *q)
{
	struct job *j;

	while ((j = queue_pop(q)) != NULL)
		job_free(j);
}

static void *
worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct workers *ws = wa->ws;
	enum kind kind = wa->kind;
	struct worker *w = NULL;
	char err[ERRLEN] = "";
	struct job *j;
	int ok;

	free(wa);
	/* It serves even without its database: the handler answers 503 and reconnects. */
	ok = ws->o->worker_init == NULL || ws->o->worker_init(ws->o->srv, &w, err) == 0;
	if (!ok)
		log_warn("%s", err);
	pthread_mutex_lock(&ws->lock);
	ws->inited++;
	pthread_cond_signal(&ws->ready);
	pthread_mutex_unlock(&ws->lock);
	for (;;) {
		pthread_mutex_lock(&ws->lock);
		while (ws->jobs[kind].head == NULL && !ws->stop)
			pthread_cond_wait(&ws->work[kind], &ws->lock);
		if ((j = queue_pop(&ws->jobs[kind])) != NULL)
			ws->waiting[kind]--;
		pthread_mutex_unlock(&ws->lock);
		if (j == NULL)
			break;
		ws->o->handler(ws->o->srv, w, &j->req, &j->res);
		workers_done(ws, j);
	}
	if (ws->o->worker_done != NULL)
		ws->o->worker_done(w);
	return NULL;
}

struct workers *
workers_start(const struct http_options *o, void (*wake)(void *), void *arg, char *err)
{
	struct workers *ws = xcalloc(1, sizeof *ws);
	int count[NKINDS] = { o->workers, o->hash_workers }, k, i;
	struct worker_arg *wa;

	ws->o = o;
	ws->wake = wake;
	ws->wake_arg = arg;
	pthread_mutex_init(&ws->lock, NULL);
	pthread_cond_init(&ws->ready, NULL);
	for (k = 0; k < NKINDS; k++)
		pthread_cond_init(&ws->work[k], NULL);
	ws->threads = xcalloc((size_t)(count[GENERAL] + count[HASHING]), sizeof *ws->threads);
	for (k = 0; k < NKINDS; k++) {
		for (i = 0; i < count[k]; i++) {
			wa = xcalloc(1, sizeof *wa);
			wa->ws = ws;
			wa->kind = (enum kind)k;
			if (pthread_create(&ws->threads[ws->nthreads], NULL, worker_main, wa) != 0) {
				free(wa);
				break;
			}
			ws->nthreads++;
			ws->started[k]++;
		}
	}
	pthread_mutex_lock(&ws->lock);
	while (ws->inited < ws->nthreads)
		pthread_cond_wait(&ws->ready, &ws->lock);
	pthread_mutex_unlock(&ws->lock);
	for (k = 0; k < NKINDS; k++) {
		if (count[k] > 0 && ws->started[k] == 0) {
			seterr(err, "no %sworker thread could start: %s",
			    k == HASHING ? "hash " : "", strerror(errno));
			workers_stop(ws);
			return NULL;
		}
	}
	return ws;
}

int
workers_submit(struct workers *ws, struct job *j, int hashing)
{
	enum kind k = hashing && ws->o->hash_workers > 0 ? HASHING : GENERAL;

	pthread_mutex_lock(&ws->lock);
	if (k == HASHING && ws->waiting[k] >= HASH_QUEUE_PER_WORKER * ws->o->hash_workers) {
		pthread_mutex_unlock(&ws->lock);
		return -1;
	}
	queue_push(&ws->jobs[k], j);
	ws->waiting[k]++;
	pthread_cond_signal(&ws->work[k]);
	pthread_mutex_unlock(&ws->lock);
	return 0;
}

void
workers_done(struct workers *ws, struct job *j)
{
	pthread_mutex_lock(&ws->lock);
	queue_push(&ws->done, j);
	pthread_mutex_unlock(&ws->lock);
	ws->wake(ws->wake_arg);
}

struct job *
workers_take_done(struct workers *ws)
{
	struct job *j;

	pthread_mutex_lock(&ws->lock);
	j = queue_pop(&ws->done);
	pthread_mutex_unlock(&ws->lock);
	return j;
}

void
workers_stop(struct workers *ws)
{
	int k, i;

	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->lock);
	ws->stop = 1;
	for (k = 0; k < NKINDS; k++)
		pthread_cond_broadcast(&ws->work[k]);
	pthread_mutex_unlock(&ws->lock);
	for (i = 0; i < ws->nthreads; i++)
		pthread_join(ws->threads[i], NULL);
	for (k = 0; k < NKINDS; k++) {
		queue_free(&ws->jobs[k]);
		pthread_cond_destroy(&ws->work[k]);
	}
	queue_free(&ws->done);
	pthread_cond_destroy(&ws->ready);
	pthread_mutex_destroy(&ws->lock);
	free(ws->threads);
	free(ws);
}
