/*
 * The pending view: what waits to go up, in the order push sends it. Each
 * pending commit with its project and how many of its sessions, turns and
 * visuals go up with it (counted while idle, for the rows shown); the preview
 * adds the projects waiting on their own. Every commit of a fresh import is
 * pending, so the list is paged from the store through a keyset cursor
 * (store/pending.h) into a window of a few pages (ui/listwin.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/commits.h"
#include "store/pending.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PAGE 64			/* rows per query */
#define PROJECT_MAX 14
#define FIGURES 12		/* "12s 1.2kt 3v" */
#define TITLE_MIN 16
#define PROJECT_NAMES 5		/* named in the preview */

struct pending_view {
	struct tui *t;
	struct listwin lw;	/* of struct pending_commit, in push order */
	enum pending_plan plan;
	int project_width;
	struct strbuf projects;	/* the pending projects' names */
	long long nprojects;
	struct browse_filter filter;	/* f: what the list keeps */
	char *title;		/* "filter: ...", or NULL */
};

/* The filter the store applies: NULL when it keeps everything. */
static const struct browse_filter *
filter_of(const struct pending_view *pv)
{
	return browse_filter_empty(&pv->filter) ? NULL : &pv->filter;
}

static int
source_fetch(void *ctx, const void *from, int dir, int limit, void *out, char *err)
{
	struct pending_view *pv = ctx;

	return pending_commits(pv->t->st, pv->plan, filter_of(pv), from, 0, dir, limit, out, err);
}

/* The number of pending commits, and the plan that suits it. */
static long long
source_count(void *ctx, char *err)
{
	struct pending_view *pv = ctx;
	long long n = pending_count(pv->t->st, PENDING_SPARSE, filter_of(pv), NULL, err);

	if (n >= 0)
		pv->plan = pending_plan(pv->t->st, n);
	return n;
}

/* Counting what comes before a row reads every pending commit up to it: done while idle. */
static long long
source_rank(void *ctx, const void *row, char *err)
{
	struct pending_view *pv = ctx;

	return pending_count(pv->t->st, pv->plan, filter_of(pv), row, err);
}

static void
source_clear(void *row)
{
	pending_commit_clear(row);
}

/* What a row shows, for /: its date, project and title. */
static void
source_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct pending_commit *c = row;
	char date[32];

	(void)ctx;
	format_date(c->started_at, 0, date, sizeof date);
	strbuf_addf(out, "%s %s %s%s", date, c->project, c->deleted ? "deleted " : "",
	    c->label != NULL ? c->label : c->id);
}

static const struct listwin_source pending_source = {
	.size = sizeof(struct pending_commit),
	.text = source_text,
	.fetch = source_fetch,
	.count = source_count,
	.rank = source_rank,
	.clear = source_clear,
};

static int
load_projects(struct tui *t, struct pending_view *pv, char *err)
{
	strbuf_reset(&pv->projects);
	return pending_projects(t->st, &pv->projects, PROJECT_NAMES, &pv->nprojects, err);
}

static int
count(struct pending_view *pv, char *err)
{
	return (pv->lw.total = source_count(pv, err)) < 0 ? -1 : 0;
}

static int
pending_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct pending_view *pv = xcalloc(1, sizeof *pv);
	long long width = 0;

	(void)arg;
	v->priv = pv;
	pv->t = t;
	browse_filter_init(&pv->filter);
	listwin_init(&pv->lw, &pending_source, pv, PAGE);
	if (projects_name_width(t->st, &width, err) != 0)
		return -1;
	pv->project_width = width > PROJECT_MAX ? PROJECT_MAX : (int)width;
	if (count(pv, err) != 0 || load_projects(t, pv, err) != 0)
		return -1;
	return listwin_load_first(&pv->lw, err);
}

static void
pending_close(struct view *v)
{
	struct pending_view *pv = v->priv;

	if (pv == NULL)
		return;
	listwin_free(&pv->lw);
	strbuf_free(&pv->projects);
	browse_filter_free(&pv->filter);
	free(pv->title);
	free(pv);
	v->priv = NULL;
}

/* Whether the cursor's commit still waits to go up. */
static int
still_pending(void *ctx, void *row, char *err)
{
	struct pending_view *pv = ctx;
	struct pending_commit *c = row, next;
	int got = pending_commits(pv->t->st, pv->plan, filter_of(pv), c, 1, 1, 1, &next, err), same;

	if (got <= 0)
		return got;
	same = strcmp(next.id, c->id) == 0;
	pending_commit_clear(&next);
	return same;
}

/*
 * Reads the list again around the cursor's commit: from it when it still
 * waits, else from the one that now takes its place (after a sync, most are
 * gone). Its place in the list is carried over until idle ranks it.
 */
static int
pending_reload(struct view *v, struct tui *t, char *err)
{
	struct pending_view *pv = v->priv;

	if (load_projects(t, pv, err) != 0 || count(pv, err) != 0)
		return -1;
	view_preview_changed(v);
	return listwin_reload(&pv->lw, still_pending, err);
}

static void
figures_text(const struct pending_commit *c, char *out, size_t size)
{
	char s[8], tn[8], vn[8];

	if (c->sessions < 0) {
		snprintf(out, size, "\xe2\x80\xa6");	/* … */
		return;
	}
	format_count(c->sessions, s, sizeof s);
	format_count(c->turns, tn, sizeof tn);
	format_count(c->visuals, vn, sizeof vn);
	snprintf(out, size, "%ss %st %sv", s, tn, vn);
}

static void
pending_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct pending_view *pv = v->priv;
	struct pending_commit *c;
	struct rline l;
	char date[32], figures[64];
	int y, datew = 16, projw = pv->project_width, figw = FIGURES;
	long long i;

	/* What does not fit goes: figures, then the project, then the date shrinks. */
	if (cols - (datew + 1) - (projw + 1) - (figw + 1) < TITLE_MIN)
		figw = 0;
	if (cols - (datew + 1) - (projw + 1) < TITLE_MIN)
		projw = 0;
	if (cols - (datew + 1) < TITLE_MIN)
		datew = 11;
	view_list_fit(t, &pv->lw, rows);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = pv->lw.top + y;
		rline_reset(&l);
		if ((c = listwin_row(&pv->lw, i)) == NULL) {
			if (y == 0 && listwin_empty(&pv->lw))
				rline_raw(&l, ROLE_MESSAGE, pv->title != NULL ?
				    "Nothing waiting matches the filter (f changes it)." :
				    "Nothing waits to go up.");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
			continue;
		}
		format_date(c->started_at, datew < 16, date, sizeof date);
		rline_add(&l, ROLE_DATE, date, datew);
		rline_raw(&l, ROLE_DEFAULT, " ");
		if (projw > 0) {
			rline_add(&l, ROLE_PROJECT, c->project, projw);
			rline_raw(&l, ROLE_DEFAULT, " ");
		}
		if (figw > 0) {
			figures_text(c, figures, sizeof figures);
			rline_add(&l, ROLE_NUMBER, figures, figw);
			rline_raw(&l, ROLE_DEFAULT, " ");
		}
		if (c->deleted)
			rline_raw(&l, ROLE_BADGE_CONFLICT, "deleted ");
		rline_add(&l, ROLE_TITLE, c->label != NULL ? c->label : c->id, -(cols - l.width));
		rline_draw(w, y, &l, &t->theme, cols, i == pv->lw.cur ? (int)ROLE_CURSOR : -1,
		    pv->lw.needle);
	}
	rline_free(&l);
}

static void
count_figures(struct tui *t, struct pending_commit *c)
{
	char err[ERRLEN];

	if (c->sessions < 0 && pending_figures(t->st, c, err) != 0)
		tui_message(t, 1, "%s", err);
}

static void
plural(struct strbuf *sb, long long n, const char *one, const char *many)
{
	strbuf_addf(sb, "%lld %s", n, n == 1 ? one : many);
}

static void
pending_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct pending_view *pv = v->priv;
	struct pending_commit *c = listwin_cursor(&pv->lw);
	struct strbuf sb = STRBUF_INIT;
	char date[32];
	struct rline *l;
	const int lc = 9;

	if (c != NULL) {
		count_figures(t, c);
		l = textbuf_line(out);
		rline_add(l, ROLE_TITLE, c->label != NULL ? c->label : c->id, -cols);
		textbuf_field(out, "commit", lc, ROLE_ID, c->id, cols);
		strbuf_adds(&sb, c->project);
		if (c->project_pending)
			strbuf_adds(&sb, " (goes up too)");
		textbuf_field(out, "project", lc, ROLE_PROJECT, sb.buf, cols);
		format_date(c->started_at, 0, date, sizeof date);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s UTC", date);
		textbuf_field(out, "started", lc, ROLE_DATE, sb.buf, cols);
		strbuf_reset(&sb);
		if (c->deleted)
			strbuf_adds(&sb, "its tombstone: deleted here, gone everywhere once synced");
		else {
			strbuf_adds(&sb, "the commit, ");
			plural(&sb, c->sessions, "session", "sessions");
			strbuf_adds(&sb, ", ");
			plural(&sb, c->turns, "turn", "turns");
			strbuf_adds(&sb, ", ");
			plural(&sb, c->visuals, "visual", "visuals");
		}
		textbuf_field(out, "going up", lc, ROLE_DEFAULT, sb.buf, cols);
		textbuf_line(out);
	}
	strbuf_reset(&sb);
	if (pv->lw.total > 0) {
		plural(&sb, pv->lw.total, "commit waits", "commits wait");
		strbuf_adds(&sb, pv->title != NULL ? " to go up that the filter keeps, in this order" :
		    " to go up, in this order");
	}
	if (pv->nprojects > 0) {
		strbuf_adds(&sb, pv->lw.total > 0 ? "; so do " : "Waiting to go up: ");
		plural(&sb, pv->nprojects, "project", "projects");
		strbuf_addf(&sb, " (%s%s)", pv->projects.buf, pv->nprojects > PROJECT_NAMES ?
		    " and more" : "");
	}
	if (sb.len == 0)
		strbuf_adds(&sb, "Nothing waits to go up");
	strbuf_addc(&sb, '.');
	textbuf_wrap(out, ROLE_MESSAGE, sb.buf, ROLE_MESSAGE, "", cols, -1);
	if (!tui_syncing_enabled(t))
		textbuf_wrap(out, ROLE_MESSAGE, "Not syncing: they go up once this machine is"
		    " logged in to a cloud (agentlogs login).", ROLE_MESSAGE, "", cols, -1);
	strbuf_free(&sb);
}

/* The figures of the rows on screen, one commit per call. */
static int
pending_idle(struct view *v, struct tui *t)
{
	struct pending_view *pv = v->priv;
	struct pending_commit *c;
	char err[ERRLEN] = "";
	long long i;

	if (listwin_idle(&pv->lw, err)) {
		if (err[0] != '\0')
			tui_message(t, 1, "%s", err);
		return 1;
	}
	for (i = pv->lw.top; i < pv->lw.top + v->rows; i++) {
		if ((c = listwin_row(&pv->lw, i)) != NULL && c->sessions < 0) {
			count_figures(t, c);
			return 1;
		}
	}
	return 0;
}

/* The list again from its first row, under the filter typed. */
static void
filter_done(struct view *v, struct tui *t, const char *text)
{
	struct pending_view *pv = v->priv;
	char err[ERRLEN] = "";

	if (!view_filter_set(t, &pv->filter, BROWSE_FILTER_PENDING, text))
		return;
	free(pv->title);
	pv->title = view_filter_title(&pv->filter);
	view_preview_changed(v);
	if (count(pv, err) != 0 || listwin_load_first(&pv->lw, err) != 0)
		tui_message(t, 1, "%s", err);
}

static enum view_result
pending_request(struct view *v, struct tui *t, enum action a)
{
	struct pending_view *pv = v->priv;
	struct pending_commit *c;

	if (view_list_move(v, t, &pv->lw, a, v->rows))
		return VIEW_HANDLED;
	if (a == ACT_FILTER) {
		view_filter_prompt(t, &pv->filter, filter_done);
		return VIEW_HANDLED;
	}
	if (a != ACT_ENTER)
		return VIEW_IGNORED;
	if ((c = listwin_cursor(&pv->lw)) != NULL)
		tui_push(t, &sessions_view_ops, c->id);
	return VIEW_HANDLED;
}

static void
pending_position(struct view *v, struct view_position *pos)
{
	struct pending_view *pv = v->priv;

	listwin_position(&pv->lw, &pos->line, &pos->total);
}

static const char *
pending_title(struct view *v)
{
	struct pending_view *pv = v->priv;

	return pv->title;
}

const struct view_ops pending_view_ops = {
	.name = "pending",
	.id = VIEW_PENDING,
	.open = pending_open,
	.reload = pending_reload,
	.draw = pending_draw,
	.preview = pending_preview,
	.request = pending_request,
	.position = pending_position,
	.title = pending_title,
	.idle = pending_idle,
	.close = pending_close,
};
