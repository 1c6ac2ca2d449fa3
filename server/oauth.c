/* GitHub OAuth with PKCE for /auth/v1: to be written (issue 3). */
#include "config.h"

#include "auth.h"
#include "server.h"

void
oauth_authorize(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	(void)srv; (void)w; (void)req;
	http_error(res, 501, "not_implemented", "GitHub sign-in is not available yet");
}

void
oauth_callback(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	(void)srv; (void)w; (void)req;
	http_error(res, 501, "not_implemented", "GitHub sign-in is not available yet");
}

void
oauth_grant_pkce(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	(void)srv; (void)w; (void)req;
	http_error(res, 501, "not_implemented", "GitHub sign-in is not available yet");
}
