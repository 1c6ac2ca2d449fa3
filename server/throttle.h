/*
 * Sign-in rate limits, GoTrue's way: token buckets per IP address for
 * sign-ups and password sign-ins, and per account (email) for password
 * sign-ins, so guessing passwords is slow from one address and for one
 * account from many. Over the limit: 429 over_request_rate_limit with
 * Retry-After. In memory and per process, as GoTrue's own: several instances
 * each allow their share. Only the service thread touches a throttle.
 */
#ifndef AL_SERVER_THROTTLE_H
#define AL_SERVER_THROTTLE_H

#include "http.h"

/* GoTrue's interval: limits count requests in 5 minutes. */
#define THROTTLE_WINDOW 300.0

struct throttle;

/* per_ip and per_account requests in THROTTLE_WINDOW each. */
struct throttle *throttle_new(long per_ip, long per_account);
void throttle_free(struct throttle *t);

/* Whether req is a sign-up or a password sign-in: each costs an Argon2 hash. */
int throttle_is_sign_in(const struct http_request *req);

/*
 * Counts req against its limits at now (monotonic seconds) when it is a
 * sign-in. Returns 0 when it may go on, else fills res with the 429.
 */
int throttle_check(struct throttle *t, const struct http_request *req,
    struct http_response *res, double now);

#endif
