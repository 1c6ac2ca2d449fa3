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

void
caller_free(struct caller *c)
{
	free(c->sub);
	free(c->claims_json);
	cJSON_Delete(c->claims);
	memset(c, 0, sizeof *c);
}

static const char *
role_of(const cJSON *claims)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(claims, "role");

	if (!cJSON_IsString(role))
		return NULL;
	if (strcmp(role->valuestring, "anon") == 0)
		return "anon";
	if (strcmp(role->valuestring, "authenticated") == 0)
		return "authenticated";
	if (strcmp(role->valuestring, "service_role") == 0)
		return "service_role";
	return NULL;
}

enum caller_status
caller_verify(struct server *srv, const struct http_request *req, struct caller *c,
    char *reason)
{
	const struct settings *s = &srv->settings;
	const char *bearer = request_bearer(http_header(req, "authorization"));
	char *apikey = request_apikey(req), *json;
	const cJSON *sub;
	cJSON *key;

	memset(c, 0, sizeof *c);
	if (apikey == NULL) {
		seterr(reason, "No API key found in request");
		return CALLER_NO_KEY;
	}
	key = jwt_verify(apikey, s->jwt_secret, s->jwt_secret_len, (long long)time(NULL), reason);
	free(apikey);
	if (key == NULL || role_of(key) == NULL || strcmp(role_of(key), "authenticated") == 0) {
		cJSON_Delete(key);
		seterr(reason, "Invalid API key");
		return CALLER_BAD_KEY;
	}
	/* A Bearer header is checked even when empty: it never falls back to the key. */
	if (bearer != NULL) {
		cJSON_Delete(key);
		c->claims = jwt_verify(bearer, s->jwt_secret, s->jwt_secret_len,
		    (long long)time(NULL), reason);
		if (c->claims == NULL || role_of(c->claims) == NULL) {
			if (c->claims != NULL)
				seterr(reason, "unknown role");
			caller_free(c);
			return strcmp(reason, "token expired") == 0 ? CALLER_EXPIRED : CALLER_BAD_JWT;
		}
	} else
		c->claims = key;
	c->role = role_of(c->claims);
	sub = cJSON_GetObjectItemCaseSensitive(c->claims, "sub");
	if (cJSON_IsString(sub))
		c->sub = xstrdup(sub->valuestring);
	if (strcmp(c->role, "authenticated") == 0 && c->sub == NULL) {
		seterr(reason, "no subject");
		caller_free(c);
		return CALLER_BAD_JWT;
	}
	json = cJSON_PrintUnformatted(c->claims);
	c->claims_json = xstrdup(json);
	cJSON_free(json);
	return CALLER_OK;
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
		http_set_json(res, 200, "{\"status\":\"ok\",\"service\":\"agentlogs-server\"}");
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
