/*
 * The pending view: what waits to go up, in the order push sends it. Each
 * pending commit with its project and how many of its sessions, turns and
 * visuals go up with it (counted while idle, for the rows shown); the preview
 * adds the projects waiting on their own. Every commit of a fresh import is
 * pending, so the list is paged from the store through a keyset cursor
 * (store/pending.h): the view holds a window of at most WINDOW_MAX rows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/commits.h"
#include "store/pending.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PAGE 64			/* rows per query */
#define WINDOW_MAX (4 * PAGE)	/* rows kept around the cursor */
#define PROJECT_MAX 14
#define FIGURES 12		/* "12s 1.2kt 3v" */
#define TITLE_MIN 16
#define PROJECT_NAMES 5		/* named in the preview */

struct pending_view {
	struct pending_commit *rows;	/* list indices offset .. offset + n - 1 */
	int n, cap;
	long long offset;
	int at_start, at_end;	/* the window holds the list's first / last row */
	long long cursor, top;	/* list indices */
	long long total;
	enum pending_plan plan;
	int offset_exact;	/* offset is counted, not carried over from before a reload */
	int project_width;
	struct strbuf projects;	/* the pending projects' names */
	long long nprojects;
};

static void
clear_rows(struct pending_view *pv)
{
	int i;

	for (i = 0; i < pv->n; i++)
		pending_commit_clear(&pv->rows[i]);
	pv->n = 0;
}

static void
room_for(struct pending_view *pv, int more)
{
	if (pv->n + more > pv->cap) {
		pv->cap = pv->n + more + PAGE;
		pv->rows = xreallocarray(pv->rows, pv->cap, sizeof *pv->rows);
	}
}

/* Appends (dir > 0) or prepends (dir < 0) a page; returns how many rows came, or -1. */
static int
fetch(struct tui *t, struct pending_view *pv, int dir, char *err)
{
	struct pending_commit page[PAGE];
	int got;

	if ((dir > 0 && pv->at_end) || (dir < 0 && pv->at_start))
		return 0;
	got = pending_commits(t->st, pv->plan, pv->n > 0 ? &pv->rows[dir > 0 ? pv->n - 1 : 0] :
	    NULL, 0, dir, PAGE, page, err);
	if (got < 0)
		return -1;
	room_for(pv, got);
	if (dir > 0) {
		memcpy(pv->rows + pv->n, page, got * sizeof *page);
		if (got < PAGE)
			pv->at_end = 1;
	} else {
		memmove(pv->rows + got, pv->rows, pv->n * sizeof *pv->rows);
		memcpy(pv->rows, page, got * sizeof *page);
		pv->offset -= got;
		if (got < PAGE) {
			pv->at_start = 1;
			pv->offset = 0;
			pv->offset_exact = 1;
		}
	}
	pv->n += got;
	if (pv->at_end)
		pv->total = pv->offset + pv->n;
	return got;
}

/* Drops rows far from what is shown, on the side away from dir, down to WINDOW_MAX. */
static void
trim(struct pending_view *pv, int dir, int rows)
{
	long long keep_from = pv->top < pv->cursor ? pv->top : pv->cursor;
	long long keep_to = pv->top + rows > pv->cursor + 1 ? pv->top + rows : pv->cursor + 1;
	int drop = pv->n - WINDOW_MAX, i;

	if (drop <= 0)
		return;
	if (dir > 0) {
		if (pv->offset + drop > keep_from)
			drop = (int)(keep_from - pv->offset);
		if (drop <= 0)
			return;
		for (i = 0; i < drop; i++)
			pending_commit_clear(&pv->rows[i]);
		memmove(pv->rows, pv->rows + drop, (pv->n - drop) * sizeof *pv->rows);
		pv->offset += drop;
		pv->at_start = 0;
	} else {
		if (pv->offset + pv->n - drop < keep_to)
			drop = (int)(pv->offset + pv->n - keep_to);
		if (drop <= 0)
			return;
		for (i = pv->n - drop; i < pv->n; i++)
			pending_commit_clear(&pv->rows[i]);
		pv->at_end = 0;
	}
	pv->n -= drop;
}

/* Makes the window hold list indices lo .. hi - 1, as far as the list has them. */
static int
ensure(struct tui *t, struct pending_view *pv, long long lo, long long hi, int rows, char *err)
{
	int got;

	while (hi > pv->offset + pv->n && !pv->at_end) {
		if ((got = fetch(t, pv, 1, err)) < 0)
			return -1;
		trim(pv, 1, rows);
		if (got == 0)
			break;
	}
	while (lo < pv->offset && !pv->at_start) {
		if ((got = fetch(t, pv, -1, err)) < 0)
			return -1;
		trim(pv, -1, rows);
		if (got == 0)
			break;
	}
	return 0;
}

static struct pending_commit *
row(struct pending_view *pv, long long i)
{
	return i >= pv->offset && i < pv->offset + pv->n ? &pv->rows[i - pv->offset] : NULL;
}

static int
load_projects(struct tui *t, struct pending_view *pv, char *err)
{
	strbuf_reset(&pv->projects);
	return pending_projects(t->st, &pv->projects, PROJECT_NAMES, &pv->nprojects, err);
}

/* The number of pending commits, and the plan that suits it. */
static int
count(struct tui *t, struct pending_view *pv, char *err)
{
	if ((pv->total = pending_count(t->st, PENDING_SPARSE, NULL, err)) < 0)
		return -1;
	pv->plan = pending_plan(t->st, pv->total);
	return 0;
}

static int
load_first(struct tui *t, struct pending_view *pv, char *err)
{
	clear_rows(pv);
	pv->offset = 0;
	pv->offset_exact = 1;
	pv->at_start = 1;
	pv->at_end = 0;
	pv->cursor = pv->top = 0;
	return fetch(t, pv, 1, err) < 0 ? -1 : 0;
}

static int
load_last(struct tui *t, struct pending_view *pv, char *err)
{
	clear_rows(pv);
	pv->offset = pv->total;
	pv->offset_exact = 1;
	pv->at_start = 0;
	pv->at_end = 1;
	if (fetch(t, pv, -1, err) < 0)
		return -1;
	pv->total = pv->offset + pv->n;
	return 0;
}

static int
pending_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct pending_view *pv = xcalloc(1, sizeof *pv);
	long long width = 0;

	(void)arg;
	v->priv = pv;
	if (projects_name_width(t->st, &width, err) != 0)
		return -1;
	pv->project_width = width > PROJECT_MAX ? PROJECT_MAX : (int)width;
	if (count(t, pv, err) != 0 || load_projects(t, pv, err) != 0)
		return -1;
	return load_first(t, pv, err);
}

static void
pending_close(struct view *v)
{
	struct pending_view *pv = v->priv;

	if (pv == NULL)
		return;
	clear_rows(pv);
	free(pv->rows);
	strbuf_free(&pv->projects);
	free(pv);
	v->priv = NULL;
}

/*
 * Reads the list again around the cursor's commit: from it when it still
 * waits, else from the one that now takes its place (after a sync, most are
 * gone). Its place in the list is carried over until idle counts it again:
 * counting what comes before it reads every pending commit up to it.
 */
static int
pending_reload(struct view *v, struct tui *t, char *err)
{
	struct pending_view *pv = v->priv;
	struct pending_commit anchor, page[PAGE], *at = row(pv, pv->cursor);
	long long screen = pv->cursor - pv->top, place = pv->cursor;
	int rows = v->rows > 0 ? v->rows : 1, got;

	if (load_projects(t, pv, err) != 0 || count(t, pv, err) != 0)
		return -1;
	view_preview_changed(v);
	if (at == NULL || pv->cursor == 0)
		return load_first(t, pv, err);
	memset(&anchor, 0, sizeof anchor);
	memcpy(anchor.id, at->id, sizeof anchor.id);
	memcpy(anchor.started_at, at->started_at, sizeof anchor.started_at);
	if ((got = pending_commits(t->st, pv->plan, &anchor, 1, 1, PAGE, page, err)) < 0)
		return -1;
	clear_rows(pv);
	room_for(pv, got);
	memcpy(pv->rows, page, got * sizeof *page);
	pv->n = got;
	if (place > pv->total - got)
		place = pv->total - got > 0 ? pv->total - got : 0;
	pv->offset = place;
	pv->offset_exact = 0;
	pv->at_start = 0;
	pv->at_end = got < PAGE;
	if (pv->at_end)
		pv->total = pv->offset + pv->n;
	pv->cursor = place;
	pv->top = place - screen;
	view_list_clamp(pv->total, rows, &pv->cursor, &pv->top);
	return ensure(t, pv, pv->top, pv->top + rows, rows, err);
}

/* After a reload: where the window really starts. */
static int
place_window(struct tui *t, struct pending_view *pv, int rows)
{
	char err[ERRLEN];
	long long rank, delta;

	if (pv->n == 0) {
		pv->offset_exact = 1;
		return 0;
	}
	if ((rank = pending_count(t->st, pv->plan, &pv->rows[0], err)) < 0) {
		tui_message(t, 1, "%s", err);
		pv->offset_exact = 1;
		return 0;
	}
	delta = rank - pv->offset;
	pv->offset += delta;
	pv->cursor += delta;
	pv->top += delta;
	pv->offset_exact = 1;
	if (pv->at_end)
		pv->total = pv->offset + pv->n;
	view_list_clamp(pv->total, rows, &pv->cursor, &pv->top);
	return 1;
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
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = pv->top + y;
		rline_reset(&l);
		if ((c = row(pv, i)) == NULL) {
			if (y == 0 && pv->total == 0)
				rline_raw(&l, ROLE_MESSAGE, "Nothing waits to go up.");
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
		rline_draw(w, y, &l, &t->theme, cols, i == pv->cursor ? (int)ROLE_CURSOR : -1, NULL);
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
	struct pending_commit *c = row(pv, pv->cursor);
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
	if (pv->total > 0) {
		plural(&sb, pv->total, "commit waits", "commits wait");
		strbuf_adds(&sb, " to go up, in this order");
	}
	if (pv->nprojects > 0) {
		strbuf_adds(&sb, pv->total > 0 ? "; so do " : "Waiting to go up: ");
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
	long long i;

	if (!pv->offset_exact)
		return place_window(t, pv, v->rows > 0 ? v->rows : 1);
	for (i = pv->top; i < pv->top + v->rows; i++) {
		if ((c = row(pv, i)) != NULL && c->sessions < 0) {
			count_figures(t, c);
			return 1;
		}
	}
	return 0;
}

static enum view_result
pending_request(struct view *v, struct tui *t, enum action a)
{
	struct pending_view *pv = v->priv;
	long long old = pv->cursor;
	int rows = v->rows > 0 ? v->rows : 1;
	char err[ERRLEN] = "";
	struct pending_commit *c;

	switch (a) {
	case ACT_ENTER:
		if ((c = row(pv, pv->cursor)) != NULL)
			tui_push(t, &sessions_view_ops, c->id);
		return VIEW_HANDLED;
	case ACT_FIRST:
		if (!pv->at_start || pv->offset != 0)
			load_first(t, pv, err);
		break;
	case ACT_LAST:
		if (!pv->at_end)
			load_last(t, pv, err);
		break;
	default:
		break;
	}
	if (!view_list_move(a, pv->total, rows, &pv->cursor, &pv->top))
		return VIEW_IGNORED;
	if (err[0] == '\0')
		ensure(t, pv, pv->top < pv->cursor ? pv->top : pv->cursor,
		    pv->top + rows > pv->cursor + 1 ? pv->top + rows : pv->cursor + 1, rows, err);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	/* The list may have been shorter than counted. */
	view_list_clamp(pv->total, rows, &pv->cursor, &pv->top);
	if (pv->cursor != old || a == ACT_FIRST || a == ACT_LAST)
		view_preview_changed(v);
	return VIEW_HANDLED;
}

static void
pending_position(struct view *v, struct view_position *pos)
{
	struct pending_view *pv = v->priv;

	pos->line = pv->total > 0 ? pv->cursor + 1 : 0;
	pos->total = pv->total;
}

static const char *
pending_title(struct view *v)
{
	(void)v;
	return NULL;
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
