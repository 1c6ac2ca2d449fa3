/* /auth/v1 internals shared by the password flows (auth.c) and GitHub OAuth (oauth.c). */
#ifndef AL_SERVER_AUTH_H
#define AL_SERVER_AUTH_H

#include <libpq-fe.h>

#include "http.h"

struct caller;
struct server;
struct worker;

/* GoTrue's error shape: {code, error_code, msg} plus OAuth's error, error_description. */
void auth_error(struct http_response *res, int status, const char *code, const char *msg);
/* A database failure: 503 when the connection is down (try again), else 500. */
void auth_database_error(struct http_response *res, PGconn *pg, const char *err);
/*
 * Whether the caller's token still stands for a live sign-in: its user
 * exists and the session its session_id claim names was not ended (logout,
 * refresh-token reuse, the user deleted). Access tokens outlive both by up to
 * their lifetime; requests that write check this first. API keys pass.
 * 1 live, 0 ended, -1 on a database error (err filled).
 */
int auth_session_live(PGconn *pg, const struct caller *c, char *err);
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
