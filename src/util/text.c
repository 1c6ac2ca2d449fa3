#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/text.h"
#include "util/width-table.h"

#define ELLIPSIS "\xe2\x80\xa6"	/* U+2026, one column */
#define TABSTOP 8
#define WRAP_MIN 8		/* columns of text a wrapped line always gets */

/*
 * Decodes one UTF-8 sequence at s (not at its terminator). Returns its length;
 * *cp is -1 for an invalid byte, which then stands alone.
 */
static size_t
utf8_next(const char *s, int32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	int32_t v;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		v = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		v = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		v = u[0] & 0x07;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = -1;
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not text. */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff)) {
		*cp = -1;
		return 1;
	}
	*cp = v;
	return n;
}

/* next_shown's "nothing to show here". */
#define SHOWN_NOT (-2)

static int
is_control(int32_t cp)
{
	return (cp >= 0 && cp < 0x20) || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

static int
is_space(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' ||
	    cp == '\f';
}

/*
 * Our own width table (util/width-table.c, from the Unicode 15 database)
 * rather than wcwidth(3): wcwidth depends on the locale (in the C locale it
 * gives -1 for all non-ASCII), and the tests need the same layout
 * everywhere. It agrees with the C library's wcwidth, which curses draws
 * with, on every character both know (tests/unit/test-text).
 */
static int
in_ranges(int32_t cp, const struct width_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int
cp_width(int32_t cp)
{
	if (cp == SHOWN_NOT)
		return 0;
	if (cp < 0)
		return 1;	/* printed as '?' */
	if (is_control(cp))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_ranges(cp, width_zero, width_zero_count))
		return 0;
	return in_ranges(cp, width_wide, width_wide_count) ? 2 : 1;
}

/*
 * The next character as the browser shows it (*cp SHOWN_NOT: nothing). What
 * terminals join into one glyph, curses (counting with wcwidth, a character
 * at a time) cannot place, and the rest of the line would land a column or
 * two off: so a zero-width joiner between emoji and the emoji it joins are
 * left out (a ZWJ sequence such as woman-technologist shows as its first
 * emoji), and
 * so are emoji variation selectors (U+FE0F: the character shows in its text
 * form, one column) and skin-tone modifiers.
 */
/* Emoji and the symbols ZWJ sequences join (Unicode's Extended_Pictographic blocks). */
static int
is_pictograph(int32_t cp)
{
	return (cp >= 0x2600 && cp <= 0x27bf) || (cp >= 0x2b00 && cp <= 0x2bff) ||
	    (cp >= 0x1f000 && cp <= 0x1faff);
}

static size_t
next_shown(const char *s, int32_t *cp)
{
	size_t n = utf8_next(s, cp);
	int32_t joined;

	if (*cp == 0x200d && s[n] != '\0') {
		/* Between emoji only: in Indic scripts a joiner shapes letters, all shown. */
		size_t m = utf8_next(s + n, &joined);

		if (is_pictograph(joined)) {
			n += m;
			*cp = SHOWN_NOT;
		}
	} else if (*cp == 0xfe0f || (*cp >= 0x1f3fb && *cp <= 0x1f3ff))
		*cp = SHOWN_NOT;
	return n;
}

/* Appends one decoded character; invalid bytes become '?' so output stays UTF-8. */
static void
add_cp(struct strbuf *sb, const char *s, size_t n, int32_t cp)
{
	if (cp < 0)
		strbuf_addc(sb, '?');
	else
		strbuf_add(sb, s, n);
}

size_t
text_width(const char *s)
{
	size_t w = 0;
	int32_t cp;

	while (*s != '\0') {
		s += next_shown(s, &cp);
		w += cp_width(cp);
	}
	return w;
}

void
text_oneline(struct strbuf *sb, const char *s, int cols)
{
	size_t start = sb->len, cut = 0, n;
	int width = 0, space = 0, cw;
	int32_t cp;

	while (*s != '\0') {
		n = next_shown(s, &cp);
		if (cp == SHOWN_NOT) {
			s += n;
			continue;
		}
		if (is_space(cp)) {
			space = sb->len > start;
			s += n;
			continue;
		}
		if (is_control(cp)) {
			s += n;
			continue;
		}
		if (space) {
			strbuf_addc(sb, ' ');
			width++;
			space = 0;
		}
		cw = cp_width(cp);
		if (cols > 0 && width + cw > cols)
			goto cut;
		add_cp(sb, s, n, cp);
		width += cw;
		/* Where to cut if something follows: room left for the ellipsis. */
		if (cols > 0 && width <= cols - 1)
			cut = sb->len;
		s += n;
	}
	return;
cut:
	sb->len = cut > start ? cut : start;
	while (sb->len > start && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	strbuf_adds(sb, ELLIPSIS);
}

void
text_pad(struct strbuf *sb, const char *s, int cols)
{
	size_t start = sb->len;
	int w;

	text_oneline(sb, s, cols);
	/* Blank text into an empty buffer leaves it unallocated. */
	for (w = sb->buf != NULL ? (int)text_width(sb->buf + start) : 0; w < cols; w++)
		strbuf_addc(sb, ' ');
}

/* One line of s (no newline) with tabs expanded and control characters gone. */
static void
clean_line(struct strbuf *out, const char *s, size_t len)
{
	const char *end = s + len;
	int32_t cp;
	size_t n;
	int col = 0;

	strbuf_reset(out);
	strbuf_add(out, "", 0);
	while (s < end && *s != '\0') {
		n = next_shown(s, &cp);
		if (s + n > end)
			n = (size_t)(end - s);	/* a joiner at the line's end joins nothing */
		if (cp == SHOWN_NOT) {
			s += n;
			continue;
		}
		if (cp == '\t') {
			do
				strbuf_addc(out, ' ');
			while (++col % TABSTOP != 0);
		} else if (!is_control(cp)) {
			add_cp(out, s, n, cp);
			col += cp_width(cp);
		}
		s += n;
	}
}

static void
wrap_line(struct strbuf *sb, const char *line, const char *indent, int avail)
{
	const char *p = line, *w, *e, *q;
	int col = 0, sp, ww, cw, i;
	int32_t cp;
	size_t n;

	strbuf_adds(sb, indent);
	while (*p != '\0') {
		for (w = p; *w == ' '; w++)
			;
		if (*w == '\0')
			break;	/* trailing blanks */
		sp = (int)(w - p);
		if (sp > avail / 2)
			sp = avail / 2;	/* deep indentation must leave room for text */
		for (e = w; *e != '\0' && *e != ' '; e++)
			;
		ww = 0;
		for (q = w; q < e; q += n) {
			n = utf8_next(q, &cp);
			ww += cp_width(cp);
		}
		/* A word that does not fit starts a line (and breaks there if it must). */
		if (col > 0 && col + sp + ww > avail) {
			strbuf_addc(sb, '\n');
			strbuf_adds(sb, indent);
			col = sp = 0;
		}
		if (col + sp >= avail)
			sp = 0;
		for (i = 0; i < sp; i++)
			strbuf_addc(sb, ' ');
		col += sp;
		/* Character by character, so a word longer than a line breaks anywhere. */
		for (q = w; q < e; q += n) {
			n = utf8_next(q, &cp);
			cw = cp_width(cp);
			if (col > 0 && col + cw > avail) {
				strbuf_addc(sb, '\n');
				strbuf_adds(sb, indent);
				col = 0;
			}
			add_cp(sb, q, n, cp);
			col += cw;
		}
		p = e;
	}
	/* No blanks at the end of an output line. */
	while (sb->len > 0 && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	strbuf_addc(sb, '\n');
}

void
text_wrap(struct strbuf *sb, const char *s, const char *indent, int width)
{
	struct strbuf line = STRBUF_INIT;
	const char *nl;
	size_t len;
	int avail;

	if (width <= 0)
		avail = INT_MAX;
	else if ((avail = width - (int)text_width(indent)) < WRAP_MIN)
		avail = WRAP_MIN;	/* past the edge rather than a character a line */
	do {
		nl = strchr(s, '\n');
		len = nl != NULL ? (size_t)(nl - s) : strlen(s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		clean_line(&line, s, len);
		wrap_line(sb, line.buf, indent, avail);
		s = nl != NULL ? nl + 1 : NULL;
	} while (s != NULL && *s != '\0');
	strbuf_free(&line);
}
