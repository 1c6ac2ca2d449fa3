/*
 * The daemon's loop (agentlogs daemon run): live capture (capture/live.h:
 * the watcher wakes it, the incremental import reads the new bytes) and, with
 * storage = cloud, the browser's sync core (ui/sync-thread.h: realtime,
 * catch-up pulls, polling with backoff, token refresh), nudged to push 500 ms
 * after the last imported change. It sleeps in poll() with no timeout unless
 * a debounce or a periodic scan is pending. SIGTERM/SIGINT: the import under
 * way ends its transaction, then it returns 0; SIGHUP: the config is read
 * again; SIGUSR1: sync now, SIGUSR2: the store was edited (a browser on the
 * home asks; daemon.json answers when the sync is done).
 */
#ifndef AL_DAEMON_LOOP_H
#define AL_DAEMON_LOOP_H

struct cmd_ctx;

/*
 * Runs until a signal ends it: 0, or 1 after an error (said on stderr). Once
 * it watches, has imported what was there and written its status, it writes
 * "ok" to ready_fd and closes it (-1: nobody waits).
 */
int daemon_loop(struct cmd_ctx *ctx, const char *claude_dir, int ready_fd);

#endif
