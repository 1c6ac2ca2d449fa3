/*
 * The projects view: each project with its commits, sessions and turns and
 * its last activity; Enter lists its commits. Projects are few (one per
 * working directory), so their rows are all read; the figures, which need a
 * pass over the project's commits, are counted only for the rows drawn.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define NAME_MAX_COLS 24

struct projects_view {
	struct listwin lw;	/* of struct browse_project, every one */
	int name_width;
};

static void
project_clear(void *row)
{
	browse_project_clear(row);
}

/* What a row shows, for /: the project's name (and where it lives). */
static void
project_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct browse_project *p = row;

	(void)ctx;
	strbuf_addf(out, "%s %s", p->name, p->path != NULL ? p->path : "");
}

static const struct listwin_source projects_source = {
	.size = sizeof(struct browse_project),
	.text = project_text,
	.clear = project_clear,
};

static int
same_project(const void *a, const void *b)
{
	return strcmp(((const struct browse_project *)a)->id,
	    ((const struct browse_project *)b)->id) == 0;
}

/* Every project again; the cursor stays on its project. */
static int
load(struct tui *t, struct projects_view *pv, char *err)
{
	struct browse_project *rows = NULL;
	size_t n = 0, i;
	int w;

	if (browse_projects(t->st, &rows, &n, err) != 0)
		return -1;
	pv->name_width = 4;
	for (i = 0; i < n; i++) {
		w = (int)text_width(rows[i].name);
		if (w > pv->name_width)
			pv->name_width = w;
	}
	if (pv->name_width > NAME_MAX_COLS)
		pv->name_width = NAME_MAX_COLS;
	listwin_set(&pv->lw, rows, (int)n, same_project);
	return 0;
}

static int
projects_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct projects_view *pv = xcalloc(1, sizeof *pv);

	(void)arg;
	v->priv = pv;
	listwin_init(&pv->lw, &projects_source, pv, 1);
	return load(t, pv, err);
}

static void
projects_close(struct view *v)
{
	struct projects_view *pv = v->priv;

	if (pv == NULL)
		return;
	listwin_free(&pv->lw);
	free(pv);
	v->priv = NULL;
}

static int
projects_reload(struct view *v, struct tui *t, char *err)
{
	view_preview_changed(v);
	return load(t, v->priv, err);
}

static void
figures(struct tui *t, struct browse_project *p)
{
	char err[ERRLEN];

	if (p->commits < 0 && browse_project_figures(t->st, p, err) != 0) {
		p->commits = p->sessions = p->turns = p->hidden = 0;
		tui_message(t, 1, "%s", err);
	}
}

static void
projects_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct projects_view *pv = v->priv;
	struct browse_project *p;
	struct rline l;
	char num[16], date[32];
	int y, nw = pv->name_width, wide = cols >= nw + 46, mid = cols >= nw + 30;
	long long i;

	view_list_fit(t, &pv->lw, rows);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = pv->lw.top + y;
		rline_reset(&l);
		if ((p = listwin_row(&pv->lw, i)) == NULL) {
			if (y == 0)
				rline_raw(&l, ROLE_MESSAGE, "No projects yet.");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
			continue;
		}
		rline_add(&l, ROLE_PROJECT, p->name, nw);
		if (p->commits < 0) {
			/* Counted while idle (projects_idle). */
			rline_raw(&l, ROLE_DEFAULT, "  \xe2\x80\xa6");
			rline_draw(w, y, &l, &t->theme, cols, i == pv->lw.cur ? (int)ROLE_CURSOR : -1,
			    pv->lw.needle);
			continue;
		}
		format_count(p->commits, num, sizeof num);
		rline_right(&l, ROLE_NUMBER, num, l.width + 6);
		rline_raw(&l, ROLE_DEFAULT, p->commits == 1 ? " commit " : " commits");
		if (wide) {
			format_count(p->turns, num, sizeof num);
			rline_right(&l, ROLE_NUMBER, num, l.width + 6);
			rline_raw(&l, ROLE_DEFAULT, p->turns == 1 ? " turn " : " turns");
		}
		if (mid) {
			format_date(p->last_activity, 0, date, sizeof date);
			rline_raw(&l, ROLE_DEFAULT, "  ");
			rline_add(&l, ROLE_DATE, date, -(cols - l.width));
		}
		rline_draw(w, y, &l, &t->theme, cols, i == pv->lw.cur ? (int)ROLE_CURSOR : -1,
		    pv->lw.needle);
	}
	rline_free(&l);
}

static void
projects_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct projects_view *pv = v->priv;
	struct browse_project *p;
	struct browse_commit recent[5];
	struct browse_query q;
	char err[ERRLEN], buf[256], date[32];
	struct rline *l;
	int n, i;
	const int lc = 10;

	if ((p = listwin_cursor(&pv->lw)) == NULL)
		return;
	figures(t, p);
	l = textbuf_line(out);
	rline_add(l, ROLE_PROJECT, p->name, -cols);
	textbuf_field(out, "path", lc, ROLE_DEFAULT, p->path, cols);
	textbuf_field(out, "remote", lc, ROLE_DEFAULT, p->remote, cols);
	if (p->hidden > 0)
		snprintf(buf, sizeof buf, "%lld (%lld hidden)", p->commits, p->hidden);
	else
		snprintf(buf, sizeof buf, "%lld", p->commits);
	textbuf_field(out, "commits", lc, ROLE_NUMBER, buf, cols);
	snprintf(buf, sizeof buf, "%lld", p->sessions);
	textbuf_field(out, "sessions", lc, ROLE_NUMBER, buf, cols);
	snprintf(buf, sizeof buf, "%lld", p->turns);
	textbuf_field(out, "turns", lc, ROLE_NUMBER, buf, cols);
	format_date(p->last_activity, 0, date, sizeof date);
	textbuf_field(out, "last", lc, ROLE_DATE, date, cols);

	memset(&q, 0, sizeof q);
	q.project_id = p->id;
	q.dir = 1;
	q.limit = 5;
	if ((n = browse_commits(t->st, &q, recent, err)) < 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	if (n > 0) {
		textbuf_line(out);
		l = textbuf_line(out);
		rline_raw(l, ROLE_LABEL, "Latest commits");
	}
	for (i = 0; i < n; i++) {
		l = textbuf_line(out);
		format_date(recent[i].started_at, 1, date, sizeof date);
		rline_add(l, ROLE_DATE, date, 11);
		rline_raw(l, ROLE_DEFAULT, " ");
		rline_add(l, ROLE_TITLE, browse_commit_label(&recent[i]), -(cols - 12));
		browse_commit_clear(&recent[i]);
	}
}

/* The figures of the rows on screen, one project per call. */
static int
projects_idle(struct view *v, struct tui *t)
{
	struct projects_view *pv = v->priv;
	struct browse_project *p;
	long long i;

	for (i = pv->lw.top; i < pv->lw.top + v->rows; i++) {
		if ((p = listwin_row(&pv->lw, i)) != NULL && p->commits < 0) {
			figures(t, p);
			return 1;
		}
	}
	return 0;
}

static enum view_result
projects_request(struct view *v, struct tui *t, enum action a)
{
	struct projects_view *pv = v->priv;
	struct browse_project *p;

	if (view_list_move(v, t, &pv->lw, a, v->rows))
		return VIEW_HANDLED;
	if (a != ACT_ENTER)
		return VIEW_IGNORED;
	if ((p = listwin_cursor(&pv->lw)) != NULL)
		tui_push(t, &commits_view_ops, p->id);
	return VIEW_HANDLED;
}

static void
projects_position(struct view *v, struct view_position *pos)
{
	struct projects_view *pv = v->priv;

	listwin_position(&pv->lw, &pos->line, &pos->total);
}

static const char *
projects_title(struct view *v)
{
	(void)v;
	return NULL;
}

const struct view_ops projects_view_ops = {
	.name = "projects",
	.id = VIEW_PROJECTS,
	.open = projects_open,
	.reload = projects_reload,
	.draw = projects_draw,
	.preview = projects_preview,
	.request = projects_request,
	.position = projects_position,
	.title = projects_title,
	.idle = projects_idle,
	.close = projects_close,
};
