/*
 * Per-key limits kept in memory by the service thread (no locks: one thread
 * owns each table): token buckets for rate limits, and counters for the
 * connections each peer address holds. Pure code, so unit tests reach it.
 *
 * A table forgets a key once its bucket has refilled and it holds no
 * connection, and never grows beyond LIMITS_MAX_KEYS: a key beyond that is
 * let through untracked rather than refused, so filling the table cannot
 * lock anyone out.
 */
#ifndef AL_SERVER_KEYLIMITS_H
#define AL_SERVER_KEYLIMITS_H

#define LIMITS_MAX_KEYS 65536

struct limits;

/*
 * A table whose buckets hold capacity tokens and gain one every
 * refill_seconds (a token bucket, as GoTrue's: bursts up to capacity, then
 * one request per refill_seconds).
 */
struct limits *limits_new(double capacity, double refill_seconds);
void limits_free(struct limits *l);

/*
 * Takes a token from key's bucket at time now (seconds, monotonic). Returns 0
 * when there was one, else the whole seconds until the next one (>= 1), for
 * a Retry-After.
 */
long limits_take(struct limits *l, const char *key, double now);

/*
 * Connections: one more for key when it holds fewer than max (returns 0),
 * else -1. limits_release() gives one back.
 */
int limits_acquire(struct limits *l, const char *key, long max);
void limits_release(struct limits *l, const char *key);

/* How many keys the table holds now (for tests). */
long limits_keys(const struct limits *l);

#endif
