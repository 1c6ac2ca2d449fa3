#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/visual-cache.h"
#include "ui/image-fetcher.h"
#include "util/log.h"
#include "util/thread.h"
#include "util/wake-pipe.h"
#include "util/xmalloc.h"

struct wanted {
	char *sha256, *typed;
	enum image_fetch_state state;
	int finished;		/* done or failed, not taken by the UI yet */
	char err[ERRLEN];
};

struct image_fetcher {
	pthread_t thread;
	char *home;
	struct visual_cache_bounds bounds;
	struct wake_pipe news;	/* thread -> UI: a fetch finished */
	atomic_int cancel;	/* raised by stop (and by a fetch's own deadline) */
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t asked;
	struct wanted *w;	/* in the order asked: fetched in that order */
	size_t n, cap;
	long running;		/* index of the fetch under way, or -1 */
	unsigned long generation;
	int quit;
};

/* The first queued entry not under way, or f->n; under lock. */
static size_t
next_queued(const struct image_fetcher *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->w[i].state == IMAGE_FETCH_QUEUED && (long)i != f->running)
			return i;
	}
	return f->n;
}

static void *
fetch_main(void *arg)
{
	struct image_fetcher *f = arg;
	char err[ERRLEN], *sha, *typed, *file;
	size_t i;
	int rc;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->quit && (i = next_queued(f)) == f->n)
			pthread_cond_wait(&f->asked, &f->lock);
		if (f->quit)
			break;
		f->running = (long)i;
		sha = xstrdup(f->w[i].sha256);
		typed = xstrdup(f->w[i].typed);
		pthread_mutex_unlock(&f->lock);

		err[0] = '\0';
		file = NULL;
		rc = visual_cache_get(f->home, &f->bounds, sha, typed, &f->cancel, &file, err);
		free(file);
		free(sha);
		free(typed);

		pthread_mutex_lock(&f->lock);
		/* A deadline raised the flag for this fetch only; stop raises it for good. */
		if (!f->quit)
			atomic_store(&f->cancel, 0);
		f->w[i].state = rc == 0 ? IMAGE_FETCH_DONE : IMAGE_FETCH_FAILED;
		snprintf(f->w[i].err, sizeof f->w[i].err, "%s", rc == 0 ? "" : err);
		f->w[i].finished = 1;
		f->running = -1;
		f->generation++;
		wake_pipe_poke(&f->news);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct image_fetcher *
image_fetcher_start(const char *home, const struct visual_cache_bounds *b, char *err)
{
	struct image_fetcher *f = xcalloc(1, sizeof *f);
	int rc;

	f->home = xstrdup(home);
	f->bounds = *b;
	atomic_init(&f->cancel, 0);
	f->running = -1;
	if (wake_pipe_open(&f->news, err) != 0) {
		free(f->home);
		free(f);
		return NULL;
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->asked, NULL);
	if ((rc = thread_start_unsignalled(&f->thread, fetch_main, f)) != 0) {
		seterr(err, "cannot start the image fetcher: %s", strerror(rc));
		pthread_cond_destroy(&f->asked);
		pthread_mutex_destroy(&f->lock);
		wake_pipe_close(&f->news);
		free(f->home);
		free(f);
		return NULL;
	}
	return f;
}

void
image_fetcher_stop(struct image_fetcher *f)
{
	size_t i;

	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->quit = 1;
	atomic_store(&f->cancel, 1);
	pthread_cond_signal(&f->asked);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	for (i = 0; i < f->n; i++) {
		free(f->w[i].sha256);
		free(f->w[i].typed);
	}
	free(f->w);
	pthread_cond_destroy(&f->asked);
	pthread_mutex_destroy(&f->lock);
	wake_pipe_close(&f->news);
	free(f->home);
	free(f);
}

int
image_fetcher_fd(const struct image_fetcher *f)
{
	return f->news.fd[0];
}

/* The entry of sha256, or f->n; under lock. */
static size_t
find(const struct image_fetcher *f, const char *sha256)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->w[i].sha256, sha256) == 0)
			return i;
	}
	return f->n;
}

/* A fetch was queued: the thread wakes, and the UI draws "fetching" (a new generation). */
static void
queued(struct image_fetcher *f)
{
	pthread_cond_signal(&f->asked);
	f->generation++;
	wake_pipe_poke(&f->news);
}

enum image_fetch_state
image_fetcher_want(struct image_fetcher *f, const char *sha256, const char *typed, int retry)
{
	enum image_fetch_state s;
	size_t i;

	pthread_mutex_lock(&f->lock);
	if ((i = find(f, sha256)) == f->n) {
		if (f->n == f->cap) {
			f->cap = f->cap == 0 ? 16 : f->cap * 2;
			f->w = xreallocarray(f->w, f->cap, sizeof *f->w);
		}
		memset(&f->w[i], 0, sizeof f->w[i]);
		f->w[i].sha256 = xstrdup(sha256);
		f->w[i].typed = xstrdup(typed);
		f->w[i].state = IMAGE_FETCH_QUEUED;
		f->n++;
		queued(f);
	} else if (retry && f->w[i].state == IMAGE_FETCH_FAILED) {
		f->w[i].state = IMAGE_FETCH_QUEUED;
		f->w[i].finished = 0;
		queued(f);
	}
	s = f->w[i].state;
	pthread_mutex_unlock(&f->lock);
	return s;
}

enum image_fetch_state
image_fetcher_state(struct image_fetcher *f, const char *sha256)
{
	enum image_fetch_state s;
	size_t i;

	pthread_mutex_lock(&f->lock);
	i = find(f, sha256);
	s = i < f->n ? f->w[i].state : IMAGE_FETCH_NONE;
	pthread_mutex_unlock(&f->lock);
	return s;
}

int
image_fetcher_busy(struct image_fetcher *f)
{
	int busy;

	pthread_mutex_lock(&f->lock);
	busy = f->running >= 0 || next_queued(f) < f->n;
	pthread_mutex_unlock(&f->lock);
	return busy;
}

int
image_fetcher_take(struct image_fetcher *f, char **sha256, int *ok, char *err)
{
	size_t i;
	int found = 0;

	wake_pipe_drain(&f->news);
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n && !found; i++) {
		if (!f->w[i].finished)
			continue;
		f->w[i].finished = 0;
		*sha256 = xstrdup(f->w[i].sha256);
		*ok = f->w[i].state == IMAGE_FETCH_DONE;
		snprintf(err, ERRLEN, "%s", f->w[i].err);
		found = 1;
	}
	pthread_mutex_unlock(&f->lock);
	return found;
}

unsigned long
image_fetcher_generation(struct image_fetcher *f)
{
	unsigned long g;

	pthread_mutex_lock(&f->lock);
	g = f->generation;
	pthread_mutex_unlock(&f->lock);
	return g;
}
