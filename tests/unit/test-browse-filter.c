/*
 * The commit list's filter language (store/browse-filter.c): each term lands
 * in its field, written back the same, and every bad term is refused with a
 * message naming it, leaving the filter empty.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/browse-filter.h"
#include "util/log.h"

static void
every_term(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "  trailer Bug \"two words\" project:notes"
	    " since:2026-03-01 until:2026-03-10 tool:Bash is:published not:hidden is:pending"
	    " is:conflict ", err), 0);
	assert_int_equal(f.nwords, 3);
	assert_string_equal(f.words[0], "trailer");
	assert_string_equal(f.words[1], "Bug");
	assert_string_equal(f.words[2], "two words");
	assert_string_equal(f.project, "notes");
	assert_string_equal(f.since, "2026-03-01");
	assert_string_equal(f.until, "2026-03-10");
	assert_string_equal(f.tool, "Bash");
	assert_int_equal(f.published, 1);
	assert_int_equal(f.hidden, 0);
	assert_int_equal(f.pending, 1);
	assert_int_equal(f.conflict, 1);
	assert_false(browse_filter_empty(&f));
	text = browse_filter_text(&f);
	assert_string_equal(text, "trailer Bug \"two words\" project:notes since:2026-03-01"
	    " until:2026-03-10 tool:Bash is:published not:hidden is:pending is:conflict");
	free(text);
	browse_filter_free(&f);
}

static void
quoted_colon_is_a_word(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "\"fix: trailer\" project:\"my notes\"", err), 0);
	assert_int_equal(f.nwords, 1);
	assert_string_equal(f.words[0], "fix: trailer");
	assert_string_equal(f.project, "my notes");
	text = browse_filter_text(&f);
	assert_string_equal(text, "\"fix: trailer\" project:\"my notes\"");
	free(text);
	browse_filter_free(&f);
}

static void
empty_clears(void **state)
{
	struct browse_filter f;
	char err[ERRLEN] = "";
	char *text;

	(void)state;
	browse_filter_init(&f);
	assert_int_equal(browse_filter_parse(&f, "is:hidden words", err), 0);
	assert_int_equal(browse_filter_parse(&f, "   ", err), 0);
	assert_true(browse_filter_empty(&f));
	text = browse_filter_text(&f);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(browse_filter_parse(&f, NULL, err), 0);
	assert_true(browse_filter_empty(&f));
}

static void
bad_terms(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "colour:red", "filter: colour: unknown term (project, since, until, tool, is, not;"
		    " quote words holding a colon)" },
		{ "since:2026-3-1", "filter: since:2026-3-1: not a day (YYYY-MM-DD)" },
		{ "until:2026-02-30", "filter: until:2026-02-30: not a day (YYYY-MM-DD)" },
		{ "since:2025-02-29", "filter: since:2025-02-29: not a day (YYYY-MM-DD)" },
		{ "since:yesterday", "filter: since:yesterday: not a day (YYYY-MM-DD)" },
		{ "is:open", "filter: is:open: not a state (published, hidden, pending, conflict)" },
		{ "not:", "filter: not: needs a value" },
		{ "tool:", "filter: tool: needs a value" },
		{ "\"unclosed words", "filter: a quote is not closed" },
		{ "since:2026-03-10 until:2026-03-01", "filter: since:2026-03-10 is after"
		    " until:2026-03-01" },
		{ "a b c d e f g h i", "filter: at most 8 words" },
	};
	struct browse_filter f;
	char err[ERRLEN];
	size_t i;

	(void)state;
	browse_filter_init(&f);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		/* A filter in force first: a bad one leaves none, never half of each. */
		assert_int_equal(browse_filter_parse(&f, "words is:published", err), 0);
		assert_int_equal(browse_filter_parse(&f, cases[i].text, err), -1);
		assert_string_equal(err, cases[i].err);
		assert_true(browse_filter_empty(&f));
	}
	/* A real leap day is a day. */
	assert_int_equal(browse_filter_parse(&f, "since:2024-02-29", err), 0);
	browse_filter_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_term),
		cmocka_unit_test(quoted_colon_is_a_word),
		cmocka_unit_test(empty_clears),
		cmocka_unit_test(bad_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
