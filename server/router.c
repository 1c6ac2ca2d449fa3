/* Requests by path prefix to the Supabase services agentlogs-server provides. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "request.h"
#include "server.h"
#include "throttle.h"

static int
is_health(const struct http_request *req)
{
	return strcmp(req->path, "/health") == 0 || strcmp(req->path, "/") == 0;
}

int
router_answer_now(struct server *srv, const struct http_request *req,
    struct http_response *res)
{
	struct timespec now;

	if (is_health(req))
		return health_answer_now(srv, res);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return srv->throttle != NULL && throttle_check(srv->throttle, req, res,
	    (double)now.tv_sec + (double)now.tv_nsec / 1e9) != 0;
}

int
router_is_hashing(const struct http_request *req)
{
	return throttle_is_sign_in(req);
}

void
router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	const char *rest;

	if (is_health(req))
		health_handle(w, res);
	else if (request_path_prefix(req->path, "/auth/v1", &rest))
		auth_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/rest/v1", &rest))
		rest_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/storage/v1", &rest))
		storage_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/realtime/v1", &rest))
		realtime_api_handle(srv, w, req, rest, res);
	else
		http_error(res, 404, "not_found", "no such endpoint: %s", req->path);
}
