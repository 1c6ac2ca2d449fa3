/*
 * The TUI's sync thread (ARCHITECTURE §7). It owns its own store connection,
 * the sync core (sync_ctx: HTTP client, login) and the realtime client
 * (sync/realtime.h, on a thread of its own), never calls curses, and runs pull
 * then push:
 *   - at once when the UI asks (sync-now), or after a curation edit (a nudge,
 *     with continuous-sync on);
 *   - with continuous-sync on, when realtime reports a change in the cloud
 *     (after SYNC_DEBOUNCE_MS without another, at most SYNC_DEBOUNCE_MAX_MS
 *     after the first) and whenever realtime (re)connects, since changes made
 *     while it was away only come with a pull;
 *   - with continuous-sync on, periodically: every SYNC_PERIOD seconds without
 *     a realtime connection, every SYNC_PERIOD_LIVE with one (realtime is a
 *     nudge, never the only source), and with exponential backoff while the
 *     cloud cannot be reached (off, the next sync-now tries again).
 * It also refreshes the access token before it expires, and hands each new
 * one to the realtime channel.
 * After each change of state it publishes a status snapshot under a mutex and
 * writes one byte to a pipe the UI polls beside the keyboard, so the UI never
 * waits on the network. Without a configured cloud, or logged out, it only
 * counts and idles ("local"). Stopping it gives up any request under way
 * (cloud_set_abort) instead of waiting for the network.
 */
#ifndef AL_UI_SYNC_THREAD_H
#define AL_UI_SYNC_THREAD_H

#include <time.h>

#define SYNC_PERIOD 60		/* seconds between background pulls without realtime */
#define SYNC_PERIOD_LIVE 600	/* ...and with a realtime connection */
/*
 * A change is pulled after this long without another: the notices of one push
 * (one per table) come together, and the pushing side has debounced its
 * writes already (the daemon waits 500 ms), so a short wait is enough.
 */
#define SYNC_DEBOUNCE_MS 50
#define SYNC_DEBOUNCE_MAX_MS 2000	/* ...and at most this long after the first */
#define SYNC_BACKOFF_MIN 5	/* first retry while offline, doubling... */
#define SYNC_BACKOFF_MAX 300	/* ...up to this */

enum sync_state {
	SYNC_LOCAL,		/* no cloud configured, or logged out */
	SYNC_LIVE,		/* the last sync worked, and realtime is connected */
	SYNC_SYNCING,		/* a sync runs now */
	SYNC_OFFLINE,		/* the last sync failed (retried with backoff) */
	SYNC_POLLING,		/* the last sync worked; no realtime: pulls on a timer */
};

struct sync_status {
	enum sync_state state;
	long long pending;	/* commits waiting to go up */
	long long held;		/* open conflicts waiting for a decision */
	long long settled;	/* open conflicts settled by the last write, to review */
	time_t last_sync;	/* 0: never */
	char last_error[256];	/* "" when the last sync worked */
	char user[128];		/* who is logged in; "" when local */
	unsigned long runs;	/* syncs finished */
	int busy;		/* a command waits or runs, a pull is due or realtime is
				 * connecting: not idle */
	long daemon;		/* > 0: these are daemon.json's figures, the daemon with
				 * this pid syncs (ui/daemon-peer.h), not this process */
};

enum sync_command {
	SYNC_CMD_NOW,		/* sync now (the sync-now key) */
	SYNC_CMD_NUDGE,		/* a local edit: sync soon when continuous-sync is on */
	SYNC_CMD_RECOUNT,	/* only count pending commits and conflicts again */
	SYNC_CMD_QUIT,
};

struct sync_thread;

/* Starts the thread for home; NULL with err filled when it cannot. */
struct sync_thread *sync_thread_start(const char *home, char *err);
/* The pipe's read end: readable when a new snapshot is out. */
int sync_thread_fd(const struct sync_thread *t);
/* Empties the pipe (non-blocking). */
void sync_thread_drain(struct sync_thread *t);
void sync_thread_snapshot(struct sync_thread *t, struct sync_status *out);
void sync_thread_send(struct sync_thread *t, enum sync_command cmd);
/*
 * Asks the thread to quit, waits for it and frees everything. A sync under way
 * is given up at once (its requests aborted, its uncommitted local
 * transaction rolled back), so nothing pending is lost: it stays pending in
 * the store for the next sync.
 */
void sync_thread_stop(struct sync_thread *t);
/*
 * The same, after letting a sync under way finish for up to grace_ms (a
 * daemon takes over: what this sync sends need not wait for the daemon's).
 */
void sync_thread_finish(struct sync_thread *t, int grace_ms);

const char *sync_state_name(enum sync_state s);

#endif
