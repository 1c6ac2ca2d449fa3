/* /auth/v1 internals shared by the password flows (auth.c) and GitHub OAuth (oauth.c). */
#ifndef AL_SERVER_AUTH_H
#define AL_SERVER_AUTH_H

#include <libpq-fe.h>

#include "http.h"

struct server;
struct worker;

/* GoTrue's error shape: {code, error_code, msg} plus OAuth's error, error_description. */
void auth_error(struct http_response *res, int status, const char *code, const char *msg);
/*
 * Answers 200 with a new session for user_id (a sessions row, a refresh token
 * and the access token), as the password grant does, inside the caller's
 * transaction. Returns 0; 1 when there is no such user (res untouched); -1 on
 * a database error, with err filled.
 */
int auth_session_for_user(struct server *srv, struct worker *w, const char *user_id,
    struct http_response *res, char *err);

void oauth_authorize(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);
void oauth_callback(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);
void oauth_grant_pkce(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res);

#endif
