/* agentlogs-server: what every handler shares. */
#ifndef AL_SERVER_H
#define AL_SERVER_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "http.h"
#include "settings.h"

struct server {
	struct settings settings;
};

/* One per worker thread. */
struct worker {
	struct server *srv;
	PGconn *pg;
};

/* Who is asking: from the apikey and the bearer token, verified. */
struct caller {
	const char *role;	/* "anon", "authenticated" or "service_role" */
	char *sub;		/* the user id, for authenticated callers */
	char *claims_json;	/* the verified claims, for request.jwt.claims */
	cJSON *claims;
};

/*
 * Checks the apikey and, when present, the bearer token. On failure fills res
 * with 401 and returns -1.
 */
int caller_from_request(struct server *srv, const struct http_request *req,
    struct caller *c, struct http_response *res);
void caller_free(struct caller *c);

void auth_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void rest_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);
void storage_handle(struct server *srv, struct worker *w, const struct http_request *req,
    const char *path, struct http_response *res);

void router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);

#endif
