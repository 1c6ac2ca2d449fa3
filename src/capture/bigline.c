/*
 * Decoding a JSON string never writes ahead of what it has read: each escape
 * becomes at most as many bytes as it took. cJSON asks for the string's room
 * (its escaped length + 2 - the number of escapes) just before it decodes it,
 * so an arena that answers with the string's own bytes lets the decoded text
 * overwrite the escaped one. This file finds those strings and their sizes.
 */
#include "config.h"

#include <string.h>

#include "capture/bigline.h"
#include "util/arena.h"

static int
hex4(const char *p, const char *end, unsigned *v)
{
	int i;

	if (end - p < 4)
		return -1;
	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		    c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
		    c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
		if (d == 16)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

/*
 * The string whose opening quote is at p: *close gets its closing quote,
 * *escapes the number of escapes; -1 when it does not end or holds an escape
 * cJSON refuses (a bad letter, bad hex, a lone or misplaced surrogate).
 */
static int
scan_string(const char *p, const char *end, const char **close, size_t *escapes)
{
	unsigned u, lo;

	*escapes = 0;
	for (p++; p < end; p++) {
		if (*p == '"') {
			*close = p;
			return 0;
		}
		if (*p != '\\')
			continue;
		if (++p == end)
			return -1;
		(*escapes)++;
		if (strchr("\"\\/bfnrt", *p) != NULL && *p != '\0')
			continue;
		if (*p != 'u' || hex4(p + 1, end, &u) != 0 || (u >= 0xdc00 && u <= 0xdfff))
			return -1;
		p += 4;
		if (u >= 0xd800 && u <= 0xdbff) {
			/* A high surrogate: cJSON wants the low one right after. */
			if (end - p < 7 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, end, &lo) != 0 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return -1;
			(*escapes)++;
			p += 6;
		}
	}
	return -1;
}

int
bigline_place_strings(char *line, size_t len, struct arena *a)
{
	const char *end = line + len, *close;
	char *p = line;
	size_t escapes;
	int placed = 0;

	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		if (scan_string(p, end, &close, &escapes) != 0)
			break;	/* the parse fails at or before this string */
		/*
		 * cJSON's room: (closing - opening quote) - escapes + 1 for the NUL.
		 * It starts at the opening quote, one byte ahead of the text, so the
		 * NUL never lands on the closing quote. On a line cut by a crash, a
		 * string seems to end at the `{"` of the record after the cut, where
		 * the parse resumes: one ending in '{' is left alone.
		 */
		if ((size_t)(close - p) - 1 >= BIGLINE_STRING && close[-1] != '{') {
			if (arena_place(a, p, (size_t)(close - p) - escapes + 1) != 0)
				break;
			placed++;
		}
		p = (char *)close + 1;
	}
	return placed;
}
