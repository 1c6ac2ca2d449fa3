/*
 * HS256 JSON Web Tokens (RFC 7519), the only kind Supabase's self-hosted
 * stack signs: the access tokens /auth/v1 hands out and the anon and
 * service_role API keys.
 */
#ifndef AL_SERVER_JWT_H
#define AL_SERVER_JWT_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Longer tokens are refused unread; ours are a few hundred bytes. */
#define JWT_MAX_LEN 8192

/* Ten years, the lifetime Supabase gives its API keys. */
#define JWT_API_KEY_TTL (10LL * 365 * 24 * 3600)

/*
 * Signs claims (a JSON object) as "header.payload.signature" with header
 * {"alg":"HS256","typ":"JWT"}. Returns NULL only when secret is empty.
 */
char *jwt_sign(const cJSON *claims, const unsigned char *secret, size_t secret_len);

/*
 * Returns the claims of token when it is a well-formed HS256 JWT signed with
 * secret, with exp after now and nbf (if any) not after now. Otherwise
 * returns NULL and fills err (ERRLEN) with one of "malformed token",
 * "unsupported algorithm", "bad signature", "token expired" or "token not
 * yet valid". The message never quotes the token.
 */
cJSON *jwt_verify(const char *token, const unsigned char *secret, size_t secret_len,
    long long now, char *err);

/*
 * An access token as Supabase Auth issues it: sub, role, aud
 * "authenticated", exp (now + ttl), iat, email and session_id. email and
 * session_id may be NULL (left out).
 */
char *jwt_make_access(const unsigned char *secret, size_t secret_len, const char *sub,
    const char *email, const char *role, const char *session_id, long long now, long ttl);

/* An API key (role "anon" or "service_role"): iss "supabase", role, iat, exp in ten years. */
char *jwt_make_api_key(const unsigned char *secret, size_t secret_len, const char *role,
    long long now);

#endif
