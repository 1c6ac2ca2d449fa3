/*
 * The conflicts view: every open conflict (store/conflicts.h), one field of
 * one commit a row, with both values. Held ones wait for a decision and keep
 * their commit from going up; settled ones were decided by the last write and
 * wait for review. Enter opens the resolve pane for the row's commit. Open
 * conflicts are few (one per field of a commit edited on two machines at
 * once), so they are read whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/browse.h"
#include "store/conflicts.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define CONFLICTS_MAX 10000
#define STATE_COLS 8
#define FIELD_COLS 10
#define LABEL_MIN 12
#define LABEL_MAX 24
#define VALUE_MIN 8

struct conflict_item {
	char *id;
	char *commit_id, *field, *local, *cloud, *detected_at;
	char winner[8];		/* "" while held */
	char *label;		/* the commit's own label (not its title, which may be in conflict) */
	char *project;
	char *table;
};

struct conflicts_view {
	struct tui *t;
	struct browse_filter filter;	/* f: what the list keeps */
	char *title;		/* "filter: ...", or NULL */
	struct listwin lw;	/* of struct conflict_item, every one the filter keeps */
	struct conflict_item *rows;	/* while reading them */
	size_t n;
};

static char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
add_conflict(const struct conflict_row *c, void *arg)
{
	struct conflicts_view *cv = arg;
	struct conflict_item *it;

	if (cv->n >= CONFLICTS_MAX)
		return 1;
	cv->rows = xreallocarray(cv->rows, cv->n + 1, sizeof *cv->rows);
	it = &cv->rows[cv->n++];
	memset(it, 0, sizeof *it);
	it->id = dup(c->id);
	it->commit_id = dup(c->record_id);
	it->field = dup(c->field);
	it->local = dup(c->local_value);
	it->cloud = dup(c->cloud_value);
	it->detected_at = dup(c->detected_at);
	it->table = dup(c->table);
	snprintf(it->winner, sizeof it->winner, "%s", c->winner != NULL ? c->winner : "");
	return 0;
}

static void
conflict_clear(void *row)
{
	struct conflict_item *it = row;

	free(it->id);
	free(it->commit_id);
	free(it->field);
	free(it->local);
	free(it->cloud);
	free(it->detected_at);
	free(it->label);
	free(it->project);
	free(it->table);
}

/* What a row shows, for /: its state, commit, field and both values. */
static void
conflict_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct conflict_item *c = row;
	struct conflicts_view *cv = ctx;

	strbuf_addf(out, "%s %s %s ", c->winner[0] == '\0' ? "held" : "settled", c->label,
	    view_field_label(c->field));
	view_field_value(out, cv->t, c->commit_id, c->field, c->local);
	strbuf_addc(out, ' ');
	view_field_value(out, cv->t, c->commit_id, c->field, c->cloud);
}

static const struct listwin_source conflicts_source = {
	.size = sizeof(struct conflict_item),
	.text = conflict_text,
	.clear = conflict_clear,
};

static int
same_conflict(const void *a, const void *b)
{
	return strcmp(((const struct conflict_item *)a)->id,
	    ((const struct conflict_item *)b)->id) == 0;
}

/* The commits' labels, read after the list (conflicts_list holds its statement meanwhile). */
static int
label_rows(struct tui *t, struct conflicts_view *cv, char *err)
{
	struct browse_commit bc;
	size_t i;
	int found;

	for (i = 0; i < cv->n; i++) {
		if ((found = browse_commit_get(t->st, cv->rows[i].commit_id, &bc, err)) < 0)
			return -1;
		if (found == 0) {
			cv->rows[i].label = xprintf("commit %.8s", cv->rows[i].commit_id);
			continue;
		}
		free(bc.title);
		bc.title = NULL;
		cv->rows[i].label = xstrdup(browse_commit_label(&bc));
		cv->rows[i].project = dup(bc.project);
		browse_commit_clear(&bc);
	}
	return 0;
}

/* Whether the filter keeps c: each of its terms holds (words: in what the row shows). */
static int
kept(struct conflicts_view *cv, const struct conflict_item *c)
{
	const struct browse_filter *f = &cv->filter;
	struct strbuf sb = STRBUF_INIT;
	const char *day = c->detected_at != NULL ? c->detected_at : "";
	int keep = 1, i;

	if (browse_filter_empty(f))
		return 1;
	conflict_text(cv, c, &sb);
	strbuf_addf(&sb, " %s", c->project != NULL ? c->project : "");
	for (i = 0; i < f->nwords && keep; i++)
		keep = strcasestr(sb.buf, f->words[i]) != NULL;
	strbuf_free(&sb);
	if (f->project != NULL)
		keep = keep && c->project != NULL && strcasestr(c->project, f->project) != NULL;
	if (f->since[0] != '\0')
		keep = keep && strncmp(day, f->since, 10) >= 0;
	if (f->until[0] != '\0')
		keep = keep && strncmp(day, f->until, 10) <= 0;
	if (f->field != NULL)
		keep = keep && (strcasecmp(c->field, f->field) == 0 ||
		    strcasecmp(view_field_label(c->field), f->field) == 0);
	if (f->table != NULL)
		keep = keep && c->table != NULL && strcasestr(c->table, f->table) != NULL;
	if (f->held >= 0)
		keep = keep && (c->winner[0] == '\0') == f->held;
	return keep;
}

/* The rows the filter keeps, moved to the front; how many. */
static size_t
keep_filtered(struct conflicts_view *cv)
{
	size_t i, n = 0;

	for (i = 0; i < cv->n; i++) {
		if (kept(cv, &cv->rows[i]))
			cv->rows[n++] = cv->rows[i];
		else
			conflict_clear(&cv->rows[i]);
	}
	return n;
}

/* Every open conflict again (that the filter keeps); the cursor stays on its conflict. */
static int
load(struct tui *t, struct conflicts_view *cv, char *err)
{
	int rc = conflicts_list(t->st, t->machine_id, add_conflict, cv, err) != 0 ? -1 :
	    label_rows(t, cv, err);

	if (rc == 0)
		cv->n = keep_filtered(cv);
	if (rc == 0)
		listwin_set(&cv->lw, cv->rows, (int)cv->n, same_conflict);
	else {
		while (cv->n > 0)
			conflict_clear(&cv->rows[--cv->n]);
		free(cv->rows);
	}
	cv->rows = NULL;
	cv->n = 0;
	return rc;
}

static int
conflicts_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct conflicts_view *cv = xcalloc(1, sizeof *cv);

	(void)arg;
	v->priv = cv;
	cv->t = t;
	browse_filter_init(&cv->filter);
	listwin_init(&cv->lw, &conflicts_source, cv, 1);
	return load(t, cv, err);
}

static void
conflicts_close(struct view *v)
{
	struct conflicts_view *cv = v->priv;

	if (cv == NULL)
		return;
	listwin_free(&cv->lw);
	browse_filter_free(&cv->filter);
	free(cv->title);
	free(cv);
	v->priv = NULL;
}

/* The list pane's first line names the columns. */
static int
list_rows(const struct view *v)
{
	return v->rows > 1 ? v->rows - 1 : 1;
}

static int
conflicts_reload(struct view *v, struct tui *t, char *err)
{
	view_preview_changed(v);
	return load(t, v->priv, err);
}

struct columns {
	int label, value;	/* value 0: the values are only in the preview */
};

static void
choose_columns(int cols, struct columns *c)
{
	int rest = cols - STATE_COLS - FIELD_COLS;

	c->value = 0;
	c->label = rest;
	if (rest >= LABEL_MIN + 2 * (VALUE_MIN + 1)) {
		c->label = rest / 3 > LABEL_MAX ? LABEL_MAX : rest / 3 < LABEL_MIN ? LABEL_MIN :
		    rest / 3;
		c->value = (rest - c->label - 2) / 2;
	}
	if (c->label < 1)
		c->label = 1;
}

static void
value_cell(struct rline *l, struct tui *t, enum color_role role, const struct conflict_item *c,
    const char *json, int cols)
{
	struct strbuf sb = STRBUF_INIT;

	view_field_value(&sb, t, c->commit_id, c->field, json);
	rline_add(l, role, sb.buf, cols);
	strbuf_free(&sb);
}

static void
conflicts_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct conflicts_view *cv = v->priv;
	struct conflict_item *c;
	struct columns col;
	struct rline l;
	char side[96];
	long long i;
	int y;

	choose_columns(cols, &col);
	rline_init(&l);
	rline_add(&l, ROLE_LABEL, "state", STATE_COLS);
	rline_add(&l, ROLE_LABEL, "commit", col.label);
	rline_raw(&l, ROLE_LABEL, " ");
	rline_add(&l, ROLE_LABEL, "field", FIELD_COLS - 1);
	if (col.value > 0) {
		snprintf(side, sizeof side, "local (%s)", t->machine);
		rline_raw(&l, ROLE_LABEL, " ");
		rline_add(&l, ROLE_LABEL, side, col.value);
		rline_raw(&l, ROLE_LABEL, " ");
		rline_add(&l, ROLE_LABEL, "cloud", col.value);
	}
	rline_draw(w, 0, &l, &t->theme, cols, -1, NULL);
	view_list_fit(t, &cv->lw, list_rows(v));
	for (y = 1; y < rows; y++) {
		i = cv->lw.top + y - 1;
		rline_reset(&l);
		if ((c = listwin_row(&cv->lw, i)) == NULL) {
			if (y == 1)
				rline_raw(&l, ROLE_MESSAGE, cv->title != NULL ?
				    "No open conflict matches the filter (f changes it)." :
				    "No open conflicts.");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
			continue;
		}
		if (c->winner[0] == '\0')
			rline_add(&l, ROLE_BADGE_CONFLICT, "held", STATE_COLS);
		else
			rline_add(&l, ROLE_DEFAULT, "settled", STATE_COLS);
		rline_add(&l, ROLE_TITLE, c->label, col.label);
		rline_raw(&l, ROLE_DEFAULT, " ");
		rline_add(&l, ROLE_LABEL, view_field_label(c->field), FIELD_COLS - 1);
		if (col.value > 0) {
			/* A settled conflict's loser is dimmed: the winner is what is in place. */
			rline_raw(&l, ROLE_DEFAULT, " ");
			value_cell(&l, t, strcmp(c->winner, "cloud") == 0 ? ROLE_HIDDEN : ROLE_TITLE,
			    c, c->local, col.value);
			rline_raw(&l, ROLE_DEFAULT, " ");
			value_cell(&l, t, strcmp(c->winner, "local") == 0 ? ROLE_HIDDEN : ROLE_TITLE,
			    c, c->cloud, col.value);
		}
		rline_draw(w, y, &l, &t->theme, cols, i == cv->lw.cur ? (int)ROLE_CURSOR : -1,
		    cv->lw.needle);
	}
	rline_free(&l);
}

static void
conflicts_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct conflicts_view *cv = v->priv;
	struct conflict_item *c;
	struct strbuf sb = STRBUF_INIT;
	char date[32];
	struct rline *l;
	const int lc = 9;

	if ((c = listwin_cursor(&cv->lw)) == NULL) {
		textbuf_wrap(out, ROLE_MESSAGE, cv->title != NULL ?
		    "The filter keeps no open conflict (f changes it; an empty filter lists them"
		    " all)." : "Nothing to resolve: no commit was edited differently here and in"
		    " the cloud since the last review.", ROLE_MESSAGE, "", cols, -1);
		return;
	}
	l = textbuf_line(out);
	rline_add(l, ROLE_TITLE, c->label, -cols);
	textbuf_field(out, "commit", lc, ROLE_ID, c->commit_id, cols);
	if (c->project != NULL)
		textbuf_field(out, "project", lc, ROLE_PROJECT, c->project, cols);
	textbuf_field(out, "field", lc, ROLE_LABEL, view_field_label(c->field), cols);
	view_field_value(&sb, t, c->commit_id, c->field, c->local);
	textbuf_field(out, "local", lc, ROLE_DEFAULT, sb.buf, cols);
	strbuf_reset(&sb);
	view_field_value(&sb, t, c->commit_id, c->field, c->cloud);
	textbuf_field(out, "cloud", lc, ROLE_DEFAULT, sb.buf, cols);
	format_date(c->detected_at, 0, date, sizeof date);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s UTC", date);
	textbuf_field(out, "found", lc, ROLE_DATE, sb.buf, cols);
	textbuf_line(out);
	textbuf_wrap(out, ROLE_MESSAGE, c->winner[0] == '\0' ?
	    "Held: this machine keeps its value and the commit does not go up until you"
	    " choose (Enter)." : strcmp(c->winner, "cloud") == 0 ?
	    "Settled by the last write: the cloud's value is in place; this machine's is"
	    " kept for review (Enter)." :
	    "Settled by the last write: this machine's value is in place; the cloud's is"
	    " kept for review (Enter).", ROLE_MESSAGE, "", cols, -1);
	strbuf_free(&sb);
}

/* Every settled conflict acknowledged at once: the last writes stay. */
static void
acknowledge_settled(struct tui *t)
{
	char err[ERRLEN];
	int n = conflicts_review(t->st, t->machine_id, NULL, NULL, err);

	if (n < 0)
		tui_message(t, 1, "%s", err);
	else if (n == 0)
		tui_message(t, 0, "No settled conflict to acknowledge (held ones wait for Enter).");
	else
		tui_message(t, 0, "Acknowledged %d settled conflict%s: the last writes stay%s.", n,
		    n == 1 ? "" : "s", tui_syncing_enabled(t) ?
		    ", and every machine drops them at its next sync" : "");
	if (n > 0)
		tui_edited(t);
}

/* The list again under the filter typed. */
static void
filter_done(struct view *v, struct tui *t, const char *text)
{
	struct conflicts_view *cv = v->priv;
	char err[ERRLEN] = "";

	if (!view_filter_set(t, &cv->filter, BROWSE_FILTER_CONFLICTS, text))
		return;
	free(cv->title);
	cv->title = view_filter_title(&cv->filter);
	view_preview_changed(v);
	if (load(t, cv, err) != 0)
		tui_message(t, 1, "%s", err);
}

static enum view_result
conflicts_request(struct view *v, struct tui *t, enum action a)
{
	struct conflicts_view *cv = v->priv;
	struct conflict_item *c;

	if (view_list_move(v, t, &cv->lw, a, list_rows(v)))
		return VIEW_HANDLED;
	if (a == ACT_ACK_SETTLED) {
		acknowledge_settled(t);
		return VIEW_HANDLED;
	}
	if (a == ACT_FILTER) {
		view_filter_prompt(t, &cv->filter, filter_done);
		return VIEW_HANDLED;
	}
	if (a != ACT_ENTER)
		return VIEW_IGNORED;
	if ((c = listwin_cursor(&cv->lw)) != NULL)
		tui_push(t, &resolve_view_ops, c->commit_id);
	return VIEW_HANDLED;
}

static void
conflicts_position(struct view *v, struct view_position *pos)
{
	struct conflicts_view *cv = v->priv;

	listwin_position(&cv->lw, &pos->line, &pos->total);
}

static const char *
conflicts_title(struct view *v)
{
	struct conflicts_view *cv = v->priv;

	return cv->title;
}

const struct view_ops conflicts_view_ops = {
	.name = "conflicts",
	.id = VIEW_CONFLICTS,
	.open = conflicts_open,
	.reload = conflicts_reload,
	.draw = conflicts_draw,
	.preview = conflicts_preview,
	.request = conflicts_request,
	.position = conflicts_position,
	.title = conflicts_title,
	.close = conflicts_close,
};
