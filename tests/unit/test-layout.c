/*
 * Pane geometry as text (NeoMutt's test/gui/reflow.c): each case lays the
 * panes out for a terminal size and settings and compares the dump.
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

static const struct layout_params defaults = {
	.preview = 1, .has_preview = 1, .split = SPLIT_AUTO, .ratio = 50
};

static void
check(const struct layout_params *p, int cols, int rows, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	struct layout l;

	layout_compute(p, rows, cols, &l);
	layout_dump(&l, &sb);
	if (strcmp(sb.buf, want) != 0)
		fail_msg("layout %dx%d:\n%s\nexpected:\n%s", cols, rows, sb.buf, want);
	strbuf_free(&sb);
}

/* Panes never overlap and, with the separator, cover the body exactly. */
static void
check_tiles(const struct layout_params *p, int cols, int rows)
{
	struct layout l;
	const struct rect *r[] = { &l.header, &l.list, &l.sep, &l.preview, &l.status, &l.message };
	char *cell = calloc((size_t)rows * cols, 1);
	size_t i;
	int y, x, covered = 0;

	layout_compute(p, rows, cols, &l);
	for (i = 0; i < sizeof r / sizeof r[0]; i++) {
		for (y = r[i]->y; y < r[i]->y + r[i]->h; y++) {
			for (x = r[i]->x; x < r[i]->x + r[i]->w; x++) {
				assert_true(y >= 0 && y < rows && x >= 0 && x < cols);
				assert_int_equal(cell[y * cols + x], 0);
				cell[y * cols + x] = 1;
				covered++;
			}
		}
	}
	assert_int_equal(covered, rows * cols);
	free(cell);
}

static void
test_80x24(void **state)
{
	(void)state;
	check(&defaults, 80, 24,
	    "80x24 stacked\n"
	    "header   0,0 80x1\n"
	    "list     1,0 80x10\n"
	    "sep      11,0 80x1\n"
	    "preview  12,0 80x10\n"
	    "status   22,0 80x1\n"
	    "message  23,0 80x1\n");
}

static void
test_40x10(void **state)
{
	(void)state;
	/* 7 body rows: 3 of preview leave 3 for the list. */
	check(&defaults, 40, 10,
	    "40x10 stacked\n"
	    "header   0,0 40x1\n"
	    "list     1,0 40x3\n"
	    "sep      4,0 40x1\n"
	    "preview  5,0 40x3\n"
	    "status   8,0 40x1\n"
	    "message  9,0 40x1\n");
}

static void
test_300x80(void **state)
{
	(void)state;
	check(&defaults, 300, 80,
	    "300x80 side-by-side\n"
	    "header   0,0 300x1\n"
	    "list     1,0 149x77\n"
	    "sep      1,149 1x77\n"
	    "preview  1,150 150x77\n"
	    "status   78,0 300x1\n"
	    "message  79,0 300x1\n");
}

static void
test_no_preview(void **state)
{
	struct layout_params p = defaults;

	(void)state;
	p.preview = 0;
	check(&p, 80, 24,
	    "80x24\n"
	    "header   0,0 80x1\n"
	    "list     1,0 80x21\n"
	    "status   22,0 80x1\n"
	    "message  23,0 80x1\n");
	/* The reader and help have no preview, whatever the setting. */
	p = defaults;
	p.has_preview = 0;
	check(&p, 300, 80,
	    "300x80\n"
	    "header   0,0 300x1\n"
	    "list     1,0 300x77\n"
	    "status   78,0 300x1\n"
	    "message  79,0 300x1\n");
}

static void
test_forced_split(void **state)
{
	struct layout_params p = defaults;

	(void)state;
	p.split = SPLIT_VERTICAL;
	check(&p, 80, 24,
	    "80x24 side-by-side\n"
	    "header   0,0 80x1\n"
	    "list     1,0 39x21\n"
	    "sep      1,39 1x21\n"
	    "preview  1,40 40x21\n"
	    "status   22,0 80x1\n"
	    "message  23,0 80x1\n");
	/* Side by side does not fit in 40 columns: the list alone. */
	check(&p, 40, 10,
	    "40x10\n"
	    "header   0,0 40x1\n"
	    "list     1,0 40x7\n"
	    "status   8,0 40x1\n"
	    "message  9,0 40x1\n");
	p.split = SPLIT_HORIZONTAL;
	check(&p, 300, 80,
	    "300x80 stacked\n"
	    "header   0,0 300x1\n"
	    "list     1,0 300x38\n"
	    "sep      39,0 300x1\n"
	    "preview  40,0 300x38\n"
	    "status   78,0 300x1\n"
	    "message  79,0 300x1\n");
}

static void
test_resize_ratio(void **state)
{
	struct layout_params p = defaults;
	int i;

	(void)state;
	p.ratio = layout_ratio_step(p.ratio, 2);
	assert_int_equal(p.ratio, 60);
	check(&p, 80, 24,
	    "80x24 stacked\n"
	    "header   0,0 80x1\n"
	    "list     1,0 80x8\n"
	    "sep      9,0 80x1\n"
	    "preview  10,0 80x12\n"
	    "status   22,0 80x1\n"
	    "message  23,0 80x1\n");
	for (i = 0; i < 20; i++)
		p.ratio = layout_ratio_step(p.ratio, -1);
	assert_int_equal(p.ratio, LAYOUT_RATIO_MIN);
	for (i = 0; i < 20; i++)
		p.ratio = layout_ratio_step(p.ratio, 1);
	assert_int_equal(p.ratio, LAYOUT_RATIO_MAX);
	/* 80% of 7 rows is 5: the list would keep 1 row, so the preview goes. */
	check(&p, 40, 10,
	    "40x10\n"
	    "header   0,0 40x1\n"
	    "list     1,0 40x7\n"
	    "status   8,0 40x1\n"
	    "message  9,0 40x1\n");
}

static void
test_tiny(void **state)
{
	(void)state;
	check(&defaults, 20, 3,
	    "20x3\n"
	    "list     0,0 20x2\n"
	    "message  2,0 20x1\n");
	check(&defaults, 10, 1,
	    "10x1\n"
	    "message  0,0 10x1\n");
	check(&defaults, 0, 0, "0x0\n");
}

/* Every size from 1x1 to 200x60, every mode: the panes tile the screen. */
static void
test_tiles(void **state)
{
	struct layout_params p = defaults;
	int cols, rows, split, ratio;

	(void)state;
	for (split = SPLIT_AUTO; split <= SPLIT_HORIZONTAL; split++) {
		p.split = (enum split_mode)split;
		for (ratio = LAYOUT_RATIO_MIN; ratio <= LAYOUT_RATIO_MAX; ratio += 30) {
			p.ratio = ratio;
			for (cols = 1; cols <= 200; cols += 7)
				for (rows = 1; rows <= 60; rows += 3)
					check_tiles(&p, cols, rows);
		}
	}
}

static void
test_split_cycle(void **state)
{
	(void)state;
	assert_int_equal(layout_next_split(SPLIT_AUTO), SPLIT_VERTICAL);
	assert_int_equal(layout_next_split(SPLIT_VERTICAL), SPLIT_HORIZONTAL);
	assert_int_equal(layout_next_split(SPLIT_HORIZONTAL), SPLIT_AUTO);
	assert_string_equal(layout_split_name(SPLIT_VERTICAL), "side by side");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80x24),
		cmocka_unit_test(test_40x10),
		cmocka_unit_test(test_300x80),
		cmocka_unit_test(test_no_preview),
		cmocka_unit_test(test_forced_split),
		cmocka_unit_test(test_resize_ratio),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_tiles),
		cmocka_unit_test(test_split_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
