/* Requests by path prefix to the Supabase services agentlogs-server provides. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwt.h"
#include "request.h"
#include "server.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum caller_status
caller_verify(struct server *srv, const struct http_request *req, struct caller *c,
    char *reason)
{
	return request_caller(req, srv->settings.jwt_secret, srv->settings.jwt_secret_len,
	    (long long)time(NULL), c, reason);
}

int
caller_from_request(struct server *srv, const struct http_request *req, struct caller *c,
    struct http_response *res)
{
	char reason[ERRLEN];

	switch (caller_verify(srv, req, c, reason)) {
	case CALLER_OK:
		return 0;
	case CALLER_NO_KEY:
		http_error(res, 401, "no_api_key", "%s", reason);
		break;
	case CALLER_BAD_KEY:
		http_error(res, 401, "invalid_api_key", "%s", reason);
		break;
	default:
		http_error(res, 401, "bad_jwt", "invalid JWT: %s", reason);
		break;
	}
	return -1;
}

void
router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	const char *rest;

	if (strcmp(req->path, "/health") == 0 || strcmp(req->path, "/") == 0)
		health_handle(w, res);
	else if (request_path_prefix(req->path, "/auth/v1", &rest))
		auth_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/rest/v1", &rest))
		rest_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/storage/v1", &rest))
		storage_handle(srv, w, req, rest, res);
	else if (request_path_prefix(req->path, "/realtime/v1", &rest))
		http_error(res, 426, "upgrade_required",
		    "realtime needs a websocket: /realtime/v1/websocket");
	else
		http_error(res, 404, "not_found", "no such endpoint: %s", req->path);
}
