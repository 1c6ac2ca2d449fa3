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

/* What caller_verify() found. */
enum caller_status {
	CALLER_OK,
	CALLER_NO_KEY,		/* no apikey header or parameter */
	CALLER_BAD_KEY,		/* not an anon or service_role key of ours */
	CALLER_BAD_JWT,		/* a bearer token that does not verify */
	CALLER_EXPIRED,		/* a bearer token past its exp */
};

/*
 * caller_from_request() without the answer, for services with their own error
 * shape (/rest/v1 answers as PostgREST): fills c, or reason (ERRLEN) on a
 * refusal. The reason never quotes a token.
 */
enum caller_status caller_verify(struct server *srv, const struct http_request *req,
    struct caller *c, char *reason);
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
