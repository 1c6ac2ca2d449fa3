/*
 * The commits view: every commit newest first, or one project's commits in
 * their curated order, with the curation keys. Rows come from the store a page
 * at a time through a keyset cursor (store/browse.h): the view holds a window
 * of at most WINDOW_MAX rows around the cursor, whatever the list's length.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse.h"
#include "store/commits.h"
#include "store/curate.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PAGE 64			/* rows per query */
#define WINDOW_MAX (4 * PAGE)	/* rows kept around the cursor */
#define TITLE_MIN 20
#define PROJECT_MAX 14
#define BADGES 5

struct commits_view {
	char *project_id;	/* NULL: every project */
	char *project_name;
	int show_hidden;
	struct browse_commit *rows;	/* the window, in list order */
	int n, cap;
	int at_start, at_end;	/* the window holds the list's first / last row */
	long long offset;	/* the list index of rows[0] */
	int cursor, top;	/* indices into rows */
	long long total;
	int project_width;
};

static void
query_init(struct commits_view *cv, struct browse_query *q, const struct browse_commit *from,
    int dir, int limit)
{
	memset(q, 0, sizeof *q);
	q->project_id = cv->project_id;
	q->include_hidden = cv->show_hidden;
	q->from = from;
	q->dir = dir;
	q->limit = limit;
}

static void
clear_rows(struct commits_view *cv)
{
	int i;

	for (i = 0; i < cv->n; i++)
		browse_commit_clear(&cv->rows[i]);
	cv->n = 0;
}

/* Appends (dir > 0) or prepends (dir < 0) a page; returns how many rows came. */
static int
fetch(struct tui *t, struct commits_view *cv, int dir, char *err)
{
	struct browse_commit page[PAGE];
	struct browse_query q;
	int got;

	if ((dir > 0 && cv->at_end) || (dir < 0 && cv->at_start))
		return 0;
	query_init(cv, &q, cv->n > 0 ? &cv->rows[dir > 0 ? cv->n - 1 : 0] : NULL, dir, PAGE);
	if ((got = browse_commits(t->st, &q, page, err)) < 0)
		return -1;
	if (cv->n + got > cv->cap) {
		cv->cap = cv->n + got + PAGE;
		cv->rows = xreallocarray(cv->rows, cv->cap, sizeof *cv->rows);
	}
	if (got < PAGE) {
		if (dir > 0)
			cv->at_end = 1;
		else
			cv->at_start = 1;
	}
	if (got == 0) {
		if (dir < 0)
			cv->offset = 0;
		return 0;
	}
	if (dir > 0) {
		memcpy(cv->rows + cv->n, page, got * sizeof *page);
	} else {
		memmove(cv->rows + got, cv->rows, cv->n * sizeof *cv->rows);
		memcpy(cv->rows, page, got * sizeof *page);
		cv->cursor += got;
		cv->top += got;
		cv->offset -= got;
		if (cv->at_start)
			cv->offset = 0;
	}
	cv->n += got;
	return got;
}

/*
 * Drops rows far from the cursor so the window stays under WINDOW_MAX; returns
 * how many went from the start (every index into rows moves down by that).
 */
static int
trim(struct commits_view *cv)
{
	int drop = 0, i;

	if (cv->n <= WINDOW_MAX - PAGE)
		return 0;
	if (cv->top > PAGE) {
		drop = cv->top - PAGE / 2;
		for (i = 0; i < drop; i++)
			browse_commit_clear(&cv->rows[i]);
		memmove(cv->rows, cv->rows + drop, (cv->n - drop) * sizeof *cv->rows);
		cv->n -= drop;
		cv->cursor -= drop;
		cv->top -= drop;
		cv->offset += drop;
		cv->at_start = 0;
	}
	if (cv->n > WINDOW_MAX - PAGE) {
		int keep = cv->top + 2 * PAGE;
		if (keep < cv->cursor + PAGE)
			keep = cv->cursor + PAGE;
		if (keep < cv->n) {
			for (i = keep; i < cv->n; i++)
				browse_commit_clear(&cv->rows[i]);
			cv->n = keep;
			cv->at_end = 0;
		}
	}
	return drop;
}

/* Makes rows[idx] exist when the list has it (fetching pages); returns the index now. */
static int
need(struct tui *t, struct commits_view *cv, int idx, char *err)
{
	while (idx >= cv->n && !cv->at_end) {
		if (cv->n + PAGE > WINDOW_MAX)
			idx -= trim(cv);
		if (idx < cv->n)
			break;
		if (fetch(t, cv, 1, err) <= 0)
			break;
	}
	while (idx < 0 && !cv->at_start) {
		int got;
		if (cv->n + PAGE > WINDOW_MAX) {
			/* Make room at the end. */
			int keep = cv->n - PAGE, i;
			if (keep < cv->cursor + 1)
				keep = cv->cursor + 1;
			if (keep < cv->top + 1)
				keep = cv->top + 1;
			for (i = keep; i < cv->n; i++)
				browse_commit_clear(&cv->rows[i]);
			if (keep < cv->n)
				cv->at_end = 0;
			if (keep < cv->n)
				cv->n = keep;
		}
		if ((got = fetch(t, cv, -1, err)) <= 0)
			break;
		idx += got;
	}
	return idx;
}

static void
fix_view(struct commits_view *cv, int rows)
{
	if (cv->n == 0) {
		cv->cursor = cv->top = 0;
		return;
	}
	if (cv->cursor >= cv->n)
		cv->cursor = cv->n - 1;
	if (cv->cursor < 0)
		cv->cursor = 0;
	if (cv->top > cv->cursor)
		cv->top = cv->cursor;
	if (cv->cursor >= cv->top + rows)
		cv->top = cv->cursor - rows + 1;
	if (cv->top < 0)
		cv->top = 0;
}

static int
count(struct tui *t, struct commits_view *cv, char *err)
{
	struct browse_query q;

	query_init(cv, &q, NULL, 1, 0);
	cv->total = browse_commit_count(t->st, &q, err);
	return cv->total < 0 ? -1 : 0;
}

static int
load_first(struct tui *t, struct commits_view *cv, char *err)
{
	clear_rows(cv);
	cv->at_start = 1;
	cv->at_end = 0;
	cv->offset = 0;
	cv->cursor = cv->top = 0;
	return fetch(t, cv, 1, err) < 0 ? -1 : 0;
}

static int
load_last(struct tui *t, struct commits_view *cv, int rows, char *err)
{
	clear_rows(cv);
	cv->at_start = 0;
	cv->at_end = 1;
	cv->cursor = cv->top = 0;
	if (cv->total < 0 && count(t, cv, err) != 0)
		return -1;
	cv->offset = cv->total;
	if (fetch(t, cv, -1, err) < 0)
		return -1;
	cv->cursor = cv->n - 1;
	cv->top = cv->n - rows;
	fix_view(cv, rows);
	return 0;
}

static int
commits_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct commits_view *cv = xcalloc(1, sizeof *cv);
	long long width = 0;

	v->priv = cv;
	cv->cap = WINDOW_MAX + PAGE;
	cv->rows = xcalloc(cv->cap, sizeof *cv->rows);
	if (arg != NULL) {
		sqlite3_stmt *s = store_prepare(t->st, "SELECT name FROM projects WHERE id = ?1", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			cv->project_name = xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		if (cv->project_name == NULL)
			return seterr(err, "no project %s", arg);
		cv->project_id = xstrdup(arg);
		width = (long long)text_width(cv->project_name);
	} else if (projects_name_width(t->st, &width, err) != 0)
		return -1;
	cv->project_width = width > PROJECT_MAX ? PROJECT_MAX : (int)width;
	cv->total = -1;		/* counted while idle */
	return load_first(t, cv, err);
}

static void
commits_close(struct view *v)
{
	struct commits_view *cv = v->priv;

	if (cv == NULL)
		return;
	clear_rows(cv);
	free(cv->rows);
	free(cv->project_id);
	free(cv->project_name);
	free(cv);
	v->priv = NULL;
}

/*
 * Reads the window again around the cursor's commit: at its new place when it
 * is still listed (a move changes its place), else where it was.
 */
static int
commits_reload(struct view *v, struct tui *t, char *err)
{
	struct commits_view *cv = v->priv;
	struct browse_commit anchor, fresh;
	int rows = v->rows > 0 ? v->rows : 1, found, listed;
	long long top_abs;
	long long offset;

	cv->total = -1;		/* counted again while idle */
	if (cv->n == 0)
		return load_first(t, cv, err);
	browse_commit_copy(&anchor, &cv->rows[cv->cursor]);
	top_abs = cv->offset + cv->top;
	offset = cv->offset + cv->cursor;
	found = browse_commit_get(t->st, anchor.id, &fresh, err);
	if (found < 0) {
		browse_commit_clear(&anchor);
		return -1;
	}
	listed = found == 1 && (cv->show_hidden || !fresh.hidden) &&
	    (cv->project_id == NULL || (fresh.project_id != NULL &&
	    strcmp(fresh.project_id, cv->project_id) == 0));
	if (listed) {
		browse_commit_clear(&anchor);
		anchor = fresh;
	} else if (found == 1)
		browse_commit_clear(&fresh);

	clear_rows(cv);
	cv->at_start = cv->at_end = 0;
	cv->cursor = cv->top = 0;
	/* The rows after the anchor, then the ones before it. */
	cv->rows[0] = anchor;
	cv->n = 1;
	if (fetch(t, cv, 1, err) < 0 || fetch(t, cv, -1, err) < 0)
		return -1;
	/* rows[cursor] is the anchor: keep it if listed, else drop it. */
	if (!listed) {
		browse_commit_clear(&cv->rows[cv->cursor]);
		memmove(cv->rows + cv->cursor, cv->rows + cv->cursor + 1,
		    (cv->n - cv->cursor - 1) * sizeof *cv->rows);
		cv->n--;
		if (cv->cursor >= cv->n)
			cv->cursor = cv->n - 1;
	}
	if (!cv->at_start)
		cv->offset = offset - cv->cursor;
	if (cv->offset < 0)
		cv->offset = 0;
	/* The pane stays where it was, as far as the cursor lets it. */
	cv->top = (int)(top_abs - cv->offset);
	fix_view(cv, rows);
	view_preview_changed(v);
	return 0;
}

/* Which columns fit in cols. */
struct columns {
	int date;		/* 16, 11 or 0 */
	int project;
	int hash;
	int turns;
	int title;
};

static void
choose_columns(const struct commits_view *cv, int cols, struct columns *c)
{
	int fixed;

	c->date = 16;
	c->project = cv->project_id == NULL ? cv->project_width : 0;
	c->hash = 7;
	c->turns = 4;
	for (;;) {
		fixed = (c->date ? c->date + 1 : 0) + (c->project ? c->project + 1 : 0) +
		    (c->hash ? c->hash + 1 : 0) + (c->turns ? c->turns + 1 : 0) + BADGES + 1;
		c->title = cols - fixed;
		if (c->title >= TITLE_MIN)
			break;
		if (c->hash)
			c->hash = 0;
		else if (c->turns)
			c->turns = 0;
		else if (c->project)
			c->project = 0;
		else if (c->date == 16)
			c->date = 11;
		else if (c->date)
			c->date = 0;
		else
			break;
	}
	if (c->title < 1)
		c->title = 1;
}

static void
badges(struct tui *t, const struct browse_commit *c, struct rline *l)
{
	rline_raw(l, ROLE_BADGE_PUBLISHED, c->published ? "P" : " ");
	rline_raw(l, ROLE_BADGE_HIDDEN, c->hidden ? "H" : " ");
	rline_raw(l, ROLE_BADGE_PARALLEL, c->parallel ? "\xe2\x88\xa5" : " ");	/* ∥ */
	rline_raw(l, ROLE_BADGE_PENDING, c->pending && tui_syncing_enabled(t) ?
	    "\xe2\x86\x91" : " ");	/* ↑ */
	rline_raw(l, ROLE_BADGE_CONFLICT, c->conflict ? "!" : " ");
}

static void
format_row(struct tui *t, const struct commits_view *cv, const struct browse_commit *c,
    const struct columns *col, struct rline *l)
{
	char date[32], turns[16];

	if (col->date) {
		format_date(c->started_at, col->date < 16, date, sizeof date);
		rline_add(l, ROLE_DATE, date, col->date);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	if (col->project) {
		rline_add(l, ROLE_PROJECT, c->project, col->project);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	if (col->hash) {
		const char *h = c->git_hash != NULL ? c->git_hash :
		    c->closed_by != NULL && strcmp(c->closed_by, "open") == 0 ? "open" : "ended";
		rline_add(l, ROLE_HASH, h, col->hash);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	if (col->turns) {
		format_count(c->turns, turns, sizeof turns);
		rline_pad(l, ROLE_NUMBER, l->width + col->turns - (int)strlen(turns));
		rline_raw(l, ROLE_NUMBER, turns);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	rline_add(l, ROLE_TITLE, browse_commit_label(c), col->title);
	rline_raw(l, ROLE_DEFAULT, " ");
	badges(t, c, l);
	(void)cv;
}

static void
commits_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct commits_view *cv = v->priv;
	struct columns col;
	struct rline l;
	int y, i;

	choose_columns(cv, cols, &col);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = cv->top + y;
		rline_reset(&l);
		if (i < cv->n) {
			format_row(t, cv, &cv->rows[i], &col, &l);
			rline_draw(w, y, &l, &t->theme, cols, i == cv->cursor ? (int)ROLE_CURSOR :
			    cv->rows[i].hidden ? (int)ROLE_HIDDEN : -1, NULL);
		} else if (y == 0 && cv->n == 0) {
			rline_raw(&l, ROLE_MESSAGE, cv->show_hidden ? "No commits." :
			    "No commits (a lists hidden ones).");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
		} else {
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
		}
	}
	rline_free(&l);
}

struct preview_ctx {
	struct textbuf *out;
	int cols;
	const struct browse_commit *bc;
};

/* The "a, b and 3 more" of a JSON array of paths. */
static void
file_list(const char *json, char *out, size_t size, long *count)
{
	cJSON *a = json != NULL ? cJSON_Parse(json) : NULL, *e;
	struct strbuf sb = STRBUF_INIT;
	long n = 0;

	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e))
			continue;
		if (n < 5)
			strbuf_addf(&sb, "%s%s", n > 0 ? ", " : "", e->valuestring);
		n++;
	}
	if (n > 5)
		strbuf_addf(&sb, " and %ld more", n - 5);
	cJSON_Delete(a);
	snprintf(out, size, "%s", sb.buf != NULL ? sb.buf : "");
	strbuf_free(&sb);
	*count = n;
}

static int
preview_commit(const struct commit_row *c, void *arg)
{
	struct preview_ctx *p = arg;
	struct textbuf *tb = p->out;
	char buf[1024], d1[32], d2[32];
	struct strbuf sb = STRBUF_INIT;
	struct rline *l;
	long n;
	const int lc = 9;

	l = textbuf_line(tb);
	rline_add(l, ROLE_TITLE, browse_commit_label(p->bc), -p->cols);
	textbuf_field(tb, "commit", lc, ROLE_ID, c->id, p->cols);
	snprintf(buf, sizeof buf, "%s%s%s%s", c->project != NULL ? c->project : "?",
	    c->project_path != NULL ? " (" : "", c->project_path != NULL ? c->project_path : "",
	    c->project_path != NULL ? ")" : "");
	textbuf_field(tb, "project", lc, ROLE_PROJECT, buf, p->cols);
	format_date(c->started_at, 0, d1, sizeof d1);
	format_date(c->closed_at, 0, d2, sizeof d2);
	if (strcmp(c->closed_by, "git_commit") == 0)
		snprintf(buf, sizeof buf, "%s to %s UTC, git commit %.7s %s", d1, d2,
		    c->git_hash != NULL ? c->git_hash : "?",
		    c->git_subject != NULL ? c->git_subject : "");
	else if (strcmp(c->closed_by, "session_end") == 0)
		snprintf(buf, sizeof buf, "%s to %s UTC, the session ended", d1, d2);
	else
		snprintf(buf, sizeof buf, "%s UTC, still open", d1);
	textbuf_field(tb, "when", lc, ROLE_DATE, buf, p->cols);
	snprintf(buf, sizeof buf, "%lld in %lld session%s", c->turns, c->sessions,
	    c->sessions == 1 ? "" : "s");
	textbuf_field(tb, "turns", lc, ROLE_NUMBER, buf, p->cols);
	if (c->published)
		strbuf_adds(&sb, "published");
	if (c->hidden)
		strbuf_addf(&sb, "%shidden", sb.len ? ", " : "");
	if (c->parallel)
		strbuf_addf(&sb, "%sparallel", sb.len ? ", " : "");
	if (p->bc->pending)
		strbuf_addf(&sb, "%snot synced yet", sb.len ? ", " : "");
	if (p->bc->conflict)
		strbuf_addf(&sb, "%sin conflict", sb.len ? ", " : "");
	if (c->title != NULL)
		strbuf_addf(&sb, "%stitled by hand", sb.len ? ", " : "");
	if (sb.len > 0)
		textbuf_field(tb, "state", lc, ROLE_DEFAULT, sb.buf, p->cols);
	strbuf_free(&sb);
	file_list(c->files_changed, buf, sizeof buf, &n);
	if (n > 0) {
		char *v = xprintf("%ld: %s", n, buf);
		textbuf_field(tb, "changed", lc, ROLE_DEFAULT, v, p->cols);
		free(v);
	}
	file_list(c->files_read, buf, sizeof buf, &n);
	if (n > 0) {
		char *v = xprintf("%ld: %s", n, buf);
		textbuf_field(tb, "read", lc, ROLE_DEFAULT, v, p->cols);
		free(v);
	}
	if (c->first_prompt != NULL) {
		textbuf_line(tb);
		textbuf_wrap(tb, ROLE_DEFAULT, c->first_prompt, ROLE_DEFAULT, "", p->cols, -1);
	}
	return 0;
}

static void
commits_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct commits_view *cv = v->priv;
	struct preview_ctx p = { out, cols, NULL };
	char err[ERRLEN];

	if (cv->n == 0)
		return;
	p.bc = &cv->rows[cv->cursor];
	if (commits_get(t->st, p.bc->id, preview_commit, &p, err) < 0)
		tui_message(t, 1, "%s", err);
}

static void
retitle_done(struct view *v, struct tui *t, const char *text)
{
	struct commits_view *cv = v->priv;
	struct browse_commit *c;
	char err[ERRLEN];
	int rc;

	if (text == NULL || cv->n == 0)
		return;
	c = &cv->rows[cv->cursor];
	if (*text == '\0') {
		if (c->title == NULL)
			return;
		rc = curate_title(t->st, c->id, NULL, err);
	} else {
		if ((c->title != NULL && strcmp(c->title, text) == 0) ||
		    (c->title == NULL && strcmp(browse_commit_label(c), text) == 0))
			return;	/* unchanged: nothing to sync */
		rc = curate_title(t->st, c->id, text, err);
	}
	if (rc != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	tui_message(t, 0, *text == '\0' ? "Title removed." : "Title saved.");
	tui_edited(t);
}

static void
delete_done(struct view *v, struct tui *t, int yes)
{
	struct commits_view *cv = v->priv;
	char err[ERRLEN];

	if (!yes || cv->n == 0) {
		tui_message(t, 0, "Nothing deleted.");
		return;
	}
	if (curate_remove(t->st, cv->rows[cv->cursor].id, err) != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	tui_message(t, 0, "Deleted.");
	tui_edited(t);
}

static void
flag(struct tui *t, struct commits_view *cv, const char *field)
{
	struct browse_commit *c = &cv->rows[cv->cursor];
	int on = strcmp(field, "published") == 0 ? !c->published : !c->hidden;
	char err[ERRLEN];

	if (curate_flag(t->st, c->id, field, on, err) != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	if (strcmp(field, "published") == 0)
		tui_message(t, 0, on ? "Published." : "Unpublished.");
	else
		tui_message(t, 0, on && !cv->show_hidden ? "Hidden (a lists hidden commits)." :
		    on ? "Hidden." : "Unhidden.");
	tui_edited(t);
}

static void
move_commit(struct tui *t, struct view *v, struct commits_view *cv, int up)
{
	char err[ERRLEN];
	int other = cv->cursor + (up ? -1 : 1);

	if (cv->project_id == NULL) {
		tui_message(t, 1, "Commits are ordered within a project: open one first (P).");
		return;
	}
	other = need(t, cv, other, err);
	fix_view(cv, v->rows);
	if (other < 0 || other >= cv->n) {
		tui_message(t, 0, up ? "Already the first." : "Already the last.");
		return;
	}
	/* The list is curate_move's order upside down: up means after the one above. */
	if (curate_move(t->st, cv->rows[cv->cursor].id, cv->rows[other].id, up, err) != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	tui_message(t, 0, up ? "Moved up." : "Moved down.");
	tui_edited(t);
}

static enum view_result
commits_request(struct view *v, struct tui *t, enum action a)
{
	struct commits_view *cv = v->priv;
	int rows = v->rows > 0 ? v->rows : 1, old = cv->cursor, half = rows / 2 ? rows / 2 : 1;
	char err[ERRLEN] = "";
	char *label;

	switch (a) {
	case ACT_MOVE_DOWN:
		cv->cursor = need(t, cv, cv->cursor + 1, err);
		break;
	case ACT_MOVE_UP:
		cv->cursor = need(t, cv, cv->cursor - 1, err);
		break;
	case ACT_PAGE_DOWN:
	case ACT_HALF_DOWN: {
		int step = a == ACT_PAGE_DOWN ? rows : half;
		need(t, cv, cv->top + step + rows - 1, err);
		cv->cursor = need(t, cv, cv->cursor + step, err);
		if (cv->top + step + rows <= cv->n)
			cv->top += step;
		else
			cv->top = cv->n - rows;
		break;
	}
	case ACT_PAGE_UP:
	case ACT_HALF_UP: {
		int step = a == ACT_PAGE_UP ? rows : half;
		int newtop = need(t, cv, cv->top - step, err);
		cv->cursor = cv->cursor - (cv->top - newtop);
		cv->top = newtop < 0 ? 0 : newtop;
		if (cv->cursor >= cv->top + rows)
			cv->cursor = cv->top + rows - 1;
		if (newtop < 0)
			cv->cursor = 0;
		break;
	}
	case ACT_FIRST:
		if (!cv->at_start || cv->offset != 0)
			load_first(t, cv, err);
		cv->cursor = cv->top = 0;
		break;
	case ACT_LAST:
		if (!cv->at_end)
			load_last(t, cv, rows, err);
		cv->cursor = cv->n - 1;
		break;
	case ACT_ENTER:
		if (cv->n > 0)
			tui_push(t, &sessions_view_ops, cv->rows[cv->cursor].id);
		return VIEW_HANDLED;
	case ACT_PUBLISH:
		if (cv->n > 0)
			flag(t, cv, "published");
		return VIEW_HANDLED;
	case ACT_HIDE:
		if (cv->n > 0)
			flag(t, cv, "hidden");
		return VIEW_HANDLED;
	case ACT_SHOW_HIDDEN:
		cv->show_hidden = !cv->show_hidden;
		if (commits_reload(v, t, err) != 0)
			tui_message(t, 1, "%s", err);
		else
			tui_message(t, 0, cv->show_hidden ? "Hidden commits are listed (dimmed)." :
			    "Hidden commits are not listed.");
		return VIEW_HANDLED;
	case ACT_RETITLE:
		if (cv->n == 0)
			return VIEW_HANDLED;
		{
			struct strbuf sb = STRBUF_INIT;
			text_oneline(&sb, browse_commit_label(&cv->rows[cv->cursor]), 0);
			label = strbuf_detach(&sb);
		}
		tui_prompt(t, "Title: ", label, retitle_done);
		free(label);
		return VIEW_HANDLED;
	case ACT_MOVE_COMMIT_UP:
	case ACT_MOVE_COMMIT_DOWN:
		if (cv->n > 0)
			move_commit(t, v, cv, a == ACT_MOVE_COMMIT_UP);
		return VIEW_HANDLED;
	case ACT_DELETE:
		if (cv->n == 0)
			return VIEW_HANDLED;
		{
			struct strbuf sb = STRBUF_INIT;
			int room = v->cols - 32;
			strbuf_adds(&sb, "Delete '");
			text_oneline(&sb, browse_commit_label(&cv->rows[cv->cursor]),
			    room < 8 ? 8 : room > 40 ? 40 : room);
			strbuf_adds(&sb, "' everywhere? [y/N] ");
			tui_confirm(t, sb.buf, delete_done);
			strbuf_free(&sb);
		}
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	fix_view(cv, rows);
	if (cv->cursor != old || a == ACT_FIRST || a == ACT_LAST)
		view_preview_changed(v);
	return VIEW_HANDLED;
}

static void
commits_position(struct view *v, struct view_position *pos)
{
	struct commits_view *cv = v->priv;

	pos->line = cv->n > 0 ? cv->offset + cv->cursor + 1 : 0;
	pos->total = cv->total;
}

/* Counting a long list reads all of it: it waits until no key does. */
static int
commits_idle(struct view *v, struct tui *t)
{
	struct commits_view *cv = v->priv;
	char err[ERRLEN];

	if (cv->total >= 0)
		return 0;
	if (count(t, cv, err) != 0) {
		cv->total = 0;
		tui_message(t, 1, "%s", err);
	}
	return 1;
}

static const char *
commits_title(struct view *v)
{
	struct commits_view *cv = v->priv;

	return cv->project_name;
}

const struct view_ops commits_view_ops = {
	.name = "commits",
	.id = VIEW_COMMITS,
	.open = commits_open,
	.reload = commits_reload,
	.draw = commits_draw,
	.preview = commits_preview,
	.request = commits_request,
	.position = commits_position,
	.title = commits_title,
	.idle = commits_idle,
	.close = commits_close,
};
