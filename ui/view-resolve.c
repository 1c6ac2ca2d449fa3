/*
 * The resolve pane: one commit's fields as this machine has them and as the
 * cloud has them, side by side (layout_sides: stacked when the terminal is
 * narrow), differences highlighted. On a field in conflict the person takes
 * one side or the other; accept settles them all at once: a held conflict, or
 * a settled one whose loser was taken, through conflicts_resolve (a new
 * version, pending, and the sync thread is nudged); a settled one whose
 * winner was kept is only marked reviewed. Later closes the pane and changes
 * nothing. Choices live in the view until accepted.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse.h"
#include "store/conflicts.h"
#include "ui/layout.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define LABEL_COLS 12		/* "! published " */
#define MARK_COLS 2		/* "✓ " before a value */
#define VALUE_LINES 4		/* a value wraps to at most this many lines */
#define CHECK "\xe2\x9c\x93"	/* ✓ */
#define UP "\xe2\x86\x91"	/* ↑ */

enum choice { CHOICE_NONE, CHOICE_LOCAL, CHOICE_CLOUD };

struct resolve_view {
	char commit_id[UUID_STRLEN];
	char title[32];
	char *label, *project;
	struct conflict_side sides[CONFLICT_FIELDS];
	enum choice choice[CONFLICT_FIELDS];
	struct listwin fields;	/* of field indices: the cursor is on a field */
	int top;		/* the first body line shown */
	struct textbuf body;	/* built for each draw; each line's tag is its field */
};

static void
field_clear(void *row)
{
	(void)row;
}

static const struct listwin_source fields_source = {
	.size = sizeof(int),
	.clear = field_clear,
};

static int
cursor_field(const struct resolve_view *rv)
{
	return (int)rv->fields.cur;
}

static int
differs(const struct conflict_side *s)
{
	if (s->local == NULL || s->cloud == NULL)
		return s->local != s->cloud;
	return strcmp(s->local, s->cloud) != 0;
}

static int
held(const struct conflict_side *s)
{
	return s->conflict[0] != '\0' && s->winner[0] == '\0';
}

/* What a settled conflict keeps until the person says otherwise: the last write's. */
static enum choice
default_choice(const struct conflict_side *s)
{
	if (s->conflict[0] == '\0' || s->winner[0] == '\0')
		return CHOICE_NONE;
	return strcmp(s->winner, "local") == 0 ? CHOICE_LOCAL : CHOICE_CLOUD;
}

static int
load(struct tui *t, struct resolve_view *rv, char *err)
{
	struct conflict_side old[CONFLICT_FIELDS];
	enum choice kept[CONFLICT_FIELDS];
	struct browse_commit bc;
	int i, found;

	memcpy(old, rv->sides, sizeof old);
	memcpy(kept, rv->choice, sizeof kept);
	if (conflicts_sides(t->st, t->machine_id, rv->commit_id, rv->sides, err) != 0) {
		memcpy(rv->sides, old, sizeof old);
		return -1;
	}
	/* A choice stays while its conflict does (a sync may have changed it). */
	for (i = 0; i < CONFLICT_FIELDS; i++) {
		rv->choice[i] = rv->sides[i].conflict[0] != '\0' &&
		    strcmp(rv->sides[i].conflict, old[i].conflict) == 0 ? kept[i] :
		    default_choice(&rv->sides[i]);
	}
	conflicts_sides_free(old);
	free(rv->label);
	free(rv->project);
	rv->label = rv->project = NULL;
	if ((found = browse_commit_get(t->st, rv->commit_id, &bc, err)) < 0)
		return -1;
	if (found == 1) {
		/* Its own label: the title may be what is in conflict. */
		free(bc.title);
		bc.title = NULL;
		rv->label = xstrdup(browse_commit_label(&bc));
		rv->project = bc.project != NULL ? xstrdup(bc.project) : NULL;
		browse_commit_clear(&bc);
	}
	return 0;
}

static int
resolve_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct resolve_view *rv = xcalloc(1, sizeof *rv);
	int i, *fields = xcalloc(CONFLICT_FIELDS, sizeof *fields);

	v->priv = rv;
	textbuf_init(&rv->body);
	for (i = 0; i < CONFLICT_FIELDS; i++)
		fields[i] = i;
	listwin_init(&rv->fields, &fields_source, rv, 1);
	listwin_set(&rv->fields, fields, CONFLICT_FIELDS, NULL);
	if (arg == NULL)
		return seterr(err, "which commit?");
	snprintf(rv->commit_id, sizeof rv->commit_id, "%s", arg);
	snprintf(rv->title, sizeof rv->title, "commit %.8s", rv->commit_id);
	if (load(t, rv, err) != 0)
		return -1;
	if (rv->sides[0].local == NULL)
		return seterr(err, "no commit %.8s here", rv->commit_id);
	/* The cursor starts on the first field in conflict. */
	for (i = CONFLICT_FIELDS - 1; i >= 0; i--) {
		if (rv->sides[i].conflict[0] != '\0')
			rv->fields.cur = i;
	}
	return 0;
}

static void
resolve_close(struct view *v)
{
	struct resolve_view *rv = v->priv;

	if (rv == NULL)
		return;
	conflicts_sides_free(rv->sides);
	textbuf_free(&rv->body);
	listwin_free(&rv->fields);
	free(rv->label);
	free(rv->project);
	free(rv);
	v->priv = NULL;
}

static int
resolve_reload(struct view *v, struct tui *t, char *err)
{
	return load(t, v->priv, err);
}

/* Splits text wrapped to width into at most VALUE_LINES lines (the last cut with "…"). */
static int
wrap_value(const char *text, int width, char lines[VALUE_LINES][512])
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *nl;
	int n = 0;

	text_wrap(&sb, text, "", width > 0 ? width : 1);
	for (p = sb.buf != NULL ? sb.buf : ""; *p != '\0' && n < VALUE_LINES; p = nl + 1) {
		size_t len;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (n == VALUE_LINES - 1 && *nl != '\0' && nl[1] != '\0') {
			/* More than fits: this line and the rest, cut. */
			struct strbuf cut = STRBUF_INIT;
			text_oneline(&cut, p, width);
			snprintf(lines[n++], 512, "%s", cut.buf != NULL ? cut.buf : "");
			strbuf_free(&cut);
			break;
		}
		snprintf(lines[n++], 512, "%.*s", (int)(len < 511 ? len : 511), p);
		if (*nl == '\0')
			break;
	}
	if (n == 0)
		lines[n++][0] = '\0';
	strbuf_free(&sb);
	return n;
}

/* The mark and roles of one side of field i. */
static void
side_style(const struct resolve_view *rv, int i, enum choice side, const char **mark,
    enum color_role *mark_role, enum color_role *role)
{
	const struct conflict_side *s = &rv->sides[i];

	*mark = "";
	*mark_role = ROLE_DEFAULT;
	*role = ROLE_DEFAULT;
	if (s->conflict[0] != '\0') {
		if (rv->choice[i] == CHOICE_NONE)
			*role = ROLE_BADGE_CONFLICT;
		else if (rv->choice[i] == side) {
			*mark = CHECK;
			*mark_role = ROLE_BADGE_PUBLISHED;
			*role = ROLE_SEARCH_MATCH;
		} else
			*role = ROLE_HIDDEN;
	} else if (differs(s) && side == CHOICE_LOCAL) {
		/* Changed here only: it merges, and goes up as it is. */
		*mark = UP;
		*mark_role = ROLE_BADGE_PENDING;
		*role = ROLE_BADGE_PENDING;
	}
}

/* A value in cols columns: air before (lead) or after it, the mark, the text. */
static void
add_value(struct rline *l, int lead, const char *mark, enum color_role mark_role,
    enum color_role role, const char *text, int cols)
{
	if (lead)
		rline_pad(l, ROLE_DEFAULT, l->width + 1);
	rline_add(l, mark_role, mark, MARK_COLS);
	rline_add(l, role, text, cols - MARK_COLS - 1);
	if (!lead)
		rline_pad(l, ROLE_DEFAULT, l->width + 1);
}

/* Our own label after some columns of air (rline_add would drop leading spaces). */
static void
indented(struct rline *l, enum color_role role, int indent, const char *text, int cols)
{
	int start = l->width;

	rline_pad(l, role, start + indent);
	rline_add(l, role, text, cols - indent);
}

static void
label_cell(struct rline *l, const struct resolve_view *rv, int i, int cols)
{
	const struct conflict_side *s = &rv->sides[i];

	rline_add(l, held(s) ? ROLE_BADGE_CONFLICT : s->conflict[0] != '\0' ? ROLE_BADGE_PENDING :
	    ROLE_DEFAULT, s->conflict[0] != '\0' ? "!" : " ", 2);
	rline_add(l, i == cursor_field(rv) ? ROLE_CURSOR : ROLE_LABEL, view_field_label(s->field),
	    cols - 2);
}

/* What the marks mean and what is left to do, below the fields. */
static void
legend(struct resolve_view *rv, int cols)
{
	struct strbuf sb = STRBUF_INIT;
	int i, waiting = 0, settled = 0, merging = 0;
	size_t from = rv->body.n;

	for (i = 0; i < CONFLICT_FIELDS; i++) {
		const struct conflict_side *s = &rv->sides[i];
		waiting += held(s) && rv->choice[i] == CHOICE_NONE;
		settled += s->conflict[0] != '\0' && !held(s);
		merging += s->conflict[0] == '\0' && differs(s);
	}
	if (waiting > 0)
		strbuf_adds(&sb, "Held: this machine keeps its value and the commit does not go up"
		    " until you take a side on each ! field (1 this machine, 2 the cloud) and"
		    " accept (A).");
	else if (settled > 0)
		strbuf_adds(&sb, "The last write settled it; \xe2\x9c\x93 marks what stays. Take"
		    " the other side (1, 2) and accept (A) to change it, or accept as it is to"
		    " mark it reviewed.");
	else
		strbuf_adds(&sb, "No open conflict on this commit.");
	if (merging > 0)
		strbuf_adds(&sb, " \xe2\x86\x91 marks a change made here only: it goes up as it"
		    " is.");
	textbuf_line(&rv->body);
	textbuf_wrap(&rv->body, ROLE_MESSAGE, sb.buf, ROLE_MESSAGE, "", cols, -1);
	for (; from < rv->body.n; from++)
		rv->body.lines[from].tag = -1;
	strbuf_free(&sb);
}

/* The fields' lines, side by side or stacked as sd says. */
static void
build_body(struct tui *t, struct resolve_view *rv, const struct sides *sd)
{
	char local[VALUE_LINES][512], cloud[VALUE_LINES][512];
	struct strbuf lv = STRBUF_INIT, cv = STRBUF_INIT;
	const char *lmark, *cmark;
	enum color_role lmr, lr, cmr, cr;
	struct rline *l;
	int i, j, nl, nc, lw, cw;

	textbuf_reset(&rv->body);
	for (i = 0; i < CONFLICT_FIELDS; i++) {
		const struct conflict_side *s = &rv->sides[i];
		strbuf_reset(&lv);
		strbuf_reset(&cv);
		view_field_value(&lv, t, rv->commit_id, s->field, s->local);
		if (s->cloud != NULL)
			view_field_value(&cv, t, rv->commit_id, s->field, s->cloud);
		else
			strbuf_adds(&cv, "(never synced)");
		side_style(rv, i, CHOICE_LOCAL, &lmark, &lmr, &lr);
		side_style(rv, i, CHOICE_CLOUD, &cmark, &cmr, &cr);
		if (!sd->stacked) {
			/* A column of air on each side of the separator. */
			lw = sd->local.w - MARK_COLS - 1;
			cw = sd->cloud.w - MARK_COLS - 1;
			nl = wrap_value(lv.buf, lw, local);
			nc = wrap_value(cv.buf, cw, cloud);
			for (j = 0; j < nl || j < nc; j++) {
				l = textbuf_line(&rv->body);
				l->tag = i;
				if (j == 0)
					label_cell(l, rv, i, sd->label.w);
				else
					rline_pad(l, ROLE_DEFAULT, sd->label.w);
				add_value(l, 0, j == 0 ? lmark : "", lmr, lr, j < nl ? local[j] : "",
				    sd->local.w);
				rline_raw(l, ROLE_SEPARATOR, "\xe2\x94\x82");	/* │ */
				add_value(l, 1, j == 0 ? cmark : "", cmr, cr, j < nc ? cloud[j] : "",
				    sd->cloud.w);
			}
			continue;
		}
		l = textbuf_line(&rv->body);
		l->tag = i;
		if (!differs(s) && s->conflict[0] == '\0') {
			/* The same on both sides: one line. */
			label_cell(l, rv, i, LABEL_COLS < sd->label.w ? LABEL_COLS : sd->label.w);
			rline_add(l, ROLE_DEFAULT, lv.buf, -(sd->label.w - l->width));
			continue;
		}
		label_cell(l, rv, i, sd->label.w);
		nl = wrap_value(lv.buf, sd->local.w - MARK_COLS - 1, local);
		nc = wrap_value(cv.buf, sd->cloud.w - MARK_COLS - 1, cloud);
		for (j = 0; j < nl; j++) {
			l = textbuf_line(&rv->body);
			l->tag = i;
			indented(l, ROLE_LABEL, 2, j == 0 ? "local" : "", sd->local.x);
			add_value(l, 0, j == 0 ? lmark : "", lmr, lr, local[j], sd->local.w);
		}
		for (j = 0; j < nc; j++) {
			l = textbuf_line(&rv->body);
			l->tag = i;
			indented(l, ROLE_LABEL, 2, j == 0 ? "cloud" : "", sd->cloud.x);
			add_value(l, 0, j == 0 ? cmark : "", cmr, cr, cloud[j], sd->cloud.w);
		}
	}
	legend(rv, sd->cols);
	strbuf_free(&lv);
	strbuf_free(&cv);
}

static void
resolve_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct resolve_view *rv = v->priv;
	struct sides sd;
	struct rline l, empty;
	char side[96];
	int y, fixed, first = -1, last = -1;
	size_t i;

	layout_sides(cols, LABEL_COLS, &sd);
	build_body(t, rv, &sd);
	rline_init(&l);
	rline_init(&empty);

	/* The commit, and (side by side) whose column is whose. */
	snprintf(side, sizeof side, "%.8s", rv->commit_id);
	rline_raw(&l, ROLE_ID, side);
	if (rv->project != NULL) {
		rline_raw(&l, ROLE_DEFAULT, " ");
		rline_add(&l, ROLE_PROJECT, rv->project, -(cols - l.width));
	}
	if (rv->label != NULL && cols - l.width > 4) {
		rline_raw(&l, ROLE_DEFAULT, " ");
		rline_add(&l, ROLE_TITLE, rv->label, -(cols - l.width));
	}
	rline_draw(w, 0, &l, &t->theme, cols, -1, NULL);
	fixed = 1;
	if (!sd.stacked && rows > 2) {
		rline_reset(&l);
		indented(&l, ROLE_LABEL, 2, "field", sd.label.w);
		snprintf(side, sizeof side, "local (%.60s)", t->machine);
		indented(&l, ROLE_LABEL, MARK_COLS, side, sd.local.w);
		rline_raw(&l, ROLE_SEPARATOR, "\xe2\x94\x82");
		indented(&l, ROLE_LABEL, MARK_COLS + 1, "cloud", sd.cloud.w);
		rline_draw(w, 1, &l, &t->theme, cols, -1, NULL);
		fixed = 2;
	}

	/* The cursor's field stays in sight, its first line at least. */
	for (i = 0; i < rv->body.n; i++) {
		if (rv->body.lines[i].tag == cursor_field(rv)) {
			if (first < 0)
				first = (int)i;
			last = (int)i;
		}
	}
	if (rows > fixed && first >= 0) {
		if (last >= rv->top + rows - fixed)
			rv->top = last - (rows - fixed) + 1;
		if (first < rv->top)
			rv->top = first;
	}
	if (rv->top > (int)rv->body.n - (rows - fixed))
		rv->top = (int)rv->body.n - (rows - fixed);
	if (rv->top < 0)
		rv->top = 0;
	for (y = fixed; y < rows; y++) {
		i = (size_t)(rv->top + y - fixed);
		rline_draw(w, y, i < rv->body.n ? &rv->body.lines[i] : &empty, &t->theme, cols, -1,
		    NULL);
	}
	rline_free(&l);
	rline_free(&empty);
}

static const char *
side_name(enum choice c)
{
	return c == CHOICE_LOCAL ? "local" : "cloud";
}

static void
take(struct tui *t, struct resolve_view *rv, enum choice c)
{
	struct conflict_side *s = &rv->sides[cursor_field(rv)];

	if (s->conflict[0] == '\0') {
		tui_message(t, 0, "No conflict on %s%s", view_field_label(s->field),
		    differs(s) ? ": this machine's change goes up as it is." : ": both sides agree.");
		return;
	}
	rv->choice[cursor_field(rv)] = c;
	tui_message(t, 0, "%s: %s value taken (A accepts).", view_field_label(s->field),
	    c == CHOICE_LOCAL ? "this machine's" : "the cloud's");
}

static enum view_result
accept(struct tui *t, struct resolve_view *rv)
{
	char err[ERRLEN];
	int i, n = 0, resolved = 0, rc;

	for (i = 0; i < CONFLICT_FIELDS; i++) {
		if (held(&rv->sides[i]) && rv->choice[i] == CHOICE_NONE) {
			rv->fields.cur = i;
			tui_message(t, 1, "Choose a side for %s first (1 local, 2 cloud).",
			    view_field_label(rv->sides[i].field));
			return VIEW_HANDLED;
		}
	}
	for (i = 0; i < CONFLICT_FIELDS; i++) {
		const struct conflict_side *s = &rv->sides[i];
		if (s->conflict[0] == '\0')
			continue;
		if (s->winner[0] != '\0' && rv->choice[i] == default_choice(s))
			rc = conflicts_review(t->st, t->machine_id, rv->commit_id, s->field, err);
		else {
			rc = conflicts_resolve(t->st, t->machine_id, rv->commit_id, s->field,
			    side_name(rv->choice[i]), err);
			resolved += rc > 0;
		}
		if (rc < 0) {
			tui_message(t, 1, "%s", err);
			tui_edited(t);
			return VIEW_HANDLED;
		}
		n++;
	}
	if (n == 0) {
		tui_message(t, 0, "Nothing to resolve on this commit.");
		return VIEW_HANDLED;
	}
	if (resolved > 0)
		tui_message(t, 0, "Resolved %d field%s of %.8s: %s at the next sync.", n,
		    n == 1 ? "" : "s", rv->commit_id, tui_syncing_enabled(t) ?
		    "the choice goes up" : "kept here, it goes up");
	else
		tui_message(t, 0, "Reviewed %.8s: the last write stays.", rv->commit_id);
	tui_edited(t);
	return VIEW_CLOSE;
}

static enum view_result
resolve_request(struct view *v, struct tui *t, enum action a)
{
	struct resolve_view *rv = v->priv;
	int i, waiting = 0;

	/* The fields all show: the window never scrolls, the body does (resolve_draw). */
	if (view_list_move(v, t, &rv->fields, a, CONFLICT_FIELDS))
		return VIEW_HANDLED;
	switch (a) {
	case ACT_TAKE_LOCAL:
		take(t, rv, CHOICE_LOCAL);
		return VIEW_HANDLED;
	case ACT_TAKE_CLOUD:
		take(t, rv, CHOICE_CLOUD);
		return VIEW_HANDLED;
	case ACT_ACCEPT:
		return accept(t, rv);
	case ACT_LATER:
		for (i = 0; i < CONFLICT_FIELDS; i++)
			waiting += held(&rv->sides[i]);
		tui_message(t, 0, waiting > 0 ? "Left for later: %.8s stays held here." :
		    "Left for later: %.8s keeps the last write.", rv->commit_id);
		return VIEW_CLOSE;
	default:
		return VIEW_IGNORED;
	}
}

static void
resolve_position(struct view *v, struct view_position *pos)
{
	struct resolve_view *rv = v->priv;

	pos->line = cursor_field(rv) + 1;
	pos->total = CONFLICT_FIELDS;
}

static const char *
resolve_title(struct view *v)
{
	struct resolve_view *rv = v->priv;

	return rv->title;
}

const struct view_ops resolve_view_ops = {
	.name = "resolve",
	.id = VIEW_RESOLVE,
	.open = resolve_open,
	.reload = resolve_reload,
	.draw = resolve_draw,
	.preview = NULL,
	.request = resolve_request,
	.position = resolve_position,
	.title = resolve_title,
	.close = resolve_close,
};
