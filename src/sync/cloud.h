/*
 * The HTTP client every cloud call goes through: one keep-alive connection
 * (libcurl), the Supabase headers (apikey, bearer token), and the retry policy
 * of ARCHITECTURE §5: network errors, 5xx and 429 are retried with
 * exponential backoff and jitter; a 401 on an authenticated call asks the
 * token's owner to refresh once, then the call is repeated.
 */
#ifndef AL_SYNC_CLOUD_H
#define AL_SYNC_CLOUD_H

#include <stdatomic.h>
#include <stddef.h>

#include "util/strbuf.h"

struct cloud;

/* Returns 0 when c's token was refreshed (cloud_set_token called), -1 otherwise. */
typedef int (*cloud_refresh_fn)(struct cloud *c, void *arg, char *err);

struct cloud_response {
	long status;		/* the HTTP status; 0 when no answer came */
	struct strbuf body;
	char *content_range;	/* PostgREST's Content-Range, or NULL */
	char *location;		/* a redirect's Location, or NULL */
};

struct cloud_stats {
	unsigned long requests;
	unsigned long retries;
	double bytes_sent;
	double bytes_received;
};

/* NULL with err filled when the URL or key is missing. */
struct cloud *cloud_new(const char *url, const char *anon_key, char *err);
void cloud_free(struct cloud *c);
const char *cloud_url(const struct cloud *c);
/* The access token sent as "Authorization: Bearer"; NULL for none. Copied. */
void cloud_set_token(struct cloud *c, const char *token);
void cloud_set_refresh(struct cloud *c, cloud_refresh_fn fn, void *arg);
const struct cloud_stats *cloud_stats(const struct cloud *c);

/*
 * A flag another thread raises to give up: a request under way ends within
 * ABORT_POLL_MS (50 ms), backoff waits are cut short, and cloud_call returns
 * -1 ("cancelled") without retrying. Nothing the caller has not committed is
 * lost: callers keep their local transaction open until the cloud answered.
 * NULL (the default) for none; the flag must outlive c.
 */
void cloud_set_abort(struct cloud *c, const atomic_int *flag);
/* The flag is up. */
int cloud_aborted(const struct cloud *c);

/*
 * METHOD path (with its query, relative to the cloud URL) with an optional
 * body and extra "Name: value" headers (NULL-terminated, or NULL). Fills r
 * (reset first) and returns 0 whenever the server answered, whatever the
 * status; returns -1 with err filled when it could not be reached after the
 * retries, or answered 5xx/429 every time.
 */
int cloud_call(struct cloud *c, const char *method, const char *path, const char *body,
    size_t body_len, const char *const *headers, struct cloud_response *r, char *err);
void cloud_response_free(struct cloud_response *r);

/* The server's message from an error body (Supabase's shapes), or the status. */
void cloud_describe_error(const struct cloud_response *r, char *buf, size_t size);
/* Fills err with "WHAT: <the server's message>" (what may be NULL); returns -1. */
int cloud_refused(const struct cloud_response *r, const char *what, char *err);

#endif
