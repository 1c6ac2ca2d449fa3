/*
 * Who keeps the browser's home live and in sync. While a daemon serves the
 * home (daemon/lock.h), the daemon does: the browser runs no watcher and no
 * sync thread, shows daemon.json's state (marked "daemon") and asks the
 * daemon by signal (daemon/loop.h). While none does, the browser runs both
 * itself: the same live capture as the daemon, on a thread of its own
 * (ui/live-thread.h), and its sync thread (ui/sync-thread.h), nudged
 * after each import that wrote rows. It hands over both ways while running:
 * a daemon starting stops the browser's own (a sync under way gets
 * OWNER_FINISH_MS to finish), a daemon ending starts them again. Nothing here
 * blocks (stopping the capture waits for an import under way); owner_step
 * never waits.
 */
#ifndef AL_UI_SYNC_OWNER_H
#define AL_UI_SYNC_OWNER_H

#include <poll.h>
#include <sys/types.h>

#include "ui/sync-thread.h"

#define OWNER_FINISH_MS 3000
#define OWNER_MAX_FDS 3

struct sync_owner;

/* Starts with whoever serves home now; never fails (without a sync thread, it says so in the log). */
struct sync_owner *owner_start(const char *home, const char *claude_dir, int idle_minutes);
/* Quits: the browser's own sync thread is stopped, a sync under way given up (rolled back). */
void owner_stop(struct sync_owner *o);
/* The fds to poll beside the keyboard (at most OWNER_MAX_FDS); how many. */
int owner_fds(const struct sync_owner *o, struct pollfd *p);
/* Milliseconds until owner_step has something to do, -1: only the fds. */
long long owner_wait(const struct sync_owner *o);
/* Does what is due, without waiting; the state to show goes to *s. 1 when *s changed. */
int owner_step(struct sync_owner *o, struct sync_status *s);
/* The browser's own sync thread, NULL while a daemon serves (or it could not start). */
struct sync_thread *owner_thread(const struct sync_owner *o);
/* The pid of the daemon serving the home, 0 while the browser serves itself. */
pid_t owner_daemon(const struct sync_owner *o);
/*
 * Passes cmd on: to the browser's sync thread, or to the daemon (SYNC_CMD_NOW
 * as SIGUSR1, SYNC_CMD_NUDGE as SIGUSR2; a recount reads daemon.json again).
 * -1 with err when neither can hear it.
 */
int owner_send(struct sync_owner *o, enum sync_command cmd, char *err);
/* Waits for the first import of the browser's own capture (scripted runs: the same first screen). */
void owner_wait_first_import(struct sync_owner *o);

#endif
