/* The list window every list view scrolls through (ui/listwin.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/listwin.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define WINDOW_PAGES 4		/* pages kept in the window */

static void *
at(const struct listwin *lw, int k)
{
	return lw->rows + (size_t)k * lw->src->size;
}

void
listwin_init(struct listwin *lw, const struct listwin_source *src, void *ctx, int page)
{
	memset(lw, 0, sizeof *lw);
	lw->src = src;
	lw->ctx = ctx;
	lw->page = page > 0 ? page : 1;
	lw->max = WINDOW_PAGES * lw->page;
	lw->at_start = 1;
	lw->offset_exact = 1;
	lw->total = -1;
	lw->lines = 1;
}

static void
clear_range(struct listwin *lw, int from, int to)
{
	int k;

	for (k = from; k < to; k++)
		lw->src->clear(at(lw, k));
}

static void
clear_all(struct listwin *lw)
{
	clear_range(lw, 0, lw->n);
	lw->n = 0;
}

void
listwin_free(struct listwin *lw)
{
	clear_all(lw);
	free(lw->rows);
	lw->rows = NULL;
	lw->cap = 0;
	free(lw->needle);
	lw->needle = NULL;
}

void *
listwin_row(struct listwin *lw, long long i)
{
	return i >= lw->offset && i < lw->offset + lw->n ? at(lw, (int)(i - lw->offset)) : NULL;
}

void *
listwin_cursor(struct listwin *lw)
{
	return listwin_row(lw, lw->cur);
}

int
listwin_empty(const struct listwin *lw)
{
	return lw->n == 0;
}

static int
height(struct listwin *lw, long long i)
{
	void *r = listwin_row(lw, i);
	int h = r != NULL && lw->src->height != NULL ? lw->src->height(lw->ctx, r) : 1;

	return h > 0 ? h : 1;
}

static void
room_for(struct listwin *lw, int more)
{
	if (lw->n + more > lw->cap) {
		lw->cap = lw->n + more + lw->page;
		lw->rows = xreallocarray(lw->rows, (size_t)lw->cap, lw->src->size);
	}
}

/* Every position moves by delta: the window's estimated place was corrected. */
static void
shift(struct listwin *lw, long long delta)
{
	lw->offset += delta;
	lw->cur += delta;
	lw->top += delta;
	lw->shift += delta;
}

/* A page after the window (dir > 0) or before it; how many rows came, or -1. */
static int
fetch(struct listwin *lw, int dir, char *err)
{
	unsigned char *page;
	int got;

	if ((dir > 0 && lw->at_end) || (dir < 0 && lw->at_start))
		return 0;
	if (lw->src->fetch == NULL) {
		lw->at_start = lw->at_end = 1;
		return 0;
	}
	page = xcalloc((size_t)lw->page, lw->src->size);
	got = lw->src->fetch(lw->ctx, lw->n > 0 ? at(lw, dir > 0 ? lw->n - 1 : 0) : NULL, dir,
	    lw->page, page, err);
	if (got < 0) {
		free(page);
		return -1;
	}
	room_for(lw, got);
	if (dir > 0) {
		if (got > 0)
			memcpy(at(lw, lw->n), page, (size_t)got * lw->src->size);
		lw->at_end = got < lw->page;
	} else {
		if (got > 0) {
			memmove(at(lw, got), at(lw, 0), (size_t)lw->n * lw->src->size);
			memcpy(at(lw, 0), page, (size_t)got * lw->src->size);
		}
		lw->offset -= got;
		if (got < lw->page) {
			lw->at_start = 1;
			shift(lw, -lw->offset);
			lw->offset_exact = 1;
		}
	}
	free(page);
	lw->n += got;
	if (lw->at_start && lw->at_end)
		lw->total = lw->n;
	else if (lw->at_end && lw->offset_exact)
		lw->total = lw->offset + lw->n;
	return got;
}

/* Keeps the window under max rows, dropping those far from the cursor and the pane. */
static void
trim(struct listwin *lw)
{
	long long lo = lw->top < lw->cur ? lw->top : lw->cur;
	long long hi = lw->top + lw->lines > lw->cur + 1 ? lw->top + lw->lines : lw->cur + 1;
	long long d;
	int excess = lw->n - lw->max;

	/* A list handed over whole cannot be read again. */
	if (excess <= 0 || lw->src->fetch == NULL)
		return;
	d = lo - lw->page - lw->offset;
	if (d > excess)
		d = excess;
	if (d > 0) {
		clear_range(lw, 0, (int)d);
		memmove(at(lw, 0), at(lw, (int)d), (size_t)(lw->n - d) * lw->src->size);
		lw->n -= (int)d;
		lw->offset += d;
		lw->at_start = 0;
		excess -= (int)d;
	}
	d = lw->offset + lw->n - (hi + lw->page);
	if (d > excess)
		d = excess;
	if (d > 0) {
		clear_range(lw, lw->n - (int)d, lw->n);
		lw->n -= (int)d;
		lw->at_end = 0;
	}
}

static void
reset(struct listwin *lw, long long offset, int at_start, int at_end)
{
	clear_all(lw);
	lw->offset = offset;
	lw->offset_exact = 1;
	lw->at_start = at_start;
	lw->at_end = at_end;
	lw->cur = lw->top = offset;
	lw->cur_line = lw->top_line = 0;
}

int
listwin_load_first(struct listwin *lw, char *err)
{
	reset(lw, 0, 1, 0);
	return fetch(lw, 1, err) < 0 ? -1 : 0;
}

int
listwin_load_last(struct listwin *lw, char *err)
{
	if (lw->total < 0 && lw->src->count != NULL &&
	    (lw->total = lw->src->count(lw->ctx, err)) < 0)
		return -1;
	reset(lw, lw->total > 0 ? lw->total : 0, 0, 1);
	if (fetch(lw, -1, err) < 0)
		return -1;
	if (lw->n > 0) {
		lw->cur = lw->offset + lw->n - 1;
		lw->cur_line = height(lw, lw->cur) - 1;
		lw->top = lw->cur;
	}
	return 0;
}

int
listwin_load_after(struct listwin *lw, const void *key, char *err)
{
	long long rank = 0;
	unsigned char *page = xcalloc((size_t)lw->page, lw->src->size);
	int got = lw->src->fetch(lw->ctx, key, 1, lw->page, page, err);

	if (got > 0 && lw->src->rank != NULL && (rank = lw->src->rank(lw->ctx, page, err)) < 0)
		got = -1;
	if (got < 0) {
		while (got-- > 0)
			lw->src->clear(page + (size_t)got * lw->src->size);
		free(page);
		return -1;
	}
	reset(lw, rank, lw->src->rank != NULL && rank == 0, got < lw->page);
	lw->offset_exact = lw->src->rank != NULL;
	room_for(lw, got);
	if (got > 0)
		memcpy(at(lw, 0), page, (size_t)got * lw->src->size);
	lw->n = got;
	free(page);
	return 0;
}

/* Where the row equal to the cursor's went in rows[0..n), or -1. */
static int
find_same(struct listwin *lw, void *rows, int n, int (*same)(const void *, const void *))
{
	void *old = listwin_cursor(lw);
	int k;

	for (k = 0; old != NULL && same != NULL && k < n; k++) {
		if (same(old, (unsigned char *)rows + (size_t)k * lw->src->size))
			return k;
	}
	return -1;
}

void
listwin_set(struct listwin *lw, void *rows, int n, int (*same)(const void *, const void *))
{
	int k = find_same(lw, rows, n, same);

	clear_all(lw);
	free(lw->rows);
	lw->rows = rows;
	lw->n = lw->cap = n;
	lw->offset = 0;
	lw->at_start = lw->at_end = lw->offset_exact = 1;
	lw->total = n;
	if (k >= 0)
		lw->cur = k;
	listwin_heights_changed(lw);
}

int
listwin_reload(struct listwin *lw, int (*keep)(void *ctx, void *row, char *err), char *err)
{
	long long cur = lw->cur, top = lw->top;
	int k = (int)(cur - lw->offset), listed;
	unsigned char *anchor;

	if (lw->n == 0 || lw->src->fetch == NULL)
		return lw->n == 0 && lw->src->fetch != NULL ? listwin_load_first(lw, err) : 0;
	anchor = xmalloc(lw->src->size);
	memcpy(anchor, at(lw, k), lw->src->size);
	clear_range(lw, 0, k);
	clear_range(lw, k + 1, lw->n);
	lw->n = 0;
	if ((listed = keep != NULL ? keep(lw->ctx, anchor, err) : 1) < 0) {
		lw->src->clear(anchor);
		free(anchor);
		reset(lw, 0, 1, 0);
		return -1;
	}
	/* The rows after the anchor, then those before it: its index is kept as an estimate. */
	memcpy(at(lw, 0), anchor, lw->src->size);
	free(anchor);
	lw->n = 1;
	lw->offset = cur;
	lw->offset_exact = 0;
	lw->at_start = lw->at_end = 0;
	lw->cur_line = lw->top_line = 0;
	if (fetch(lw, 1, err) < 0 || fetch(lw, -1, err) < 0)
		return -1;
	if (!listed) {
		/* The row taking its place has its index. */
		k = (int)(lw->cur - lw->offset);
		lw->src->clear(at(lw, k));
		memmove(at(lw, k), at(lw, k + 1), (size_t)(lw->n - k - 1) * lw->src->size);
		lw->n--;
		if (lw->at_end && lw->offset_exact)
			lw->total = lw->offset + lw->n;
	}
	/* The pane keeps its first row's index; the cursor's row may have moved. */
	lw->top = top;
	listwin_heights_changed(lw);
	return 0;
}

int
listwin_walk(struct listwin *lw, long long *i, int *line, int delta, char *err)
{
	long long before;
	int moved = 0;

	while (delta > 0 && lw->n > 0) {
		if (*line + 1 < height(lw, *i))
			(*line)++;
		else {
			if (*i + 1 >= lw->offset + lw->n && fetch(lw, 1, err) <= 0)
				break;
			(*i)++;
			*line = 0;
		}
		delta--;
		moved++;
	}
	while (delta < 0 && lw->n > 0) {
		if (*line > 0)
			(*line)--;
		else {
			if (*i <= lw->offset) {
				before = lw->shift;
				if (fetch(lw, -1, err) <= 0)
					break;
				/* The cursor and the top moved with the window; a caller's copy did not. */
				if (i != &lw->cur && i != &lw->top)
					*i += lw->shift - before;
			}
			(*i)--;
			*line = height(lw, *i) - 1;
		}
		delta++;
		moved++;
	}
	return moved;
}

int
listwin_select_line(struct listwin *lw, int y, char *err)
{
	long long i = lw->top;
	int line = lw->top_line;

	if (lw->n == 0 || y < 0 || listwin_walk(lw, &i, &line, y, err) < y)
		return 0;
	lw->cur = i;
	lw->cur_line = line;
	return 1;
}

static int
before(long long i1, int l1, long long i2, int l2)
{
	return i1 < i2 || (i1 == i2 && l1 < l2);
}

/* Lines from (i1, l1) to (i2, l2), which does not come before it; stops past limit. */
static int
distance(struct listwin *lw, long long i1, int l1, long long i2, int l2, int limit)
{
	int d = 0;

	while (i1 < i2 && d <= limit) {
		d += height(lw, i1) - l1;
		i1++;
		l1 = 0;
	}
	return d + (l2 - l1);
}

static void
clamp_line(struct listwin *lw, long long *i, int *line)
{
	int h;

	if (*i < lw->offset)
		*i = lw->offset;
	if (*i >= lw->offset + lw->n)
		*i = lw->offset + lw->n - 1;
	h = height(lw, *i);
	if (*line >= h)
		*line = h - 1;
	if (*line < 0)
		*line = 0;
}

void
listwin_grown(struct listwin *lw, long long total)
{
	if (total != lw->total) {
		lw->total = total;
		lw->at_end = 0;
	}
}

void
listwin_heights_changed(struct listwin *lw)
{
	if (lw->n == 0) {
		lw->cur = lw->top = lw->offset;
		lw->cur_line = lw->top_line = 0;
		return;
	}
	clamp_line(lw, &lw->cur, &lw->cur_line);
	clamp_line(lw, &lw->top, &lw->top_line);
	if (before(lw->cur, lw->cur_line, lw->top, lw->top_line)) {
		lw->top = lw->cur;
		lw->top_line = lw->cur_line;
	}
}

void
listwin_fit(struct listwin *lw, int lines, char *err)
{
	long long i;
	int li, below;

	lw->lines = lines = lines > 0 ? lines : 1;
	listwin_heights_changed(lw);
	if (lw->n == 0)
		return;
	if (distance(lw, lw->top, lw->top_line, lw->cur, lw->cur_line, lines) >= lines) {
		lw->top = lw->cur;
		lw->top_line = lw->cur_line;
		listwin_walk(lw, &lw->top, &lw->top_line, -(lines - 1), err);
	}
	/* At the end, the pane fills from the bottom. */
	i = lw->top;
	li = lw->top_line;
	below = listwin_walk(lw, &i, &li, lines - 1, err);
	if (below < lines - 1 && lw->at_end)
		listwin_walk(lw, &lw->top, &lw->top_line, -(lines - 1 - below), err);
	trim(lw);
}

int
listwin_move(struct listwin *lw, enum action a, int lines, char *err)
{
	int half = lines / 2 > 0 ? lines / 2 : 1, step, moved;

	lines = lines > 0 ? lines : 1;
	switch (a) {
	case ACT_MOVE_DOWN:
	case ACT_MOVE_UP:
		listwin_walk(lw, &lw->cur, &lw->cur_line, a == ACT_MOVE_DOWN ? 1 : -1, err);
		break;
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_HALF_DOWN:
	case ACT_HALF_UP:
		/* The cursor moves a page (as far as the list goes); the pane follows. */
		step = a == ACT_PAGE_DOWN || a == ACT_PAGE_UP ? lines : half;
		if (a == ACT_PAGE_UP || a == ACT_HALF_UP)
			step = -step;
		moved = listwin_walk(lw, &lw->cur, &lw->cur_line, step, err);
		listwin_walk(lw, &lw->top, &lw->top_line, step > 0 ? moved : -moved, err);
		break;
	case ACT_FIRST:
		if (!lw->at_start || lw->offset != 0)
			listwin_load_first(lw, err);
		lw->cur = lw->top = lw->offset;
		lw->cur_line = lw->top_line = 0;
		break;
	case ACT_LAST:
		if (!lw->at_end)
			listwin_load_last(lw, err);
		if (lw->n > 0) {
			lw->cur = lw->offset + lw->n - 1;
			lw->cur_line = height(lw, lw->cur) - 1;
		}
		break;
	default:
		return 0;
	}
	listwin_fit(lw, lines, err);
	return 1;
}

int
listwin_idle(struct listwin *lw, char *err)
{
	long long rank;

	if (!lw->offset_exact && lw->n > 0 && lw->src->rank != NULL) {
		lw->offset_exact = 1;
		if ((rank = lw->src->rank(lw->ctx, at(lw, 0), err)) < 0)
			return 1;
		shift(lw, rank - lw->offset);
		if (lw->at_end)
			lw->total = lw->offset + lw->n;
		listwin_fit(lw, lw->lines, err);
		return 1;
	}
	if (lw->total < 0 && lw->src->count != NULL) {
		if ((lw->total = lw->src->count(lw->ctx, err)) < 0)
			lw->total = 0;
		return 1;
	}
	return 0;
}

/*
 * The cursor one row on in dir, round the end (*wrapped set), reading pages as
 * it goes; the top rides along so trim keeps only the pages around it. 0, or
 * -1 with err.
 */
static int
step_row(struct listwin *lw, int dir, int *wrapped, char *err)
{
	int got;

	if (dir > 0 && lw->cur + 1 >= lw->offset + lw->n) {
		if ((got = fetch(lw, 1, err)) < 0)
			return -1;
		if (got == 0) {
			*wrapped = 1;
			if (!lw->at_start && listwin_load_first(lw, err) != 0)
				return -1;
			lw->cur = lw->offset - 1;
		}
	} else if (dir < 0 && lw->cur <= lw->offset) {
		/* A page coming in before the window may shift the cursor's index with it. */
		if ((got = fetch(lw, -1, err)) < 0)
			return -1;
		if (got == 0) {
			*wrapped = 1;
			if (!lw->at_end && listwin_load_last(lw, err) != 0)
				return -1;
			lw->cur = lw->offset + lw->n;
		}
	}
	if (lw->n == 0)
		return 0;
	lw->cur += dir > 0 ? 1 : -1;
	lw->cur_line = 0;
	lw->top = lw->cur;
	lw->top_line = 0;
	trim(lw);
	return 0;
}

int
listwin_find(struct listwin *lw, const char *needle, int dir, int *wrapped, char *err)
{
	struct strbuf sb = STRBUF_INIT;
	long long top = lw->top, total, steps;
	int top_line = lw->top_line, found = 0, rc = 0;

	*wrapped = 0;
	if (lw->src->text == NULL || lw->n == 0 || needle == NULL || *needle == '\0')
		return 0;
	if (lw->total < 0 && lw->src->count != NULL && (lw->total = lw->src->count(lw->ctx, err)) < 0) {
		lw->total = -1;
		return -1;
	}
	/* Every row once, the cursor's own last: a whole round ends where it began. */
	total = lw->total >= 0 ? lw->total : lw->n;
	for (steps = 0; steps < total && !found; steps++) {
		if (step_row(lw, dir, wrapped, err) != 0) {
			rc = -1;
			break;
		}
		if (listwin_cursor(lw) == NULL)
			break;
		strbuf_reset(&sb);
		lw->src->text(lw->ctx, listwin_cursor(lw), &sb);
		found = sb.buf != NULL && strcasestr(sb.buf, needle) != NULL;
	}
	strbuf_free(&sb);
	/* The pane stays put when what the cursor landed on shows in it. */
	if (listwin_row(lw, top) != NULL && top <= lw->cur &&
	    distance(lw, top, top_line, lw->cur, 0, lw->lines) < lw->lines) {
		lw->top = top;
		lw->top_line = top_line;
	}
	listwin_fit(lw, lw->lines, err);
	return rc < 0 ? -1 : found;
}

void
listwin_position(const struct listwin *lw, long long *line, long long *total)
{
	*line = lw->n > 0 ? lw->cur + 1 : 0;
	*total = lw->total;
}
