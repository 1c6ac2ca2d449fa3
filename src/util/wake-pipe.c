#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/wake-pipe.h"

int
wake_pipe_open(struct wake_pipe *w, char *err)
{
	if (pipe2(w->fd, O_NONBLOCK | O_CLOEXEC) != 0) {
		w->fd[0] = w->fd[1] = -1;
		return seterr(err, "pipe: %s", strerror(errno));
	}
	return 0;
}

void
wake_pipe_close(struct wake_pipe *w)
{
	if (w->fd[0] >= 0)
		close(w->fd[0]);
	if (w->fd[1] >= 0)
		close(w->fd[1]);
	w->fd[0] = w->fd[1] = -1;
}

void
wake_pipe_poke(struct wake_pipe *w)
{
	char c = 1;
	ssize_t n;

	/* A full pipe already says "look": nothing is lost by dropping the byte. */
	n = write(w->fd[1], &c, 1);
	(void)n;
}

void
wake_pipe_drain(struct wake_pipe *w)
{
	char buf[64];

	while (read(w->fd[0], buf, sizeof buf) > 0)
		;
}
