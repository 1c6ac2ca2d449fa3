/*
 * Percent-encoding (RFC 3986 §2.1) for URLs and forms: one decoder and one
 * encoder for client and server.
 */
#ifndef AL_UTIL_PERCENT_H
#define AL_UTIL_PERCENT_H

#include <stddef.h>

#include "util/strbuf.h"

/*
 * Decodes s[0..len) as a query-string component: %XX is the byte XX, '+' a
 * space; a '%' not followed by two hex digits stays as it is. Returns a new
 * string, or NULL when it decodes to a NUL byte (no C string, header or
 * PostgreSQL text can carry one, and a shorter value than sent must never
 * be acted on).
 */
char *percent_decode(const char *s, size_t len);

/*
 * The value of parameter name in query ("a=1&b=2", without the '?'),
 * decoded; "" for a bare "name". The first occurrence counts. NULL when
 * absent (query NULL too) or when the value decodes to a NUL byte.
 */
char *percent_query_value(const char *query, const char *name);

/*
 * Appends s[0..len) to sb with every byte but the unreserved ones
 * (A-Z a-z 0-9 - . _ ~) and those in also_safe (may be NULL) as %XX.
 */
void percent_encode(struct strbuf *sb, const char *s, size_t len, const char *also_safe);

#endif
