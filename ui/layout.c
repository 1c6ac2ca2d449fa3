#include "config.h"

#include <string.h>

#include "ui/layout.h"
#include "util/strbuf.h"

static struct rect
rect(int y, int x, int h, int w)
{
	struct rect r = { y, x, h > 0 ? h : 0, w > 0 ? w : 0 };

	if (r.h == 0 || r.w == 0)
		r.h = r.w = 0;
	return r;
}

void
layout_compute(const struct layout_params *p, int rows, int cols, struct layout *l)
{
	int body_y, body_h, side, n, ratio;

	memset(l, 0, sizeof *l);
	l->rows = rows > 0 ? rows : 0;
	l->cols = cols > 0 ? cols : 0;
	if (l->rows == 0 || l->cols == 0)
		return;
	if (rows >= 4) {
		l->header = rect(0, 0, 1, cols);
		l->status = rect(rows - 2, 0, 1, cols);
		l->message = rect(rows - 1, 0, 1, cols);
		body_y = 1;
		body_h = rows - 3;
	} else {
		/* Too small for bars: the list and the line for prompts. */
		l->message = rect(rows - 1, 0, 1, cols);
		body_y = 0;
		body_h = rows - 1;
	}
	l->list = rect(body_y, 0, body_h, cols);
	if (!p->preview || !p->has_preview || body_h <= 0)
		return;

	ratio = p->ratio;
	if (ratio < LAYOUT_RATIO_MIN)
		ratio = LAYOUT_RATIO_MIN;
	if (ratio > LAYOUT_RATIO_MAX)
		ratio = LAYOUT_RATIO_MAX;
	side = p->split == SPLIT_VERTICAL || (p->split == SPLIT_AUTO && cols >= LAYOUT_WIDE);
	if (side) {
		n = cols * ratio / 100;		/* preview columns */
		if (cols - n - 1 < LAYOUT_MIN_LIST_COLS || n < LAYOUT_MIN_PREVIEW_COLS)
			return;
		l->side_by_side = 1;
		l->list = rect(body_y, 0, body_h, cols - n - 1);
		l->sep = rect(body_y, cols - n - 1, body_h, 1);
		l->preview = rect(body_y, cols - n, body_h, n);
	} else {
		n = body_h * ratio / 100;	/* preview rows */
		if (body_h - n - 1 < LAYOUT_MIN_LIST_ROWS || n < LAYOUT_MIN_PREVIEW_ROWS)
			return;
		l->list = rect(body_y, 0, body_h - n - 1, cols);
		l->sep = rect(body_y + body_h - n - 1, 0, 1, cols);
		l->preview = rect(body_y + body_h - n, 0, n, cols);
	}
}

int
layout_ratio_step(int ratio, int delta)
{
	ratio += delta * LAYOUT_RATIO_STEP;
	if (ratio < LAYOUT_RATIO_MIN)
		ratio = LAYOUT_RATIO_MIN;
	if (ratio > LAYOUT_RATIO_MAX)
		ratio = LAYOUT_RATIO_MAX;
	return ratio;
}

enum split_mode
layout_next_split(enum split_mode m)
{
	switch (m) {
	case SPLIT_AUTO:
		return SPLIT_VERTICAL;
	case SPLIT_VERTICAL:
		return SPLIT_HORIZONTAL;
	case SPLIT_HORIZONTAL:
		break;
	}
	return SPLIT_AUTO;
}

const char *
layout_split_name(enum split_mode m)
{
	switch (m) {
	case SPLIT_AUTO:
		return "automatic";
	case SPLIT_VERTICAL:
		return "side by side";
	case SPLIT_HORIZONTAL:
		break;
	}
	return "stacked";
}

static void
dump_rect(struct strbuf *sb, const char *name, const struct rect *r)
{
	if (r->h > 0 && r->w > 0)
		strbuf_addf(sb, "%-8s %d,%d %dx%d\n", name, r->y, r->x, r->w, r->h);
}

void
layout_dump(const struct layout *l, struct strbuf *sb)
{
	strbuf_addf(sb, "%dx%d%s\n", l->cols, l->rows, l->preview.h == 0 ? "" :
	    l->side_by_side ? " side-by-side" : " stacked");
	dump_rect(sb, "header", &l->header);
	dump_rect(sb, "list", &l->list);
	dump_rect(sb, "sep", &l->sep);
	dump_rect(sb, "preview", &l->preview);
	dump_rect(sb, "status", &l->status);
	dump_rect(sb, "message", &l->message);
}

void
layout_sides(int cols, int label_cols, struct sides *s)
{
	int side;

	memset(s, 0, sizeof *s);
	s->cols = cols > 0 ? cols : 0;
	if (s->cols == 0)
		return;
	if (label_cols < 0)
		label_cols = 0;
	side = (cols - label_cols - 1) / 2;
	if (side >= LAYOUT_MIN_SIDE_COLS) {
		s->label = rect(0, 0, 1, label_cols);
		s->local = rect(0, label_cols, 1, side);
		s->sep = rect(0, label_cols + side, 1, 1);
		s->cloud = rect(0, label_cols + side + 1, 1, cols - label_cols - side - 1);
		return;
	}
	s->stacked = 1;
	s->label = rect(0, 0, 1, cols);
	if (cols > LAYOUT_SIDE_TAG_COLS) {
		s->local = rect(1, LAYOUT_SIDE_TAG_COLS, 1, cols - LAYOUT_SIDE_TAG_COLS);
		s->cloud = rect(2, LAYOUT_SIDE_TAG_COLS, 1, cols - LAYOUT_SIDE_TAG_COLS);
	} else {
		/* No room for the tags: the values alone. */
		s->local = rect(1, 0, 1, cols);
		s->cloud = rect(2, 0, 1, cols);
	}
}

void
layout_sides_dump(const struct sides *s, struct strbuf *sb)
{
	strbuf_addf(sb, "%d%s\n", s->cols, s->cols == 0 ? "" : s->stacked ? " stacked" :
	    " side-by-side");
	dump_rect(sb, "label", &s->label);
	dump_rect(sb, "local", &s->local);
	dump_rect(sb, "sep", &s->sep);
	dump_rect(sb, "cloud", &s->cloud);
}
