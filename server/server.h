/* agentlogs-server: what every handler shares. */
#ifndef AL_SERVER_H
#define AL_SERVER_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "db.h"
#include "http.h"
#include "request.h"
#include "settings.h"

struct server {
	struct settings settings;
	struct db_backoff db_backoff;	/* the workers' reconnection attempts */
};

/* One per worker thread. */
struct worker {
	struct server *srv;
	PGconn *pg;
};

/*
 * Checks the apikey and, when present, the bearer token. On failure fills res
 * with 401 and returns -1.
 */
int caller_from_request(struct server *srv, const struct http_request *req,
    struct caller *c, struct http_response *res);

/*
 * caller_from_request() without the answer, for services with their own error
 * shape (/rest/v1 answers as PostgREST): request_caller() with the server's
 * secret and the time now. (struct caller and caller_free() are in request.h.)
 */
enum caller_status caller_verify(struct server *srv, const struct http_request *req,
    struct caller *c, char *reason);

void auth_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void rest_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void storage_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);

/* GET /health: 200 when the database is reachable, else 503. */
void health_handle(struct worker *w, struct http_response *res);

void router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);

#endif
