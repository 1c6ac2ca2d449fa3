/*
 * The daemon's loop (agentlogs daemon run): the watcher (capture/watch.h)
 * wakes it, the incremental import reads the new bytes, and, with storage =
 * cloud, the browser's sync core (ui/sync-thread.h: realtime, catch-up pulls,
 * polling with backoff, token refresh) pushes 500 ms after the last imported
 * change. It sleeps in poll() with no timeout unless a debounce or a periodic
 * scan is pending. SIGTERM/SIGINT: the import under way ends its transaction,
 * then it returns 0; SIGHUP: the config is read again.
 */
#ifndef AL_DAEMON_LOOP_H
#define AL_DAEMON_LOOP_H

struct cmd_ctx;

/* A transcript change is imported after this long without another... */
#define DAEMON_IMPORT_DEBOUNCE_MS 20
/* ...and at most this long after the first, while a writer never pauses. */
#define DAEMON_IMPORT_MAX_MS 200
/* New rows go up this long after the last imported change (at most 5 s after the first). */
#define DAEMON_PUSH_DEBOUNCE_MS 500
#define DAEMON_PUSH_MAX_MS 5000
/* Periodic scans without inotify: from 1 s, doubling while nothing changes, to 30 s. */
#define DAEMON_SCAN_MIN_MS 1000
#define DAEMON_SCAN_MAX_MS 30000

/*
 * Runs until a signal ends it: 0, or 1 after an error (said on stderr). Once
 * it watches, has imported what was there and written its status, it writes
 * "ok" to ready_fd and closes it (-1: nobody waits).
 */
int daemon_loop(struct cmd_ctx *ctx, const char *claude_dir, int ready_fd);

#endif
