/* The file part of a multipart/form-data body (multipart.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

int
multipart_is_form(const char *content_type)
{
	size_t n = strlen("multipart/form-data");

	while (content_type != NULL && (*content_type == ' ' || *content_type == '\t'))
		content_type++;
	return content_type != NULL && strncasecmp(content_type, "multipart/form-data", n) == 0 &&
	    (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

/*
 * The value of parameter name in a header value "x; a=b; name="v"" into
 * out (unquoted, \-escapes resolved). 0, or -1 when absent, malformed or
 * longer than cap - 1.
 */
static int
header_param(const char *value, const char *name, char *out, size_t cap)
{
	const char *p = value;
	size_t n = strlen(name), o;

	for (;;) {
		/* Next ';' outside quotes. */
		int quoted = 0;
		for (; *p != '\0' && (quoted || *p != ';'); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (quoted && *p == '\\' && p[1] != '\0')
				p++;
		}
		if (*p == '\0')
			return -1;
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (strncasecmp(p, name, n) != 0 || p[n] != '=')
			continue;
		p += n + 1;
		o = 0;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\0' || o + 1 >= cap)
					return -1;
				out[o++] = *p;
			}
		} else {
			for (; *p != '\0' && *p != ';' && *p != ' ' && *p != '\t'; p++) {
				if (o + 1 >= cap)
					return -1;
				out[o++] = *p;
			}
		}
		out[o] = '\0';
		return 0;
	}
}

static const char *
find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay, *end = hay + hlen;

	while (nlen <= (size_t)(end - p)) {
		const char *c = memchr(p, needle[0], (size_t)(end - p) - nlen + 1);
		if (c == NULL)
			return NULL;
		if (memcmp(c, needle, nlen) == 0)
			return c;
		p = c + 1;
	}
	return NULL;
}

/*
 * Reads the headers of the part at *p (up to the blank line) and moves *p
 * past them: whether it has a filename, and its content type. -1 when the
 * headers do not end before end.
 */
static int
part_headers(const char **p, const char *end, int *is_file, char *type, size_t type_cap)
{
	const char *eol;
	char line[1024], value[1024];

	*is_file = 0;
	snprintf(type, type_cap, "application/octet-stream");
	for (;;) {
		if ((eol = find(*p, (size_t)(end - *p), "\r\n", 2)) == NULL)
			return -1;
		if (eol == *p) {
			*p = eol + 2;
			return 0;
		}
		if ((size_t)(eol - *p) >= sizeof line) {	/* too long to be ours: skipped */
			*p = eol + 2;
			continue;
		}
		memcpy(line, *p, (size_t)(eol - *p));
		line[eol - *p] = '\0';
		*p = eol + 2;
		if (strncasecmp(line, "content-disposition:", 20) == 0)
			*is_file = header_param(line + 20, "filename", value, sizeof value) == 0;
		else if (strncasecmp(line, "content-type:", 13) == 0) {
			const char *v = line + 13;
			size_t n;
			while (*v == ' ' || *v == '\t')
				v++;
			n = strlen(v);
			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n > 0 && n < type_cap)
				snprintf(type, type_cap, "%.*s", (int)n, v);
		}
	}
}

int
multipart_file(const char *content_type, const char *body, size_t len,
    struct multipart_file *f, const char **why)
{
	char delim[MULTIPART_MAX_BOUNDARY + 5];	/* "\r\n--" boundary */
	const char *p, *end = body + len, *next;
	size_t dlen;
	int is_file;

	if (!multipart_is_form(content_type)) {
		*why = "the body is not multipart/form-data";
		return -1;
	}
	memcpy(delim, "\r\n--", 4);
	if (header_param(content_type, "boundary", delim + 4, MULTIPART_MAX_BOUNDARY + 1) != 0 ||
	    delim[4] == '\0') {
		*why = "multipart/form-data without a boundary (or one over 70 characters)";
		return -1;
	}
	dlen = strlen(delim);
	/* The first delimiter may open the body (no CRLF before it) or follow a preamble. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else if ((p = find(body, len, delim, dlen)) != NULL)
		p += dlen;
	else {
		*why = "the multipart body has no boundary line";
		return -1;
	}
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			*why = "the multipart form has no file part";
			return -1;
		}
		while (p < end && (*p == ' ' || *p == '\t'))	/* transport padding */
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			*why = "the multipart body is truncated or malformed";
			return -1;
		}
		p += 2;
		if (part_headers(&p, end, &is_file, f->content_type, sizeof f->content_type) != 0 ||
		    (next = find(p, (size_t)(end - p), delim, dlen)) == NULL) {
			*why = "the multipart body is truncated or malformed";
			return -1;
		}
		if (is_file) {
			f->data = p;
			f->len = (size_t)(next - p);
			return 0;
		}
		p = next + dlen;
	}
}
