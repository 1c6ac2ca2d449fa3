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

#include <cjson/cJSON.h>

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
	long syncs;		/* syncs finished since start */
	const char *user;	/* who the sync runs as; "" when local */
	long long pending;	/* commits waiting to go up, -1: unknown */
	long long conflicts;	/* held for a decision, -1: unknown */
	long long settled;	/* settled by the last write, to review; -1: unknown */
	const char *last_error;	/* "" when none */
};

char *daemon_status_path(const char *home);
/* Writes it atomically; -1 with err filled. */
int daemon_status_write(const char *home, const struct daemon_status *s, char *err);
/* The status file as written, or NULL when there is none (or it is not JSON). */
cJSON *daemon_status_load(const char *home);
/* A member of it: the number (-1 when absent or null), the string (NULL when not one). */
double daemon_status_number(const cJSON *o, const char *name);
const char *daemon_status_string(const cJSON *o, const char *name);

#endif
