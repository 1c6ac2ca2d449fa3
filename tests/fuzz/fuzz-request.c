/*
 * libFuzzer target: a whole request as the server reads it, through the pure
 * code of server/request.c, then the caller's credentials through the JWT
 * verifier and a /rest/v1 request through the PostgREST builder.
 *
 * The input is a request as sent, lines ending in "\n" (or "\r\n"):
 *   METHOD SP TARGET        TARGET is path[?query], still percent-encoded
 *   Name: value             headers, up to an empty line
 *   body                    the rest
 * A header "x-sign: {claims}" is replaced by "authorization: Bearer <token>"
 * with the claims signed by the server's secret, so the fuzzer gets past the
 * signature and exercises the role and subject checks.
 *
 * The path and every query argument are decoded first, the way libwebsockets
 * hands them over; then what http.c does: the path normalised, each argument
 * encoded again and joined. Beyond not crashing, the target checks that
 * encoding and decoding give back exactly the bytes sent, that a normalised
 * path is normal and stays so, that the log form of a path is one field of
 * printable ASCII, and that a caller accepted is a well-formed one.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "jwt.h"
#include "pgrst-query.h"
#include "request.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret!";
#define NOW 1700000000LL

static const struct pgrst_table tables[] = {
	{ "user_profiles", "id" }, { "projects", "user_id,id" }, { "turns", "user_id,id" },
};
static const struct pgrst_arg push_args[] = { { "payload", "jsonb" } };
static const struct pgrst_arg pull_args[] = {
	{ "cursor_txid", "text" }, { "cursor_table", "text" }, { "cursor_id", "uuid" },
	{ "page_size", "integer" }, { "max_bytes", "integer" },
};
static const struct pgrst_function functions[] = {
	{ "push_batch", push_args, 1, 0 }, { "pull_changes", pull_args, 5, 0 },
};

/* A normalised path: absolute, no empty, "." or ".." segment but a final "". */
static void
check_path(char *path)
{
	char *again = xstrdup(path), *p;

	if (path[0] != '/' || strstr(path, "//") != NULL || strstr(path, "/./") != NULL ||
	    strstr(path, "/../") != NULL)
		abort();
	p = strrchr(path, '/');
	if (strcmp(p, "/.") == 0 || strcmp(p, "/..") == 0)
		abort();
	if (request_path_normalise(again) != 0 || strcmp(again, path) != 0)
		abort();
	free(again);
	p = request_printable(path);
	for (again = p; *again != '\0'; again++) {
		if ((unsigned char)*again <= ' ' || (unsigned char)*again >= 0x7f)
			abort();
	}
	free(p);
}

/*
 * One argument as lws hands it over (decoded, n bytes, no NUL): encoded as
 * http.c does, its name and value must decode to what was given.
 */
static void
check_argument(const char *arg, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *eq = memchr(arg, '=', n), *enc_eq;
	size_t klen = eq != NULL ? (size_t)(eq - arg) : n;
	char *k, *v, *enc;

	request_query_append(&sb, arg, n);
	enc = strbuf_detach(&sb);
	enc_eq = strchr(enc, '=');
	if ((eq == NULL) != (enc_eq == NULL) || strchr(enc, '&') != NULL ||
	    strchr(enc, '+') != NULL || strlen(enc) > 3 * n)
		abort();
	k = percent_decode(enc, enc_eq != NULL ? (size_t)(enc_eq - enc) : strlen(enc));
	if (k == NULL || strlen(k) != klen || memcmp(k, arg, klen) != 0)
		abort();
	if (eq != NULL) {
		v = percent_decode(enc_eq + 1, strlen(enc_eq + 1));
		if (v == NULL || strlen(v) != n - klen - 1 || memcmp(v, eq + 1, n - klen - 1) != 0)
			abort();
		free(v);
	}
	free(k);
	free(enc);
}

/* What http.c builds from lws' arguments: NULL when lws would drop the request. */
static char *
rebuild_query(const char *raw)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = raw, *amp;
	size_t len;
	char *arg;
	int first = 1;

	for (;;) {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		if ((arg = percent_decode(p, len)) == NULL) {
			strbuf_free(&sb);
			return NULL;	/* a %00: lws refuses it */
		}
		check_argument(arg, strlen(arg));
		if (!first)
			strbuf_addc(&sb, '&');
		first = 0;
		request_query_append(&sb, arg, strlen(arg));
		free(arg);
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return strbuf_detach(&sb);
}

static void
check_caller(const struct http_request *req)
{
	char reason[ERRLEN];
	struct caller c;
	enum caller_status st;

	st = request_caller(req, secret, sizeof secret - 1, NOW, &c, reason);
	if (st != CALLER_OK) {
		if (c.claims != NULL || c.sub != NULL || c.claims_json != NULL || reason[0] == '\0')
			abort();
		return;
	}
	if (c.role == NULL || !cJSON_IsObject(c.claims) || c.claims_json == NULL)
		abort();
	if (strcmp(c.role, "anon") != 0 && strcmp(c.role, "authenticated") != 0 &&
	    strcmp(c.role, "service_role") != 0)
		abort();
	if (strcmp(c.role, "authenticated") == 0 && c.sub == NULL)
		abort();
	caller_free(&c);
}

static void
check_rest(const struct http_request *req, const char *rest)
{
	struct pgrst_request pr;
	struct pgrst_sql sql;
	struct pgrst_error e;
	char *query = request_query_without(req->query, "apikey"), *j;
	cJSON *o;

	memset(&pr, 0, sizeof pr);
	pr.method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	if (strncmp(rest, "/rpc/", 5) == 0) {
		pr.rpc = 1;
		pr.name = rest + 5;
	} else
		pr.name = rest[0] == '/' ? rest + 1 : rest;
	pr.query = query;
	pr.prefer = http_header(req, "prefer");
	pr.body = req->body;
	pr.body_len = req->body_len;
	pr.tables = tables;
	pr.ntables = sizeof tables / sizeof tables[0];
	pr.functions = functions;
	pr.nfunctions = sizeof functions / sizeof functions[0];
	pr.max_rows = 1000;
	if (pgrst_build(&pr, &sql, &e) == 0) {
		if (sql.sql == NULL || strchr(sql.sql, ';') != NULL || sql.nparams < 0)
			abort();
		pgrst_sql_free(&sql);
	} else {
		if (e.status < 400 || e.status > 599 || e.code[0] == '\0')
			abort();
		j = pgrst_error_json(&e);
		if ((o = cJSON_Parse(j)) == NULL)
			abort();
		cJSON_Delete(o);
		free(j);
	}
	free(query);
}

/* The next line of s[*at..size), without its "\n" or "\r\n"; NULL at the end. */
static char *
next_line(const char *s, size_t size, size_t *at)
{
	const char *start, *nl;
	size_t len;

	if (*at >= size)
		return NULL;
	start = s + *at;
	nl = memchr(start, '\n', size - *at);
	len = nl != NULL ? (size_t)(nl - start) : size - *at;
	*at += len + (nl != NULL ? 1 : 0);
	if (len > 0 && start[len - 1] == '\r')
		len--;
	return xstrndup(start, len);	/* cut at a NUL: lws stops there too */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *rest, *value;
	struct http_request req;
	unsigned long long blen;
	char *line, *target, *sp, *qm, *colon, *k, *token;
	size_t at = 0, i;
	cJSON *claims;

	/* Text up to the body: no NUL (lws stops at one). */
	memset(&req, 0, sizeof req);
	if ((line = next_line(in, size, &at)) == NULL)
		return 0;
	if (memchr(in, '\0', at) != NULL || (sp = strchr(line, ' ')) == NULL) {
		free(line);
		return 0;
	}
	*sp = '\0';
	snprintf(req.method, sizeof req.method, "%s", line);
	target = sp + 1;
	if ((qm = strchr(target, '?')) != NULL)
		*qm = '\0';
	req.path = percent_decode(target, strlen(target));
	req.query = qm != NULL ? rebuild_query(qm + 1) : xstrdup("");
	free(line);
	if (req.path == NULL || req.query == NULL)
		goto out;

	/* Headers, up to an empty line; the rest is the body. */
	while ((line = next_line(in, size, &at)) != NULL) {
		if (line[0] == '\0') {
			free(line);
			break;
		}
		if ((colon = strchr(line, ':')) != NULL && colon != line) {
			*colon = '\0';
			if (strcmp(line, "x-sign") == 0 &&
			    (claims = cJSON_Parse(colon + 1)) != NULL) {
				token = jwt_sign(claims, secret, sizeof secret - 1);
				request_add_header(&req, "authorization", xprintf("Bearer %s", token));
				free(token);
				cJSON_Delete(claims);
			} else
				request_add_header(&req, line, xstrdup(colon + 1));
		}
		free(line);
	}
	for (i = 0; i < (size_t)req.nheaders; i++) {
		k = req.headers[i].name;
		value = req.headers[i].value;
		for (; *k != '\0'; k++) {
			if (*k >= 'A' && *k <= 'Z')
				abort();
		}
		if (value[0] == ' ' || value[0] == '\t' || (value[0] != '\0' &&
		    (value[strlen(value) - 1] == ' ' || value[strlen(value) - 1] == '\t')))
			abort();
	}
	if (at < size) {
		req.body_len = size - at;
		req.body = xmalloc(req.body_len + 1);
		memcpy(req.body, in + at, req.body_len);
		req.body[req.body_len] = '\0';
	}
	if ((value = http_header(&req, "content-length")) != NULL &&
	    request_content_length(value, &blen) == 0 && (strlen(value) > 19 || value[0] == '-'))
		abort();

	if (request_path_normalise(req.path) == 0)
		check_path(req.path);
	check_caller(&req);
	if (request_path_prefix(req.path, "/rest/v1", &rest))
		check_rest(&req, rest);
out:
	request_free(&req);
	return 0;
}
