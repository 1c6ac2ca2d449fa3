/*
 * Lines built off-screen with their colour roles (htop's RichString), then
 * drawn in one call, and pages of such lines (a preview, a turn). Text from
 * transcripts goes through util/text.h on its way in, so control characters
 * never reach the terminal and every line knows its width in columns.
 */
#ifndef AL_UI_DRAW_H
#define AL_UI_DRAW_H

#include <stddef.h>

#include "ui/curses.h"
#include "ui/theme.h"
#include "util/strbuf.h"

struct rseg {
	size_t start;		/* byte offset in the line's text */
	enum color_role role;
};

struct rline {
	struct strbuf text;
	struct rseg *segs;
	size_t nsegs, capsegs;
	int width;		/* columns */
	int tag;		/* the owner's mark (a tool call's index in a turn); -1 */
	enum color_role fill;	/* the role of the columns past the text */
};

void rline_init(struct rline *l);
void rline_reset(struct rline *l);
void rline_free(struct rline *l);
/*
 * Appends s on one line (whitespace runs become one space). cols > 0: exactly
 * cols columns, cut with "…" or padded; cols == 0: as long as it is; cols < 0:
 * at most -cols columns, not padded.
 */
void rline_add(struct rline *l, enum color_role role, const char *s, int cols);
/* Appends text already clean and one line (our own labels), no cutting. */
void rline_raw(struct rline *l, enum color_role role, const char *s);
/* rline_raw of a format: for our own text and numbers, never a transcript's. */
void rline_addf(struct rline *l, enum color_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Gives l's bytes [start, end) the role, splitting the segments around them. */
void rline_mark(struct rline *l, size_t start, size_t end, enum color_role role);
/* Appends spaces up to cols columns. */
void rline_pad(struct rline *l, enum color_role role, int cols);
/* Appends s right-aligned so the line ends at cols columns (cut to fit). */
void rline_right(struct rline *l, enum color_role role, const char *s, int cols);

/*
 * Draws l at row y of w, cut to width columns and filled with spaces. With
 * over >= 0 the whole line takes that role (the cursor line, a hidden
 * commit). With needle, case-insensitive matches of it take ROLE_SEARCH_MATCH.
 */
void rline_draw(WINDOW *w, int y, const struct rline *l, const struct theme *th, int width,
    int over, const char *needle);

/* Sets w's attributes and colour pair to role's. */
void role_set(WINDOW *w, const struct theme *th, enum color_role role);

/* A page of lines. */
struct textbuf {
	struct rline *lines;
	size_t n, cap;
};

void textbuf_init(struct textbuf *tb);
void textbuf_reset(struct textbuf *tb);
void textbuf_free(struct textbuf *tb);
struct rline *textbuf_line(struct textbuf *tb);
/*
 * Appends text word-wrapped to width columns, each line starting with indent
 * (in indent_role) and the text in role; blank lines are kept. NULL or ""
 * appends nothing.
 */
void textbuf_wrap(struct textbuf *tb, enum color_role role, const char *text,
    enum color_role indent_role, const char *indent, int width, int tag);
/* "label   value" lines: the label padded to label_cols in ROLE_LABEL, the value wrapped. */
void textbuf_field(struct textbuf *tb, const char *label, int label_cols, enum color_role role,
    const char *value, int width);

/* Case-insensitive (ASCII) substring search; NULL when absent. */
const char *text_find(const char *hay, const char *needle);

/* "2026-03-06T17:40:12.345Z" → "2026-03-06 17:40" (long) or "03-06 17:40". */
void format_date(const char *iso, int shortform, char *out, size_t size);
/* A count cut to four characters: 999, 1.2k, 12k, 1.2M. */
void format_count(long long n, char *out, size_t size);

#endif
