#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/debounce.h"
#include "capture/import.h"
#include "capture/watch.h"
#include "cmd.h"
#include "config/config.h"
#include "daemon/loop.h"
#include "daemon/status-file.h"
#include "store/browse.h"
#include "store/db.h"
#include "ui/sync-thread.h"
#include "util/log.h"
#include "util/timeutil.h"

static volatile sig_atomic_t got_stop, got_hup;
static int wake_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
	if (write(wake_pipe[1], "", 1) < 0) {
		/* full: the loop is woken already */
	}
	errno = saved;
}

struct daemon {
	struct cmd_ctx *ctx;
	const char *claude_dir;
	struct import_opts opts;
	struct watcher *watch;
	struct sync_thread *sync;
	struct debounce import_due, push_due;
	struct backoff scan;
	struct backoff retry;	/* after a failed import (a busy store): again, with backoff */
	struct daemon_status status;
	char storage[16];
	int cloud;		/* storage = cloud: the sync core may run */
	char sync_state[16];
	char last_error[ERRLEN];
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	char err[ERRLEN];
	long long held = 0, settled = 0;

	s->folders = watch_folders(d->watch);
	s->watching = watch_mode(d->watch) == WATCH_INOTIFY ? "inotify" : "scan";
	s->storage = d->storage;
	if (d->sync != NULL) {
		sync_thread_snapshot(d->sync, &ss);
		snprintf(d->sync_state, sizeof d->sync_state, "%s", sync_state_name(ss.state));
		s->last_sync = ss.last_sync;
		s->pending = ss.pending;
		s->conflicts = ss.held;
		if (ss.last_error[0] != '\0')
			snprintf(d->last_error, sizeof d->last_error, "%s", ss.last_error);
	} else {
		snprintf(d->sync_state, sizeof d->sync_state, "off");
		if (browse_sync_counts(d->ctx->store, &s->pending, &held, &settled, err) != 0)
			s->pending = -1;
		s->conflicts = s->pending < 0 ? -1 : held;
	}
	s->sync = d->sync_state;
	s->last_error = d->last_error;
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
	d->opts.idle_minutes = (int)config_get_number(cfg, "import.idle-minutes");
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

static void
run_import(struct daemon *d)
{
	struct import_stats stats;
	char err[ERRLEN];

	if (import_run(d->ctx->store, d->ctx->home, &d->opts, &stats, err) != 0) {
		note_error(d, err);
		/* What changed is still unread: try again, with backoff, until it works. */
		if (d->retry.due == 0)
			backoff_start(&d->retry, DAEMON_SCAN_MIN_MS, DAEMON_SCAN_MAX_MS, mono_ms());
		else
			backoff_after_scan(&d->retry, 0, mono_ms());
		write_status(d);
		return;
	}
	d->retry.due = 0;
	d->status.imports++;
	d->status.last_import = time_now();
	d->status.lines += stats.lines;
	d->status.turns += stats.turns_new;
	if (stats.lines > 0 || stats.commits_new > 0 || stats.turns_new > 0) {
		log_debug("imported %ld lines, %ld new turns", stats.lines, stats.turns_new);
		debounce_touch(&d->push_due, mono_ms());
	}
	write_status(d);
}

/* After a scan in WATCH_SCAN mode: did it find anything? */
static void
scan(struct daemon *d)
{
	long before = d->status.lines;

	watch_rescan(d->watch);	/* projects/ may have appeared */
	run_import(d);
	backoff_after_scan(&d->scan, d->status.lines != before, mono_ms());
}

static void
reload(struct daemon *d)
{
	say("SIGHUP: reading the config again");
	if (read_config(d) != 0)
		return;
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
	signal(SIGPIPE, SIG_IGN);
}

static void
drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

static long long
next_wait(struct daemon *d)
{
	long long now = mono_ms(), wait;

	wait = wait_min(debounce_wait(&d->import_due, now), debounce_wait(&d->push_due, now));
	wait = wait_min(wait, backoff_wait(&d->retry, now));
	if (watch_mode(d->watch) == WATCH_SCAN) {
		if (d->scan.due == 0)
			backoff_start(&d->scan, DAEMON_SCAN_MIN_MS, DAEMON_SCAN_MAX_MS, now);
		wait = wait_min(wait, backoff_wait(&d->scan, now));
	} else
		d->scan.due = 0;
	return wait;
}

static void
step(struct daemon *d, struct pollfd *p, int npoll)
{
	long long now;
	int what, i;

	for (i = 0; i < npoll; i++) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (p[i].fd == wake_pipe[0])
			drain(wake_pipe[0]);
		else if (d->sync != NULL && p[i].fd == sync_thread_fd(d->sync)) {
			sync_thread_drain(d->sync);
			write_status(d);
		} else if ((what = watch_read(d->watch)) & WATCH_RESCAN) {
			watch_rescan(d->watch);
			run_import(d);	/* at once: everything, nothing was missed */
			write_status(d);
		} else if (what & WATCH_CHANGED)
			debounce_touch(&d->import_due, mono_ms());
	}
	now = mono_ms();
	if (debounce_fire(&d->import_due, now) || backoff_wait(&d->retry, now) == 0)
		run_import(d);
	if (watch_mode(d->watch) == WATCH_SCAN && backoff_wait(&d->scan, now) == 0)
		scan(d);
	if (debounce_fire(&d->push_due, mono_ms()) && d->sync != NULL)
		sync_thread_send(d->sync, SYNC_CMD_NUDGE);
}

int
daemon_loop(struct cmd_ctx *ctx, const char *claude_dir, int ready_fd)
{
	struct daemon d;
	struct pollfd p[3];
	long long wait;
	int npoll, rc = 0;
	char err[ERRLEN];

	memset(&d, 0, sizeof d);
	d.ctx = ctx;
	d.claude_dir = claude_dir;
	d.opts.claude_dir = claude_dir;
	d.opts.quiet = 1;
	d.status.pid = (long)getpid();
	d.status.started = time(NULL);
	debounce_init(&d.import_due, DAEMON_IMPORT_DEBOUNCE_MS, DAEMON_IMPORT_MAX_MS);
	debounce_init(&d.push_due, DAEMON_PUSH_DEBOUNCE_MS, DAEMON_PUSH_MAX_MS);
	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return cmd_fail("daemon: pipe: %s", strerror(errno));
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
	d.watch = watch_open(claude_dir);
	start_sync(&d);
	say("watching %s/projects (%d folders, %s), storage %s",
	    claude_dir, watch_folders(d.watch),
	    watch_mode(d.watch) == WATCH_INOTIFY ? "inotify" : "periodic scans", d.storage);
	run_import(&d);
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
		p[npoll++] = (struct pollfd){ .fd = wake_pipe[0], .events = POLLIN };
		if (watch_fd(d.watch) >= 0)
			p[npoll++] = (struct pollfd){ .fd = watch_fd(d.watch), .events = POLLIN };
		if (d.sync != NULL)
			p[npoll++] = (struct pollfd){ .fd = sync_thread_fd(d.sync), .events = POLLIN };
		wait = next_wait(&d);
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
	watch_close(d.watch);
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	return rc;
}
