/* HS256 JWTs: what is signed verifies, and every kind of forgery is refused. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static const unsigned char secret[] = "super-secret-jwt-token-with-at-least-32-characters-long";
#define SECRET_LEN (sizeof secret - 1)
#define NOW 1700000000LL

/* RFC 7515 Appendix A.1: the HS256 example and its key (JWK "k"). */
static const char rfc_token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const unsigned char rfc_key[] = {
	3, 35, 53, 75, 43, 15, 165, 188, 131, 126, 6, 101, 119, 123, 166, 143, 90, 179, 40,
	230, 240, 84, 201, 40, 169, 15, 132, 178, 210, 80, 46, 191, 211, 251, 90, 146, 210, 6,
	71, 239, 150, 138, 180, 195, 119, 98, 61, 34, 61, 46, 33, 114, 5, 46, 79, 8, 192, 205,
	154, 245, 103, 208, 128, 163
};

/* Asserts that token is refused with message want. */
static void
refused(const char *token, const unsigned char *key, size_t keylen, long long now,
    const char *want)
{
	char err[ERRLEN] = "";
	cJSON *c = jwt_verify(token, key, keylen, now, err);

	if (c != NULL) {
		cJSON_Delete(c);
		fail_msg("accepted a token that should fail with \"%s\"", want);
	}
	assert_string_equal(err, want);
}

static cJSON *
claims_until(long long exp)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "sub", "9f3c1e5a-0000-4000-8000-000000000001");
	cJSON_AddStringToObject(c, "role", "authenticated");
	cJSON_AddNumberToObject(c, "exp", (double)exp);
	return c;
}

static char *
sign_until(long long exp)
{
	cJSON *c = claims_until(exp);
	char *t = jwt_sign(c, secret, SECRET_LEN);

	cJSON_Delete(c);
	assert_non_null(t);
	return t;
}

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url, written independently of the module under test. */
static void
b64url(struct strbuf *sb, const unsigned char *p, size_t n)
{
	unsigned int v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (unsigned int)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned int)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		strbuf_addc(sb, alphabet[v >> 18 & 63]);
		strbuf_addc(sb, alphabet[v >> 12 & 63]);
		if (i + 1 < n)
			strbuf_addc(sb, alphabet[v >> 6 & 63]);
		if (i + 2 < n)
			strbuf_addc(sb, alphabet[v & 63]);
	}
}

/* "header.payload" from two JSON texts, unsigned. */
static char *
forge(const char *header, const char *payload)
{
	struct strbuf sb = STRBUF_INIT;

	b64url(&sb, (const unsigned char *)header, strlen(header));
	strbuf_addc(&sb, '.');
	b64url(&sb, (const unsigned char *)payload, strlen(payload));
	return strbuf_detach(&sb);
}

/* forge() with a correct HMAC-SHA256 under secret, whatever the header says. */
static char *
forge_signed(const char *header, const char *payload)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char mac[32];
	unsigned int maclen = 0;
	char *input = forge(header, payload);

	assert_non_null(HMAC(EVP_sha256(), secret, (int)SECRET_LEN,
	    (const unsigned char *)input, strlen(input), mac, &maclen));
	assert_int_equal(maclen, 32);
	strbuf_adds(&sb, input);
	strbuf_addc(&sb, '.');
	b64url(&sb, mac, sizeof mac);
	free(input);
	return strbuf_detach(&sb);
}

static void
round_trip(void **state)
{
	char err[ERRLEN] = "", *t = sign_until(NOW + 3600);
	const cJSON *sub;
	cJSON *c;

	(void)state;
	assert_int_equal(strncmp(t, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37), 0);
	c = jwt_verify(t, secret, SECRET_LEN, NOW, err);
	assert_non_null(c);
	sub = cJSON_GetObjectItemCaseSensitive(c, "sub");
	assert_true(cJSON_IsString(sub));
	assert_string_equal(sub->valuestring, "9f3c1e5a-0000-4000-8000-000000000001");
	cJSON_Delete(c);
	/* One second before expiry still good; at expiry not. */
	c = jwt_verify(t, secret, SECRET_LEN, NOW + 3599, err);
	assert_non_null(c);
	cJSON_Delete(c);
	refused(t, secret, SECRET_LEN, NOW + 3600, "token expired");
	/* Another secret: a forgery. */
	refused(t, (const unsigned char *)"another-secret", 14, NOW, "bad signature");
	free(t);
}

static void
rfc7515_example(void **state)
{
	char err[ERRLEN] = "";
	const cJSON *iss, *root;
	cJSON *c;

	(void)state;
	c = jwt_verify(rfc_token, rfc_key, sizeof rfc_key, 1300819379, err);
	if (c == NULL)
		fail_msg("RFC 7515 A.1 refused: %s", err);
	iss = cJSON_GetObjectItemCaseSensitive(c, "iss");
	root = cJSON_GetObjectItemCaseSensitive(c, "http://example.com/is_root");
	assert_true(cJSON_IsString(iss));
	assert_string_equal(iss->valuestring, "joe");
	assert_true(cJSON_IsTrue(root));
	cJSON_Delete(c);
	refused(rfc_token, rfc_key, sizeof rfc_key, 1300819380, "token expired");
	refused(rfc_token, rfc_key, sizeof rfc_key - 1, 1300819379, "bad signature");
}

static void
tampering(void **state)
{
	char *t = sign_until(NOW + 3600), *copy, *dot2, *evil;
	size_t n;

	(void)state;
	/* Payload: swap the subject for another user's, keep the signature. */
	evil = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    "{\"sub\":\"9f3c1e5a-0000-4000-8000-000000000002\",\"role\":\"authenticated\","
	    "\"exp\":1700003600}");
	dot2 = strrchr(t, '.');
	copy = xprintf("%s%s", evil, dot2);
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	free(evil);

	/* Signature: flip one character, drop one, add one. */
	copy = xstrdup(t);
	n = strlen(copy);
	copy[n - 5] = copy[n - 5] == 'A' ? 'B' : 'A';
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	copy = xstrndup(t, strlen(t) - 1);
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	copy = xprintf("%sA", t);
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	/* The same 32 bytes spelled non-canonically (last char's spare bits set). */
	copy = xstrdup(t);
	n = strlen(copy);
	/* 43 characters carry 258 bits: the last two of the last one are spare. */
	copy[n - 1] = alphabet[(strchr(alphabet, copy[n - 1]) - alphabet) ^ 1];
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	/* Padding is not base64url. */
	copy = xprintf("%s=", t);
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	/* An empty signature. */
	copy = xstrndup(t, (size_t)(strrchr(t, '.') - t + 1));
	refused(copy, secret, SECRET_LEN, NOW, "bad signature");
	free(copy);
	free(t);
}

static void
algorithms(void **state)
{
	char *t;

	(void)state;
	/* alg none, with and without a trailing dot and signature. */
	t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");	/* two parts */
	{
		char *t2 = xprintf("%s.", t);

		refused(t2, secret, SECRET_LEN, NOW, "unsupported algorithm");
		free(t2);
	}
	free(t);
	t = forge_signed("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "unsupported algorithm");
	free(t);
	t = forge_signed("{\"alg\":\"hs256\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "unsupported algorithm");
	free(t);
	t = forge_signed("{\"alg\":\"RS256\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "unsupported algorithm");
	free(t);
	/* No alg at all, or not a string. */
	t = forge_signed("{\"typ\":\"JWT\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");
	free(t);
	t = forge_signed("{\"alg\":256}", "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");
	free(t);
	/* Extensions we would have to understand. */
	t = forge_signed("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}",
	    "{\"sub\":\"x\",\"exp\":1800000000}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");
	free(t);
	/* A correctly signed token with our forge helper is accepted: the
	 * helper itself is right, so the refusals above mean something. */
	t = forge_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"x\",\"exp\":1800000000}");
	{
		char err[ERRLEN];
		cJSON *c = jwt_verify(t, secret, SECRET_LEN, NOW, err);

		assert_non_null(c);
		cJSON_Delete(c);
	}
	free(t);
}

static void
times(void **state)
{
	char *t;

	(void)state;
	t = sign_until(NOW - 1);
	refused(t, secret, SECRET_LEN, NOW, "token expired");
	free(t);
	t = forge_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"x\"}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");	/* no exp */
	free(t);
	t = forge_signed("{\"alg\":\"HS256\"}", "{\"sub\":\"x\",\"exp\":\"1800000000\"}");
	refused(t, secret, SECRET_LEN, NOW, "malformed token");	/* exp as a string */
	free(t);
	t = forge_signed("{\"alg\":\"HS256\"}", "{\"exp\":1800000000,\"nbf\":1700000100}");
	refused(t, secret, SECRET_LEN, NOW, "token not yet valid");
	free(t);
	t = forge_signed("{\"alg\":\"HS256\"}", "{\"exp\":1800000000,\"nbf\":1700000000}");
	{
		char err[ERRLEN];
		cJSON *c = jwt_verify(t, secret, SECRET_LEN, NOW, err);

		assert_non_null(c);	/* nbf == now is valid */
		cJSON_Delete(c);
	}
	free(t);
}

static void
garbage(void **state)
{
	char *big, *t;

	(void)state;
	refused(NULL, secret, SECRET_LEN, NOW, "malformed token");
	refused("", secret, SECRET_LEN, NOW, "malformed token");
	refused("abc", secret, SECRET_LEN, NOW, "malformed token");
	refused("a.b", secret, SECRET_LEN, NOW, "malformed token");
	refused("..", secret, SECRET_LEN, NOW, "malformed token");
	refused("a.b.c.d", secret, SECRET_LEN, NOW, "malformed token");
	refused("!!!.???.###", secret, SECRET_LEN, NOW, "malformed token");
	refused("Bearer x.y.z", secret, SECRET_LEN, NOW, "malformed token");
	/* A valid token with a fourth part. */
	t = sign_until(NOW + 60);
	big = xprintf("%s.x", t);
	refused(big, secret, SECRET_LEN, NOW, "malformed token");
	free(big);
	/* Header that is JSON but not an object, payload that is not JSON. */
	big = forge_signed("[\"alg\",\"HS256\"]", "{\"exp\":1800000000}");
	refused(big, secret, SECRET_LEN, NOW, "malformed token");
	free(big);
	big = forge_signed("{\"alg\":\"HS256\"}", "{\"exp\":1800000000");
	refused(big, secret, SECRET_LEN, NOW, "malformed token");
	free(big);
	big = forge_signed("{\"alg\":\"HS256\"}", "42");
	refused(big, secret, SECRET_LEN, NOW, "malformed token");
	free(big);
	free(t);
	/* Huge: refused before anything is decoded. */
	big = xmalloc(1 << 20);
	memset(big, 'A', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	big[100] = big[200] = '.';
	refused(big, secret, SECRET_LEN, NOW, "malformed token");
	free(big);
}

static void
error_never_quotes_token(void **state)
{
	char err[ERRLEN] = "";
	char *t = sign_until(NOW - 10);

	(void)state;
	assert_null(jwt_verify(t, secret, SECRET_LEN, NOW, err));
	assert_null(strstr(err, "eyJ"));
	assert_true(strlen(err) < 40);
	free(t);
}

static void
access_and_api_keys(void **state)
{
	char err[ERRLEN] = "", *t;
	cJSON *c;

	(void)state;
	t = jwt_make_access(secret, SECRET_LEN, "uid-1", "a@example.com", "authenticated",
	    "sid-1", NOW, 3600);
	c = jwt_verify(t, secret, SECRET_LEN, NOW, err);
	assert_non_null(c);
	assert_string_equal(cJSON_GetObjectItem(c, "sub")->valuestring, "uid-1");
	assert_string_equal(cJSON_GetObjectItem(c, "email")->valuestring, "a@example.com");
	assert_string_equal(cJSON_GetObjectItem(c, "role")->valuestring, "authenticated");
	assert_string_equal(cJSON_GetObjectItem(c, "aud")->valuestring, "authenticated");
	assert_string_equal(cJSON_GetObjectItem(c, "session_id")->valuestring, "sid-1");
	assert_true(cJSON_GetObjectItem(c, "exp")->valuedouble == (double)(NOW + 3600));
	assert_true(cJSON_GetObjectItem(c, "iat")->valuedouble == (double)NOW);
	cJSON_Delete(c);
	refused(t, secret, SECRET_LEN, NOW + 3600, "token expired");
	free(t);

	t = jwt_make_api_key(secret, SECRET_LEN, "anon", NOW);
	c = jwt_verify(t, secret, SECRET_LEN, NOW + 9LL * 365 * 24 * 3600, err);
	assert_non_null(c);
	assert_string_equal(cJSON_GetObjectItem(c, "role")->valuestring, "anon");
	assert_string_equal(cJSON_GetObjectItem(c, "iss")->valuestring, "supabase");
	assert_true(cJSON_GetObjectItem(c, "exp")->valuedouble ==
	    (double)(NOW + JWT_API_KEY_TTL));
	assert_null(cJSON_GetObjectItem(c, "sub"));
	cJSON_Delete(c);
	refused(t, secret, SECRET_LEN, NOW + JWT_API_KEY_TTL, "token expired");
	free(t);

	/* No secret, no token. */
	assert_null(jwt_make_api_key(secret, 0, "anon", NOW));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(rfc7515_example),
		cmocka_unit_test(tampering),
		cmocka_unit_test(algorithms),
		cmocka_unit_test(times),
		cmocka_unit_test(garbage),
		cmocka_unit_test(error_never_quotes_token),
		cmocka_unit_test(access_and_api_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
