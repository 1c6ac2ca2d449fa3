#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/draw.h"
#include "util/text.h"
#include "util/xmalloc.h"

void
rline_init(struct rline *l)
{
	memset(l, 0, sizeof *l);
	l->tag = -1;
	l->fill = ROLE_DEFAULT;
}

void
rline_reset(struct rline *l)
{
	strbuf_reset(&l->text);
	l->nsegs = 0;
	l->width = 0;
	l->tag = -1;
	l->fill = ROLE_DEFAULT;
}

void
rline_free(struct rline *l)
{
	strbuf_free(&l->text);
	free(l->segs);
	rline_init(l);
}

static void
open_seg(struct rline *l, enum color_role role)
{
	if (l->nsegs > 0 && l->segs[l->nsegs - 1].role == role)
		return;
	if (l->nsegs > 0 && l->segs[l->nsegs - 1].start == l->text.len) {
		l->segs[l->nsegs - 1].role = role;	/* an empty segment: reuse it */
		return;
	}
	if (l->nsegs == l->capsegs) {
		l->capsegs = l->capsegs ? l->capsegs * 2 : 4;
		l->segs = xreallocarray(l->segs, l->capsegs, sizeof *l->segs);
	}
	l->segs[l->nsegs].start = l->text.len;
	l->segs[l->nsegs].role = role;
	l->nsegs++;
}

void
rline_add(struct rline *l, enum color_role role, const char *s, int cols)
{
	size_t start;

	open_seg(l, role);
	start = l->text.len;
	/* text_pad measures what it appended: there must be a buffer even when that is nothing. */
	if (l->text.buf == NULL)
		strbuf_add(&l->text, "", 0);
	if (cols > 0)
		text_pad(&l->text, s != NULL ? s : "", cols);
	else
		text_oneline(&l->text, s != NULL ? s : "", cols < 0 ? -cols : 0);
	l->width += (int)text_width(l->text.buf + start);
}

void
rline_raw(struct rline *l, enum color_role role, const char *s)
{
	open_seg(l, role);
	strbuf_adds(&l->text, s);
	l->width += (int)text_width(s);
}

/* The role of l's byte at. */
static enum color_role
role_at(const struct rline *l, size_t at)
{
	enum color_role role = ROLE_DEFAULT;
	size_t i;

	for (i = 0; i < l->nsegs && l->segs[i].start <= at; i++)
		role = l->segs[i].role;
	return role;
}

void
rline_mark(struct rline *l, size_t start, size_t end, enum color_role role)
{
	struct rseg *segs;
	enum color_role after;
	size_t i, n = 0;

	if (start >= end || end > l->text.len)
		return;
	after = role_at(l, end);
	segs = xcalloc(l->nsegs + 2, sizeof *segs);
	/* The segments before start as they were, the span, then the rest as it was from end. */
	for (i = 0; i < l->nsegs && l->segs[i].start < start; i++)
		segs[n++] = l->segs[i];
	segs[n++] = (struct rseg){ start, role };
	while (i < l->nsegs && l->segs[i].start <= end)
		i++;
	if (end < l->text.len)
		segs[n++] = (struct rseg){ end, after };
	for (; i < l->nsegs; i++)
		segs[n++] = l->segs[i];
	free(l->segs);
	l->segs = segs;
	l->nsegs = l->capsegs = n;
}

void
rline_addf(struct rline *l, enum color_role role, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	rline_raw(l, role, s);
	free(s);
}

void
rline_pad(struct rline *l, enum color_role role, int cols)
{
	if (l->width >= cols)
		return;
	open_seg(l, role);
	while (l->width < cols) {
		strbuf_addc(&l->text, ' ');
		l->width++;
	}
}

void
rline_right(struct rline *l, enum color_role role, const char *s, int cols)
{
	struct strbuf cut = STRBUF_INIT;
	int room = cols - l->width, w;

	if (room <= 0)
		return;
	text_oneline(&cut, s, room);
	w = cut.buf != NULL ? (int)text_width(cut.buf) : 0;
	rline_pad(l, role, cols - w);
	if (w > 0)
		rline_raw(l, role, cut.buf);
	strbuf_free(&cut);
}

/* The bytes of s that fit in cols columns (whole characters). */
static size_t
fit_bytes(const char *s, size_t len, int cols, int *used)
{
	size_t i = 0, n;
	int w = 0, cw;
	char ch[8];

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (i + n > len)
			n = len - i;
		memcpy(ch, s + i, n);
		ch[n] = '\0';
		cw = (int)text_width(ch);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	*used = w;
	return i;
}

void
role_set(WINDOW *w, const struct theme *th, enum color_role role)
{
	attr_t a = theme_attr(th, role);

	/* wattr_set takes the colour pair apart from the attributes. */
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
}

static void
put(WINDOW *w, const struct theme *th, enum color_role role, const char *s, size_t len,
    int *room)
{
	int used;
	size_t n;

	if (*room <= 0 || len == 0)
		return;
	n = fit_bytes(s, len, *room, &used);
	if (n == 0)
		return;
	role_set(w, th, role);
	waddnstr(w, s, (int)n);
	*room -= used;
}

/* Draws s in role, with the matches of needle in ROLE_SEARCH_MATCH. */
static void
put_matches(WINDOW *w, const struct theme *th, enum color_role role, const char *s,
    size_t len, const char *needle, int *room)
{
	size_t nlen = needle != NULL ? strlen(needle) : 0;
	const char *p = s, *end = s + len, *m;
	char *copy;

	if (nlen == 0) {
		put(w, th, role, s, len, room);
		return;
	}
	copy = xstrndup(s, len);
	while (p < end && *room > 0) {
		m = text_find(copy + (p - s), needle);
		if (m == NULL) {
			put(w, th, role, p, end - p, room);
			break;
		}
		m = s + (m - copy);
		put(w, th, role, p, m - p, room);
		put(w, th, ROLE_SEARCH_MATCH, m, nlen, room);
		p = m + nlen;
	}
	free(copy);
}

void
rline_draw(WINDOW *w, int y, const struct rline *l, const struct theme *th, int width,
    int over, const char *needle)
{
	enum color_role fill = over >= 0 ? (enum color_role)over : l->fill;
	int room = width;
	size_t i, start, end;

	wmove(w, y, 0);
	for (i = 0; i < l->nsegs && room > 0; i++) {
		enum color_role role = over >= 0 ? (enum color_role)over : l->segs[i].role;
		start = l->segs[i].start;
		end = i + 1 < l->nsegs ? l->segs[i + 1].start : l->text.len;
		if (end > start)
			put_matches(w, th, role, l->text.buf + start, end - start, needle, &room);
	}
	if (room > 0) {
		role_set(w, th, fill);
		while (room-- > 0)
			waddch(w, ' ');
	}
	wattr_set(w, A_NORMAL, 0, NULL);
}

void
textbuf_init(struct textbuf *tb)
{
	memset(tb, 0, sizeof *tb);
}

void
textbuf_reset(struct textbuf *tb)
{
	size_t i;

	for (i = 0; i < tb->n; i++)
		rline_reset(&tb->lines[i]);
	tb->n = 0;
}

void
textbuf_free(struct textbuf *tb)
{
	size_t i;

	for (i = 0; i < tb->cap; i++)
		rline_free(&tb->lines[i]);
	free(tb->lines);
	textbuf_init(tb);
}

struct rline *
textbuf_line(struct textbuf *tb)
{
	size_t i;

	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 16;
		tb->lines = xreallocarray(tb->lines, cap, sizeof *tb->lines);
		for (i = tb->cap; i < cap; i++)
			rline_init(&tb->lines[i]);
		tb->cap = cap;
	}
	rline_reset(&tb->lines[tb->n]);
	return &tb->lines[tb->n++];
}

void
textbuf_wrap(struct textbuf *tb, enum color_role role, const char *text,
    enum color_role indent_role, const char *indent, int width, int tag)
{
	struct strbuf wrapped = STRBUF_INIT;
	const char *p, *nl;
	struct rline *l;
	size_t ilen = strlen(indent);

	if (text == NULL || *text == '\0')
		return;
	text_wrap(&wrapped, text, indent, width);
	for (p = wrapped.buf; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		l = textbuf_line(tb);
		l->tag = tag;
		if (ilen > 0 && (size_t)(nl - p) >= ilen)
			rline_raw(l, indent_role, indent);
		open_seg(l, role);
		if ((size_t)(nl - p) > ilen) {
			strbuf_add(&l->text, p + ilen, nl - p - ilen);
			l->width = (int)text_width(l->text.buf);
		}
		if (*nl == '\0')
			break;
	}
	strbuf_free(&wrapped);
}

void
textbuf_field(struct textbuf *tb, const char *label, int label_cols, enum color_role role,
    const char *value, int width)
{
	struct strbuf wrapped = STRBUF_INIT;
	struct rline *l;
	const char *p, *nl;
	int first = 1;

	if (value == NULL || *value == '\0')
		return;
	if (width - label_cols < 8) {
		/* Too narrow for two columns: the label on a line of its own. */
		l = textbuf_line(tb);
		rline_add(l, ROLE_LABEL, label, -width);
		textbuf_wrap(tb, role, value, ROLE_DEFAULT, "", width, -1);
		return;
	}
	text_wrap(&wrapped, value, "", width - label_cols);
	for (p = wrapped.buf; p != NULL && *p != '\0'; p = nl + 1) {
		char *piece;
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		l = textbuf_line(tb);
		if (first)
			rline_add(l, ROLE_LABEL, label, label_cols);
		else
			rline_pad(l, ROLE_DEFAULT, label_cols);
		first = 0;
		piece = xstrndup(p, nl - p);
		rline_raw(l, role, piece);
		free(piece);
		if (*nl == '\0')
			break;
	}
	strbuf_free(&wrapped);
}

const char *
text_find(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0)
		return NULL;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n; i++) {
			if (hay[i] == '\0' || tolower((unsigned char)hay[i]) !=
			    tolower((unsigned char)needle[i]))
				break;
		}
		if (i == n)
			return hay;
	}
	return NULL;
}

void
format_date(const char *iso, int shortform, char *out, size_t size)
{
	/* ISO 8601 as stored: YYYY-MM-DDTHH:MM:SS... in UTC. */
	if (iso == NULL || strlen(iso) < 16) {
		snprintf(out, size, "%s", iso != NULL ? iso : "");
		return;
	}
	if (shortform)
		snprintf(out, size, "%.5s %.5s", iso + 5, iso + 11);
	else
		snprintf(out, size, "%.10s %.5s", iso, iso + 11);
}

void
format_count(long long n, char *out, size_t size)
{
	if (n < 1000)
		snprintf(out, size, "%lld", n);
	else if (n < 10000)
		snprintf(out, size, "%.1fk", (double)n / 1000);
	else if (n < 1000000)
		snprintf(out, size, "%lldk", n / 1000);
	else
		snprintf(out, size, "%.1fM", (double)n / 1000000);
}
