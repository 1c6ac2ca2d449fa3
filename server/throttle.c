#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "keylimits.h"
#include "request.h"
#include "throttle.h"
#include "util/xmalloc.h"

/*
 * The service thread parses a sign-in body to find its account: only a small
 * one (a real sign-in is a few hundred bytes); a bigger one counts per IP.
 */
#define MAX_PARSED_BODY 16384

struct throttle {
	struct limits *ip, *account;
};

static struct limits *
bucket_table(long per_window)
{
	return limits_new((double)per_window, THROTTLE_WINDOW / (double)per_window);
}

struct throttle *
throttle_new(long per_ip, long per_account)
{
	struct throttle *t = xcalloc(1, sizeof *t);

	t->ip = bucket_table(per_ip);
	t->account = bucket_table(per_account);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	limits_free(t->ip);
	limits_free(t->account);
	free(t);
}

static int
is_password_grant(const struct http_request *req)
{
	char *grant;
	int yes;

	if (strcmp(req->method, "POST") != 0 || strcmp(req->path, "/auth/v1/token") != 0)
		return 0;
	grant = http_query_param(req, "grant_type");
	yes = grant != NULL && strcmp(grant, "password") == 0;
	free(grant);
	return yes;
}

int
throttle_is_sign_in(const struct http_request *req)
{
	return (strcmp(req->method, "POST") == 0 && strcmp(req->path, "/auth/v1/signup") == 0) ||
	    is_password_grant(req);
}

/* The account a password sign-in names, lower-cased as auth.users keeps it; or NULL. */
static char *
account_of(const struct http_request *req)
{
	const cJSON *email;
	cJSON *body;
	char *key = NULL, *p;

	if (req->body == NULL || req->body_len > MAX_PARSED_BODY ||
	    (body = cJSON_ParseWithLength(req->body, req->body_len)) == NULL)
		return NULL;
	email = cJSON_GetObjectItemCaseSensitive(body, "email");
	if (cJSON_IsString(email)) {
		key = xstrdup(email->valuestring);
		for (p = key; *p != '\0'; p++) {
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		}
	}
	cJSON_Delete(body);
	return key;
}

int
throttle_check(struct throttle *t, const struct http_request *req, struct http_response *res,
    double now)
{
	char *account, retry[32];
	long wait;

	if (!throttle_is_sign_in(req))
		return 0;
	wait = limits_take(t->ip, req->peer, now);
	if (wait == 0 && is_password_grant(req) && (account = account_of(req)) != NULL) {
		wait = limits_take(t->account, account, now);
		free(account);
	}
	if (wait == 0)
		return 0;
	http_error(res, 429, "over_request_rate_limit", "Request rate limit reached");
	snprintf(retry, sizeof retry, "%ld", wait);
	http_add_header(res, "Retry-After", retry);
	return -1;
}
