/* Terminal text: display widths, one-line cuts and word wrapping. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "util/strbuf.h"
#include "util/text.h"

/* The result of text_oneline(s, cols), in a buffer reused by the caller. */
static const char *
oneline(struct strbuf *sb, const char *s, int cols)
{
	strbuf_reset(sb);
	text_oneline(sb, s, cols);
	return sb->buf != NULL ? sb->buf : "";
}

static const char *
wrap(struct strbuf *sb, const char *s, const char *indent, int width)
{
	strbuf_reset(sb);
	text_wrap(sb, s, indent, width);
	return sb->buf != NULL ? sb->buf : "";
}

static void
widths(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("caf\xc3\xa9"), 4);			/* café */
	assert_int_equal(text_width("e\xcc\x81"), 1);			/* e + combining acute */
	assert_int_equal(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);	/* 日本: wide */
	assert_int_equal(text_width("\xf0\x9f\x98\x80"), 2);		/* 😀 */
	assert_int_equal(text_width("\xe2\x80\xa6"), 1);		/* … */
	assert_int_equal(text_width("a\033[33mb"), 6);			/* ESC itself takes none */
	/* Invalid bytes count one column each (they print as '?'). */
	assert_int_equal(text_width("a\xff\xc3"), 3);
	/* An overlong encoding of '/' is not a character. */
	assert_int_equal(text_width("\xc0\xaf"), 2);
}

/* UTF-8 of one code point (as utf8_next reads it), NUL-terminated. */
static void
encode(int32_t cp, char out[5])
{
	memset(out, 0, 5);
	if (cp < 0x80)
		out[0] = (char)cp;
	else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
	}
}

/*
 * The width table against the C library's wcwidth(3), which curses draws
 * with: every character the C library knows (wcwidth not -1) takes as many
 * columns in ours, but the skin-tone modifiers, which the browser leaves out
 * (a terminal joins them into the emoji before).
 */
static void
widths_as_wcwidth(void **state)
{
	char u[5];
	int32_t cp;
	long known = 0, differ = 0;
	int w;

	(void)state;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		fail_msg("no C.UTF-8 locale");
	for (cp = 0x20; cp <= 0x10ffff; cp++) {
		if ((cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x1f3fb && cp <= 0x1f3ff) || (w = wcwidth((wchar_t)cp)) < 0)
			continue;
		encode(cp, u);
		known++;
		if ((int)text_width(u) != w) {
			if (differ++ < 5)
				print_error("U+%04X: %d columns here, wcwidth %d\n", (unsigned)cp,
				    (int)text_width(u), w);
		}
	}
	assert_true(known > 250000);	/* the assigned characters of Unicode 14 */
	assert_int_equal(differ, 0);
}

/* What terminals join into one glyph, as the browser shows it. */
static void
clusters(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	/* woman technologist (woman, ZWJ, laptop): the first emoji alone. */
	assert_int_equal(text_width("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"), 2);
	assert_string_equal(oneline(&sb, "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb!", 0),
	    "\xf0\x9f\x91\xa9!");
	/* A flag (two regional indicators, P and T): two columns, as terminals draw it. */
	assert_int_equal(text_width("\xf0\x9f\x87\xb5\xf0\x9f\x87\xb9"), 2);
	/* Sun behind rain cloud with VS16: its text form, one column. */
	assert_int_equal(text_width("\xf0\x9f\x8c\xa6\xef\xb8\x8f"), 1);
	assert_string_equal(oneline(&sb, "\xf0\x9f\x8c\xa6\xef\xb8\x8f", 0), "\xf0\x9f\x8c\xa6");
	/* Thumbs up, medium skin tone: the thumb. */
	assert_int_equal(text_width("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"), 2);
	/* A joiner between Devanagari letters shapes them: both letters stay. */
	assert_string_equal(oneline(&sb, "\xe0\xa4\x95\xe2\x80\x8d\xe0\xa4\xb7", 0),
	    "\xe0\xa4\x95\xe2\x80\x8d\xe0\xa4\xb7");
	/* Wrapped text measures the same way: 2 + 1 + 5 columns fill a line of 8. */
	assert_string_equal(wrap(&sb, "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb abcde", "", 8),
	    "\xf0\x9f\x91\xa9 abcde\n");
	strbuf_free(&sb);
}

static void
oneline_flattens(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(oneline(&sb, "  Fix the\n\tflaky   test \r\n", 0), "Fix the flaky test");
	assert_string_equal(oneline(&sb, "", 0), "");
	assert_string_equal(oneline(&sb, " \n ", 0), "");
	/* An escape sequence in a transcript must not reach the terminal. */
	assert_string_equal(oneline(&sb, "red\033[31m text\a", 0), "red[31m text");
	assert_string_equal(oneline(&sb, "bad \xff byte", 0), "bad ? byte");
	strbuf_free(&sb);
}

static void
oneline_cuts(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(oneline(&sb, "hello world", 11), "hello world");
	assert_string_equal(oneline(&sb, "hello world", 10), "hello wor\xe2\x80\xa6");
	/* No blank before the ellipsis. */
	assert_string_equal(oneline(&sb, "hello world", 7), "hello\xe2\x80\xa6");
	assert_string_equal(oneline(&sb, "hello", 1), "\xe2\x80\xa6");
	/* A wide character never straddles the limit. */
	assert_string_equal(oneline(&sb, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4),
	    "\xe6\x97\xa5\xe2\x80\xa6");
	assert_int_equal(text_width(oneline(&sb, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5)), 5);
	/* Appends: what was in the buffer stays. */
	strbuf_reset(&sb);
	strbuf_adds(&sb, "> ");
	text_oneline(&sb, "abcdef", 4);
	assert_string_equal(sb.buf, "> abc\xe2\x80\xa6");
	strbuf_free(&sb);
}

static void
pads(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	text_pad(&sb, "ab", 5);
	assert_string_equal(sb.buf, "ab   ");
	strbuf_reset(&sb);
	text_pad(&sb, "abcdefgh", 5);
	assert_string_equal(sb.buf, "abcd\xe2\x80\xa6");
	strbuf_reset(&sb);
	text_pad(&sb, "caf\xc3\xa9", 5);
	assert_string_equal(sb.buf, "caf\xc3\xa9 ");
	strbuf_free(&sb);
}

static void
wraps(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(wrap(&sb, "one two three four", "  ", 12),
	    "  one two\n  three four\n");
	/* Blank lines stay; trailing blanks go (the indent's too); leading
	 * indentation is kept. */
	assert_string_equal(wrap(&sb, "a\n\n  b  \n", "> ", 0), "> a\n>\n>   b\n");
	/* A word longer than the line breaks anywhere, on a line of its own. */
	assert_string_equal(wrap(&sb, "abcdefghijklmnopqrstuvwxyz0123", "", 20),
	    "abcdefghijklmnopqrst\nuvwxyz0123\n");
	assert_string_equal(wrap(&sb, "ab, abcdefghijklmnopqrstuvwxyz0123", "", 20),
	    "ab,\nabcdefghijklmnopqrst\nuvwxyz0123\n");
	/* Tabs become spaces to the next multiple of 8; CRLF is one line end. */
	assert_string_equal(wrap(&sb, "a\tb\r\nc", "", 0), "a       b\nc\n");
	/* Control characters are dropped here too. */
	assert_string_equal(wrap(&sb, "x\033[2Jy", "", 0), "x[2Jy\n");
	assert_string_equal(wrap(&sb, "", "    ", 80), "\n");
	strbuf_free(&sb);
}

static void
wrapped_lines_fit(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const char *text = "The quick brown fox jumps over the lazy dog; "
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "
	    "supercalifragilisticexpialidocious and so on, and so forth.";
	char *line, *save = NULL, *copy;
	int width;

	(void)state;
	for (width = 12; width <= 60; width++) {
		copy = strdup(wrap(&sb, text, "    ", width));
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			assert_true((int)text_width(line) <= width);
			assert_memory_equal(line, "    ", 4);
		}
		free(copy);
	}
	strbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(widths),
		cmocka_unit_test(widths_as_wcwidth),
		cmocka_unit_test(clusters),
		cmocka_unit_test(oneline_flattens),
		cmocka_unit_test(oneline_cuts),
		cmocka_unit_test(pads),
		cmocka_unit_test(wraps),
		cmocka_unit_test(wrapped_lines_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
