/*
 * Requests libwebsockets 4.1 gives up parsing. lws keeps a request's head in
 * a fixed table: each query parameter, the path, the HTTP version and each
 * header it knows take one part (WSI_TOKEN_COUNT - 1 of them in all), and the
 * bytes must fit a header slot. Beyond either, lws closes the connection
 * without a word, and tells no callback why (on a connection's first request
 * it calls none before its shutdown). Only its log says so: a warning, then
 * info lines naming the connection as its head is dropped and it closes.
 * The server watches those lines and answers 414 at the close.
 */
#ifndef AL_SERVER_UNPARSABLE_H
#define AL_SERVER_UNPARSABLE_H

#include <stddef.h>

enum unparsable {
	UNPARSABLE_NONE,
	UNPARSABLE_TOO_MANY_PARTS,	/* query parameters and known headers */
	UNPARSABLE_TOO_LONG,		/* the head's bytes */
};

struct unparsable_watch {
	enum unparsable why;	/* a failure seen, its connection not yet closing */
	const void *wsi;	/* the connection whose head was dropped */
};

/*
 * Feeds one line lws logged. Returns UNPARSABLE_NONE, or why the connection
 * in *closing (a struct lws, never dereferenced here) could not be parsed:
 * it is closing now, its socket still open. w->why set means info lines are
 * needed to see the connection.
 */
enum unparsable unparsable_watch_line(struct unparsable_watch *w, const char *line,
    const void **closing);

/*
 * The whole answer for the socket, status line to body (PostgREST's error
 * shape), closing the connection: newly allocated, its length in *len.
 * max_parts and max_bytes are the limits, for the message.
 */
char *unparsable_answer(enum unparsable why, int max_parts, int max_bytes, size_t *len);

#endif
