#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "capture/live.h"
#include "store/db.h"
#include "ui/live-thread.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/thread.h"
#include "util/wake-pipe.h"
#include "util/xmalloc.h"

struct live_thread {
	pthread_t thread;
	struct store *st;
	struct live *live;
	struct sync_thread *sync;
	struct wake_pipe news;	/* thread -> UI: rows were written */
	struct wake_pipe quit;	/* UI -> thread: stop */
	pthread_mutex_t lock;
	pthread_cond_t first_done;
	int first;		/* the first import is done (under lock) */
	int started;		/* the thread runs: stop joins it */
};

/* What an import or a step did, passed on: the UI reads again, the sync thread pushes. */
static void
pass_on(struct live_thread *lt, int what)
{
	if (what & LIVE_NEW_ROWS)
		wake_pipe_poke(&lt->news);
	if ((what & LIVE_PUSH) && lt->sync != NULL)
		sync_thread_send(lt->sync, SYNC_CMD_NUDGE);
}

static void *
live_main(void *arg)
{
	struct live_thread *lt = arg;
	struct pollfd p[2];
	long long wait;
	int n, what;

	what = live_import(lt->live);
	/* The first import's rows go up at once, as a browser opening sends what it imported. */
	pass_on(lt, what & LIVE_NEW_ROWS ? what | LIVE_PUSH : what);
	pthread_mutex_lock(&lt->lock);
	lt->first = 1;
	pthread_cond_broadcast(&lt->first_done);
	pthread_mutex_unlock(&lt->lock);
	for (;;) {
		p[0] = (struct pollfd){ .fd = lt->quit.fd[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = live_fd(lt->live), .events = POLLIN };
		wait = live_wait(lt->live);
		n = poll(p, p[1].fd >= 0 ? 2 : 1, wait < 0 ? -1 : (int)(wait > 60000 ? 60000 : wait));
		if (n < 0 && errno != EINTR) {
			log_warn("live capture: poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && p[0].revents != 0)
			break;
		pass_on(lt, live_step(lt->live, n > 0 && p[1].fd >= 0 && p[1].revents != 0));
	}
	return NULL;
}

struct live_thread *
live_thread_start(const char *home, const char *claude_dir, int idle_minutes,
    struct sync_thread *sync, char *err)
{
	struct live_thread *lt = xcalloc(1, sizeof *lt);
	char *path = paths_in_home(home, "data.db");
	int rc;

	lt->sync = sync;
	lt->news.fd[0] = lt->news.fd[1] = lt->quit.fd[0] = lt->quit.fd[1] = -1;
	lt->st = store_open(path, err);
	free(path);
	if (lt->st == NULL || wake_pipe_open(&lt->news, err) != 0 ||
	    wake_pipe_open(&lt->quit, err) != 0) {
		store_close(lt->st);
		wake_pipe_close(&lt->news);
		free(lt);
		return NULL;
	}
	pthread_mutex_init(&lt->lock, NULL);
	pthread_cond_init(&lt->first_done, NULL);
	/* The watches first, then the import (on the thread): a line written in between is seen twice, never missed. */
	lt->live = live_open(lt->st, home, claude_dir, idle_minutes);
	if ((rc = thread_start_unsignalled(&lt->thread, live_main, lt)) == 0)
		lt->started = 1;
	else {
		seterr(err, "cannot start the live capture thread: %s", strerror(rc));
		live_thread_stop(lt);
		return NULL;
	}
	return lt;
}

void
live_thread_stop(struct live_thread *lt)
{
	if (lt == NULL)
		return;
	if (lt->started) {
		wake_pipe_poke(&lt->quit);
		pthread_join(lt->thread, NULL);
	}
	live_close(lt->live);
	store_close(lt->st);
	wake_pipe_close(&lt->news);
	wake_pipe_close(&lt->quit);
	pthread_mutex_destroy(&lt->lock);
	pthread_cond_destroy(&lt->first_done);
	free(lt);
}

int
live_thread_fd(const struct live_thread *lt)
{
	return lt->news.fd[0];
}

void
live_thread_drain(struct live_thread *lt)
{
	wake_pipe_drain(&lt->news);
}

void
live_thread_wait_first(struct live_thread *lt)
{
	pthread_mutex_lock(&lt->lock);
	while (!lt->first)
		pthread_cond_wait(&lt->first_done, &lt->lock);
	pthread_mutex_unlock(&lt->lock);
}
