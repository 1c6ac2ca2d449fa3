#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "privacy/analytics-daily.h"
#include "store/browse.h"
#include "store/sync-state.h"
#include "store/db.h"
#include "sync/engine.h"
#include "sync/pull.h"
#include "sync/push.h"
#include "sync/realtime.h"
#include "sync/auth-session.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/thread.h"
#include "util/wake-pipe.h"
#include "util/paths.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define QUEUE_MAX 16
#define REFRESH_AHEAD 50	/* seconds before expiry to refresh (session.c's margin is 60) */
#define REFRESH_RETRY 30	/* seconds, after a refresh failed */
/*
 * Rows held back: pull_changes hands a row out only once every older
 * transaction in the cloud's database has ended, and says when it kept some
 * (or a change realtime reported brought nothing). Nobody tells this machine
 * when that older transaction ends (it may be another person's), so pull
 * again after 1, 2, 4, 8 and 16 seconds, until nothing is held.
 */
#define RECHECK_MIN_MS 1000
#define RECHECK_MAX_MS 16000

struct sync_thread {
	char *home;
	pthread_t thread;
	struct wake_pipe pipe;	/* poked after each new snapshot: the UI polls it */
	atomic_int abort;	/* raised by sync_thread_stop: give the network up */

	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t wake;	/* on CLOCK_MONOTONIC */
	pthread_cond_t gone;	/* on CLOCK_MONOTONIC: the worker has ended (done) */
	int done;
	enum sync_command queue[QUEUE_MAX];
	int nqueue;
	int running;		/* a command is being carried out */
	struct sync_status status;
	/* Set by the realtime thread (on_realtime). */
	int rt_connected;	/* joined: changes are reported */
	int rt_connecting;	/* an attempt under way */
	int rt_changed;		/* connected or disconnected since the worker looked */
	long long change_first;	/* monotonic ms of the first change not pulled yet; 0: none */
	long long change_due;	/* when to pull for it; 0: no pull due */
	int change_seen;	/* a change (not only a connection) made it due */
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
	case SYNC_POLLING:
		return "polling";
	case SYNC_OFFLINE:
		break;
	}
	return "offline";
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The thread's own state, which only it touches. */
struct worker {
	struct sync_thread *t;
	struct store *st;	/* for counting, while no sync_ctx is open */
	struct sync_ctx sc;
	int open;		/* sc is open */
	int cloud;		/* a cloud is configured and someone is logged in */
	int continuous;
	char *url, *anon_key;	/* the cloud's, for realtime */
	int backoff;		/* seconds; 0 while live */
	long long next_run;	/* monotonic ms of the next periodic sync; 0: none planned */
	long long refresh_at;	/* monotonic ms of the next token refresh; 0: none */
	long long recheck_at;	/* monotonic ms of a pull for a held-back change; 0: none */
	long recheck_ms;	/* the wait before it */
	int held_back;		/* the last pull said rows of ours were held back */
	int change_seen;	/* the JOB_CHANGE under way is for a change */
	struct realtime *rt;	/* NULL while local */
	char *rt_token;		/* the access token realtime has */
};

/* What the worker does next. */
enum job {
	JOB_COMMAND,		/* the UI's command */
	JOB_SYNC,		/* the periodic sync (or the backoff's retry) */
	JOB_CHANGE,		/* realtime: the cloud changed, or (re)connected */
	JOB_RECHECK,		/* a change's pull brought nothing: again, later */
	JOB_STATUS,		/* realtime connected or disconnected */
	JOB_REFRESH,		/* the access token is due for a refresh */
};

static void
notify(struct sync_thread *t)
{
	wake_pipe_poke(&t->pipe);
}

/* Copies s into the shared status under the lock, then wakes the UI. */
static void
publish(struct sync_thread *t, const struct sync_status *s)
{
	pthread_mutex_lock(&t->lock);
	t->status.state = s->state;
	t->status.pending = s->pending;
	t->status.held = s->held;
	t->status.settled = s->settled;
	t->status.last_sync = s->last_sync;
	snprintf(t->status.last_error, sizeof t->status.last_error, "%s", s->last_error);
	snprintf(t->status.user, sizeof t->status.user, "%s", s->user);
	t->status.runs = s->runs;
	pthread_mutex_unlock(&t->lock);
	notify(t);
}

/*
 * The connection to count through. The thread's own is opened again when the
 * first try failed (a first import holding the store while the thread
 * started): without it, every count after a failed sync was skipped and the
 * status kept its last figures (daemon.json's pending stuck at 0 while the
 * cloud was down).
 */
static struct store *
counting_store(struct worker *w)
{
	char err[ERRLEN], *path;

	if (w->open)
		return w->sc.st;
	if (w->st == NULL) {
		path = paths_in_home(w->t->home, "data.db");
		if ((w->st = store_open(path, err)) == NULL)
			log_debug("sync thread: %s", err);
		free(path);
	}
	return w->st;
}

static void
recount(struct worker *w, struct sync_status *s)
{
	char err[ERRLEN];
	struct store *st = counting_store(w);
	long long pending = 0, held = 0, settled = 0;
	char *last;

	if (st == NULL)
		return;
	if (browse_sync_counts(st, &pending, &held, &settled, err) == 0) {
		s->pending = pending;
		s->held = held;
		s->settled = settled;
	}
	if ((last = sync_state_get(st, "last_sync")) != NULL) {
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
	struct auth_session ses;
	struct config *cfg;
	char err[ERRLEN];
	int rc;

	w->cloud = 0;
	w->continuous = 1;
	s->user[0] = '\0';
	if ((cfg = config_read(w->t->home, err)) == NULL)
		return;
	w->continuous = config_get_bool(cfg, "continuous-sync");
	/* storage = local: the browser never contacts the cloud, logged in or not. */
	w->cloud = config_storage_cloud(cfg) && *config_get(cfg, "cloud.url") != '\0' &&
	    *config_get(cfg, "cloud.anon-key") != '\0';
	free(w->url);
	free(w->anon_key);
	w->url = xstrdup(config_get(cfg, "cloud.url"));
	w->anon_key = xstrdup(config_get(cfg, "cloud.anon-key"));
	config_free(cfg);
	if (!w->cloud)
		return;
	rc = auth_session_load(w->t->home, &ses, err);
	if (rc != 0) {
		w->cloud = 0;	/* logged out (or an unreadable session: local until fixed) */
		if (rc < 0)
			one_line(s->last_error, sizeof s->last_error, err);
		return;
	}
	snprintf(s->user, sizeof s->user, "%s", ses.user_name != NULL ? ses.user_name :
	    ses.email != NULL ? ses.email : ses.user_id != NULL ? ses.user_id : "?");
	auth_session_free(&ses);
}

/* ---------------------------------------------------------------- realtime */

/* Called on the realtime thread: records the event and wakes the worker. */
static void
on_realtime(void *arg, enum realtime_event ev, const char *detail)
{
	struct sync_thread *t = arg;
	long long now = mono_ms(), due;

	(void)detail;
	pthread_mutex_lock(&t->lock);
	switch (ev) {
	case REALTIME_CONNECTING:
		t->rt_connecting = 1;
		break;
	case REALTIME_CONNECTED:
		t->rt_connecting = 0;
		t->rt_connected = 1;
		t->rt_changed = 1;
		/* Whatever changed while it was away: pull now. */
		t->change_first = now;
		t->change_due = now;
		break;
	case REALTIME_DISCONNECTED:
		/* Why (detail) is in the debug log already. */
		t->rt_connecting = 0;
		t->rt_connected = 0;
		t->rt_changed = 1;
		break;
	case REALTIME_CHANGE:
		/* A burst (a bulk push elsewhere) costs one pull, not one per frame. */
		if (t->change_first == 0)
			t->change_first = now;
		t->change_seen = 1;
		due = now + SYNC_DEBOUNCE_MS;
		if (due > t->change_first + SYNC_DEBOUNCE_MAX_MS)
			due = t->change_first + SYNC_DEBOUNCE_MAX_MS;
		t->change_due = due;
		break;
	}
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->lock);
}

static int
rt_connected(struct sync_thread *t)
{
	int c;

	pthread_mutex_lock(&t->lock);
	c = t->rt_connected;
	pthread_mutex_unlock(&t->lock);
	return c;
}

/* Plans the next token refresh from the session's expiry. */
static void
plan_refresh(struct worker *w, long long expires_at)
{
	long long left = expires_at - (long long)time(NULL);
	/*
	 * A token that lives less than twice the margin (a cloud's short
	 * access-token lifetime) is refreshed halfway: refreshing "50 s ahead"
	 * would be at once, and again at once with each new token, a loop.
	 */
	long long in = left < 2 * REFRESH_AHEAD ? left / 2 : left - REFRESH_AHEAD;

	if (expires_at <= 0) {
		w->refresh_at = 0;
		return;
	}
	w->refresh_at = mono_ms() + (in > 0 ? in * 1000 : 0);
}

/* Gives realtime the session's token when it is new; plans its refresh. */
static void
rt_token_update(struct worker *w)
{
	const char *tok;

	if (!w->open)
		return;
	tok = w->sc.auth.access_token;
	plan_refresh(w, w->sc.auth.expires_at);
	if (w->rt == NULL || tok == NULL || (w->rt_token != NULL && strcmp(tok, w->rt_token) == 0))
		return;
	free(w->rt_token);
	w->rt_token = xstrdup(tok);
	realtime_set_token(w->rt, tok);
}

/* Starts realtime for the person logged in, with the freshest token at hand. */
static void
rt_begin(struct worker *w)
{
	struct auth_session ses;
	char err[ERRLEN];
	const char *uid, *tok;
	int loaded = 0;

	if (w->rt != NULL || !w->cloud || w->url == NULL || *w->url == '\0')
		return;
	if (w->open) {
		uid = w->sc.auth.user_id;
		tok = w->sc.auth.access_token;
	} else {
		if (auth_session_load(w->t->home, &ses, err) != 0)
			return;
		loaded = 1;
		uid = ses.user_id;
		tok = ses.access_token;
	}
	if ((w->rt = realtime_start(w->url, w->anon_key, uid, tok, on_realtime, w->t, err)) ==
	    NULL)
		log_warn("%s; pulling on a timer instead", err);
	else {
		free(w->rt_token);
		w->rt_token = tok != NULL ? xstrdup(tok) : NULL;
	}
	if (loaded)
		auth_session_free(&ses);
}

static void
rt_end(struct worker *w)
{
	realtime_stop(w->rt);
	w->rt = NULL;
	free(w->rt_token);
	w->rt_token = NULL;
	pthread_mutex_lock(&w->t->lock);
	w->t->rt_connected = w->t->rt_connecting = w->t->rt_changed = 0;
	w->t->change_first = w->t->change_due = 0;
	w->t->change_seen = 0;
	pthread_mutex_unlock(&w->t->lock);
}

/* ---------------------------------------------------------------- syncing */

static int
aborted(const struct worker *w)
{
	return atomic_load(&w->t->abort) != 0;
}

/* Opens the sync core when it is not; 0 open, 1 logged out, -1 error. */
static int
open_core(struct worker *w, char *err)
{
	int rc;

	if (w->open)
		return 0;
	rc = sync_open_abortable(&w->sc, w->t->home, &w->t->abort, err);
	w->open = rc == 0;
	if (rc == 0) {
		rt_begin(w);
		rt_token_update(w);
	}
	return rc;
}

/* Logged out meanwhile: local from now on. */
static void
go_local(struct worker *w, struct sync_status *s)
{
	w->cloud = 0;
	w->next_run = w->refresh_at = w->recheck_at = 0;
	rt_end(w);
	s->state = SYNC_LOCAL;
	s->user[0] = '\0';
	recount(w, s);
	publish(w->t, s);
}

/* The pull cursor as stored, or NULL. */
static char *
pull_cursor(struct worker *w)
{
	char *key = sync_cursor_key(&w->sc), *v;

	v = sync_state_get(w->sc.st, key);
	free(key);
	return v;
}

/*
 * Pull then push. Returns 1 when the pull was handed rows (its cursor moved:
 * anything, our own pushes coming back included), 0 when not, -1 on failure.
 */
static int
run_sync(struct worker *w, struct sync_status *s)
{
	struct sync_counts n;
	char err[ERRLEN], now[32], *before = NULL, *after = NULL;
	long purged;
	int rc, moved = 0;

	s->state = SYNC_SYNCING;
	publish(w->t, s);
	memset(&n, 0, sizeof n);
	if ((rc = open_core(w, err)) == 1) {
		go_local(w, s);
		return -1;
	}
	if (rc == 0) {
		before = pull_cursor(w);
		rc = sync_pull(&w->sc, &n, err);
		w->held_back = rc == 0 && n.held_back;
		after = rc == 0 ? pull_cursor(w) : NULL;
		moved = after != NULL && (before == NULL || strcmp(before, after) != 0);
		free(before);
		free(after);
	}
	if (rc == 0)
		rc = sync_push(&w->sc, &n, err);
	if (rc == 0)
		rc = sync_purge(&w->sc, &purged, err);
	if (rc == 0 && !aborted(w)) {
		/* Opt-in analytics' daily step: its failure is not the sync's, the next run retries. */
		enum analytics_done done;
		char aerr[ERRLEN];

		if (analytics_daily(w->sc.home, w->sc.st, w->sc.cloud, w->sc.auth.user_id, &done,
		    aerr) != 0)
			log_debug("sync thread: analytics: %s", aerr);
	}
	if (aborted(w))
		return -1;	/* quitting: what did not commit stays pending */
	/* What it wrote here, the UI sees through the store's data_version. */
	s->runs++;
	if (rc == 0) {
		int live = rt_connected(w->t);

		time_now_iso(now);
		sync_state_set(w->sc.st, "last_sync", now, err);
		sync_state_set(w->sc.st, "last_error", NULL, err);
		s->state = live ? SYNC_LIVE : SYNC_POLLING;
		s->last_error[0] = '\0';
		w->backoff = 0;
		w->next_run = w->continuous ? mono_ms() + (live ? SYNC_PERIOD_LIVE : SYNC_PERIOD) *
		    1000LL : 0;
		/* A 401 may have refreshed the token. */
		rt_token_update(w);
		/* The cloud answers: realtime need not wait out its backoff. */
		if (!live && w->rt != NULL)
			realtime_retry(w->rt);
	} else {
		one_line(s->last_error, sizeof s->last_error, err);
		if (w->open)
			sync_state_set(w->sc.st, "last_error", s->last_error, err);
		s->state = SYNC_OFFLINE;
		w->backoff = w->backoff == 0 ? SYNC_BACKOFF_MIN : w->backoff * 2;
		if (w->backoff > SYNC_BACKOFF_MAX)
			w->backoff = SYNC_BACKOFF_MAX;
		/* Retried in the background only when syncing in the background at all. */
		w->next_run = w->continuous ? mono_ms() + w->backoff * 1000LL : 0;
		/* Start afresh next time: a new connection, the session read again. */
		if (w->open) {
			sync_close(&w->sc);
			w->open = 0;
		}
	}
	recount(w, s);
	publish(w->t, s);
	return rc == 0 ? moved : -1;
}

/* The next pull for held-back rows, wait_ms from now. */
static void
plan_recheck(struct worker *w, long wait_ms)
{
	w->recheck_ms = wait_ms;
	w->recheck_at = mono_ms() + wait_ms;
}

/*
 * A pull for a change realtime reported: when it was handed nothing, the
 * change is held back behind an older transaction; plan another pull a little
 * later. A pull for a (re)connection expects nothing in particular.
 */
static void
pull_for_change(struct worker *w, struct sync_status *s, int changed, int again)
{
	int moved = run_sync(w, s);
	int wanted = moved >= 0 && (w->held_back || (changed && moved == 0));

	if (!wanted || (again && w->recheck_ms >= RECHECK_MAX_MS)) {
		w->recheck_at = 0;
		w->recheck_ms = 0;
		return;
	}
	plan_recheck(w, again ? w->recheck_ms * 2 : RECHECK_MIN_MS);
}

/*
 * A sync of any other kind (the first, the timer's, S, a nudge): when its pull
 * left rows held back, the background pulls them a little later, as it does
 * for a change realtime reported. (A first pull held back would otherwise
 * wait for the next change or the ten-minute timer.)
 */
static void
sync_and_recheck(struct worker *w, struct sync_status *s)
{
	run_sync(w, s);
	if (w->held_back && w->continuous && w->recheck_at == 0)
		plan_recheck(w, RECHECK_MIN_MS);
}

/* Realtime came or went: live only while it is connected. */
static void
realtime_status(struct worker *w, struct sync_status *s)
{
	int live = rt_connected(w->t);
	long long poll_by = mono_ms() + SYNC_PERIOD * 1000LL;

	if (s->state == SYNC_LIVE && !live)
		s->state = SYNC_POLLING;
	else if (s->state == SYNC_POLLING && live)
		s->state = SYNC_LIVE;
	/* Without realtime, the timer is what finds changes: at the polling pace. */
	if (!live && w->continuous && s->state == SYNC_POLLING &&
	    (w->next_run == 0 || w->next_run > poll_by))
		w->next_run = poll_by;
	publish(w->t, s);
}

/* Refreshes the access token when due, so the realtime channel keeps it valid. */
static void
refresh_token(struct worker *w, struct sync_status *s)
{
	char err[ERRLEN];
	int rc;

	if (!w->cloud)
		return;
	rc = open_core(w, err);
	if (rc == 1) {
		go_local(w, s);
		return;
	}
	if (rc == 0 && auth_session_refresh(w->t->home, &w->sc.auth, w->sc.cloud, 0, err) == 0) {
		rt_token_update(w);
		/* Between syncs that worked, the error can only be a refresh's: gone now. */
		if (s->state != SYNC_OFFLINE && s->last_error[0] != '\0') {
			s->last_error[0] = '\0';
			publish(w->t, s);
		}
		return;
	}
	if (aborted(w))
		return;
	log_debug("sync thread: token refresh: %s", err);
	/*
	 * Said now: a session the cloud has ended needs a login, and the next
	 * sync (which would say so too) may be minutes away.
	 */
	one_line(s->last_error, sizeof s->last_error, err);
	publish(w->t, s);
	/* Realtime may still come up with the token it has; the next sync tries again. */
	rt_begin(w);
	w->refresh_at = mono_ms() + REFRESH_RETRY * 1000LL;
}

/* ---------------------------------------------------------------- the loop */

static int
is_busy(const struct sync_thread *t)
{
	return t->running || t->nqueue > 0 || t->rt_connecting || t->change_due != 0 ||
	    t->rt_changed;
}

static void
at_ms(long long ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

/* Waits for a command or for something due. */
static enum job
next_job(struct worker *w, enum sync_command *cmd)
{
	struct sync_thread *t = w->t;
	struct timespec until;
	long long now, wake;
	enum job job;
	int i;

	pthread_mutex_lock(&t->lock);
	t->running = 0;
	for (;;) {
		t->status.busy = is_busy(t);
		if (t->nqueue > 0) {
			*cmd = t->queue[0];
			for (i = 1; i < t->nqueue; i++)
				t->queue[i - 1] = t->queue[i];
			t->nqueue--;
			/* A quit waiting behind other commands goes first. */
			for (i = 0; i < t->nqueue; i++) {
				if (t->queue[i] == SYNC_CMD_QUIT)
					*cmd = SYNC_CMD_QUIT;
			}
			job = JOB_COMMAND;
			break;
		}
		if (t->rt_changed) {
			t->rt_changed = 0;
			job = JOB_STATUS;
			break;
		}
		now = mono_ms();
		if (t->change_due != 0 && now >= t->change_due) {
			t->change_due = t->change_first = 0;
			w->change_seen = t->change_seen;
			t->change_seen = 0;
			job = JOB_CHANGE;
			break;
		}
		if (w->next_run != 0 && now >= w->next_run) {
			w->next_run = 0;
			job = JOB_SYNC;
			break;
		}
		if (w->refresh_at != 0 && now >= w->refresh_at) {
			w->refresh_at = 0;
			job = JOB_REFRESH;
			break;
		}
		if (w->recheck_at != 0 && now >= w->recheck_at) {
			w->recheck_at = 0;
			job = JOB_RECHECK;
			break;
		}
		wake = 0;
		if (t->change_due != 0)
			wake = t->change_due;
		if (w->next_run != 0 && (wake == 0 || w->next_run < wake))
			wake = w->next_run;
		if (w->refresh_at != 0 && (wake == 0 || w->refresh_at < wake))
			wake = w->refresh_at;
		if (w->recheck_at != 0 && (wake == 0 || w->recheck_at < wake))
			wake = w->recheck_at;
		if (wake == 0)
			pthread_cond_wait(&t->wake, &t->lock);
		else {
			at_ms(wake, &until);
			pthread_cond_timedwait(&t->wake, &t->lock, &until);
		}
	}
	t->running = 1;
	t->status.busy = 1;
	pthread_mutex_unlock(&t->lock);
	return job;
}

static void *
worker_main(void *arg)
{
	struct worker w;
	struct sync_status s;
	enum sync_command cmd = SYNC_CMD_RECOUNT;
	enum job job;
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
	if (w.cloud) {
		/* A fresh token for realtime at once; with continuous sync, a first sync too. */
		w.refresh_at = mono_ms();
		if (w.continuous)
			w.next_run = mono_ms();
	}

	while ((job = next_job(&w, &cmd)) != JOB_COMMAND || cmd != SYNC_CMD_QUIT) {
		switch (job) {
		case JOB_SYNC:
			if (w.cloud)
				sync_and_recheck(&w, &s);
			break;
		case JOB_CHANGE:
		case JOB_RECHECK:
			if (w.cloud && w.continuous)
				pull_for_change(&w, &s, job == JOB_RECHECK || w.change_seen,
				    job == JOB_RECHECK);
			break;
		case JOB_STATUS:
			realtime_status(&w, &s);
			break;
		case JOB_REFRESH:
			refresh_token(&w, &s);
			break;
		case JOB_COMMAND:
			switch (cmd) {
			case SYNC_CMD_NOW:
				if (!w.cloud)
					read_config(&w, &s);	/* logged in since? */
				if (w.cloud)
					sync_and_recheck(&w, &s);
				else {
					recount(&w, &s);
					publish(w.t, &s);
				}
				break;
			case SYNC_CMD_NUDGE:
				/*
				 * Offline, the backoff's retry carries the change: a
				 * nudge per import would make a round of requests per
				 * line an agent writes while the cloud is down.
				 */
				if (w.cloud && w.continuous &&
				    !(s.state == SYNC_OFFLINE && w.next_run != 0)) {
					sync_and_recheck(&w, &s);
					break;
				}
				/* FALLTHROUGH */
			case SYNC_CMD_RECOUNT:
			case SYNC_CMD_QUIT:
				recount(&w, &s);
				publish(w.t, &s);
				break;
			}
			break;
		}
	}
	rt_end(&w);
	if (w.open)
		sync_close(&w.sc);
	store_close(w.st);
	free(w.url);
	free(w.anon_key);
	pthread_mutex_lock(&w.t->lock);
	w.t->running = 0;
	w.t->status.busy = 0;
	w.t->done = 1;
	pthread_cond_broadcast(&w.t->gone);
	pthread_mutex_unlock(&w.t->lock);
	notify(w.t);
	return NULL;
}

struct sync_thread *
sync_thread_start(const char *home, char *err)
{
	struct sync_thread *t = xcalloc(1, sizeof *t);
	pthread_condattr_t ca;
	int rc;

	t->home = xstrdup(home);
	if (wake_pipe_open(&t->pipe, err) != 0) {
		free(t->home);
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake, &ca);
	pthread_cond_init(&t->gone, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&t->abort, 0);
	t->status.state = SYNC_LOCAL;
	t->status.busy = 1;	/* until the first snapshot is out */
	t->running = 1;

	/* Signals (SIGWINCH above all) belong to the UI thread. */
	if ((rc = thread_start_unsignalled(&t->thread, worker_main, t)) != 0) {
		seterr(err, "cannot start the sync thread: %s", strerror(rc));
		wake_pipe_close(&t->pipe);
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->wake);
		pthread_cond_destroy(&t->gone);
		free(t->home);
		free(t);
		return NULL;
	}
	return t;
}

int
sync_thread_fd(const struct sync_thread *t)
{
	return t->pipe.fd[0];
}

void
sync_thread_drain(struct sync_thread *t)
{
	wake_pipe_drain(&t->pipe);
}

void
sync_thread_snapshot(struct sync_thread *t, struct sync_status *out)
{
	pthread_mutex_lock(&t->lock);
	*out = t->status;
	out->busy = is_busy(t);
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
	/* Whatever the thread waits on in the network gives up within 50 ms. */
	atomic_store(&t->abort, 1);
	sync_thread_send(t, SYNC_CMD_QUIT);
	pthread_join(t->thread, NULL);
	wake_pipe_close(&t->pipe);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->wake);
	pthread_cond_destroy(&t->gone);
	free(t->home);
	free(t);
}

void
sync_thread_finish(struct sync_thread *t, int grace_ms)
{
	struct timespec until;

	if (t == NULL)
		return;
	/* A quit goes before anything queued, after the job under way. */
	sync_thread_send(t, SYNC_CMD_QUIT);
	at_ms(mono_ms() + grace_ms, &until);
	pthread_mutex_lock(&t->lock);
	while (!t->done && pthread_cond_timedwait(&t->gone, &t->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&t->lock);
	sync_thread_stop(t);
}
