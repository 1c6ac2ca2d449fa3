#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemon/lock.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/xmalloc.h"

char *
daemon_pidfile(const char *home)
{
	return xprintf("%s/daemon.pid", home);
}

char *
daemon_logfile(const char *home)
{
	return xprintf("%s/log", home);
}

static pid_t
read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* Opens the pidfile (making the home first); -1 with err filled. */
static int
open_pidfile(const char *home, int create, char *err)
{
	char *path = daemon_pidfile(home);
	int fd;

	if (create && paths_ensure_home(home, err) != 0) {
		free(path);
		return -1;
	}
	if ((fd = open(path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644)) < 0 &&
	    (create || errno != ENOENT))
		seterr(err, "cannot open %s: %s", path, strerror(errno));
	free(path);
	return fd;
}

int
daemon_lock(const char *home, char *err)
{
	char buf[32];
	int fd, len;
	pid_t pid;

	if ((fd = open_pidfile(home, 1, err)) < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK && (pid = read_pid(fd)) > 0)
			seterr(err, "a daemon already serves %s (pid %ld)", home, (long)pid);
		else
			seterr(err, "cannot lock %s/daemon.pid: %s", home,
			    strerror(errno));
		close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		seterr(err, "cannot write the daemon's pidfile: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

pid_t
daemon_running(const char *home, char *err)
{
	int fd = open_pidfile(home, 0, err);
	pid_t pid = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	/* A shared lock is refused only while the daemon holds its exclusive one. */
	if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			pid = read_pid(fd);
		else
			pid = -1;
	} else
		flock(fd, LOCK_UN);
	close(fd);
	return pid;
}
