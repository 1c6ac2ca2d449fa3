/*
 * The daemon's status file, $AGENTLOGS_HOME/daemon.json: how `daemon status`
 * (and the browser) learn what a running daemon does without talking to it.
 * Written whole after every change of state (a temporary file renamed over
 * it, so a reader never sees half of one); its members are listed in
 * agentlogs(1), DAEMON. It says nothing of whether the daemon still runs:
 * the lock does (daemon/lock.h).
 */
#ifndef AL_DAEMON_STATUS_FILE_H
#define AL_DAEMON_STATUS_FILE_H

#include <time.h>

struct daemon_status {
	long pid;
	time_t started;
	int folders;		/* folders watched */
	const char *watching;	/* "inotify" or "scan" */
	time_t last_import;	/* 0: none yet */
	long imports;		/* imports run */
	long lines;		/* transcript lines imported since start */
	long turns;		/* new turns imported since start */
	const char *storage;	/* "local" or "cloud" */
	const char *sync;	/* the sync state (sync_state_name), or "off" */
	time_t last_sync;	/* 0: never */
	long long pending;	/* commits waiting to go up, -1: unknown */
	long long conflicts;	/* held for a decision, -1: unknown */
	const char *last_error;	/* "" when none */
};

char *daemon_status_path(const char *home);
/* Writes it atomically; -1 with err filled. */
int daemon_status_write(const char *home, const struct daemon_status *s, char *err);

#endif
