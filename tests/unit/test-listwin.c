/*
 * The list window's invariants (ui/listwin.h) over a list of numbers paged
 * the way the store pages commits: a keyset on the value, a few rows a page.
 * Expected positions are worked out here from the list's length and the pane's
 * height, not read back from the module.
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

#include "ui/listwin.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define PAGE 8

/* The backing list: values[0..n), ascending, each row's key its value. */
struct list {
	int values[4096];
	int n;
	int heights;		/* lines per row (0: one) */
	int live;		/* rows fetched and not yet cleared */
	int fetches;
};

struct row {
	int value;
	struct list *owner;
};

static int
fetch(void *ctx, const void *from, int dir, int limit, void *out, char *err)
{
	struct list *l = ctx;
	const struct row *f = from;
	struct row *o = out;
	int lo, hi, i, got = 0;

	(void)err;
	l->fetches++;
	if (dir > 0) {
		for (lo = 0; f != NULL && lo < l->n && l->values[lo] <= f->value; lo++)
			;
		hi = lo + limit < l->n ? lo + limit : l->n;
	} else {
		for (hi = l->n; f != NULL && hi > 0 && l->values[hi - 1] >= f->value; hi--)
			;
		lo = hi - limit > 0 ? hi - limit : 0;
	}
	for (i = lo; i < hi; i++) {
		o[got].value = l->values[i];
		o[got].owner = l;
		got++;
		l->live++;
	}
	return got;
}

static long long
count(void *ctx, char *err)
{
	(void)err;
	return ((struct list *)ctx)->n;
}

static long long
rank(void *ctx, const void *row, char *err)
{
	struct list *l = ctx;
	long long r = 0;

	(void)err;
	while (r < l->n && l->values[r] < ((const struct row *)row)->value)
		r++;
	return r;
}

static int
height(void *ctx, void *row)
{
	(void)row;
	return ((struct list *)ctx)->heights > 0 ? ((struct list *)ctx)->heights : 1;
}

static void
clear(void *row)
{
	((struct row *)row)->owner->live--;
}

/* What a row shows: "row VALUE". */
static void
text(void *ctx, const void *row, struct strbuf *out)
{
	(void)ctx;
	strbuf_addf(out, "row %d", ((const struct row *)row)->value);
}

static const struct listwin_source source = {
	.text = text,
	.size = sizeof(struct row),
	.fetch = fetch,
	.count = count,
	.rank = rank,
	.height = height,
	.clear = clear,
};

static struct list *
make_list(int n)
{
	struct list *l = xcalloc(1, sizeof *l);
	int i;

	for (i = 0; i < n; i++)
		l->values[i] = 10 * i;
	l->n = n;
	return l;
}

static void
remove_value(struct list *l, int k)
{
	memmove(l->values + k, l->values + k + 1, (size_t)(l->n - k - 1) * sizeof *l->values);
	l->n--;
}

static int
cursor_value(struct listwin *lw)
{
	struct row *r = listwin_cursor(lw);

	assert_non_null(r);
	return r->value;
}

/* What every call must leave true, for a pane of lines lines over rows of h lines. */
static void
check_invariants(struct listwin *lw, struct list *l, int lines)
{
	int h = l->heights > 0 ? l->heights : 1;
	long long shown;

	/* A paged list keeps a few pages; a list handed over whole stays whole. */
	if (lw->src->fetch != NULL)
		assert_true(lw->n <= lw->max + lw->page);
	if (l->n == 0) {
		assert_true(listwin_empty(lw));
		assert_int_equal(lw->cur, 0);
		assert_int_equal(lw->top, 0);
		return;
	}
	assert_non_null(listwin_row(lw, lw->cur));
	assert_non_null(listwin_row(lw, lw->top));
	/* The cursor's row is the list's row of that index. */
	assert_int_equal(cursor_value(lw), 10 * lw->cur);
	assert_true(lw->cur_line >= 0 && lw->cur_line < h);
	/* The cursor shows. */
	shown = (lw->cur - lw->top) * h + lw->cur_line - lw->top_line;
	assert_true(shown >= 0 && shown < lines);
	/* Never scrolled past the last line: a full pane, or the top at the start. */
	if ((long long)l->n * h >= lines)
		assert_true(lw->top * h + lw->top_line <= (long long)l->n * h - lines);
	else
		assert_true(lw->top == 0 && lw->top_line == 0);
}

/* A window on a list of n rows, the cursor moved down down rows in a pane of lines lines. */
static struct list *
start(struct listwin *lw, int n, int down, int lines)
{
	struct list *l = make_list(n);
	char err[256] = "";
	int i;

	listwin_init(lw, &source, l, PAGE);
	assert_int_equal(listwin_load_first(lw, err), 0);
	for (i = 0; i < down; i++)
		listwin_move(lw, ACT_MOVE_DOWN, lines, err);
	assert_string_equal(err, "");
	return l;
}

static void
done(struct listwin *lw, struct list *l)
{
	listwin_free(lw);
	assert_int_equal(l->live, 0);	/* every row fetched was cleared */
	free(l);
}

static void
test_empty(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 0, 0, 10);
	long long line, total;
	char err[256] = "";
	enum action a[] = { ACT_MOVE_DOWN, ACT_MOVE_UP, ACT_PAGE_DOWN, ACT_HALF_UP, ACT_LAST,
		ACT_FIRST };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof a / sizeof a[0]; i++) {
		assert_int_equal(listwin_move(&lw, a[i], 10, err), 1);
		check_invariants(&lw, l, 10);
		assert_null(listwin_cursor(&lw));
	}
	listwin_idle(&lw, err);
	listwin_position(&lw, &line, &total);
	assert_int_equal(line, 0);
	assert_int_equal(total, 0);
	assert_int_equal(listwin_reload(&lw, NULL, err), 0);
	check_invariants(&lw, l, 10);
	assert_int_equal(listwin_move(&lw, ACT_ENTER, 10, err), 0);
	done(&lw, l);
}

/* Down one row at a time through a list forty pages long, then back up. */
static void
test_walk(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 40 * PAGE, 0, 10);
	char err[256] = "";
	int i;

	(void)state;
	for (i = 1; i < l->n + 5; i++) {
		listwin_move(&lw, ACT_MOVE_DOWN, 10, err);
		check_invariants(&lw, l, 10);
		assert_int_equal(lw.cur, i < l->n ? i : l->n - 1);
		assert_int_equal(lw.top, lw.cur < 9 ? 0 : lw.cur - 9);
	}
	for (i = l->n - 2; i > -5; i--) {
		listwin_move(&lw, ACT_MOVE_UP, 10, err);
		check_invariants(&lw, l, 10);
		assert_int_equal(lw.cur, i > 0 ? i : 0);
	}
	assert_string_equal(err, "");
	done(&lw, l);
}

static void
test_jump_to_end(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 1000, 0, 10);
	long long line, total;
	char err[256] = "";

	(void)state;
	listwin_move(&lw, ACT_LAST, 10, err);
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 999);
	assert_int_equal(lw.top, 990);
	listwin_position(&lw, &line, &total);
	assert_int_equal(line, 1000);
	assert_int_equal(total, 1000);
	/* Past the end stays at the end. */
	listwin_move(&lw, ACT_PAGE_DOWN, 10, err);
	assert_int_equal(lw.cur, 999);
	assert_int_equal(lw.top, 990);
	listwin_move(&lw, ACT_PAGE_UP, 10, err);
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 989);
	assert_int_equal(lw.top, 980);
	listwin_move(&lw, ACT_FIRST, 10, err);
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 0);
	assert_int_equal(lw.top, 0);
	/* A page down scrolls the pane a page with the cursor. */
	listwin_move(&lw, ACT_PAGE_DOWN, 10, err);
	assert_int_equal(lw.cur, 10);
	assert_int_equal(lw.top, 10);
	listwin_move(&lw, ACT_FIRST, 10, err);
	/* Half a page scrolls the pane with the cursor. */
	listwin_move(&lw, ACT_HALF_DOWN, 10, err);
	listwin_move(&lw, ACT_HALF_DOWN, 10, err);
	assert_int_equal(lw.cur, 10);
	assert_int_equal(lw.top, 10);
	/* A page up from partway down ends on the first row. */
	listwin_move(&lw, ACT_MOVE_UP, 10, err);
	listwin_move(&lw, ACT_MOVE_UP, 10, err);
	listwin_move(&lw, ACT_MOVE_UP, 10, err);
	listwin_move(&lw, ACT_HALF_UP, 10, err);
	assert_int_equal(lw.cur, 2);
	assert_int_equal(lw.top, 2);
	listwin_move(&lw, ACT_PAGE_UP, 10, err);
	assert_int_equal(lw.cur, 0);
	assert_int_equal(lw.top, 0);
	done(&lw, l);
}

/* Whether a row is still listed (listwin_reload's keep). */
static int
still_listed(void *ctx, void *row, char *err)
{
	struct list *l = ctx;
	int i;

	(void)err;
	for (i = 0; i < l->n; i++) {
		if (l->values[i] == ((struct row *)row)->value)
			return 1;
	}
	return 0;
}

/* The last row deleted with the cursor on it: the cursor and the pane come back up. */
static void
test_delete_last(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 30, 0, 10);
	char err[256] = "";

	(void)state;
	listwin_move(&lw, ACT_LAST, 10, err);
	assert_int_equal(lw.cur, 29);
	assert_int_equal(lw.top, 20);
	remove_value(l, 29);
	lw.total = -1;
	assert_int_equal(listwin_reload(&lw, still_listed, err), 0);
	listwin_fit(&lw, 10, err);
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 28);
	assert_int_equal(lw.top, 19);
	while (listwin_idle(&lw, err))
		;
	assert_int_equal(lw.total, 29);
	done(&lw, l);
}

/* Rows deleted before the cursor: the window's place is an estimate until idle ranks it. */
static void
test_delete_before(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 100, 50, 10);
	char err[256] = "";
	int i;

	(void)state;
	assert_int_equal(lw.cur, 50);
	/* The cursor's row and the three before it go. */
	for (i = 0; i < 4; i++)
		remove_value(l, 47);
	assert_int_equal(listwin_reload(&lw, still_listed, err), 0);
	listwin_fit(&lw, 10, err);
	while (listwin_idle(&lw, err))
		;
	/* The row after the deleted one (value 510) is now the 47th. */
	assert_int_equal(((struct row *)listwin_cursor(&lw))->value, 510);
	assert_int_equal(lw.cur, 47);
	assert_int_equal(lw.total, 96);
	/* The list's values are no longer 10 * index: check the pane by hand. */
	assert_true(lw.cur - lw.top >= 0 && lw.cur - lw.top < 10);
	done(&lw, l);
}

/* The pane shrinks and grows around the cursor. */
static void
test_resize(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 30, 15, 20);
	char err[256] = "";

	(void)state;
	assert_int_equal(lw.top, 0);
	listwin_fit(&lw, 5, err);	/* shrink: the cursor stays in sight */
	check_invariants(&lw, l, 5);
	assert_int_equal(lw.cur, 15);
	assert_int_equal(lw.top, 11);
	listwin_fit(&lw, 1, err);
	check_invariants(&lw, l, 1);
	assert_int_equal(lw.top, 15);
	listwin_fit(&lw, 40, err);	/* taller than the list: from its first row */
	check_invariants(&lw, l, 40);
	assert_int_equal(lw.top, 0);
	listwin_move(&lw, ACT_LAST, 40, err);
	listwin_fit(&lw, 24, err);
	check_invariants(&lw, l, 24);
	assert_int_equal(lw.top, 6);
	done(&lw, l);
}

/* A list handed over whole (longer than a window of pages); its last row deleted under the cursor. */
static void
test_set(void **state)
{
	struct list *l = make_list(50);
	static const struct listwin_source whole = {
		.size = sizeof(struct row),
		.clear = clear,
	};
	struct listwin lw;
	struct row *rows;
	char err[256] = "";
	int n, i;

	(void)state;
	listwin_init(&lw, &whole, l, 1);
	for (n = 50; n >= 0; n--) {
		rows = xcalloc((size_t)n + 1, sizeof *rows);
		for (i = 0; i < n; i++) {
			rows[i].value = 10 * i;
			rows[i].owner = l;
			l->live++;
		}
		l->n = n;
		listwin_set(&lw, rows, n, NULL);
		listwin_move(&lw, ACT_LAST, 5, err);
		check_invariants(&lw, l, 5);
		assert_int_equal(lw.cur, n > 0 ? n - 1 : 0);
		assert_int_equal(lw.top, n > 5 ? n - 5 : 0);
		/* Nothing was dropped on the way: back at the top, every row is there. */
		listwin_move(&lw, ACT_FIRST, 5, err);
		for (i = 0; i < n; i++)
			assert_non_null(listwin_row(&lw, i));
		listwin_move(&lw, ACT_LAST, 5, err);
	}
	done(&lw, l);
}

/* Rows of three lines: the cursor walks lines, the pane fills to the list's last one. */
static void
test_tall_rows(void **state)
{
	struct listwin lw;
	struct list *l = start(&lw, 20, 0, 10);
	char err[256] = "";

	(void)state;
	l->heights = 3;
	listwin_move(&lw, ACT_MOVE_DOWN, 10, err);
	assert_int_equal(lw.cur, 0);
	assert_int_equal(lw.cur_line, 1);
	listwin_move(&lw, ACT_PAGE_DOWN, 10, err);	/* line 11: row 3, line 2 */
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 3);
	assert_int_equal(lw.cur_line, 2);
	assert_int_equal(lw.top * 3 + lw.top_line, 10);
	listwin_move(&lw, ACT_LAST, 10, err);
	check_invariants(&lw, l, 10);
	assert_int_equal(lw.cur, 19);
	assert_int_equal(lw.cur_line, 2);
	assert_int_equal(lw.top * 3 + lw.top_line, 60 - 10);
	done(&lw, l);
}

/* The index after (dir 1) or before (-1) from whose "row VALUE" holds needle, round the end. */
static int
expected_match(struct list *l, int from, int dir, const char *needle)
{
	char buf[32];
	int k, i;

	for (k = 1; k <= l->n; k++) {
		i = ((from + dir * k) % l->n + l->n) % l->n;
		snprintf(buf, sizeof buf, "row %d", l->values[i]);
		if (strstr(buf, needle) != NULL)
			return i;
	}
	return -1;
}

/* / over a paged list: next and previous matches, round either end, a page at a time. */
static void
test_find(void **state)
{
	struct listwin lw;
	const int n = 1000, lines = 10;
	struct list *l = start(&lw, n, 3, lines);
	char err[256] = "";
	int wrapped, i, want, from;

	(void)state;
	/* "row 5" is rows 5, 50..59 and 500..599: forward from 3 through them all and round. */
	for (i = 0; i < 120; i++) {
		from = (int)lw.cur;
		want = expected_match(l, from, 1, "row 5");
		assert_int_equal(listwin_find(&lw, "ROW 5", 1, &wrapped, err), 1);
		assert_string_equal(err, "");
		assert_int_equal(lw.cur, want);
		assert_int_equal(wrapped, want <= from);
		check_invariants(&lw, l, lines);
	}
	/* Backwards, round the start. */
	for (i = 0; i < 120; i++) {
		from = (int)lw.cur;
		want = expected_match(l, from, -1, "row 5");
		assert_int_equal(listwin_find(&lw, "row 5", -1, &wrapped, err), 1);
		assert_int_equal(lw.cur, want);
		assert_int_equal(wrapped, want >= from);
		check_invariants(&lw, l, lines);
	}
	/* Not there: the cursor and the pane stay. */
	listwin_move(&lw, ACT_PAGE_DOWN, lines, err);
	from = (int)lw.cur;
	{
		long long top = lw.top;
		assert_int_equal(listwin_find(&lw, "nothing", 1, &wrapped, err), 0);
		assert_int_equal(lw.cur, from);
		assert_int_equal(lw.top, top);
		check_invariants(&lw, l, lines);
	}
	/* The cursor's own row alone holds it: found last, after a whole round. */
	listwin_move(&lw, ACT_LAST, lines, err);
	assert_int_equal(listwin_find(&lw, "row 9990", 1, &wrapped, err), 1);
	assert_int_equal(lw.cur, n - 1);
	assert_int_equal(wrapped, 1);
	/* A match in the pane leaves its top where it was. */
	listwin_move(&lw, ACT_FIRST, lines, err);
	assert_int_equal(listwin_find(&lw, "row 40", 1, &wrapped, err), 1);
	assert_int_equal(lw.cur, 4);
	assert_int_equal(lw.top, 0);
	check_invariants(&lw, l, lines);
	done(&lw, l);
}

/* / over a list handed over whole. */
static void
test_find_whole(void **state)
{
	static const struct listwin_source whole = {
		.size = sizeof(struct row), .clear = clear, .text = text,
	};
	struct list *l = make_list(30);
	struct listwin lw;
	struct row *rows = xcalloc(30, sizeof *rows);
	char err[256] = "";
	int i, wrapped;

	(void)state;
	for (i = 0; i < 30; i++) {
		rows[i].value = l->values[i];
		rows[i].owner = l;
		l->live++;
	}
	listwin_init(&lw, &whole, l, 1);
	listwin_set(&lw, rows, 30, NULL);
	listwin_fit(&lw, 5, err);
	assert_int_equal(listwin_find(&lw, "row 2", 1, &wrapped, err), 1);
	assert_int_equal(lw.cur, 2);
	assert_int_equal(listwin_find(&lw, "row 2", -1, &wrapped, err), 1);
	assert_int_equal(lw.cur, 29);	/* row 290, round the start */
	assert_int_equal(wrapped, 1);
	check_invariants(&lw, l, 5);
	assert_int_equal(listwin_find(&lw, "row 31", 1, &wrapped, err), 0);
	assert_int_equal(lw.cur, 29);
	done(&lw, l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_jump_to_end),
		cmocka_unit_test(test_delete_last),
		cmocka_unit_test(test_delete_before),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_tall_rows),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
