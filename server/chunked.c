/* Chunked transfer coding, decoded incrementally (chunked.h). */
#include "config.h"

#include "chunked.h"

enum {
	SIZE,		/* hex digits of the chunk size */
	EXT,		/* ";name=value" after the size, ignored */
	SIZE_LF,	/* the LF after the size line's CR */
	DATA,
	DATA_CR,	/* the CRLF after the data */
	DATA_LF,
	TRAILER,	/* start of a trailer line, or the final CRLF */
	TRAILER_LINE,
	FINAL_LF,
};

/* Size lines and trailer lines: longer is not a client of ours. */
#define MAX_LINE 4096
/* 15 hex digits: far beyond any body limit, never an overflow. */
#define MAX_DIGITS 15

static int
hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int
chunked_feed(struct chunked *c, const char *in, size_t len, struct strbuf *out,
    size_t max, size_t *used, const char **why)
{
	size_t i = 0, n;

	*why = "malformed chunked body";
	while (i < len) {
		char ch = in[i];

		switch (c->state) {
		case SIZE:
			if (hex(ch) >= 0 && c->digits < MAX_DIGITS) {
				c->remain = c->remain * 16 + (unsigned long long)hex(ch);
				c->digits++;
			} else if (c->digits == 0) {
				*why = "a chunk size must be hex digits";
				return -1;
			} else if (ch == ';' || ch == ' ' || ch == '\t')
				c->state = EXT;
			else if (ch == '\r')
				c->state = SIZE_LF;
			else {
				*why = hex(ch) >= 0 ? "a chunk size is too large" :
				    "a chunk size must be hex digits";
				return -1;
			}
			i++;
			break;
		case EXT:
			if (ch == '\r')
				c->state = SIZE_LF;
			else if (++c->line > MAX_LINE) {
				*why = "a chunk size line is too long";
				return -1;
			}
			i++;
			break;
		case SIZE_LF:
			if (ch != '\n')
				return -1;
			i++;
			c->line = 0;
			c->digits = 0;
			c->state = c->remain == 0 ? TRAILER : DATA;
			break;
		case DATA:
			n = len - i;
			if (n > c->remain)
				n = (size_t)c->remain;
			if (out->len + n > max) {
				*why = "the body exceeds the limit";
				return -2;
			}
			strbuf_add(out, in + i, n);
			c->remain -= n;
			i += n;
			if (c->remain == 0)
				c->state = DATA_CR;
			break;
		case DATA_CR:
		case DATA_LF:
			if (ch != (c->state == DATA_CR ? '\r' : '\n')) {
				*why = "a chunk's data must end with CRLF";
				return -1;
			}
			c->state = c->state == DATA_CR ? DATA_LF : SIZE;
			i++;
			break;
		case TRAILER:
			c->state = ch == '\r' ? FINAL_LF : TRAILER_LINE;
			i++;
			break;
		case TRAILER_LINE:
			if (ch == '\n') {
				c->line = 0;
				c->state = TRAILER;
			} else if (++c->line > MAX_LINE) {
				*why = "a trailer line is too long";
				return -1;
			}
			i++;
			break;
		case FINAL_LF:
			if (ch != '\n')
				return -1;
			*used = i + 1;
			return 1;
		}
	}
	*used = len;
	return 0;
}
