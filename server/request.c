#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jwt.h"
#include "request.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/xmalloc.h"

void
request_query_append(struct strbuf *sb, const char *arg, size_t len)
{
	const char *eq = memchr(arg, '=', len);
	size_t klen = eq != NULL ? (size_t)(eq - arg) : len;

	percent_encode(sb, arg, klen, ",().*:!");
	if (eq != NULL) {
		strbuf_addc(sb, '=');
		percent_encode(sb, eq + 1, len - klen - 1, ",().*:!");
	}
}

char *
request_query_without(const char *query, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	size_t nlen = strlen(name), len;
	const char *p = query, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len > 0 && !(len >= nlen && memcmp(p, name, nlen) == 0 &&
		    (len == nlen || p[nlen] == '='))) {
			if (sb.len > 0)
				strbuf_addc(&sb, '&');
			strbuf_add(&sb, p, len);
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return strbuf_detach(&sb);
}

const char *
http_header(const struct http_request *req, const char *name)
{
	int i;

	for (i = 0; i < req->nheaders; i++) {
		if (strcmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

char *
http_query_param(const struct http_request *req, const char *name)
{
	return percent_query_value(req->query, name);
}

void
request_add_header(struct http_request *r, const char *name, char *value)
{
	struct http_header *h;
	size_t i, n;
	char *v = value;

	r->headers = xreallocarray(r->headers, (size_t)r->nheaders + 1, sizeof *r->headers);
	h = &r->headers[r->nheaders++];
	h->name = xstrdup(name);
	for (i = 0; h->name[i] != '\0'; i++) {
		if (h->name[i] >= 'A' && h->name[i] <= 'Z')
			h->name[i] = (char)(h->name[i] - 'A' + 'a');
	}
	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	memmove(value, v, n);
	value[n] = '\0';
	h->value = value;
}

const char *
request_bearer(const char *authorization)
{
	const char *t;

	if (authorization == NULL || strncasecmp(authorization, "Bearer", 6) != 0 ||
	    (authorization[6] != ' ' && authorization[6] != '\t' && authorization[6] != '\0'))
		return NULL;
	for (t = authorization + 6; *t == ' ' || *t == '\t'; t++)
		;
	return t;
}

char *
request_apikey(const struct http_request *req)
{
	const char *h = http_header(req, "apikey");

	if (h != NULL)
		return xstrdup(h);
	return http_query_param(req, "apikey");
}

int
request_path_normalise(char *path)
{
	char *r, *w, *seg;
	size_t n;

	if (path == NULL || path[0] != '/')
		return -1;
	r = w = path;
	while (*r != '\0') {
		/* r is at a '/': the segment runs to the next one. */
		while (*r == '/')
			r++;
		seg = r;
		while (*r != '\0' && *r != '/')
			r++;
		n = (size_t)(r - seg);
		if (n == 0) {
			/* Only a trailing '/' ends in an empty segment. */
			if (seg != path)
				*w++ = '/';
			break;
		}
		if (n == 1 && seg[0] == '.') {
			if (*r == '\0')
				*w++ = '/';
			continue;
		}
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			while (w > path && *--w != '/')
				;
			if (*r == '\0')
				*w++ = '/';
			continue;
		}
		*w++ = '/';
		memmove(w, seg, n);
		w += n;
	}
	if (w == path)
		*w++ = '/';
	*w = '\0';
	return 0;
}

int
request_path_prefix(const char *path, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || (path[n] != '\0' && path[n] != '/'))
		return 0;
	*rest = path + n;
	return 1;
}

int
request_content_length(const char *value, unsigned long long *len)
{
	unsigned long long n = 0;
	size_t i;

	if (value == NULL || value[0] == '\0')
		return -1;
	for (i = 0; value[i] != '\0'; i++) {
		if (value[i] < '0' || value[i] > '9' || i >= 19)
			return -1;
		n = n * 10 + (unsigned long long)(value[i] - '0');
	}
	*len = n;
	return 0;
}

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
request_caller(const struct http_request *req, const unsigned char *secret, size_t secret_len,
    long long now, struct caller *c, char *reason)
{
	const char *bearer = request_bearer(http_header(req, "authorization"));
	char *apikey = request_apikey(req), *json;
	const cJSON *sub;
	cJSON *key;

	memset(c, 0, sizeof *c);
	if (apikey == NULL) {
		seterr(reason, "No API key found in request");
		return CALLER_NO_KEY;
	}
	key = jwt_verify(apikey, secret, secret_len, now, reason);
	free(apikey);
	if (key == NULL || role_of(key) == NULL || strcmp(role_of(key), "authenticated") == 0) {
		cJSON_Delete(key);
		seterr(reason, "Invalid API key");
		return CALLER_BAD_KEY;
	}
	/* A Bearer header is checked even when empty: it never falls back to the key. */
	if (bearer != NULL) {
		cJSON_Delete(key);
		c->claims = jwt_verify(bearer, secret, secret_len, now, reason);
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

char *
request_printable(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = STRBUF_INIT;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c <= ' ' || c == '%' || c >= 0x7f) {
			strbuf_addc(&sb, '%');
			strbuf_addc(&sb, hex[c >> 4]);
			strbuf_addc(&sb, hex[c & 15]);
		} else
			strbuf_addc(&sb, (char)c);
	}
	return strbuf_detach(&sb);
}

void
request_free(struct http_request *r)
{
	int i;

	free(r->path);
	free(r->query);
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof *r);
}
