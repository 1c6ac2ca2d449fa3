/* /auth/v1 internals shared by the password flows (auth.c) and GitHub OAuth (oauth.c). */
#ifndef AL_SERVER_AUTH_H
#define AL_SERVER_AUTH_H

#include <libpq-fe.h>

#include "http.h"

struct server;
struct worker;

void oauth_authorize(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);
void oauth_callback(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);
void oauth_grant_pkce(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);

#endif
