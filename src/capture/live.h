/*
 * Live capture, one piece shared by the daemon (daemon/loop.h) and the
 * browser when no daemon serves its home (ui/tui.c): the watcher
 * (capture/watch.h) says a transcript may have changed, the incremental
 * import (capture/import.h) reads just the new bytes after a short debounce,
 * and a longer debounce says when the new rows should go up (the owner
 * nudges its sync thread). An open commit quiet for import.idle-minutes is
 * closed by an import at the time it goes idle, with no new line: live_wait
 * counts down to the earliest (import_next_idle), never polls. Without inotify it scans with backoff; an import
 * that fails (a store locked past its busy timeout) is tried again with
 * backoff until it works. The owner polls live_fd() and sleeps at most
 * live_wait() ms, then calls live_step(): nothing here blocks but the import.
 */
#ifndef AL_CAPTURE_LIVE_H
#define AL_CAPTURE_LIVE_H

#include <time.h>

struct store;

/* A transcript change is imported after this long without another... */
#define LIVE_IMPORT_DEBOUNCE_MS 20
/* ...and at most this long after the first, while a writer never pauses. */
#define LIVE_IMPORT_MAX_MS 200
/* New rows go up this long after the last imported change (at most 5 s after the first). */
#define LIVE_PUSH_DEBOUNCE_MS 500
#define LIVE_PUSH_MAX_MS 5000
/* Periodic scans without inotify, and retries of a failed import: from 1 s, doubling, to 30 s. */
#define LIVE_SCAN_MIN_MS 1000
#define LIVE_SCAN_MAX_MS 30000

/* What live_step and live_import did (flags). */
#define LIVE_IMPORTED 1		/* an import ran (its figures changed) */
#define LIVE_NEW_ROWS 2		/* ...and wrote rows: views read the store again */
#define LIVE_FAILED 4		/* an import failed: live_error() says why; retried */
#define LIVE_PUSH 8		/* time to push what was imported: nudge the sync thread */

struct live_stats {
	long imports;		/* imports run */
	time_t last_import;	/* 0: none yet */
	long lines;		/* transcript lines imported since start */
	long turns;		/* new turns imported since start */
};

struct live;

/*
 * Starts watching claude_dir/projects for the store st of home (the store
 * stays the caller's); never fails (without inotify it scans). Nothing is
 * imported until live_import or live_step.
 */
struct live *live_open(struct store *st, const char *home, const char *claude_dir,
    int idle_minutes);
void live_close(struct live *l);
/* The import.idle-minutes in force (SIGHUP). */
void live_set_idle_minutes(struct live *l, int idle_minutes);
/* The fd to poll (the watcher's), or -1 while it scans. */
int live_fd(const struct live *l);
/* Milliseconds until live_step has something to do, -1 when only the fd can wake it. */
long long live_wait(struct live *l);
/* After poll: fd_ready when live_fd() was readable. LIVE_* flags. */
int live_step(struct live *l, int fd_ready);
/* Imports everything new now (at start, after the watches are set). LIVE_* flags. */
int live_import(struct live *l);
const struct live_stats *live_stats(const struct live *l);
int live_folders(const struct live *l);
/* "inotify" or "scan". */
const char *live_watching(const struct live *l);
/* The last import's error, "" after one worked. */
const char *live_error(const struct live *l);
/* Monotonic milliseconds, the clock of every wait here. */
long long live_now_ms(void);

#endif
