/*
 * A pipe one thread pokes so that another, asleep in poll(2), wakes: both
 * ends non-blocking and close-on-exec, so a poke never blocks (a full pipe
 * already says "look") and a drain never waits.
 */
#ifndef AL_UTIL_WAKE_PIPE_H
#define AL_UTIL_WAKE_PIPE_H

struct wake_pipe {
	int fd[2];		/* [0]: poll and drain it; [1]: poke it */
};

/* 0, or -1 with err filled. */
int wake_pipe_open(struct wake_pipe *w, char *err);
void wake_pipe_close(struct wake_pipe *w);
/* One byte in; async-signal-safe. */
void wake_pipe_poke(struct wake_pipe *w);
/* Empties the pipe. */
void wake_pipe_drain(struct wake_pipe *w);

#endif
