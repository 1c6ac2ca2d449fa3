#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/image-cells.h"
#include "ui/image-overlay.h"
#include "util/xmalloc.h"

/* Encoded pictures kept for the next frames: a scroll places the same few again. */
#define KEPT 8

struct placement {
	char *file;
	int y, x, cols, rows;
};

struct placements {
	struct placement *v;
	size_t n, cap;
};

struct encoded {
	char *file, *seq;
	int cols, rows;
};

struct image_overlay {
	enum image_protocol protocol;
	int cell_w, cell_h;
	struct placements frame, shown;	/* this frame's; those on screen */
	int lost;			/* the screen lost what shown says */
	struct encoded kept[KEPT];
	size_t next_kept;
};

static void
placements_reset(struct placements *p)
{
	while (p->n > 0)
		free(p->v[--p->n].file);
}

struct image_overlay *
image_overlay_new(enum image_protocol p, int cell_w, int cell_h)
{
	struct image_overlay *o = xcalloc(1, sizeof *o);

	o->protocol = p;
	o->cell_w = cell_w;
	o->cell_h = cell_h;
	return o;
}

void
image_overlay_free(struct image_overlay *o)
{
	size_t i;

	if (o == NULL)
		return;
	placements_reset(&o->frame);
	placements_reset(&o->shown);
	free(o->frame.v);
	free(o->shown.v);
	for (i = 0; i < KEPT; i++) {
		free(o->kept[i].file);
		free(o->kept[i].seq);
	}
	free(o);
}

void
image_overlay_begin(struct image_overlay *o)
{
	placements_reset(&o->frame);
}

void
image_overlay_add(struct image_overlay *o, const char *file, int y, int x, int cols, int rows)
{
	struct placements *p = &o->frame;

	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 8 : p->cap * 2;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->v[p->n++] = (struct placement){ xstrdup(file), y, x, cols, rows };
}

void
image_overlay_lost(struct image_overlay *o)
{
	o->lost = 1;
}

static int
same(const struct placements *a, const struct placements *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct placement *x = &a->v[i], *y = &b->v[i];

		if (x->y != y->y || x->x != y->x || x->cols != y->cols || x->rows != y->rows ||
		    strcmp(x->file, y->file) != 0)
			return 0;
	}
	return 1;
}

int
image_overlay_repaint(const struct image_overlay *o)
{
	return o->protocol == IMAGE_PROTOCOL_SIXEL && o->shown.n > 0 && !o->lost &&
	    !same(&o->frame, &o->shown);
}

/* The escape sequences of file in cols x rows cells: kept from an earlier frame, or made. */
static const char *
encoded(struct image_overlay *o, const char *file, int cols, int rows)
{
	struct encoded *e;
	size_t i;
	int w, h;

	for (i = 0; i < KEPT; i++) {
		e = &o->kept[i];
		if (e->file != NULL && e->cols == cols && e->rows == rows &&
		    strcmp(e->file, file) == 0)
			return e->seq;
	}
	e = &o->kept[o->next_kept];
	o->next_kept = (o->next_kept + 1) % KEPT;
	free(e->file);
	free(e->seq);
	e->file = xstrdup(file);
	e->cols = cols;
	e->rows = rows;
	e->seq = image_pixels(file, o->protocol, cols, rows, o->cell_w, o->cell_h, &w, &h);
	return e->seq;
}

/* Deletes every placement kitty shows (and the pictures' data); no reply (q=2). */
static void
kitty_delete_all(FILE *out)
{
	fputs("\033_Ga=d,d=A,q=2\033\\", out);
}

void
image_overlay_write(struct image_overlay *o, FILE *out)
{
	struct placements swap;
	size_t i;

	if (!o->lost && same(&o->frame, &o->shown))
		return;
	if (o->protocol == IMAGE_PROTOCOL_KITTY && (o->shown.n > 0 || o->lost))
		kitty_delete_all(out);
	for (i = 0; i < o->frame.n; i++) {
		const struct placement *p = &o->frame.v[i];
		const char *seq = encoded(o, p->file, p->cols, p->rows);

		if (seq == NULL)
			continue;
		/* DECSC, the cell, the picture, DECRC: the cursor is where curses left it. */
		fprintf(out, "\0337\033[%d;%dH%s\0338", p->y + 1, p->x + 1, seq);
	}
	fflush(out);
	swap = o->shown;
	o->shown = o->frame;
	o->frame = swap;
	placements_reset(&o->frame);
	o->lost = 0;
}

void
image_overlay_clear(struct image_overlay *o, FILE *out)
{
	if (o->protocol == IMAGE_PROTOCOL_KITTY && o->shown.n > 0) {
		kitty_delete_all(out);
		fflush(out);
	}
	placements_reset(&o->shown);
}
