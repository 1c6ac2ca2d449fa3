/*
 * The browser's view of a daemon serving its home (daemon/lock.h): whether
 * one runs, what it says of itself in daemon.json (daemon/status-file.h), and
 * asking it for a sync. It looks again when the daemon's files change in the
 * home (an inotify watch: daemon.json renamed into place, daemon.pid closed
 * by a writer, which is how a daemon ends) and, in case an event is missed or
 * there is no inotify, every PEER_CHECK_MS: a lock test and a small file read,
 * never a busy loop.
 */
#ifndef AL_UI_DAEMON_PEER_H
#define AL_UI_DAEMON_PEER_H

#include <sys/types.h>

#include "ui/sync-thread.h"

#define PEER_CHECK_MS 2000

struct daemon_peer;

struct daemon_peer *peer_open(const char *home);
void peer_close(struct daemon_peer *p);
/* The fd to poll (readable when the daemon's files changed), or -1. */
int peer_fd(const struct daemon_peer *p);
/* Milliseconds until the next look is due (0: now). */
long long peer_wait(const struct daemon_peer *p);
/*
 * Looks when due or when the files changed (peer_fd is read without
 * blocking). Returns 1 after a look, with the daemon's pid (0: none runs) in
 * *pid and, while one runs, its state in *s (s->daemon set); 0 when it was
 * not time to look.
 */
int peer_look(struct daemon_peer *p, pid_t *pid, struct sync_status *s);
/* The next peer_look looks, due or not (the reload key). */
void peer_look_now(struct daemon_peer *p);
/* Sends sig (SIGUSR1: sync now; SIGUSR2: the store was edited) to the daemon; -1 with err. */
int peer_ask(struct daemon_peer *p, int sig, char *err);

#endif
