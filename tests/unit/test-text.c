/* Terminal text: display widths, one-line cuts and word wrapping. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
		cmocka_unit_test(oneline_flattens),
		cmocka_unit_test(oneline_cuts),
		cmocka_unit_test(pads),
		cmocka_unit_test(wraps),
		cmocka_unit_test(wrapped_lines_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
