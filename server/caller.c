#include "config.h"

#include <time.h>

#include "caller.h"
#include "server.h"
#include "util/log.h"

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
