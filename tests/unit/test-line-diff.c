/*
 * export/line-diff.c: Edit calls shown as unified diffs. Each expected diff
 * is written out by hand from the two texts (what `diff -u` prints for them,
 * without hunk headers).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export/line-diff.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static void
as_text(struct strbuf *sb, char kind, const char *line, size_t len)
{
	strbuf_addc(sb, kind);
	strbuf_add(sb, line, len);
	strbuf_addc(sb, '\n');
}

static void
check(const char *old_text, const char *new_text, const char *want, int lines)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(line_diff(&sb, old_text, new_text, as_text), lines);
	assert_string_equal(sb.len > 0 ? sb.buf : "", want);
	strbuf_free(&sb);
}

static void
diffs(void **state)
{
	(void)state;
	/* One line changed among kept ones. */
	check("a\nb\nc", "a\nB\nc", " a\n-b\n+B\n c\n", 4);
	/* Lines added, removed, at either end. */
	check("b\nc", "a\nb\nc\nd", "+a\n b\n c\n+d\n", 4);
	check("a\nb\nc\nd", "b\nc", "-a\n b\n c\n-d\n", 4);
	/* A new file's text, an emptied one. */
	check(NULL, "x\ny", "+x\n+y\n", 2);
	check("x\ny", "", "-x\n-y\n", 2);
	check("", NULL, "", 0);
	/* Nothing in common: all of the old removed before the new is added. */
	check("p\nq", "r\ns", "-p\n-q\n+r\n+s\n", 4);
	/* Repeated lines: the longest common part is kept (3 of 4 lines). */
	check("x\ny\nx\ny", "x\nx\ny", " x\n-y\n x\n y\n", 4);
	/* Indentation is part of a line; blank lines around the texts go. */
	check("\n\n\tif (a)\n\t\tb();\n\n", "\tif (a)\n\t\tc();", " \tif (a)\n-\t\tb();\n+\t\tc();\n", 3);
}

/* Past the table's bound, the texts go whole: every old line removed, every new one added. */
static void
too_long_for_the_table(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, out = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		strbuf_addf(&a, "line %d\n", i);
		strbuf_addf(&b, "line %d\n", i);
	}
	assert_int_equal(line_diff(&out, a.buf, b.buf, as_text), 6000);
	assert_int_equal(strncmp(out.buf, "-line 0\n", 8), 0);
	assert_non_null(strstr(out.buf, "+line 2999\n"));
	assert_null(strstr(out.buf, " line"));
	strbuf_free(&a);
	strbuf_free(&b);
	strbuf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diffs),
		cmocka_unit_test(too_long_for_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
