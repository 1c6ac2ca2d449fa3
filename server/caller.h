/*
 * Who is calling: the apikey and bearer token of a request checked with the
 * server's secret. Its own file so that the services (auth, rest, storage)
 * and the router that picks between them do not depend on each other.
 */
#ifndef AL_SERVER_CALLER_H
#define AL_SERVER_CALLER_H

#include "http.h"
#include "request.h"

struct server;

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

#endif
