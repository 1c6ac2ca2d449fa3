#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "sync/engine.h"
#include "sync/visual-cache.h"
#include "sync/visuals.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* "<dir>/<sha256>.<ext>" in the home, ext taken from typed; NULL when typed has none. */
static char *
file_in(const char *home, const char *dir, const char *sha256, const char *typed)
{
	const char *ext = typed != NULL ? strrchr(typed, '.') : NULL;
	char *rel, *file;

	if (ext == NULL || strchr(ext, '/') != NULL || strchr(sha256, '/') != NULL)
		return NULL;
	rel = xprintf("%s/%s%s", dir, sha256, ext);
	file = paths_in_home(home, rel);
	free(rel);
	return file;
}

/* The modification time is the last view: eviction goes by it. */
static void
mark_viewed(const char *file)
{
	struct timespec t[2] = { { time_now(), 0 }, { time_now(), 0 } };

	if (utimensat(AT_FDCWD, file, t, 0) != 0)
		log_warn("cannot mark %s as viewed: %s", file, strerror(errno));
}

/* The local file, and whether it is a fetched one (*fetched). */
static char *
find(const char *home, const char *sha256, const char *typed, int *fetched)
{
	char *file = file_in(home, "visual-cache", sha256, typed);

	*fetched = 0;
	if (file != NULL && access(file, R_OK) == 0)
		return file;
	free(file);
	file = file_in(home, VISUAL_CACHE_FETCHED, sha256, typed);
	if (file != NULL && access(file, R_OK) == 0) {
		*fetched = 1;
		return file;
	}
	free(file);
	return NULL;
}

char *
visual_cache_find(const char *home, const char *sha256, const char *typed)
{
	int fetched;

	return find(home, sha256, typed, &fetched);
}

/*
 * A fetch holds the browser's fetcher thread and the screenshots queued
 * behind it: past its time, a watchdog raises the cloud client's abort flag
 * (the caller's cancel flag) and the fetch gives up.
 */
struct watchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int done;
	struct timespec deadline;
	atomic_int *fired;	/* raised at the deadline */
};

static void *
watch(void *arg)
{
	struct watchdog *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		if (pthread_cond_timedwait(&w->done_cond, &w->lock, &w->deadline) == ETIMEDOUT) {
			atomic_store(w->fired, 1);
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int
watchdog_start(struct watchdog *w, long ms, atomic_int *fired)
{
	pthread_condattr_t attr;

	memset(w, 0, sizeof *w);
	w->fired = fired;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->done_cond, &attr);
	pthread_condattr_destroy(&attr);
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += ms / 1000;
	w->deadline.tv_nsec += (ms % 1000) * 1000000L;
	if (w->deadline.tv_nsec >= 1000000000L) {
		w->deadline.tv_sec++;
		w->deadline.tv_nsec -= 1000000000L;
	}
	return pthread_create(&w->thread, NULL, watch, w);
}

static void
watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_signal(&w->done_cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->done_cond);
	pthread_mutex_destroy(&w->lock);
}

/* How long the browser waits for one screenshot ($AGENTLOGS_FETCH_TIMEOUT_MS in tests). */
static long
fetch_timeout_ms(void)
{
	const char *env = getenv("AGENTLOGS_FETCH_TIMEOUT_MS");

	return env != NULL && atol(env) > 0 ? atol(env) : VISUAL_FETCH_TIMEOUT_MS;
}

void
visual_cache_bounds_of(const struct config *cfg, struct visual_cache_bounds *b)
{
	b->max_bytes = config_get_number(cfg, "visuals.cache-mb") << 20;
	b->max_days = config_get_number(cfg, "visuals.cache-days");
}

int
visual_cache_get(const char *home, const struct visual_cache_bounds *b, const char *sha256,
    const char *typed, atomic_int *cancel, char **file, char *err)
{
	struct sync_ctx sc;
	struct watchdog w;
	atomic_int own;
	char *dir;
	int rc, fetched;

	if ((*file = find(home, sha256, typed, &fetched)) != NULL) {
		if (fetched)
			mark_viewed(*file);
		return 0;
	}
	if (strncmp(typed, "visual-cache/", 13) == 0)
		return seterr(err, "%s is gone and was never uploaded", typed);
	dir = paths_in_home(home, "visual-cache");
	rc = paths_ensure_home(dir, err);
	free(dir);
	if (rc != 0)
		return -1;
	if (cancel == NULL) {
		atomic_init(&own, 0);
		cancel = &own;
	}
	if (atomic_load(cancel))
		return seterr(err, "cancelled");
	if (watchdog_start(&w, fetch_timeout_ms(), cancel) != 0)
		return seterr(err, "cannot start a thread");
	rc = sync_open_abortable(&sc, home, cancel, err);
	if (rc == 0) {
		rc = visuals_download_one(&sc, sha256, typed, VISUAL_CACHE_FETCHED, file, err);
		sync_close(&sc);
	}
	watchdog_stop(&w);
	if (rc == 1)
		return seterr(err, "this screenshot is in the cloud: log in to see it");
	if (rc != 0 && atomic_load(cancel))
		return seterr(err, "no answer from the cloud within %ld s; i tries again",
		    (fetch_timeout_ms() + 999) / 1000);
	if (rc != 0)
		return -1;
	mark_viewed(*file);
	visual_cache_trim(home, b->max_bytes, b->max_days, time_now(), *file);
	return 0;
}

struct cached {
	char *path;
	time_t viewed;
	long long size;
};

static int
by_viewed(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	if (x->viewed != y->viewed)
		return x->viewed < y->viewed ? -1 : 1;
	return strcmp(x->path, y->path);
}

long
visual_cache_trim(const char *home, long long max_bytes, long max_days, time_t now,
    const char *keep)
{
	char *dir = paths_in_home(home, VISUAL_CACHE_FETCHED);
	DIR *d = opendir(dir);
	struct cached *c = NULL;
	struct dirent *e;
	size_t n = 0, cap = 0, i;
	long long total = 0;
	long gone = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = xprintf("%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			c = xreallocarray(c, cap, sizeof *c);
		}
		c[n].path = path;
		c[n].viewed = st.st_mtime;
		c[n].size = (long long)st.st_size;
		total += c[n++].size;
	}
	if (d != NULL)
		closedir(d);
	qsort(c, n, sizeof *c, by_viewed);
	for (i = 0; i < n; i++) {
		int stale = now - c[i].viewed > (time_t)max_days * 86400;

		if ((stale || total > max_bytes) && (keep == NULL || strcmp(keep, c[i].path) != 0)) {
			if (unlink(c[i].path) == 0) {
				total -= c[i].size;
				gone++;
			} else
				log_warn("cannot evict %s: %s", c[i].path, strerror(errno));
		}
		free(c[i].path);
	}
	free(c);
	free(dir);
	return gone;
}
