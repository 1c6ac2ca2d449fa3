/*
 * What the server reads of a request (server/request.c): the query string as http.c rebuilds it from libwebsockets'
 * decoded arguments, headers, the API key and bearer token, paths,
 * Content-Length and the request log's escaping.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jwt.h"
#include "request.h"
#include "util/log.h"
#include "util/percent.h"
#include "util/xmalloc.h"

/* One argument encoded by request_query_append, as http.c rebuilds a query. */
static char *
encoded(const char *arg, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	request_query_append(&sb, arg, len);
	return strbuf_detach(&sb);
}

static void
query_rebuild(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *q, *v, all[256];
	int i;

	(void)state;
	q = encoded("name=eq.a b", 11);
	assert_string_equal(q, "name=eq.a%20b");
	free(q);
	/* Only the first '=' separates: the others are data. */
	q = encoded("a=b=c", 5);
	assert_string_equal(q, "a=b%3Dc");
	free(q);
	q = encoded("x&y=1&2", 7);
	assert_string_equal(q, "x%26y=1%262");
	free(q);
	q = encoded("in.(\"a,b\",c)", 12);
	assert_string_equal(q, "in.(%22a,b%22,c)");
	free(q);
	q = encoded("+%", 2);
	assert_string_equal(q, "%2B%25");
	free(q);
	/* A NUL from a %00 never ends the query early: it stays escaped. */
	q = encoded("id=eq.1\0&rest", 13);
	assert_string_equal(q, "id=eq.1%00%26rest");
	assert_null(percent_query_value(q, "id"));
	free(q);

	/* Every byte survives encoding and decoding (but NUL, refused). */
	for (i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	strbuf_adds(&sb, "k=");
	request_query_append(&sb, all, 255);
	strbuf_adds(&sb, "&other=1");
	v = percent_query_value(sb.buf, "k");
	assert_non_null(v);
	assert_int_equal(strlen(v), 255);
	assert_memory_equal(v, all, 255);
	free(v);
	v = percent_query_value(sb.buf, "other");
	assert_string_equal(v, "1");
	free(v);
	strbuf_free(&sb);
}

/* A request's parameters (percent_query_value(), tested in test-encode), and a query without one. */
static void
query_params(void **state)
{
	struct http_request r;
	char *v;

	(void)state;
	memset(&r, 0, sizeof r);
	r.query = "grant_type=password&x=%26";
	v = http_query_param(&r, "grant_type");
	assert_string_equal(v, "password");
	free(v);
	v = http_query_param(&r, "x");
	assert_string_equal(v, "&");
	free(v);

	v = request_query_without("select=id&apikey=k&apikey&order=id&apikeys=1", "apikey");
	assert_string_equal(v, "select=id&order=id&apikeys=1");
	free(v);
	v = request_query_without("apikey=k", "apikey");
	assert_string_equal(v, "");
	free(v);
	v = request_query_without(NULL, "apikey");
	assert_string_equal(v, "");
	free(v);
	v = request_query_without("&&a=1&&", "apikey");
	assert_string_equal(v, "a=1");
	free(v);
}

static void
headers_and_credentials(void **state)
{
	struct http_request r;
	char *k;

	(void)state;
	memset(&r, 0, sizeof r);
	request_add_header(&r, "ApiKey", xstrdup("  key-1 \t"));
	request_add_header(&r, "authorization", xstrdup("Bearer tok.en.x"));
	request_add_header(&r, "X-Empty", xstrdup("   "));
	assert_int_equal(r.nheaders, 3);
	assert_string_equal(http_header(&r, "apikey"), "key-1");
	assert_string_equal(http_header(&r, "x-empty"), "");
	assert_null(http_header(&r, "ApiKey"));	/* names are looked up lower case */
	assert_null(http_header(&r, "prefer"));
	k = request_apikey(&r);
	assert_string_equal(k, "key-1");
	free(k);
	assert_string_equal(request_bearer(http_header(&r, "authorization")), "tok.en.x");
	request_free(&r);
	assert_int_equal(r.nheaders, 0);
	assert_null(r.headers);

	/* No header: the apikey parameter, decoded. */
	memset(&r, 0, sizeof r);
	r.query = xstrdup("vsn=1.0.0&apikey=a%2Eb");
	k = request_apikey(&r);
	assert_string_equal(k, "a.b");
	free(k);
	free(r.query);
	r.query = NULL;
	assert_null(request_apikey(&r));

	assert_string_equal(request_bearer("bearer abc"), "abc");
	assert_string_equal(request_bearer("BEARER    abc"), "abc");
	assert_string_equal(request_bearer("Bearer\tabc"), "abc");
	assert_string_equal(request_bearer("Bearer"), "");
	assert_string_equal(request_bearer("Bearer   "), "");
	assert_null(request_bearer("Bearerabc"));
	assert_null(request_bearer("Basic abc"));
	assert_null(request_bearer("Bear"));
	assert_null(request_bearer(""));
	assert_null(request_bearer(NULL));
}

static void
normalised(const char *in, const char *want)
{
	char *p = xstrdup(in);

	assert_int_equal(request_path_normalise(p), 0);
	assert_string_equal(p, want);
	free(p);
}

static void
paths(void **state)
{
	char rel[] = "rest/v1";
	const char *rest;

	(void)state;
	normalised("/", "/");
	normalised("//", "/");
	normalised("/rest/v1/turns", "/rest/v1/turns");
	normalised("//rest///v1//turns", "/rest/v1/turns");
	normalised("/rest/v1/turns/", "/rest/v1/turns/");
	normalised("/rest/./v1/./turns", "/rest/v1/turns");
	normalised("/rest/v1/x/../turns", "/rest/v1/turns");
	normalised("/../../rest/v1", "/rest/v1");
	normalised("/a/b/../..", "/");
	normalised("/a/b/../../", "/");
	normalised("/a/.", "/a/");
	normalised("/a/..b/.c/...", "/a/..b/.c/...");
	normalised("/.", "/");
	normalised("/..", "/");
	assert_int_equal(request_path_normalise(rel), -1);
	assert_string_equal(rel, "rest/v1");
	assert_int_equal(request_path_normalise(NULL), -1);

	assert_true(request_path_prefix("/rest/v1", "/rest/v1", &rest));
	assert_string_equal(rest, "");
	assert_true(request_path_prefix("/rest/v1/turns", "/rest/v1", &rest));
	assert_string_equal(rest, "/turns");
	assert_false(request_path_prefix("/rest/v10", "/rest/v1", &rest));
	assert_false(request_path_prefix("/rest", "/rest/v1", &rest));
	assert_false(request_path_prefix("/auth/v1", "/rest/v1", &rest));
}

static void
content_length(void **state)
{
	unsigned long long n = 7;

	(void)state;
	assert_int_equal(request_content_length("0", &n), 0);
	assert_true(n == 0);
	assert_int_equal(request_content_length("52428800", &n), 0);
	assert_true(n == 52428800ULL);
	assert_int_equal(request_content_length("9999999999999999999", &n), 0);
	assert_true(n == 9999999999999999999ULL);
	n = 7;
	assert_int_equal(request_content_length("99999999999999999999", &n), -1);
	assert_int_equal(request_content_length("", &n), -1);
	assert_int_equal(request_content_length("-1", &n), -1);
	assert_int_equal(request_content_length("+1", &n), -1);
	assert_int_equal(request_content_length("1 ", &n), -1);
	assert_int_equal(request_content_length("1,1", &n), -1);
	assert_int_equal(request_content_length("0x10", &n), -1);
	assert_int_equal(request_content_length("abc", &n), -1);
	assert_int_equal(request_content_length(NULL, &n), -1);
	assert_true(n == 7);
}

static void
printable(void **state)
{
	char *p;

	(void)state;
	p = request_printable("/rest/v1/turns");
	assert_string_equal(p, "/rest/v1/turns");
	free(p);
	p = request_printable("/a b\tc\nd%\x7f\xc3\xa9");
	assert_string_equal(p, "/a%20b%09c%0Ad%25%7F%C3%A9");
	free(p);
	p = request_printable("");
	assert_string_equal(p, "");
	free(p);
}

static const unsigned char secret[] = "unit-test-secret-unit-test-secret!!";
#define NOW 1800000000LL

/* request_caller() on a request with these apikey and authorization (NULL: none). */
static enum caller_status
caller_of(const char *apikey, const char *authorization, const char *query, struct caller *c,
    char *reason)
{
	struct http_request r;
	enum caller_status st;

	memset(&r, 0, sizeof r);
	if (apikey != NULL)
		request_add_header(&r, "apikey", xstrdup(apikey));
	if (authorization != NULL)
		request_add_header(&r, "authorization", xstrdup(authorization));
	r.query = query != NULL ? xstrdup(query) : NULL;
	st = request_caller(&r, secret, sizeof secret - 1, NOW, c, reason);
	request_free(&r);
	return st;
}

static char *
signed_claims(const char *json, const unsigned char *key, size_t keylen)
{
	cJSON *o = cJSON_Parse(json);
	char *t;

	assert_non_null(o);
	t = jwt_sign(o, key, keylen);
	cJSON_Delete(o);
	return t;
}

static void
callers(void **state)
{
	static const unsigned char other[] = "another-secret-another-secret-another";
	char reason[ERRLEN], *anon, *service, *user, *expired, *forged, *nosub, *badrole, *q, *bearer;
	struct caller c;

	(void)state;
	anon = jwt_make_api_key(secret, sizeof secret - 1, "anon", NOW - 100);
	service = jwt_make_api_key(secret, sizeof secret - 1, "service_role", NOW - 100);
	user = jwt_make_access(secret, sizeof secret - 1, "11111111-2222-3333-4444-555555555555",
	    "a@example.com", "authenticated", NULL, NOW - 10, 3600);
	expired = jwt_make_access(secret, sizeof secret - 1, "11111111-2222-3333-4444-555555555555",
	    NULL, "authenticated", NULL, NOW - 7200, 3600);
	forged = jwt_make_access(other, sizeof other - 1, "11111111-2222-3333-4444-555555555555",
	    NULL, "authenticated", NULL, NOW - 10, 3600);
	nosub = signed_claims("{\"role\":\"authenticated\",\"exp\":4102444800}", secret,
	    sizeof secret - 1);
	badrole = signed_claims("{\"role\":\"postgres\",\"sub\":\"x\",\"exp\":4102444800}",
	    secret, sizeof secret - 1);

	assert_int_equal(caller_of(NULL, NULL, NULL, &c, reason), CALLER_NO_KEY);
	assert_null(c.claims);
	assert_int_equal(caller_of(NULL, NULL, "apikey=", &c, reason), CALLER_BAD_KEY);

	assert_int_equal(caller_of(anon, NULL, NULL, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "anon");
	assert_null(c.sub);
	assert_non_null(c.claims_json);
	caller_free(&c);
	assert_int_equal(caller_of(service, NULL, NULL, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "service_role");
	caller_free(&c);
	/* The key as a query parameter, as the realtime websocket sends it. */
	q = xprintf("vsn=1.0.0&apikey=%s", anon);
	assert_int_equal(caller_of(NULL, NULL, q, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "anon");
	caller_free(&c);
	free(q);

	/* Keys that are not keys. */
	assert_int_equal(caller_of(user, NULL, NULL, &c, reason), CALLER_BAD_KEY);
	assert_int_equal(caller_of(forged, NULL, NULL, &c, reason), CALLER_BAD_KEY);
	assert_int_equal(caller_of("garbage", NULL, NULL, &c, reason), CALLER_BAD_KEY);
	assert_int_equal(caller_of(badrole, NULL, NULL, &c, reason), CALLER_BAD_KEY);
	assert_null(strstr(reason, "eyJ"));	/* never the token */

	/* A user's token decides. */
	bearer = xprintf("Bearer %s", user);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "authenticated");
	assert_string_equal(c.sub, "11111111-2222-3333-4444-555555555555");
	assert_non_null(strstr(c.claims_json, "\"sub\":\"11111111-2222-3333-4444-555555555555\""));
	caller_free(&c);
	assert_null(c.claims);
	/* ...but only with a key. */
	assert_int_equal(caller_of(NULL, bearer, NULL, &c, reason), CALLER_NO_KEY);
	free(bearer);

	bearer = xprintf("bearer   %s", expired);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_EXPIRED);
	assert_null(c.claims);
	free(bearer);
	bearer = xprintf("Bearer %s", forged);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_BAD_JWT);
	free(bearer);
	bearer = xprintf("Bearer %s", nosub);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_BAD_JWT);
	assert_string_equal(reason, "no subject");
	assert_null(c.claims);
	free(bearer);
	bearer = xprintf("Bearer %s", badrole);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_BAD_JWT);
	free(bearer);
	/* An empty Bearer never falls back to the key; another scheme is ignored. */
	assert_int_equal(caller_of(anon, "Bearer", NULL, &c, reason), CALLER_BAD_JWT);
	assert_int_equal(caller_of(anon, "Bearer   ", NULL, &c, reason), CALLER_BAD_JWT);
	assert_int_equal(caller_of(anon, "Basic dXNlcjpwdw==", NULL, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "anon");
	caller_free(&c);
	/* The service key as a bearer token, as supabase-js sends it. */
	bearer = xprintf("Bearer %s", service);
	assert_int_equal(caller_of(anon, bearer, NULL, &c, reason), CALLER_OK);
	assert_string_equal(c.role, "service_role");
	caller_free(&c);
	free(bearer);

	free(anon);
	free(service);
	free(user);
	free(expired);
	free(forged);
	free(nosub);
	free(badrole);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_rebuild),
		cmocka_unit_test(query_params),
		cmocka_unit_test(headers_and_credentials),
		cmocka_unit_test(paths),
		cmocka_unit_test(content_length),
		cmocka_unit_test(printable),
		cmocka_unit_test(callers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
