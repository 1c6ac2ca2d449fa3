/*
 * time_format_iso_ms against gmtime_r and strftime (what it wrote before it
 * formatted four-digit years itself) and against dates written out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "util/timeutil.h"

/* The reference: the C library's calendar, as the formatter used to be. */
static void
reference(int64_t ms, char out[32])
{
	int64_t sec = ms / 1000 - (ms % 1000 < 0);
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ms - sec * 1000));
}

static void
known_dates(void **state)
{
	static const struct {
		int64_t ms;
		const char *iso;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ -1, "1969-12-31T23:59:59.999Z" },
		{ 951782400000, "2000-02-29T00:00:00.000Z" },	/* a leap day of a 400th year */
		{ 1735689599999, "2024-12-31T23:59:59.999Z" },
		{ 1767225600123, "2026-01-01T00:00:00.123Z" },
		{ 4107542400000, "2100-03-01T00:00:00.000Z" },	/* 2100 has no 29 February */
		{ 253402300799999, "9999-12-31T23:59:59.999Z" },
		{ -30610224000000, "1000-01-01T00:00:00.000Z" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_format_iso_ms(cases[i].ms, out);
		assert_string_equal(out, cases[i].iso);
		assert_int_equal(time_parse_iso_ms(out), cases[i].ms);
	}
}

/* Every day from year 1000 to 9999 and beyond either end, at an odd time of day. */
static void
same_as_strftime(void **state)
{
	const int64_t day = 86400000;
	int64_t ms;
	char out[32], want[32];

	(void)state;
	for (ms = -31000000000000; ms < 253500000000000; ms += day + 3723456) {
		time_format_iso_ms(ms, out);
		reference(ms, want);
		assert_string_equal(out, want);
	}
	/* Years of fewer than four digits and after 9999: strftime's own form. */
	time_format_iso_ms(-62135596800000 + 5, out);
	reference(-62135596800000 + 5, want);
	assert_string_equal(out, want);
	time_format_iso_ms(253402300800000, out);
	assert_string_equal(out, "10000-01-01T00:00:00.000Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_dates),
		cmocka_unit_test(same_as_strftime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
