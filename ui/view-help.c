/*
 * The help view (?): the keys of the view it was opened from, generated from
 * the action table and the keymap, so it always shows the bindings in force.
 * / searches it (any case), n and N go on to the next and previous match,
 * as in every list (ui/list-search.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define KEYS_COLS 16
#define KEYS_MAX 8

struct help_view {
	enum view_id of;	/* whose keys */
	struct textbuf lines;	/* while building them */
	int cols;		/* the lines were built for this width */
	struct listwin lw;	/* of struct rline */
};

static void
line_clear(void *row)
{
	rline_free(row);
}

static void
line_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct rline *l = row;

	(void)ctx;
	if (l->text.buf != NULL)
		strbuf_adds(out, l->text.buf);
}

static const struct listwin_source help_source = {
	.size = sizeof(struct rline),
	.clear = line_clear,
	.text = line_text,
};

static void
build(struct tui *t, struct help_view *hv, int cols)
{
	struct textbuf *tb = &hv->lines;
	struct strbuf keys = STRBUF_INIT, help = STRBUF_INIT;
	struct rline *l;
	keycode k[KEYS_MAX];
	char name[32];
	size_t nk, i;
	int s, a, shown;

	textbuf_reset(tb);
	hv->cols = cols;
	{
		char *intro = xprintf("Keys of the %s view (bind lines in the config change them):",
		    view_id_name(hv->of));
		textbuf_wrap(tb, ROLE_DEFAULT, intro, ROLE_DEFAULT, "", cols, -1);
		free(intro);
	}
	for (s = 0; s < SECTION_COUNT; s++) {
		shown = 0;
		for (a = ACT_NONE + 1; a < ACT_COUNT; a++) {
			if (action_table[a].section != (enum action_section)s ||
			    !action_applies(a, hv->of))
				continue;
			if (!shown) {
				textbuf_line(tb);
				l = textbuf_line(tb);
				rline_add(l, ROLE_HELP_SECTION, action_section_title(s), -cols);
				shown = 1;
			}
			nk = keymap_keys(t->keys, hv->of, a, k, KEYS_MAX);
			strbuf_reset(&keys);
			strbuf_add(&keys, "", 0);
			for (i = 0; i < nk; i++)
				strbuf_addf(&keys, "%s%s", i > 0 ? " " : "",
				    keycode_name(k[i], name, sizeof name));
			strbuf_reset(&help);
			strbuf_addf(&help, "%s (%s)", action_table[a].help, action_table[a].name);
			textbuf_field(tb, nk > 0 ? keys.buf : "(none)", KEYS_COLS, ROLE_DEFAULT,
			    help.buf, cols);
			/* The keys in their own colour: the label segment of the first line. */
			for (i = tb->n; i-- > 0;) {
				if (tb->lines[i].nsegs > 0 && tb->lines[i].segs[0].role == ROLE_LABEL) {
					tb->lines[i].segs[0].role = ROLE_HELP_KEY;
					break;
				}
			}
		}
	}
	textbuf_line(tb);
	l = textbuf_line(tb);
	rline_add(l, ROLE_HELP_SECTION, "Editing a line (titles, searches)", -cols);
	textbuf_wrap(tb, ROLE_DEFAULT, "Enter accepts, Esc or C-g cancels; Left, Right, Home, "
	    "End (C-b, C-f, C-a, C-e) move; Backspace, Delete (C-d), C-u, C-k and C-w delete.",
	    ROLE_DEFAULT, "", cols, -1);
	strbuf_free(&keys);
	strbuf_free(&help);
	/* The lines go to the window; the spare ones the textbuf kept go. */
	for (i = tb->n; i < tb->cap; i++)
		rline_free(&tb->lines[i]);
	listwin_set(&hv->lw, tb->lines, (int)tb->n, NULL);
	textbuf_init(tb);
}

static int
help_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct help_view *hv = xcalloc(1, sizeof *hv);
	int of = arg != NULL ? view_id_find(arg) : VIEW_COMMITS;

	(void)t;
	(void)err;
	v->priv = hv;
	hv->of = of >= 0 && of < VIEW_COUNT ? (enum view_id)of : VIEW_COMMITS;
	textbuf_init(&hv->lines);
	listwin_init(&hv->lw, &help_source, hv, 1);
	hv->cols = -1;
	return 0;
}

static void
help_close(struct view *v)
{
	struct help_view *hv = v->priv;

	if (hv == NULL)
		return;
	listwin_free(&hv->lw);
	free(hv);
	v->priv = NULL;
}

static int
help_reload(struct view *v, struct tui *t, char *err)
{
	(void)v;
	(void)t;
	(void)err;
	return 0;
}

static void
help_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct help_view *hv = v->priv;
	struct rline empty, *l;
	long long i;
	int y;

	if (hv->cols != cols)
		build(t, hv, cols);
	view_list_fit(t, &hv->lw, rows);
	rline_init(&empty);
	for (y = 0; y < rows; y++) {
		i = hv->lw.top + y;
		l = listwin_row(&hv->lw, i);
		rline_draw(w, y, l != NULL ? l : &empty, &t->theme, cols,
		    i == hv->lw.cur ? (int)ROLE_CURSOR : -1, hv->lw.needle);
	}
}

static enum view_result
help_request(struct view *v, struct tui *t, enum action a)
{
	struct help_view *hv = v->priv;

	if (view_list_move(v, t, &hv->lw, a, v->rows))
		return VIEW_HANDLED;
	switch (a) {
	case ACT_HELP:
		return VIEW_HANDLED;	/* already here */
	default:
		return VIEW_IGNORED;
	}
}

static void
help_position(struct view *v, struct view_position *pos)
{
	struct help_view *hv = v->priv;

	listwin_position(&hv->lw, &pos->line, &pos->total);
}

static const char *
help_title(struct view *v)
{
	(void)v;
	return NULL;
}

const struct view_ops help_view_ops = {
	.name = "help",
	.id = VIEW_HELP,
	.open = help_open,
	.reload = help_reload,
	.draw = help_draw,
	.preview = NULL,
	.request = help_request,
	.position = help_position,
	.title = help_title,
	.close = help_close,
};
