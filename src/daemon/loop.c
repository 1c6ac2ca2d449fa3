#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>	/* mallopt */
#endif
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/live.h"
#include "cmd.h"
#include "config/config.h"
#include "daemon/loop.h"
#include "daemon/status-file.h"
#include "store/browse.h"
#include "store/db.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/wake-pipe.h"

static volatile sig_atomic_t got_stop, got_hup, got_sync_now, got_nudge;
static struct wake_pipe wake = { { -1, -1 } };	/* the signal handler wakes the loop */

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_sync_now = 1;
	else if (sig == SIGUSR2)
		got_nudge = 1;
	else
		got_stop = 1;
	wake_pipe_poke(&wake);
	errno = saved;
}

struct daemon {
	struct cmd_ctx *ctx;
	struct live *live;	/* the watcher and the import it drives */
	int idle_minutes;
	struct sync_thread *sync;
	struct daemon_status status;
	char user[128];
	char storage[16];
	int cloud;		/* storage = cloud: the sync core may run */
	char sync_state[16];
	char last_error[ERRLEN];	/* the daemon's own: config, import */
	int import_failed;	/* last_error is a failed import's */
	char sync_error[ERRLEN];	/* the sync core's, gone once a sync works */
};

/* Lines of the daemon's own, for its log: when, and what. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	char when[32], msg[1024];
	va_list ap;

	time_now_iso(when);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s daemon %ld: %s\n", when, (long)getpid(), msg);
}

static void
note_error(struct daemon *d, const char *err)
{
	log_warn("%s", err);
	snprintf(d->last_error, sizeof d->last_error, "%s", err);
}

static void
write_status(struct daemon *d)
{
	struct daemon_status *s = &d->status;
	struct sync_status ss;
	const struct live_stats *ls = live_stats(d->live);
	char err[ERRLEN];
	long long held = 0, settled = 0;

	s->folders = live_folders(d->live);
	s->watching = live_watching(d->live);
	s->last_import = ls->last_import;
	s->imports = ls->imports;
	s->lines = ls->lines;
	s->turns = ls->turns;
	s->storage = d->storage;
	d->user[0] = '\0';
	if (d->sync != NULL) {
		sync_thread_snapshot(d->sync, &ss);
		snprintf(d->sync_state, sizeof d->sync_state, "%s", sync_state_name(ss.state));
		snprintf(d->user, sizeof d->user, "%s", ss.user);
		s->last_sync = ss.last_sync;
		s->syncs = (long)ss.runs;
		s->pending = ss.pending;
		s->conflicts = ss.held;
		s->settled = ss.settled;
		snprintf(d->sync_error, sizeof d->sync_error, "%s", ss.last_error);
	} else {
		snprintf(d->sync_state, sizeof d->sync_state, "off");
		if (browse_sync_counts(d->ctx->store, &s->pending, &held, &settled, err) != 0)
			s->pending = -1;
		s->conflicts = s->pending < 0 ? -1 : held;
		s->settled = s->pending < 0 ? -1 : settled;
	}
	s->sync = d->sync_state;
	s->user = d->user;
	s->last_error = d->sync_error[0] != '\0' ? d->sync_error : d->last_error;
	if (daemon_status_write(d->ctx->home, s, err) != 0)
		log_warn("%s", err);
}

/* Reads the config: the idle limit, and whether to sync (storage = cloud). */
static int
read_config(struct daemon *d)
{
	struct config *cfg;
	char err[ERRLEN];

	if ((cfg = config_load(d->ctx->home, err)) == NULL) {
		note_error(d, err);
		return -1;
	}
	d->idle_minutes = (int)config_get_number(cfg, "import.idle-minutes");
	snprintf(d->storage, sizeof d->storage, "%s", config_get(cfg, "storage"));
	d->cloud = config_storage_cloud(cfg);
	config_free(cfg);
	return 0;
}

/* The sync core runs with storage = cloud only: with local, no request at all. */
static void
start_sync(struct daemon *d)
{
	char err[ERRLEN];

	if (!d->cloud || d->sync != NULL)
		return;
	if ((d->sync = sync_thread_start(d->ctx->home, err)) == NULL)
		note_error(d, err);
}

static void
stop_sync(struct daemon *d)
{
	sync_thread_stop(d->sync);
	d->sync = NULL;
}

/* After live capture ran (what: its LIVE_* flags): the status, and the push when due. */
static void
imported(struct daemon *d, int what)
{
	/* The failure is in the log already (capture/live.c): only the status says it again. */
	if (what & LIVE_FAILED) {
		snprintf(d->last_error, sizeof d->last_error, "%s", live_error(d->live));
		d->import_failed = 1;
	} else if ((what & LIVE_IMPORTED) && d->import_failed) {
		d->last_error[0] = '\0';	/* the failed import is done now */
		d->import_failed = 0;
	}
	if (what & (LIVE_IMPORTED | LIVE_FAILED))
		write_status(d);
	if (what & LIVE_IMPORTED)
		store_release_memory(d->ctx->store);	/* it sleeps now, maybe for hours */
	if ((what & LIVE_PUSH) && d->sync != NULL)
		sync_thread_send(d->sync, SYNC_CMD_NUDGE);
}

static void
reload(struct daemon *d)
{
	say("SIGHUP: reading the config again");
	if (read_config(d) != 0)
		return;
	live_set_idle_minutes(d->live, d->idle_minutes);
	/* The sync thread reads the config when it starts: start it again. */
	stop_sync(d);
	start_sync(d);
	write_status(d);
}

static void
set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;	/* the import under way goes on to its commit */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * A browser on this home asks: SIGUSR1, sync now (its S key); SIGUSR2, the
 * store was edited (a nudge, which syncs with continuous-sync on). The reply
 * is daemon.json written again when the sync is done ("syncs" grows).
 */
static void
requests(struct daemon *d)
{
	if (got_sync_now) {
		got_sync_now = 0;
		say("SIGUSR1: syncing now, as asked");
		if (d->sync != NULL)
			sync_thread_send(d->sync, SYNC_CMD_NOW);
		else
			write_status(d);	/* storage = local: nothing to do, said at once */
	}
	if (got_nudge) {
		got_nudge = 0;
		say("SIGUSR2: the store was edited");
		if (d->sync != NULL)
			sync_thread_send(d->sync, SYNC_CMD_NUDGE);
	}
}

static void
step(struct daemon *d, struct pollfd *p, int npoll)
{
	int i, watched = 0;

	for (i = 0; i < npoll; i++) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (p[i].fd == wake.fd[0])
			wake_pipe_drain(&wake);
		else if (d->sync != NULL && p[i].fd == sync_thread_fd(d->sync)) {
			sync_thread_drain(d->sync);
			write_status(d);
		} else
			watched = 1;
	}
	requests(d);
	imported(d, live_step(d->live, watched));
}

int
daemon_loop(struct cmd_ctx *ctx, const char *claude_dir, int ready_fd)
{
	struct daemon d;
	struct pollfd p[3];
	long long wait;
	int npoll, rc = 0;
	char err[ERRLEN];

#ifdef __GLIBC__
	/*
	 * One malloc arena: the import's reading thread otherwise leaves an arena
	 * of its own behind, its freed buffers kept (malloc_trim leaves most of
	 * them): 29 MB resident after importing 63 MB of transcripts, 8 MB with
	 * one arena, for the same CPU time.
	 */
	mallopt(M_ARENA_MAX, 1);
#endif
	memset(&d, 0, sizeof d);
	d.ctx = ctx;
	d.status.pid = (long)getpid();
	d.status.started = time(NULL);
	if (wake_pipe_open(&wake, err) != 0)
		return cmd_fail("daemon: %s", err);
	set_signals();
	if (read_config(&d) != 0 || cmd_store(ctx) == NULL) {
		rc = 1;
		goto out;
	}
	if (store_check_writable(ctx->store, err) != 0) {
		rc = cmd_fail("daemon: %s", err);
		goto out;
	}
	/* The watches first, then the import: a line written in between is seen twice, never missed. */
	d.live = live_open(ctx->store, ctx->home, claude_dir, d.idle_minutes);
	start_sync(&d);
	say("watching %s/projects (%d folders, %s), storage %s",
	    claude_dir, live_folders(d.live),
	    live_fd(d.live) >= 0 ? "inotify" : "periodic scans", d.storage);
	imported(&d, live_import(d.live) | LIVE_IMPORTED);
	if (ready_fd >= 0) {
		if (write(ready_fd, "ok", 2) != 2) {
			/* whoever waited is gone: run anyway */
		}
		close(ready_fd);
		ready_fd = -1;
	}
	while (!got_stop) {
		if (got_hup) {
			got_hup = 0;
			reload(&d);
		}
		npoll = 0;
		p[npoll++] = (struct pollfd){ .fd = wake.fd[0], .events = POLLIN };
		if (live_fd(d.live) >= 0)
			p[npoll++] = (struct pollfd){ .fd = live_fd(d.live), .events = POLLIN };
		if (d.sync != NULL)
			p[npoll++] = (struct pollfd){ .fd = sync_thread_fd(d.sync), .events = POLLIN };
		wait = live_wait(d.live);
		if (poll(p, (nfds_t)npoll, wait < 0 ? -1 : wait > 60000 ? 60000 : (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			rc = cmd_fail("daemon: poll: %s", strerror(errno));
			break;
		}
		if (!got_stop)
			step(&d, p, npoll);
	}
	say("stopping");
	stop_sync(&d);
out:
	if (ready_fd >= 0)
		close(ready_fd);
	live_close(d.live);
	wake_pipe_close(&wake);
	return rc;
}
