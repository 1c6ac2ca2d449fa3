/* Requests by path prefix to the Supabase services agentlogs-server provides. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwt.h"
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

int
caller_from_request(struct server *srv, const struct http_request *req, struct caller *c,
    struct http_response *res)
{
	const struct settings *s = &srv->settings;
	const char *apikey = http_header(req, "apikey"), *auth = http_header(req, "authorization");
	cJSON *key;
	char err[ERRLEN], *json;
	const cJSON *sub;

	memset(c, 0, sizeof *c);
	if (apikey == NULL) {
		char *q = http_query_param(req, "apikey");
		if (q != NULL) {
			key = jwt_verify(q, s->jwt_secret, s->jwt_secret_len, (long long)time(NULL), err);
			free(q);
		} else
			key = NULL;
		if (q == NULL) {
			http_error(res, 401, "no_api_key", "No API key found in request");
			return -1;
		}
	} else
		key = jwt_verify(apikey, s->jwt_secret, s->jwt_secret_len, (long long)time(NULL), err);
	if (key == NULL || role_of(key) == NULL ||
	    strcmp(role_of(key), "authenticated") == 0) {
		cJSON_Delete(key);
		http_error(res, 401, "invalid_api_key", "Invalid API key");
		return -1;
	}
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0) {
		c->claims = jwt_verify(auth + 7, s->jwt_secret, s->jwt_secret_len,
		    (long long)time(NULL), err);
		if (c->claims == NULL || role_of(c->claims) == NULL) {
			cJSON_Delete(key);
			http_error(res, 401, "bad_jwt", "invalid JWT: %s",
			    c->claims == NULL ? err : "unknown role");
			caller_free(c);
			return -1;
		}
		cJSON_Delete(key);
	} else
		c->claims = key;
	c->role = role_of(c->claims);
	sub = cJSON_GetObjectItemCaseSensitive(c->claims, "sub");
	if (cJSON_IsString(sub))
		c->sub = xstrdup(sub->valuestring);
	if (strcmp(c->role, "authenticated") == 0 && c->sub == NULL) {
		http_error(res, 401, "bad_jwt", "invalid JWT: no subject");
		caller_free(c);
		return -1;
	}
	json = cJSON_PrintUnformatted(c->claims);
	c->claims_json = xstrdup(json);
	cJSON_free(json);
	return 0;
}

static int
has_prefix(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return 0;
	*rest = path + n;
	return 1;
}

void
router_handle(struct server *srv, struct worker *w, const struct http_request *req,
    struct http_response *res)
{
	const char *rest;

	if (strcmp(req->path, "/health") == 0 || strcmp(req->path, "/") == 0)
		http_set_json(res, 200, "{\"status\":\"ok\",\"service\":\"agentlogs-server\"}");
	else if (has_prefix(req->path, "/auth/v1", &rest))
		auth_handle(srv, w, req, rest, res);
	else if (has_prefix(req->path, "/rest/v1", &rest))
		rest_handle(srv, w, req, rest, res);
	else if (has_prefix(req->path, "/storage/v1", &rest))
		storage_handle(srv, w, req, rest, res);
	else if (has_prefix(req->path, "/realtime/v1", &rest))
		http_error(res, 426, "upgrade_required",
		    "realtime needs a websocket: /realtime/v1/websocket");
	else
		http_error(res, 404, "not_found", "no such endpoint: %s", req->path);
}
