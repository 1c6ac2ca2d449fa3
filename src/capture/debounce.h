/*
 * Debounce and backoff, pure (the caller passes the clock, in monotonic ms) so
 * that they are unit-tested without waiting: a burst of changes is one action
 * DELAY ms after the last of them (but at most MAX ms after the first, so a
 * writer that never pauses is still followed); a periodic scan that finds nothing waits
 * twice as long before the next, up to a limit, and a scan that finds
 * something starts again from the shortest wait.
 */
#ifndef AL_DEBOUNCE_H
#define AL_DEBOUNCE_H

struct debounce {
	long long delay_ms, max_ms;	/* max_ms 0: no cap */
	long long first;	/* the first change of the burst */
	long long due;		/* when the action is due; 0: nothing pending */
};

void debounce_init(struct debounce *d, long long delay_ms, long long max_ms);
/* A change at now: the action is due delay_ms from now (later changes push it on, up to max_ms). */
void debounce_touch(struct debounce *d, long long now);
/* 1 (and nothing pending any more) when the action is due at now, else 0. */
int debounce_fire(struct debounce *d, long long now);
/* Milliseconds until the action is due (0 when it is), or -1 when none is pending. */
long long debounce_wait(const struct debounce *d, long long now);

struct backoff {
	long long min_ms, max_ms;
	long long wait_ms;	/* the current wait between scans */
	long long due;		/* the next scan; 0: off */
};

void backoff_start(struct backoff *b, long long min_ms, long long max_ms, long long now);
/* A scan ran at now and found changes (or not): the next is due sooner (or later). */
void backoff_after_scan(struct backoff *b, int found, long long now);
/* Milliseconds until the next scan (0 when due), or -1 when scanning is off. */
long long backoff_wait(const struct backoff *b, long long now);

/* The shorter of two waits, where -1 means "none". */
long long wait_min(long long a, long long b);

#endif
