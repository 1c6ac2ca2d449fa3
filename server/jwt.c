#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define SHA256_LEN 32

static int
hmac_sha256(const unsigned char *key, size_t keylen, const char *data, size_t n,
    unsigned char mac[SHA256_LEN])
{
	unsigned int maclen = 0;

	if (keylen == 0 || keylen > INT_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, n, mac,
	    &maclen) == NULL || maclen != SHA256_LEN)
		return -1;
	return 0;
}

char *
jwt_sign(const cJSON *claims, const unsigned char *secret, size_t secret_len)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	struct strbuf sb = STRBUF_INIT;
	unsigned char mac[SHA256_LEN];
	char *payload;

	payload = cJSON_PrintUnformatted(claims);
	if (payload == NULL)
		fatalx("out of memory");
	base64url_append(&sb, (const unsigned char *)header, sizeof header - 1);
	strbuf_addc(&sb, '.');
	base64url_append(&sb, (const unsigned char *)payload, strlen(payload));
	cJSON_free(payload);
	if (hmac_sha256(secret, secret_len, sb.buf, sb.len, mac) != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	strbuf_addc(&sb, '.');
	base64url_append(&sb, mac, sizeof mac);
	return strbuf_detach(&sb);
}

/* A JSON object from one base64url part, or NULL. */
static cJSON *
decode_object(const char *s, size_t len)
{
	unsigned char *json;
	size_t n;
	cJSON *o;

	if (len == 0 || (json = base64url_decode(s, len, &n)) == NULL)
		return NULL;
	/* A NUL inside would let text after it escape the parser's notice. */
	if (memchr(json, '\0', n) != NULL) {
		free(json);
		return NULL;
	}
	o = cJSON_ParseWithOpts((const char *)json, NULL, 1);
	free(json);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The header must name HS256 and nothing we would have to understand. */
static int
check_header(const char *s, size_t len, char *err)
{
	const cJSON *alg;
	cJSON *h;
	int rc = 0;

	if ((h = decode_object(s, len)) == NULL)
		return seterr(err, "malformed token");
	alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	if (!cJSON_IsString(alg))
		rc = seterr(err, "malformed token");
	else if (strcmp(alg->valuestring, "HS256") != 0)
		rc = seterr(err, "unsupported algorithm");
	else if (cJSON_GetObjectItemCaseSensitive(h, "crit") != NULL)
		rc = seterr(err, "malformed token");
	cJSON_Delete(h);
	return rc;
}

static int
check_signature(const char *token, size_t signed_len, const char *sig, size_t sig_len,
    const unsigned char *secret, size_t secret_len, char *err)
{
	unsigned char mac[SHA256_LEN], *given;
	size_t n;
	int ok;

	if ((given = base64url_decode(sig, sig_len, &n)) == NULL)
		return seterr(err, "bad signature");
	if (hmac_sha256(secret, secret_len, token, signed_len, mac) != 0) {
		free(given);
		return seterr(err, "bad signature");
	}
	ok = n == SHA256_LEN && CRYPTO_memcmp(given, mac, SHA256_LEN) == 0;
	free(given);
	return ok ? 0 : seterr(err, "bad signature");
}

static int
check_times(const cJSON *claims, long long now, char *err)
{
	const cJSON *exp, *nbf;

	exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	if (!cJSON_IsNumber(exp))
		return seterr(err, "malformed token");
	if (!(exp->valuedouble > (double)now))
		return seterr(err, "token expired");
	nbf = cJSON_GetObjectItemCaseSensitive(claims, "nbf");
	if (nbf != NULL) {
		if (!cJSON_IsNumber(nbf))
			return seterr(err, "malformed token");
		if (nbf->valuedouble > (double)now)
			return seterr(err, "token not yet valid");
	}
	return 0;
}

cJSON *
jwt_verify(const char *token, const unsigned char *secret, size_t secret_len,
    long long now, char *err)
{
	const char *dot1, *dot2;
	size_t len;
	cJSON *claims;

	if (token == NULL || (len = strnlen(token, JWT_MAX_LEN + 1)) == 0 ||
	    len > JWT_MAX_LEN) {
		seterr(err, "malformed token");
		return NULL;
	}
	dot1 = memchr(token, '.', len);
	dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL) {
		seterr(err, "malformed token");
		return NULL;
	}
	/* The algorithm first: "none" and friends never reach the MAC. */
	if (check_header(token, (size_t)(dot1 - token), err) != 0)
		return NULL;
	if (check_signature(token, (size_t)(dot2 - token), dot2 + 1,
	    len - (size_t)(dot2 + 1 - token), secret, secret_len, err) != 0)
		return NULL;
	if ((claims = decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1))) == NULL) {
		seterr(err, "malformed token");
		return NULL;
	}
	if (check_times(claims, now, err) != 0) {
		cJSON_Delete(claims);
		return NULL;
	}
	return claims;
}

static char *
sign_and_free(cJSON *claims, const unsigned char *secret, size_t secret_len)
{
	char *token = jwt_sign(claims, secret, secret_len);

	cJSON_Delete(claims);
	return token;
}

char *
jwt_make_access(const unsigned char *secret, size_t secret_len, const char *sub,
    const char *email, const char *role, const char *session_id, long long now, long ttl)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "aud", "authenticated");
	cJSON_AddNumberToObject(c, "exp", (double)(now + ttl));
	cJSON_AddNumberToObject(c, "iat", (double)now);
	if (sub != NULL)
		cJSON_AddStringToObject(c, "sub", sub);
	if (email != NULL)
		cJSON_AddStringToObject(c, "email", email);
	cJSON_AddStringToObject(c, "role", role != NULL ? role : "authenticated");
	if (session_id != NULL)
		cJSON_AddStringToObject(c, "session_id", session_id);
	return sign_and_free(c, secret, secret_len);
}

char *
jwt_make_api_key(const unsigned char *secret, size_t secret_len, const char *role,
    long long now)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "iss", "supabase");
	cJSON_AddStringToObject(c, "role", role);
	cJSON_AddNumberToObject(c, "iat", (double)now);
	cJSON_AddNumberToObject(c, "exp", (double)(now + JWT_API_KEY_TTL));
	return sign_and_free(c, secret, secret_len);
}
