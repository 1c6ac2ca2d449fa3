#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capture/debounce.h"
#include "capture/import.h"
#include "capture/live.h"
#include "capture/watch.h"
#include "store/import-rows.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

struct live {
	struct store *st;
	char *home, *claude_dir, *projects;
	struct import_opts opts;
	struct watcher *watch;
	struct debounce import_due, push_due;
	struct backoff scan;	/* periodic scans without inotify */
	struct backoff retry;	/* after a failed import: again, with backoff */
	long long idle_due;	/* when an open commit goes idle (monotonic ms); 0: none */
	struct live_stats stats;
	char error[ERRLEN];
};

long long
live_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct live *
live_open(struct store *st, const char *home, const char *claude_dir, int idle_minutes)
{
	struct live *l = xcalloc(1, sizeof *l);

	l->st = st;
	l->home = xstrdup(home);
	l->claude_dir = xstrdup(claude_dir);
	l->projects = xprintf("%s/projects", claude_dir);
	l->opts.claude_dir = l->claude_dir;
	l->opts.quiet = 1;
	l->opts.idle_minutes = idle_minutes;
	debounce_init(&l->import_due, LIVE_IMPORT_DEBOUNCE_MS, LIVE_IMPORT_MAX_MS);
	debounce_init(&l->push_due, LIVE_PUSH_DEBOUNCE_MS, LIVE_PUSH_MAX_MS);
	l->watch = watch_open(claude_dir);
	return l;
}

void
live_close(struct live *l)
{
	if (l == NULL)
		return;
	watch_close(l->watch);
	free(l->projects);
	free(l->claude_dir);
	free(l->home);
	free(l);
}

void
live_set_idle_minutes(struct live *l, int idle_minutes)
{
	l->opts.idle_minutes = idle_minutes;
	l->idle_due = live_now_ms();	/* an import now closes what the new limit makes idle */
}

/*
 * An open commit closes when an import finds it quiet for import.idle-minutes;
 * with no new line no import would run, so the loop wakes once, when the
 * earliest open commit goes idle, and imports (no polling).
 */
static void
plan_idle_close(struct live *l)
{
	int64_t due, now = (int64_t)time_now() * 1000;
	char err[ERRLEN];

	l->idle_due = 0;
	if (import_next_idle(l->st, (int64_t)l->opts.idle_minutes * 60000, now, &due, err) != 0) {
		log_warn("%s", err);
		return;
	}
	/* now is whole seconds, as the import's idle test: never early by its clock. */
	if (due >= 0)
		l->idle_due = live_now_ms() + (due - now);
}

int
live_import(struct live *l)
{
	struct import_stats s;
	struct stat sb;
	long long now = live_now_ms();

	/* No projects/ yet: nothing to read (the scans look for it), and no error to retry. */
	if (stat(l->projects, &sb) != 0) {
		l->retry.due = 0;
		return 0;
	}
	log_debug("live capture: importing new transcript lines");
	if (import_run(l->st, l->home, &l->opts, &s, l->error) != 0) {
		log_warn("%s", l->error);
		/* What changed is still unread: try again, with backoff, until it works. */
		if (l->retry.due == 0)
			backoff_start(&l->retry, LIVE_SCAN_MIN_MS, LIVE_SCAN_MAX_MS, now);
		else
			backoff_after_scan(&l->retry, 0, now);
		return LIVE_FAILED;
	}
	l->error[0] = '\0';
	l->retry.due = 0;
	plan_idle_close(l);
	l->stats.imports++;
	l->stats.last_import = time_now();
	l->stats.lines += s.lines;
	l->stats.turns += s.turns_new;
	if (s.lines == 0 && s.commits_new == 0 && s.turns_new == 0)
		return LIVE_IMPORTED;
	log_debug("imported %ld lines, %ld new turns", s.lines, s.turns_new);
	debounce_touch(&l->push_due, live_now_ms());
	return LIVE_IMPORTED | LIVE_NEW_ROWS;
}

/* A periodic scan, without inotify: projects/ may have appeared; did it find anything? */
static int
scan(struct live *l)
{
	long before = l->stats.lines;
	int what;

	watch_rescan(l->watch);
	what = live_import(l);
	backoff_after_scan(&l->scan, l->stats.lines != before, live_now_ms());
	return what;
}

long long
live_wait(struct live *l)
{
	long long now = live_now_ms(), wait;

	wait = wait_min(debounce_wait(&l->import_due, now), debounce_wait(&l->push_due, now));
	wait = wait_min(wait, backoff_wait(&l->retry, now));
	if (l->idle_due != 0)
		wait = wait_min(wait, l->idle_due > now ? l->idle_due - now : 0);
	if (watch_mode(l->watch) == WATCH_SCAN) {
		if (l->scan.due == 0)
			backoff_start(&l->scan, LIVE_SCAN_MIN_MS, LIVE_SCAN_MAX_MS, now);
		wait = wait_min(wait, backoff_wait(&l->scan, now));
	} else
		l->scan.due = 0;
	return wait;
}

int
live_step(struct live *l, int fd_ready)
{
	long long now;
	int what = 0, ev;

	if (fd_ready) {
		ev = watch_read(l->watch);
		if (ev & WATCH_RESCAN) {
			watch_rescan(l->watch);
			what |= live_import(l);	/* at once: everything, nothing was missed */
		} else if (ev & WATCH_CHANGED)
			debounce_touch(&l->import_due, live_now_ms());
	}
	now = live_now_ms();
	if (debounce_fire(&l->import_due, now) || backoff_wait(&l->retry, now) == 0)
		what |= live_import(l);
	if (watch_mode(l->watch) == WATCH_SCAN && backoff_wait(&l->scan, now) == 0)
		what |= scan(l);
	if (l->idle_due != 0 && now >= l->idle_due) {
		log_debug("an open commit has gone idle: importing to close it");
		l->idle_due = 0;	/* the import plans the next (a failed one retries) */
		if ((what |= live_import(l)) & LIVE_IMPORTED) {
			/* The commit closed: views read it again, and it goes up. */
			what |= LIVE_NEW_ROWS;
			debounce_touch(&l->push_due, live_now_ms());
		}
	}
	if (debounce_fire(&l->push_due, live_now_ms()))
		what |= LIVE_PUSH;
	return what;
}

int
live_fd(const struct live *l)
{
	return watch_fd(l->watch);
}

const struct live_stats *
live_stats(const struct live *l)
{
	return &l->stats;
}

int
live_folders(const struct live *l)
{
	return watch_folders(l->watch);
}

const char *
live_watching(const struct live *l)
{
	return watch_mode(l->watch) == WATCH_INOTIFY ? "inotify" : "scan";
}

const char *
live_error(const struct live *l)
{
	return l->error;
}
