#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "capture/live.h"
#include "daemon/lock.h"
#include "daemon/status-file.h"
#include "ui/daemon-peer.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

struct daemon_peer {
	char *home;
	int fd;			/* inotify on the home, or -1 */
	long long next_look;	/* monotonic ms */
	pid_t pid;		/* the daemon's at the last look, 0: none */
};

struct daemon_peer *
peer_open(const char *home)
{
	struct daemon_peer *p = xcalloc(1, sizeof *p);

	p->home = xstrdup(home);
	/* Only what a daemon does: its status renamed in, its pidfile closed after writing. */
	if ((p->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0 &&
	    inotify_add_watch(p->fd, home, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		log_debug("daemon peer: cannot watch %s: %s; looking every %d ms", home,
		    strerror(errno), PEER_CHECK_MS);
		close(p->fd);
		p->fd = -1;
	}
	return p;
}

void
peer_close(struct daemon_peer *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->home);
	free(p);
}

int
peer_fd(const struct daemon_peer *p)
{
	return p->fd;
}

long long
peer_wait(const struct daemon_peer *p)
{
	long long now = live_now_ms();

	return p->next_look > now ? p->next_look - now : 0;
}

/* Reads the events waiting: 1 when one was about the daemon's files. */
static int
files_changed(struct daemon_peer *p)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *at;
	int changed = 0;

	if (p->fd < 0)
		return 0;
	while ((n = read(p->fd, buf, sizeof buf)) > 0) {
		for (at = buf; at < buf + n; at += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)at;
			if ((ev->mask & IN_Q_OVERFLOW) || (ev->len > 0 &&
			    (strcmp(ev->name, "daemon.json") == 0 ||
			    strcmp(ev->name, "daemon.pid") == 0)))
				changed = 1;
		}
	}
	return changed;
}

/* A sync state by the name sync_state_name gives it; the daemon's "off" is local. */
static enum sync_state
state_named(const char *name)
{
	enum sync_state s;

	for (s = SYNC_LOCAL; s <= SYNC_POLLING; s++) {
		if (name != NULL && strcmp(name, sync_state_name(s)) == 0)
			return s;
	}
	return SYNC_LOCAL;
}

static long long
count(const cJSON *o, const char *name)
{
	double v = daemon_status_number(o, name);

	return v < 0 ? 0 : (long long)v;
}

/* daemon.json, when it is this daemon's (a new one may not have written it yet). */
static void
read_status(struct daemon_peer *p, struct sync_status *s)
{
	cJSON *o = daemon_status_load(p->home);
	const char *v;
	int64_t ms;

	memset(s, 0, sizeof *s);
	s->state = SYNC_LOCAL;
	s->daemon = (long)p->pid;
	if (o == NULL || (pid_t)daemon_status_number(o, "pid") != p->pid) {
		cJSON_Delete(o);
		return;
	}
	s->state = state_named(daemon_status_string(o, "sync"));
	s->pending = count(o, "pending");
	s->held = count(o, "conflicts");
	s->settled = count(o, "settled");
	s->runs = (unsigned long)count(o, "syncs");
	ms = time_parse_iso_ms(daemon_status_string(o, "last_sync"));
	s->last_sync = ms > 0 ? (time_t)(ms / 1000) : 0;
	if ((v = daemon_status_string(o, "last_error")) != NULL)
		snprintf(s->last_error, sizeof s->last_error, "%.*s", (int)strcspn(v, "\r\n"), v);
	if ((v = daemon_status_string(o, "user")) != NULL)
		snprintf(s->user, sizeof s->user, "%s", v);
	cJSON_Delete(o);
}

int
peer_look(struct daemon_peer *p, pid_t *pid, struct sync_status *s)
{
	long long now = live_now_ms();
	char err[ERRLEN];
	pid_t found;

	if (!files_changed(p) && now < p->next_look)
		return 0;
	p->next_look = now + PEER_CHECK_MS;
	if ((found = daemon_running(p->home, err)) < 0) {
		log_debug("daemon peer: %s", err);
		found = 0;	/* cannot tell: the browser syncs itself, as without a daemon */
	}
	p->pid = found;
	*pid = found;
	if (found > 0)
		read_status(p, s);
	return 1;
}

void
peer_look_now(struct daemon_peer *p)
{
	p->next_look = 0;
}

int
peer_ask(struct daemon_peer *p, int sig, char *err)
{
	if (p->pid <= 0)
		return seterr(err, "no daemon serves %s", p->home);
	if (kill(p->pid, sig) != 0)
		return seterr(err, "cannot signal the daemon (pid %ld): %s", (long)p->pid,
		    strerror(errno));
	return 0;
}
