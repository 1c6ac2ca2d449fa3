#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/daemon-peer.h"
#include "ui/live-thread.h"
#include "ui/sync-owner.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct sync_owner {
	char *home, *claude_dir;
	int idle_minutes;
	struct daemon_peer *peer;
	pid_t daemon;		/* serving the home; 0: the browser serves itself */
	struct sync_status daemon_status;	/* daemon.json's, while one serves */
	/* The browser's own, while no daemon serves. */
	struct sync_thread *sync;
	struct live_thread *live;
};

/* No daemon: the browser's own watcher and sync thread. */
static void
serve_self(struct sync_owner *o)
{
	char err[ERRLEN];

	if ((o->sync = sync_thread_start(o->home, err)) == NULL)
		log_warn("%s; no sync while browsing", err);
	o->live = live_thread_start(o->home, o->claude_dir, o->idle_minutes, o->sync, err);
	if (o->live == NULL)
		log_warn("%s; new transcript lines show after a restart", err);
}

/* A daemon serves: the browser's own stop, a sync under way given time to finish. */
static void
hand_over(struct sync_owner *o)
{
	log_debug("a daemon (pid %ld) serves %s: the browser stops its own sync and watcher",
	    (long)o->daemon, o->home);
	/* The capture first: it nudges the sync thread. */
	live_thread_stop(o->live);
	o->live = NULL;
	sync_thread_finish(o->sync, OWNER_FINISH_MS);
	o->sync = NULL;
}

/* Has a daemon come or gone? */
static int
look(struct sync_owner *o)
{
	pid_t pid;

	if (!peer_look(o->peer, &pid, &o->daemon_status))
		return 0;
	if (pid > 0 && o->daemon == 0) {
		o->daemon = pid;
		hand_over(o);
	} else if (pid == 0 && o->daemon > 0) {
		log_debug("the daemon (pid %ld) is gone: the browser syncs and watches itself",
		    (long)o->daemon);
		o->daemon = 0;
		serve_self(o);
	} else
		o->daemon = pid;
	return 1;
}

struct sync_owner *
owner_start(const char *home, const char *claude_dir, int idle_minutes)
{
	struct sync_owner *o = xcalloc(1, sizeof *o);

	o->home = xstrdup(home);
	o->claude_dir = xstrdup(claude_dir);
	o->idle_minutes = idle_minutes;
	o->peer = peer_open(home);
	look(o);
	if (o->daemon == 0 && o->sync == NULL && o->live == NULL)
		serve_self(o);
	return o;
}

void
owner_stop(struct sync_owner *o)
{
	if (o == NULL)
		return;
	live_thread_stop(o->live);
	sync_thread_stop(o->sync);
	peer_close(o->peer);
	free(o->claude_dir);
	free(o->home);
	free(o);
}

int
owner_fds(const struct sync_owner *o, struct pollfd *p)
{
	int n = 0;

	if (peer_fd(o->peer) >= 0)
		p[n++] = (struct pollfd){ .fd = peer_fd(o->peer), .events = POLLIN };
	if (o->sync != NULL)
		p[n++] = (struct pollfd){ .fd = sync_thread_fd(o->sync), .events = POLLIN };
	if (o->live != NULL)
		p[n++] = (struct pollfd){ .fd = live_thread_fd(o->live), .events = POLLIN };
	return n;
}

long long
owner_wait(const struct sync_owner *o)
{
	return peer_wait(o->peer);
}

int
owner_step(struct sync_owner *o, struct sync_status *s)
{
	int changed = look(o);

	if (o->daemon > 0) {
		*s = o->daemon_status;	/* the last look's, the first one's included */
		return changed;
	}
	if (o->live != NULL)
		live_thread_drain(o->live);	/* the caller reads the store again if it moved */
	if (o->sync != NULL) {
		sync_thread_drain(o->sync);
		sync_thread_snapshot(o->sync, s);
		return 1;
	}
	return changed;
}

struct sync_thread *
owner_thread(const struct sync_owner *o)
{
	return o->sync;
}

pid_t
owner_daemon(const struct sync_owner *o)
{
	return o->daemon;
}

int
owner_send(struct sync_owner *o, enum sync_command cmd, char *err)
{
	if (o->daemon == 0) {
		if (o->sync == NULL)
			return seterr(err, "The sync thread is not running.");
		sync_thread_send(o->sync, cmd);
		return 0;
	}
	switch (cmd) {
	case SYNC_CMD_NOW:
		return peer_ask(o->peer, SIGUSR1, err);
	case SYNC_CMD_NUDGE:
		return peer_ask(o->peer, SIGUSR2, err);
	case SYNC_CMD_RECOUNT:
		peer_look_now(o->peer);
		break;
	case SYNC_CMD_QUIT:
		break;
	}
	return 0;
}

void
owner_wait_first_import(struct sync_owner *o)
{
	if (o->live != NULL)
		live_thread_wait_first(o->live);
}
