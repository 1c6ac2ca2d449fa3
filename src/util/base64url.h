/*
 * base64url without padding (RFC 4648 §5), as JWS (RFC 7515 §2) and PKCE
 * (RFC 7636 §4) use it: one encoder and one decoder for client and server.
 */
#ifndef AL_UTIL_BASE64URL_H
#define AL_UTIL_BASE64URL_H

#include <stddef.h>

#include "util/strbuf.h"

/* Appends the encoding of p[0..n) to sb. */
void base64url_append(struct strbuf *sb, const unsigned char *p, size_t n);
/* The encoding of p[0..n), newly allocated. */
char *base64url_encode(const unsigned char *p, size_t n);
/*
 * Decodes s[0..len) into a new buffer (NUL-terminated, *outlen bytes before
 * the NUL). Only the canonical encoding is accepted (no padding, no other
 * characters, unused trailing bits zero), so one value has one spelling and a
 * signature cannot be altered without failing. NULL when s is not that.
 */
unsigned char *base64url_decode(const char *s, size_t len, size_t *outlen);

#endif
