/*
 * Fault points for the crash tests: AGENTLOGS_FAULT=NAME[:N] kills the process
 * (SIGKILL, no cleanup, as a power cut would) the Nth time (default 1st) the
 * point NAME is reached. Without the variable a fault point costs one getenv.
 */
#ifndef AL_FAULT_H
#define AL_FAULT_H

void fault_point(const char *name);
/*
 * A simulated fault that does not kill: with AGENTLOGS_FAULT=NAME[:N], true
 * the Nth time (default 1st) the point NAME is reached and every time after,
 * else false (the watcher uses it to lose its event queue, or to hit the
 * watch limit, for good).
 */
int fault_hit(const char *name);

/*
 * A pause the tests await, to interleave two machines at a chosen point:
 * with AGENTLOGS_PAUSE=NAME:PATH, the first time the point NAME is reached
 * the process writes "NAME" to the fifo PATH.reached (so a test reading it
 * knows the process is there), then reads the fifo PATH to its end (the test
 * lets it go on by writing to it). Nothing without the variable.
 */
void fault_pause(const char *name);

/*
 * A clock that is wrong: AGENTLOGS_CLOCK_SKEW=SECONDS (negative: behind) moves
 * this process's clock (time_now, time_now_iso), as a machine whose clock
 * runs fast or slow would have it. 0 without the variable.
 */
long long fault_clock_skew(void);

#endif
