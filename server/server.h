/* agentlogs-server: what every handler shares. */
#ifndef AL_SERVER_H
#define AL_SERVER_H

#include <stdatomic.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "caller.h"
#include "db.h"
#include "http.h"
#include "request.h"
#include "settings.h"

struct throttle;

struct server {
	struct settings settings;
	struct db_backoff db_backoff;	/* the workers' reconnection attempts */
	struct throttle *throttle;	/* sign-in rate limits: the service thread's own */
	atomic_llong db_fresh_until;	/* health_note(): until when (ms) the database is known up */
};

/* One per worker thread. */
struct worker {
	struct server *srv;
	PGconn *pg;
};

void auth_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void rest_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void storage_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
/* /realtime/v1 over HTTP: POST /api/broadcast (the websocket is realtime.c's). */
void realtime_api_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);

/* GET /health: 200 when the database is reachable, else 503. */
void health_handle(struct worker *w, struct http_response *res);
/* A worker's finding, before a request, whether its database connection is usable. */
void health_note(struct server *srv, int usable);
/*
 * On the service thread: 1 with res filled when a worker found the database
 * usable in the last 2 s, so /health needs no worker; else 0.
 */
int health_answer_now(struct server *srv, struct http_response *res);

/* Runs on a worker: the answer of a service (auth, rest, storage) to req. */
void router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);
/*
 * Runs on the service thread, before a worker sees req: answers what needs
 * no worker (/health while the database is known up, and 429 to a sign-in
 * over its rate limit) and returns 1, else 0.
 */
int router_answer_now(struct server *srv, const struct http_request *req,
    struct http_response *res);
/* Whether req hashes a password: it waits for the hash workers, not the others. */
int router_is_hashing(const struct http_request *req);

#endif
