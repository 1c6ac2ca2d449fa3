/*
 * The resolve pane's geometry as text (NeoMutt's test/gui/reflow.c, like
 * tests/unit/test-layout.c): the two sides within the list pane, side by side
 * or stacked, as the terminal is resized, and a sweep of widths checking that
 * the columns tile the pane.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/layout.h"
#include "util/strbuf.h"

#define LABEL 12	/* the resolve pane's label column */

static void
check(int cols, int label, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct sides s;

	layout_sides(cols, label, &s);
	layout_sides_dump(&s, &sb);
	if (strcmp(sb.buf, want) != 0)
		fail_msg("sides %d/%d:\n%s\nexpected:\n%s", cols, label, sb.buf, want);
	strbuf_free(&sb);
}

/* The resolve view has no preview: its sides share the whole list pane. */
static void
check_screen(int cols, int rows, const char *want)
{
	const struct layout_params p = {
		.preview = 1, .has_preview = 0, .split = SPLIT_AUTO, .ratio = 50
	};
	struct strbuf sb = STRBUF_INIT;
	struct layout l;
	struct sides s;

	layout_compute(&p, rows, cols, &l);
	layout_dump(&l, &sb);
	layout_sides(l.list.w, LABEL, &s);
	layout_sides_dump(&s, &sb);
	if (strcmp(sb.buf, want) != 0)
		fail_msg("resolve pane at %dx%d:\n%s\nexpected:\n%s", cols, rows, sb.buf, want);
	strbuf_free(&sb);
}

static void
test_80(void **state)
{
	(void)state;
	/* 67 columns after the label and the separator: the cloud gets the odd one. */
	check(80, LABEL,
	    "80 side-by-side\n"
	    "label    0,0 12x1\n"
	    "local    0,12 33x1\n"
	    "sep      0,45 1x1\n"
	    "cloud    0,46 34x1\n");
}

static void
test_40(void **state)
{
	(void)state;
	check(40, LABEL,
	    "40 stacked\n"
	    "label    0,0 40x1\n"
	    "local    1,8 32x1\n"
	    "cloud    2,8 32x1\n");
}

static void
test_threshold(void **state)
{
	(void)state;
	/* 12 + 16 + 1 + 16: the narrowest side by side. */
	check(45, LABEL,
	    "45 side-by-side\n"
	    "label    0,0 12x1\n"
	    "local    0,12 16x1\n"
	    "sep      0,28 1x1\n"
	    "cloud    0,29 16x1\n");
	check(44, LABEL,
	    "44 stacked\n"
	    "label    0,0 44x1\n"
	    "local    1,8 36x1\n"
	    "cloud    2,8 36x1\n");
}

static void
test_tiny(void **state)
{
	(void)state;
	/* No room for the tags: the values alone. */
	check(8, LABEL,
	    "8 stacked\n"
	    "label    0,0 8x1\n"
	    "local    1,0 8x1\n"
	    "cloud    2,0 8x1\n");
	check(0, LABEL, "0\n");
	/* Without a label column the sides take everything. */
	check(33, 0,
	    "33 side-by-side\n"
	    "local    0,0 16x1\n"
	    "sep      0,16 1x1\n"
	    "cloud    0,17 16x1\n");
}

/* The terminal resized under the pane: 80x24, 40x10, 300x80. */
static void
test_resize(void **state)
{
	(void)state;
	check_screen(80, 24,
	    "80x24\n"
	    "header   0,0 80x1\n"
	    "list     1,0 80x21\n"
	    "status   22,0 80x1\n"
	    "message  23,0 80x1\n"
	    "80 side-by-side\n"
	    "label    0,0 12x1\n"
	    "local    0,12 33x1\n"
	    "sep      0,45 1x1\n"
	    "cloud    0,46 34x1\n");
	check_screen(40, 10,
	    "40x10\n"
	    "header   0,0 40x1\n"
	    "list     1,0 40x7\n"
	    "status   8,0 40x1\n"
	    "message  9,0 40x1\n"
	    "40 stacked\n"
	    "label    0,0 40x1\n"
	    "local    1,8 32x1\n"
	    "cloud    2,8 32x1\n");
	check_screen(300, 80,
	    "300x80\n"
	    "header   0,0 300x1\n"
	    "list     1,0 300x77\n"
	    "status   78,0 300x1\n"
	    "message  79,0 300x1\n"
	    "300 side-by-side\n"
	    "label    0,0 12x1\n"
	    "local    0,12 143x1\n"
	    "sep      0,155 1x1\n"
	    "cloud    0,156 144x1\n");
}

/* Every width: side by side, the columns tile the pane; stacked, each fits in it. */
static void
test_tiles(void **state)
{
	struct sides s;
	int cols, label;

	(void)state;
	for (label = 0; label <= 20; label += 4) {
		for (cols = 1; cols <= 300; cols++) {
			layout_sides(cols, label, &s);
			if (!s.stacked) {
				assert_int_equal(s.label.x, 0);
				assert_int_equal(s.local.x, s.label.w);
				assert_int_equal(s.sep.x, s.local.x + s.local.w);
				assert_int_equal(s.sep.w, 1);
				assert_int_equal(s.cloud.x, s.sep.x + 1);
				assert_int_equal(s.cloud.x + s.cloud.w, cols);
				assert_true(s.local.w >= LAYOUT_MIN_SIDE_COLS);
				assert_true(s.cloud.w - s.local.w == 0 || s.cloud.w - s.local.w == 1);
			} else {
				assert_int_equal(s.label.w, cols);
				assert_true(s.local.w > 0 && s.local.x + s.local.w == cols);
				assert_true(s.cloud.w > 0 && s.cloud.x + s.cloud.w == cols);
				assert_true(s.local.y < s.cloud.y);
				assert_int_equal(s.sep.w, 0);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80),
		cmocka_unit_test(test_40),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_tiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
