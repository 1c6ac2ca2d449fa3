#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgrst-error.h"
#include "unparsable.h"
#include "util/strbuf.h"

/* lws 4.1.6's own words (roles/http/parsers.c) where lws_parse() fails. */
static enum unparsable
failure(const char *line)
{
	static const char frags[] = "More hdr frags than we can deal with\n",
	    space[] = "Ran out of header data space\n";

	/* Exact lines: lws_hdr_simple_create() says more after "with". */
	if (strcmp(line, frags) == 0)
		return UNPARSABLE_TOO_MANY_PARTS;
	if (strcmp(line, space) == 0)
		return UNPARSABLE_TOO_LONG;
	return UNPARSABLE_NONE;
}

/*
 * After the failure lws_handshake_server() drops the head
 * ("__lws_header_table_detach: wsi %p: ah %p ...") and the connection
 * closes ("__lws_close_free_wsi: %p: caller: ..."): the same connection
 * in both, or it is some other.
 */
enum unparsable
unparsable_watch_line(struct unparsable_watch *w, const char *line, const void **closing)
{
	void *wsi;
	enum unparsable why;

	if (w->why == UNPARSABLE_NONE) {
		w->why = failure(line);
		w->wsi = NULL;
		return UNPARSABLE_NONE;
	}
	if (sscanf(line, "__lws_header_table_detach: wsi %p:", &wsi) == 1)
		w->wsi = wsi;
	else if (sscanf(line, "__lws_close_free_wsi: %p:", &wsi) == 1 && w->wsi != NULL &&
	    wsi == w->wsi) {
		why = w->why;
		w->why = UNPARSABLE_NONE;
		w->wsi = NULL;
		*closing = wsi;
		return why;
	}
	return UNPARSABLE_NONE;
}

char *
unparsable_answer(enum unparsable why, int max_parts, int max_bytes, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char details[160], *body;

	if (why == UNPARSABLE_TOO_MANY_PARTS) {
		snprintf(details, sizeof details, "At most %d parts: the path, each query "
		    "parameter, the HTTP version and each standard header count one", max_parts);
		body = pgrst_error_body("PGRST100",
		    "The request has too many query parameters or headers", details,
		    "Combine filters: one in.(...) instead of many eq. filters");
	} else {
		snprintf(details, sizeof details, "At most %d bytes of request line and headers",
		    max_bytes);
		body = pgrst_error_body("PGRST100", "The request line and headers are too long",
		    details, "Send fewer or shorter filters");
	}
	/* HTTP/1.1 either way: lws answers an HTTP/1.0 request so too. */
	strbuf_addf(&sb, "HTTP/1.1 414 URI Too Long\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s", strlen(body), body);
	free(body);
	*len = sb.len;
	return strbuf_detach(&sb);
}
