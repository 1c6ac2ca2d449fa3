/*
 * The commits view: every commit newest first, or one project's commits in
 * their curated order, with the curation keys. Rows come from the store a page
 * at a time through a keyset cursor (store/browse.h): the view holds a window
 * of a few pages around the cursor (ui/listwin.h), whatever the list's length.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "store/browse.h"
#include "store/commits.h"
#include "store/curate.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define PAGE 64			/* rows per query */
#define TITLE_MIN 20
#define PROJECT_MAX 14
#define BADGES 5
#define LIVE_DOT "\xe2\x97\x8f"	/* ● */
#define LIVE_MARK LIVE_DOT " live"	/* in the hash column: an agent writes it now */
#define HEADER_SEP " \xc2\xb7 "	/* · as the header puts between its fields */

struct commits_view {
	struct tui *t;
	char *project_id;	/* NULL: every project */
	char *project_name;
	int show_hidden;
	struct browse_filter filter;	/* f: what the list keeps */
	enum browse_sort sort;	/* s: its order; r turns it round */
	int ascending;
	char *title;		/* the header's: project, filter, sort */
	struct listwin lw;	/* of struct browse_commit, in list order */
	int project_width;
};

static void set_title(struct commits_view *cv);

static void
query_init(struct commits_view *cv, struct browse_query *q, const struct browse_commit *from,
    int dir, int limit)
{
	memset(q, 0, sizeof *q);
	q->project_id = cv->project_id;
	q->include_hidden = cv->show_hidden;
	q->filter = browse_filter_empty(&cv->filter) ? NULL : &cv->filter;
	q->sort = cv->sort;
	q->ascending = cv->ascending;
	q->from = from;
	q->dir = dir;
	q->limit = limit;
}

static int
source_fetch(void *ctx, const void *from, int dir, int limit, void *out, char *err)
{
	struct commits_view *cv = ctx;
	struct browse_query q;

	query_init(cv, &q, from, dir, limit);
	return browse_commits(cv->t->st, &q, out, err);
}

static long long
source_count(void *ctx, char *err)
{
	struct commits_view *cv = ctx;
	struct browse_query q;

	query_init(cv, &q, NULL, 1, 0);
	return browse_commit_count(cv->t->st, &q, err);
}

static void
source_clear(void *row)
{
	browse_commit_clear(row);
}

/* What a row shows, for /: its date, project, hash and title. */
static void
source_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct browse_commit *c = row;
	char date[32];

	(void)ctx;
	format_date(c->started_at, 0, date, sizeof date);
	strbuf_addf(out, "%s %s %s %s", date, c->project != NULL ? c->project : "",
	    c->git_hash != NULL ? c->git_hash : "", browse_commit_label(c));
}

static const struct listwin_source commits_source = {
	.size = sizeof(struct browse_commit),
	.fetch = source_fetch,
	.count = source_count,
	.clear = source_clear,
	.text = source_text,
};

/*
 * Being written right now: still open, and its latest record newer than
 * import.idle-minutes (after which the next import closes it as ended).
 */
static int
commit_live(const struct tui *t, const struct browse_commit *c)
{
	int64_t last = c->closed_at[0] != '\0' ? time_parse_iso_ms(c->closed_at) : -1;

	if (c->closed_by == NULL || strcmp(c->closed_by, "open") != 0 || last <= 0)
		return 0;
	return (int64_t)time_now() * 1000 - last <
	    (int64_t)config_get_number(t->cfg, "import.idle-minutes") * 60000;
}

static struct browse_commit *
cursor_commit(struct commits_view *cv)
{
	return listwin_cursor(&cv->lw);
}

/* The project column of the every-project list: as wide as the longest name, up to a limit. */
static int
measure_projects(struct commits_view *cv, char *err)
{
	long long width = 0;

	if (projects_name_width(cv->t->st, &width, err) != 0)
		return -1;
	cv->project_width = width > PROJECT_MAX ? PROJECT_MAX : (int)width;
	return 0;
}

static int
commits_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct commits_view *cv = xcalloc(1, sizeof *cv);
	long long width = 0;

	v->priv = cv;
	cv->t = t;
	browse_filter_init(&cv->filter);
	listwin_init(&cv->lw, &commits_source, cv, PAGE);
	if (arg != NULL) {
		if ((cv->project_name = projects_name_of(t->st, arg, err)) == NULL)
			return -1;
		cv->project_id = xstrdup(arg);
		width = (long long)text_width(cv->project_name);
		cv->project_width = width > PROJECT_MAX ? PROJECT_MAX : (int)width;
	} else if (measure_projects(cv, err) != 0)
		return -1;
	set_title(cv);
	/* Counted while idle. */
	return listwin_load_first(&cv->lw, err);
}

static void
commits_close(struct view *v)
{
	struct commits_view *cv = v->priv;

	if (cv == NULL)
		return;
	listwin_free(&cv->lw);
	free(cv->project_id);
	free(cv->project_name);
	browse_filter_free(&cv->filter);
	free(cv->title);
	free(cv);
	v->priv = NULL;
}

/* Whether the cursor's commit is still listed; if so, as it is now (a move changes its place). */
static int
still_listed(void *ctx, void *row, char *err)
{
	struct commits_view *cv = ctx;
	struct browse_commit *c = row, fresh;
	struct browse_query q;
	int listed;

	/* As the list has it (its sort key too), if the filter still keeps it. */
	query_init(cv, &q, NULL, 1, 1);
	q.only_id = c->id;
	if ((listed = browse_commits(cv->t->st, &q, &fresh, err)) <= 0)
		return listed;
	browse_commit_clear(c);
	*c = fresh;
	return 1;
}

/*
 * Reads the window again around the cursor's commit: at its new place when it
 * is still listed, else where it was.
 */
static int
commits_reload(struct view *v, struct tui *t, char *err)
{
	struct commits_view *cv = v->priv;

	(void)t;
	/* A new project may have a longer name. */
	if (cv->project_id == NULL && measure_projects(cv, err) != 0)
		return -1;
	cv->lw.total = -1;	/* counted again while idle */
	view_preview_changed(v);
	return listwin_reload(&cv->lw, still_listed, err);
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
	int live = commit_live(t, c);

	if (col->date) {
		format_date(c->started_at, col->date < 16, date, sizeof date);
		rline_add(l, ROLE_DATE, date, col->date);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	if (col->project) {
		rline_add(l, ROLE_PROJECT, c->project, col->project);
		rline_raw(l, ROLE_DEFAULT, " ");
	}
	if (col->hash && live) {
		rline_add(l, ROLE_BADGE_LIVE, LIVE_MARK, col->hash);
		rline_raw(l, ROLE_DEFAULT, " ");
	} else if (col->hash) {
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
	if (live && !col->hash) {
		/* No hash column to carry the mark: it leads the title. */
		rline_raw(l, ROLE_BADGE_LIVE, LIVE_DOT " ");
		rline_add(l, ROLE_TITLE, browse_commit_label(c), col->title > 3 ? col->title - 2 : 1);
	} else
		rline_add(l, ROLE_TITLE, browse_commit_label(c), col->title);
	rline_raw(l, ROLE_DEFAULT, " ");
	badges(t, c, l);
	(void)cv;
}

static void
commits_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct commits_view *cv = v->priv;
	struct browse_commit *c;
	struct columns col;
	struct rline l;
	int y;

	view_list_fit(t, &cv->lw, rows);
	choose_columns(cv, cols, &col);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		rline_reset(&l);
		if ((c = listwin_row(&cv->lw, cv->lw.top + y)) != NULL) {
			format_row(t, cv, c, &col, &l);
			rline_draw(w, y, &l, &t->theme, cols, cv->lw.top + y == cv->lw.cur ?
			    (int)ROLE_CURSOR : c->hidden ? (int)ROLE_HIDDEN : -1, cv->lw.needle);
		} else if (y == 0 && listwin_empty(&cv->lw)) {
			rline_raw(&l, ROLE_MESSAGE, !browse_filter_empty(&cv->filter) ?
			    "No commits match the filter (f changes it)." : cv->show_hidden ?
			    "No commits." : "No commits (a lists hidden ones).");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
		} else {
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
		}
	}
	rline_free(&l);
}

struct preview_ctx {
	const struct tui *t;
	struct textbuf *out;
	int cols;
	const struct browse_commit *bc;
};

/* The "a, b and 3 more" of a JSON array of paths, relative to root when inside it. */
static void
file_list(const char *json, const char *root, char *out, size_t size, long *count)
{
	cJSON *a = json != NULL ? cJSON_Parse(json) : NULL, *e;
	struct strbuf sb = STRBUF_INIT;
	long n = 0;

	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e))
			continue;
		if (n < 5)
			strbuf_addf(&sb, "%s%s", n > 0 ? ", " : "", paths_under(e->valuestring, root));
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
	else if (commit_live(p->t, p->bc))
		snprintf(buf, sizeof buf, "%s UTC, being written now (last at %s)", d1, d2);
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
	file_list(c->files_changed, c->project_path, buf, sizeof buf, &n);
	if (n > 0) {
		char *v = xprintf("%ld: %s", n, buf);
		textbuf_field(tb, "changed", lc, ROLE_DEFAULT, v, p->cols);
		free(v);
	}
	file_list(c->files_read, c->project_path, buf, sizeof buf, &n);
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
	struct preview_ctx p = { t, out, cols, NULL };
	char err[ERRLEN];

	if ((p.bc = cursor_commit(cv)) == NULL)
		return;
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

	if (text == NULL || (c = cursor_commit(cv)) == NULL)
		return;
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

	if (!yes || cursor_commit(cv) == NULL) {
		tui_message(t, 0, "Nothing deleted.");
		return;
	}
	if (curate_remove(t->st, cursor_commit(cv)->id, err) != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	tui_message(t, 0, "Deleted.");
	tui_edited(t);
}

static void
flag(struct tui *t, struct commits_view *cv, const char *field)
{
	struct browse_commit *c = cursor_commit(cv);
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
move_commit(struct tui *t, struct commits_view *cv, int up)
{
	char err[ERRLEN] = "";
	long long other = cv->lw.cur;
	int line = 0;

	if (cv->project_id == NULL) {
		tui_message(t, 1, "Commits are ordered within a project: open one first (P).");
		return;
	}
	if (cv->sort != BROWSE_SORT_DEFAULT || cv->ascending) {
		tui_message(t, 1, "Commits move in the curated order, as listed first"
		    " (s and r change the order).");
		return;
	}
	if (listwin_walk(&cv->lw, &other, &line, up ? -1 : 1, err) == 0) {
		if (err[0] != '\0')
			tui_message(t, 1, "%s", err);
		else
			tui_message(t, 0, up ? "Already the first." : "Already the last.");
		return;
	}
	/* The list is curate_move's order upside down: up means after the one above. */
	if (curate_move(t->st, cursor_commit(cv)->id,
	    ((struct browse_commit *)listwin_row(&cv->lw, other))->id, up, err) != 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	tui_message(t, 0, up ? "Moved up." : "Moved down.");
	tui_edited(t);
}

/* A commit's sessions, counted up to two; the first one's id. */
struct first_session {
	int n;
	char id[UUID_STRLEN];
};

static int
count_session(const struct session_row *s, void *arg)
{
	struct first_session *fs = arg;

	if (fs->n++ == 0)
		snprintf(fs->id, sizeof fs->id, "%s", s->id);
	return fs->n >= 2;
}

/* Enter: a commit of one session (nearly all) opens its conversation at once, else its sessions. */
static void
open_commit(struct tui *t, const char *commit_id)
{
	struct first_session fs = { 0 };
	char err[ERRLEN];

	if (sessions_list(t->st, commit_id, count_session, &fs, err) < 0) {
		tui_message(t, 1, "%s", err);
		return;
	}
	if (fs.n == 1)
		tui_push(t, &turns_view_ops, fs.id);
	else
		tui_push(t, &sessions_view_ops, commit_id);
}

/* How the order reads: "turns, most first". */
static const char *
sort_words(const struct commits_view *cv)
{
	switch (cv->sort) {
	case BROWSE_SORT_TURNS:
		return cv->ascending ? "turns, fewest first" : "turns, most first";
	case BROWSE_SORT_TOKENS:
		return cv->ascending ? "tokens, fewest first" : "tokens, most first";
	case BROWSE_SORT_DURATION:
		return cv->ascending ? "duration, shortest first" : "duration, longest first";
	case BROWSE_SORT_DEFAULT:
		if (cv->project_id != NULL)
			return cv->ascending ? "curated order, reversed" : "curated order";
		/* FALLTHROUGH */
	default:
		return cv->ascending ? "date, oldest first" : "date, newest first";
	}
}

/*
 * The header's title: the project (or all of them), then the filter and any
 * order but the default one, each a field of the header (" · " between).
 */
static void
set_title(struct commits_view *cv)
{
	struct strbuf sb = STRBUF_INIT;
	char *f = view_filter_title(&cv->filter);

	strbuf_adds(&sb, cv->project_name != NULL ? cv->project_name : "all projects");
	if (f != NULL)
		strbuf_addf(&sb, HEADER_SEP "%s", f);
	if (cv->sort != BROWSE_SORT_DEFAULT || cv->ascending)
		strbuf_addf(&sb, HEADER_SEP "sort: %s %s",
		    cv->sort != BROWSE_SORT_DEFAULT ? browse_sort_name(cv->sort) :
		    cv->project_id != NULL ? "curated" : "date",
		    cv->ascending ? "\xe2\x86\x91" : "\xe2\x86\x93");	/* ↑ ↓ */
	free(f);
	free(cv->title);
	cv->title = strbuf_detach(&sb);
}

/* The list from its first row under a new filter or order, counted again; done (if any) said. */
static void
relist(struct view *v, struct tui *t, struct commits_view *cv, const char *done)
{
	char err[ERRLEN] = "";

	set_title(cv);
	cv->lw.total = -1;
	view_preview_changed(v);
	if (listwin_load_first(&cv->lw, err) != 0)
		tui_message(t, 1, "%s", err);
	else if (done != NULL)
		tui_message(t, 0, "%s", done);
}

static void
filter_done(struct view *v, struct tui *t, const char *text)
{
	struct commits_view *cv = v->priv;

	if (view_filter_set(t, &cv->filter, BROWSE_FILTER_COMMITS, text))
		relist(v, t, cv, NULL);
}

/* s: the next order (a project's list has its curated one first, then the date). */
static void
next_sort(struct view *v, struct tui *t, struct commits_view *cv)
{
	char done[96];

	cv->sort = (enum browse_sort)((cv->sort + 1) % BROWSE_SORT_COUNT);
	if (cv->sort == BROWSE_SORT_DATE && cv->project_id == NULL)
		cv->sort = BROWSE_SORT_TURNS;	/* the default order already is by date */
	snprintf(done, sizeof done, "Sorted by %s.", sort_words(cv));
	relist(v, t, cv, done);
}

static enum view_result
commits_request(struct view *v, struct tui *t, enum action a)
{
	struct commits_view *cv = v->priv;
	struct browse_commit *c;
	char err[ERRLEN] = "";
	char *label;

	if (view_list_move(v, t, &cv->lw, a, v->rows))
		return VIEW_HANDLED;
	c = cursor_commit(cv);
	switch (a) {
	case ACT_ENTER:
		if (c != NULL)
			open_commit(t, c->id);
		return VIEW_HANDLED;
	case ACT_PUBLISH:
		if (c != NULL)
			flag(t, cv, "published");
		return VIEW_HANDLED;
	case ACT_HIDE:
		if (c != NULL)
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
		if (c == NULL)
			return VIEW_HANDLED;
		{
			struct strbuf sb = STRBUF_INIT;
			text_oneline(&sb, browse_commit_label(c), 0);
			label = strbuf_detach(&sb);
		}
		tui_prompt(t, "Title: ", label, retitle_done);
		free(label);
		return VIEW_HANDLED;
	case ACT_FILTER:
		view_filter_prompt(t, &cv->filter, filter_done);
		return VIEW_HANDLED;
	case ACT_SORT:
		next_sort(v, t, cv);
		return VIEW_HANDLED;
	case ACT_SORT_REVERSE:
		cv->ascending = !cv->ascending;
		{
			char done[96];
			snprintf(done, sizeof done, "Sorted by %s.", sort_words(cv));
			relist(v, t, cv, done);
		}
		return VIEW_HANDLED;
	case ACT_MOVE_COMMIT_UP:
	case ACT_MOVE_COMMIT_DOWN:
		if (c != NULL)
			move_commit(t, cv, a == ACT_MOVE_COMMIT_UP);
		return VIEW_HANDLED;
	case ACT_DELETE:
		if (c == NULL)
			return VIEW_HANDLED;
		{
			struct strbuf sb = STRBUF_INIT;
			int room = v->cols - 32;
			strbuf_adds(&sb, "Delete '");
			text_oneline(&sb, browse_commit_label(c),
			    room < 8 ? 8 : room > 40 ? 40 : room);
			strbuf_adds(&sb, "' everywhere? [y/N] ");
			tui_confirm(t, sb.buf, delete_done);
			strbuf_free(&sb);
		}
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
}

static void
commits_position(struct view *v, struct view_position *pos)
{
	struct commits_view *cv = v->priv;

	listwin_position(&cv->lw, &pos->line, &pos->total);
}

/* Counting a long list reads all of it: it waits until no key does. */
static int
commits_idle(struct view *v, struct tui *t)
{
	struct commits_view *cv = v->priv;
	char err[ERRLEN] = "";
	int more = listwin_idle(&cv->lw, err);

	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	return more;
}

static const char *
commits_commit_id(struct view *v)
{
	struct commits_view *cv = v->priv;
	struct browse_commit *c = listwin_cursor(&cv->lw);

	return c != NULL ? c->id : NULL;
}

static const char *
commits_title(struct view *v)
{
	struct commits_view *cv = v->priv;

	return cv->title;
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
	.commit_id = commits_commit_id,
	.title = commits_title,
	.idle = commits_idle,
	.close = commits_close,
};
