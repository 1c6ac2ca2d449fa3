#include "config.h"

#include <string.h>

#include "sync/inflight.h"

enum { IDLE, SENDING, DONE };

static void *
inflight_main(void *arg)
{
	struct inflight *f = arg;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (f->state != SENDING && !f->quit)
			pthread_cond_wait(&f->cond, &f->lock);
		if (f->state != SENDING)
			break;
		pthread_mutex_unlock(&f->lock);
		f->rc = cloud_call(f->cloud, "POST", f->path, f->body.buf, f->body.len, NULL, &f->r,
		    f->err);
		pthread_mutex_lock(&f->lock);
		f->state = DONE;
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

int
inflight_start(struct inflight *f, struct cloud *c, char *err)
{
	memset(f, 0, sizeof *f);
	f->cloud = c;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, inflight_main, f) != 0) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->cond);
		return seterr(err, "cannot start a sync thread");
	}
	f->started = 1;
	return 0;
}

void
inflight_submit(struct inflight *f, const char *path)
{
	pthread_mutex_lock(&f->lock);
	f->path = path;
	f->state = SENDING;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

int
inflight_busy(struct inflight *f)
{
	int busy;

	pthread_mutex_lock(&f->lock);
	busy = f->state != IDLE;
	pthread_mutex_unlock(&f->lock);
	return busy;
}

int
inflight_wait(struct inflight *f, struct cloud_response *r, char *err)
{
	pthread_mutex_lock(&f->lock);
	while (f->state == SENDING)
		pthread_cond_wait(&f->cond, &f->lock);
	f->state = IDLE;
	pthread_mutex_unlock(&f->lock);
	*r = f->r;
	memset(&f->r, 0, sizeof f->r);
	if (f->rc != 0) {
		cloud_response_free(r);
		return seterr(err, "%s", f->err);
	}
	return 0;
}

void
inflight_stop(struct inflight *f)
{
	struct cloud_response r;
	char err[ERRLEN];

	if (!f->started)
		return;
	if (inflight_busy(f) && inflight_wait(f, &r, err) == 0)
		cloud_response_free(&r);
	pthread_mutex_lock(&f->lock);
	f->quit = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	strbuf_free(&f->body);
	f->started = 0;
}
