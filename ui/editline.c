#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/curses.h"
#include "ui/editline.h"
#include "util/text.h"
#include "util/xmalloc.h"

static int
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

static size_t
prev_char(const struct editline *e, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && is_cont(e->buf[at]))
		at--;
	return at;
}

static size_t
next_char(const struct editline *e, size_t at)
{
	if (at >= e->len)
		return e->len;
	at++;
	while (at < e->len && is_cont(e->buf[at]))
		at++;
	return at;
}

static void
reserve(struct editline *e, size_t extra)
{
	if (e->len + extra + 1 > e->cap) {
		e->cap = (e->len + extra + 1) * 2;
		e->buf = xrealloc(e->buf, e->cap);
	}
}

void
editline_init(struct editline *e, const char *text)
{
	memset(e, 0, sizeof *e);
	reserve(e, 64);
	e->buf[0] = '\0';
	if (text != NULL)
		editline_insert(e, text);
	e->selected = e->len > 0;
}

void
editline_free(struct editline *e)
{
	free(e->buf);
	memset(e, 0, sizeof *e);
}

void
editline_insert(struct editline *e, const char *s)
{
	size_t n = strlen(s);

	reserve(e, n);
	memmove(e->buf + e->cursor + n, e->buf + e->cursor, e->len - e->cursor + 1);
	memcpy(e->buf + e->cursor, s, n);
	e->len += n;
	e->cursor += n;
}

static void
delete_range(struct editline *e, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

static size_t
utf8_encode(int cp, char out[5])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		out[1] = '\0';
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		out[2] = '\0';
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		out[3] = '\0';
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	out[4] = '\0';
	return 4;
}

/* A key on selected text: deleting removes it all, typing replaces it, the rest keeps it. */
static enum edit_result
replace_selection(struct editline *e, keycode k)
{
	e->selected = 0;
	switch (k) {
	case KEYC_SPECIAL + KEY_BACKSPACE:
	case KEYC_CTRL('H'):
	case KEYC_SPECIAL + KEY_DC:
	case KEYC_CTRL('D'):
		delete_range(e, 0, e->len);
		return EDIT_CHANGED;
	default:
		if (k >= 0x20 && k != 0x7f && !(k >= 0x80 && k < 0xa0) && k < KEYC_SPECIAL)
			delete_range(e, 0, e->len);	/* then inserted as usual */
		return EDIT_IGNORED;
	}
}

enum edit_result
editline_key(struct editline *e, keycode k)
{
	size_t at;
	char u[5];

	if (e->selected && k != '\n' && k != 27 && k != KEYC_CTRL('G') &&
	    replace_selection(e, k) == EDIT_CHANGED)
		return EDIT_CHANGED;
	switch (k) {
	case '\n':
		return EDIT_ACCEPT;
	case 27:
	case KEYC_CTRL('G'):
		return EDIT_CANCEL;
	case KEYC_SPECIAL + KEY_LEFT:
	case KEYC_CTRL('B'):
		e->cursor = prev_char(e, e->cursor);
		return EDIT_MOVED;
	case KEYC_SPECIAL + KEY_RIGHT:
	case KEYC_CTRL('F'):
		e->cursor = next_char(e, e->cursor);
		return EDIT_MOVED;
	case KEYC_SPECIAL + KEY_HOME:
	case KEYC_CTRL('A'):
		e->cursor = 0;
		return EDIT_MOVED;
	case KEYC_SPECIAL + KEY_END:
	case KEYC_CTRL('E'):
		e->cursor = e->len;
		return EDIT_MOVED;
	case KEYC_SPECIAL + KEY_BACKSPACE:
	case KEYC_CTRL('H'):
		if (e->cursor == 0)
			return EDIT_IGNORED;
		delete_range(e, prev_char(e, e->cursor), e->cursor);
		return EDIT_CHANGED;
	case KEYC_SPECIAL + KEY_DC:
	case KEYC_CTRL('D'):
		if (e->cursor == e->len)
			return EDIT_IGNORED;
		delete_range(e, e->cursor, next_char(e, e->cursor));
		return EDIT_CHANGED;
	case KEYC_CTRL('U'):
		delete_range(e, 0, e->cursor);
		return EDIT_CHANGED;
	case KEYC_CTRL('K'):
		e->buf[e->cursor] = '\0';
		e->len = e->cursor;
		return EDIT_CHANGED;
	case KEYC_CTRL('W'):
		at = e->cursor;
		while (at > 0 && e->buf[at - 1] == ' ')
			at--;
		while (at > 0 && e->buf[at - 1] != ' ')
			at = prev_char(e, at);
		delete_range(e, at, e->cursor);
		return EDIT_CHANGED;
	default:
		break;
	}
	if (k == '\t')
		k = ' ';
	if (k < 0x20 || k == 0x7f || (k >= 0x80 && k < 0xa0) || k >= KEYC_SPECIAL ||
	    k > 0x10ffff || (k >= 0xd800 && k <= 0xdfff))
		return EDIT_IGNORED;
	utf8_encode(k, u);
	editline_insert(e, u);
	return EDIT_CHANGED;
}

/* Columns of the bytes [from, to). */
static int
span_width(const struct editline *e, size_t from, size_t to)
{
	char *s = xstrndup(e->buf + from, to - from);
	int w = (int)text_width(s);

	free(s);
	return w;
}

void
editline_view(const struct editline *e, int cols, size_t *start, size_t *end,
    int *cursor_col)
{
	size_t s = 0, t;
	int w;

	if (cols < 1)
		cols = 1;
	/* Scroll right until the cursor (and one column for it) fits. */
	while (s < e->cursor && span_width(e, s, e->cursor) > cols - 1)
		s = next_char(e, s);
	*start = s;
	*cursor_col = span_width(e, s, e->cursor);
	for (t = s, w = 0; t < e->len;) {
		size_t n = next_char(e, t);
		int cw = span_width(e, t, n);
		if (w + cw > cols)
			break;
		w += cw;
		t = n;
	}
	*end = t;
}
