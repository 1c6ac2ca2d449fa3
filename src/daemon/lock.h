/*
 * One daemon per AGENTLOGS_HOME: it holds an flock on $AGENTLOGS_HOME/daemon.pid,
 * which holds its pid. The kernel drops the lock when the process
 * ends, however it ends (kill -9 too), so a stale pidfile never blocks.
 */
#ifndef AL_DAEMON_LOCK_H
#define AL_DAEMON_LOCK_H

#include <sys/types.h>

/*
 * $AGENTLOGS_HOME/daemon.pid, and the log a detached daemon appends to:
 * $AGENTLOGS_HOME/log, the file the browser writes its background troubles
 * to (each line written in one call, so they never interleave). malloc'd.
 */
char *daemon_pidfile(const char *home);
char *daemon_logfile(const char *home);
/*
 * Takes the lock and writes this pid: the fd to keep open while running, or -1
 * with err filled ("a daemon already serves HOME (pid N)" when one does).
 */
int daemon_lock(const char *home, char *err);
/* The pid of the daemon serving home, 0 when none does, -1 on error. */
pid_t daemon_running(const char *home, char *err);

#endif
