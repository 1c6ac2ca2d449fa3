/*
 * A request body in HTTP/1.1's chunked transfer coding (RFC 9112 7.1),
 * decoded as it arrives: libwebsockets 4.1 hands a server the raw bytes of a
 * POST, PUT or PATCH without Content-Length (reading on up to 100 MB), so
 * http.c decodes them here, and knows where the body ends. Pure code: the
 * unit test and the fuzzer reach every byte of it.
 */
#ifndef AL_SERVER_CHUNKED_H
#define AL_SERVER_CHUNKED_H

#include <stddef.h>

#include "util/strbuf.h"

struct chunked {
	int state;
	unsigned long long remain;	/* data bytes left in the chunk */
	size_t line;			/* bytes of the size or trailer line so far */
	int digits;			/* hex digits of the size */
};

#define CHUNKED_INIT { 0, 0, 0, 0 }

/*
 * Decodes in[0..len): appends the data to out, at most max bytes in all
 * (out->len counts). Returns 1 once the last chunk and trailers are read
 * (*used: the bytes of in consumed; any after belong to the next request), 0
 * when more is needed, -1 with *why (static, one line) on malformed coding,
 * -2 when the data would exceed max.
 */
int chunked_feed(struct chunked *c, const char *in, size_t len, struct strbuf *out,
    size_t max, size_t *used, const char **why);

#endif
