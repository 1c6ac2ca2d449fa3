#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "store/browse.h"
#include "store/db.h"
#include "sync/engine.h"
#include "sync/session.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define QUEUE_MAX 16

struct sync_thread {
	char *home;
	pthread_t thread;
	int pipe[2];

	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t wake;
	enum sync_command queue[QUEUE_MAX];
	int nqueue;
	int running;		/* a command is being carried out */
	struct sync_status status;
};

const char *
sync_state_name(enum sync_state s)
{
	switch (s) {
	case SYNC_LOCAL:
		return "local";
	case SYNC_LIVE:
		return "live";
	case SYNC_SYNCING:
		return "syncing";
	case SYNC_OFFLINE:
		break;
	}
	return "offline";
}

/* The thread's own state, which only it touches. */
struct worker {
	struct sync_thread *t;
	struct store *st;	/* for counting, while no sync_ctx is open */
	struct sync_ctx sc;
	int open;		/* sc is open */
	int cloud;		/* a cloud is configured and someone is logged in */
	int continuous;
	int backoff;		/* seconds; 0 while live */
	time_t next_run;	/* 0: none planned */
};

static void
notify(struct sync_thread *t)
{
	char c = 1;

	/* A full pipe already says "look": nothing is lost by dropping the byte. */
	if (write(t->pipe[1], &c, 1) < 0 && errno != EAGAIN)
		log_debug("sync thread: cannot wake the UI: %s", strerror(errno));
}

/* Copies s into the shared status under the lock, then wakes the UI. */
static void
publish(struct sync_thread *t, const struct sync_status *s)
{
	pthread_mutex_lock(&t->lock);
	t->status.state = s->state;
	t->status.pending = s->pending;
	t->status.conflicts = s->conflicts;
	t->status.last_sync = s->last_sync;
	snprintf(t->status.last_error, sizeof t->status.last_error, "%s", s->last_error);
	snprintf(t->status.user, sizeof t->status.user, "%s", s->user);
	t->status.runs = s->runs;
	pthread_mutex_unlock(&t->lock);
	notify(t);
}

static struct store *
counting_store(struct worker *w)
{
	return w->open ? w->sc.st : w->st;
}

static void
recount(struct worker *w, struct sync_status *s)
{
	char err[ERRLEN];
	struct store *st = counting_store(w);
	long long pending = 0, conflicts = 0;
	char *last;

	if (st == NULL)
		return;
	if (browse_sync_counts(st, &pending, &conflicts, err) == 0) {
		s->pending = pending;
		s->conflicts = conflicts;
	}
	if ((last = browse_sync_state(st, "last_sync")) != NULL) {
		int64_t ms = time_parse_iso_ms(last);
		s->last_sync = ms > 0 ? (time_t)(ms / 1000) : 0;
		free(last);
	}
}

/* The first line of msg, cut to fit. */
static void
one_line(char *out, size_t size, const char *msg)
{
	size_t n = strcspn(msg, "\r\n");

	if (n >= size)
		n = size - 1;
	memcpy(out, msg, n);
	out[n] = '\0';
}

/* Reads the config: is there a cloud to sync with, and is sync continuous? */
static void
read_config(struct worker *w, struct sync_status *s)
{
	struct session ses;
	struct config *cfg;
	char err[ERRLEN];
	int rc;

	w->cloud = 0;
	w->continuous = 1;
	s->user[0] = '\0';
	if ((cfg = config_read(w->t->home, err)) == NULL)
		return;
	w->continuous = config_get_bool(cfg, "continuous-sync");
	w->cloud = *config_get(cfg, "cloud.url") != '\0' &&
	    *config_get(cfg, "cloud.anon-key") != '\0';
	config_free(cfg);
	if (!w->cloud)
		return;
	rc = session_load(w->t->home, &ses, err);
	if (rc != 0) {
		w->cloud = 0;	/* logged out (or an unreadable session: local until fixed) */
		if (rc < 0)
			one_line(s->last_error, sizeof s->last_error, err);
		return;
	}
	snprintf(s->user, sizeof s->user, "%s", ses.user_name != NULL ? ses.user_name :
	    ses.email != NULL ? ses.email : ses.user_id != NULL ? ses.user_id : "?");
	session_free(&ses);
}

static void
run_sync(struct worker *w, struct sync_status *s)
{
	struct sync_counts n;
	char err[ERRLEN], now[32];
	long purged;
	int rc = 0;

	s->state = SYNC_SYNCING;
	publish(w->t, s);
	memset(&n, 0, sizeof n);
	if (!w->open) {
		rc = sync_open(&w->sc, w->t->home, err);
		if (rc == 1) {
			/* Logged out meanwhile: local from now on. */
			w->cloud = 0;
			s->state = SYNC_LOCAL;
			s->user[0] = '\0';
			recount(w, s);
			publish(w->t, s);
			return;
		}
		w->open = rc == 0;
	}
	if (rc == 0)
		rc = sync_pull(&w->sc, &n, err);
	if (rc == 0)
		rc = sync_push(&w->sc, &n, err);
	if (rc == 0)
		rc = sync_purge(&w->sc, &purged, err);
	/* What it wrote here, the UI sees through the store's data_version. */
	s->runs++;
	if (rc == 0) {
		time_now_iso(now);
		browse_set_sync_state(w->sc.st, "last_sync", now, err);
		browse_set_sync_state(w->sc.st, "last_error", NULL, err);
		s->state = SYNC_LIVE;
		s->last_error[0] = '\0';
		w->backoff = 0;
		w->next_run = w->continuous ? time(NULL) + SYNC_PERIOD : 0;
	} else {
		one_line(s->last_error, sizeof s->last_error, err);
		if (w->open)
			browse_set_sync_state(w->sc.st, "last_error", s->last_error, err);
		s->state = SYNC_OFFLINE;
		w->backoff = w->backoff == 0 ? SYNC_BACKOFF_MIN : w->backoff * 2;
		if (w->backoff > SYNC_BACKOFF_MAX)
			w->backoff = SYNC_BACKOFF_MAX;
		/* Retried in the background only when syncing in the background at all. */
		w->next_run = w->continuous ? time(NULL) + w->backoff : 0;
		/* Start afresh next time: a new connection, the session read again. */
		if (w->open) {
			sync_close(&w->sc);
			w->open = 0;
		}
	}
	recount(w, s);
	publish(w->t, s);
}

/* Waits for a command, or for the next planned run (returned as SYNC_CMD_NOW). */
static enum sync_command
next_command(struct worker *w)
{
	struct sync_thread *t = w->t;
	enum sync_command cmd;
	struct timespec until;
	int i, rc;

	pthread_mutex_lock(&t->lock);
	t->running = 0;
	t->status.busy = t->nqueue > 0;
	while (t->nqueue == 0) {
		if (w->next_run == 0) {
			pthread_cond_wait(&t->wake, &t->lock);
			continue;
		}
		/* The wall clock (not AGENTLOGS_NOW): this is about real waiting. */
		until.tv_sec = w->next_run;
		until.tv_nsec = 0;
		rc = pthread_cond_timedwait(&t->wake, &t->lock, &until);
		if (rc == ETIMEDOUT && t->nqueue == 0) {
			w->next_run = 0;
			t->running = 1;
			t->status.busy = 1;
			pthread_mutex_unlock(&t->lock);
			return SYNC_CMD_NOW;
		}
	}
	cmd = t->queue[0];
	for (i = 1; i < t->nqueue; i++)
		t->queue[i - 1] = t->queue[i];
	t->nqueue--;
	/* A quit waiting behind other commands goes first. */
	for (i = 0; i < t->nqueue; i++) {
		if (t->queue[i] == SYNC_CMD_QUIT)
			cmd = SYNC_CMD_QUIT;
	}
	t->running = 1;
	t->status.busy = 1;
	pthread_mutex_unlock(&t->lock);
	return cmd;
}

static void *
worker_main(void *arg)
{
	struct worker w;
	struct sync_status s;
	enum sync_command cmd;
	char err[ERRLEN], *path;

	memset(&w, 0, sizeof w);
	w.t = arg;
	pthread_mutex_lock(&w.t->lock);
	s = w.t->status;
	pthread_mutex_unlock(&w.t->lock);

	path = paths_in_home(w.t->home, "data.db");
	if ((w.st = store_open(path, err)) == NULL)
		one_line(s.last_error, sizeof s.last_error, err);
	free(path);
	read_config(&w, &s);
	s.state = SYNC_LOCAL;
	recount(&w, &s);
	publish(w.t, &s);
	if (w.cloud && w.continuous)
		w.next_run = time(NULL);	/* a first sync at once */

	while ((cmd = next_command(&w)) != SYNC_CMD_QUIT) {
		switch (cmd) {
		case SYNC_CMD_NOW:
			if (!w.cloud)
				read_config(&w, &s);	/* logged in since? */
			if (w.cloud)
				run_sync(&w, &s);
			else {
				recount(&w, &s);
				publish(w.t, &s);
			}
			break;
		case SYNC_CMD_NUDGE:
			if (w.cloud && w.continuous) {
				run_sync(&w, &s);
				break;
			}
			/* FALLTHROUGH */
		case SYNC_CMD_RECOUNT:
		case SYNC_CMD_QUIT:
			recount(&w, &s);
			publish(w.t, &s);
			break;
		}
	}
	if (w.open)
		sync_close(&w.sc);
	store_close(w.st);
	pthread_mutex_lock(&w.t->lock);
	w.t->running = 0;
	w.t->status.busy = 0;
	pthread_mutex_unlock(&w.t->lock);
	notify(w.t);
	return NULL;
}

struct sync_thread *
sync_thread_start(const char *home, char *err)
{
	struct sync_thread *t = xcalloc(1, sizeof *t);
	sigset_t all, old;
	int rc, i;

	t->home = xstrdup(home);
	if (pipe(t->pipe) != 0) {
		seterr(err, "pipe: %s", strerror(errno));
		free(t->home);
		free(t);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		fcntl(t->pipe[i], F_SETFL, fcntl(t->pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(t->pipe[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->wake, NULL);
	t->status.state = SYNC_LOCAL;
	t->status.busy = 1;	/* until the first snapshot is out */
	t->running = 1;

	/* Signals (SIGWINCH above all) belong to the UI thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t->thread, NULL, worker_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		seterr(err, "cannot start the sync thread: %s", strerror(rc));
		close(t->pipe[0]);
		close(t->pipe[1]);
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->wake);
		free(t->home);
		free(t);
		return NULL;
	}
	return t;
}

int
sync_thread_fd(const struct sync_thread *t)
{
	return t->pipe[0];
}

void
sync_thread_drain(struct sync_thread *t)
{
	char buf[64];

	while (read(t->pipe[0], buf, sizeof buf) > 0)
		;
}

void
sync_thread_snapshot(struct sync_thread *t, struct sync_status *out)
{
	pthread_mutex_lock(&t->lock);
	*out = t->status;
	out->busy = t->running || t->nqueue > 0;
	pthread_mutex_unlock(&t->lock);
}

void
sync_thread_send(struct sync_thread *t, enum sync_command cmd)
{
	int i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nqueue; i++) {
		if (t->queue[i] == cmd)
			break;	/* already waiting: one run serves both */
	}
	if (i == t->nqueue && t->nqueue < QUEUE_MAX)
		t->queue[t->nqueue++] = cmd;
	else if (i == t->nqueue)
		t->queue[QUEUE_MAX - 1] = cmd == SYNC_CMD_QUIT ? cmd : t->queue[QUEUE_MAX - 1];
	t->status.busy = 1;
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

void
sync_thread_stop(struct sync_thread *t)
{
	if (t == NULL)
		return;
	sync_thread_send(t, SYNC_CMD_QUIT);
	pthread_join(t->thread, NULL);
	close(t->pipe[0]);
	close(t->pipe[1]);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	free(t->home);
	free(t);
}
