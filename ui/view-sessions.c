/*
 * The sessions view: a commit's Claude sessions (one commit can gather parts
 * of several, and one session can span several commits); Enter reads one.
 * A commit has few sessions, so they are read whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/browse.h"
#include "store/commits.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define SESSIONS_MAX 10000

struct session_item {
	char *id, *claude_id, *started, *ended, *cwd, *branch, *version;
	long long turns;
};

struct sessions_view {
	char commit_id[UUID_STRLEN];
	char title[64];
	struct listwin lw;	/* of struct session_item, every one */
	struct session_item *rows;	/* while reading them */
	size_t n;
};

static char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
add_session(const struct session_row *s, void *arg)
{
	struct sessions_view *sv = arg;
	struct session_item *it;

	if (sv->n >= SESSIONS_MAX)
		return 1;
	sv->rows = xreallocarray(sv->rows, sv->n + 1, sizeof *sv->rows);
	it = &sv->rows[sv->n++];
	it->id = dup(s->id);
	it->claude_id = dup(s->claude_session_id);
	it->started = dup(s->started_at);
	it->ended = dup(s->ended_at);
	it->cwd = dup(s->cwd);
	it->branch = dup(s->git_branch);
	it->version = dup(s->cli_version);
	it->turns = s->turns;
	return 0;
}

static void
session_clear(void *row)
{
	struct session_item *it = row;

	free(it->id);
	free(it->claude_id);
	free(it->started);
	free(it->ended);
	free(it->cwd);
	free(it->branch);
	free(it->version);
}

/* What a row shows, for /: its date, turns, Claude session and branch. */
static void
session_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct session_item *s = row;
	char date[32];

	(void)ctx;
	format_date(s->started, 0, date, sizeof date);
	strbuf_addf(out, "%s %lld turns %s %s", date, (long long)s->turns,
	    s->claude_id != NULL ? s->claude_id : "", s->branch != NULL ? s->branch : "");
}

static const struct listwin_source sessions_source = {
	.size = sizeof(struct session_item),
	.clear = session_clear,
	.text = session_text,
};

static int
same_session(const void *a, const void *b)
{
	return strcmp(((const struct session_item *)a)->id,
	    ((const struct session_item *)b)->id) == 0;
}

/* Every session of the commit again; the cursor stays on its session. */
static int
load(struct tui *t, struct sessions_view *sv, char *err)
{
	int rc = sessions_list(t->st, sv->commit_id, add_session, sv, err) < 0 ? -1 : 0;

	if (rc == 0)
		listwin_set(&sv->lw, sv->rows, (int)sv->n, same_session);
	else {
		while (sv->n > 0)
			session_clear(&sv->rows[--sv->n]);
		free(sv->rows);
	}
	sv->rows = NULL;
	sv->n = 0;
	return rc;
}

static int
sessions_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct sessions_view *sv = xcalloc(1, sizeof *sv);

	v->priv = sv;
	listwin_init(&sv->lw, &sessions_source, sv, 1);
	snprintf(sv->commit_id, sizeof sv->commit_id, "%s", arg != NULL ? arg : "");
	snprintf(sv->title, sizeof sv->title, "commit %.8s", sv->commit_id);
	return load(t, sv, err);
}

static void
sessions_close(struct view *v)
{
	struct sessions_view *sv = v->priv;

	if (sv == NULL)
		return;
	listwin_free(&sv->lw);
	free(sv);
	v->priv = NULL;
}

static int
sessions_reload(struct view *v, struct tui *t, char *err)
{
	view_preview_changed(v);
	return load(t, v->priv, err);
}

static void
sessions_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct sessions_view *sv = v->priv;
	struct session_item *s;
	struct rline l;
	char date[32], num[16];
	long long i;
	int y;

	view_list_fit(t, &sv->lw, rows);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = sv->lw.top + y;
		rline_reset(&l);
		if ((s = listwin_row(&sv->lw, i)) == NULL) {
			if (y == 0)
				rline_raw(&l, ROLE_MESSAGE, "No sessions (the commit was deleted?).");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
			continue;
		}
		format_date(s->started, cols < 50, date, sizeof date);
		rline_add(&l, ROLE_DATE, date, 0);
		rline_raw(&l, ROLE_DEFAULT, " ");
		format_count(s->turns, num, sizeof num);
		rline_right(&l, ROLE_NUMBER, num, l.width + 4);
		rline_raw(&l, ROLE_DEFAULT, s->turns == 1 ? " turn  " : " turns ");
		{
			char shortid[9];
			snprintf(shortid, sizeof shortid, "%.8s", s->claude_id != NULL ?
			    s->claude_id : "");
			rline_add(&l, ROLE_ID, shortid, 8);
		}
		if (cols >= 60 && s->branch != NULL) {
			rline_raw(&l, ROLE_DEFAULT, " ");
			rline_add(&l, ROLE_HASH, s->branch, -(cols - l.width));
		}
		rline_draw(w, y, &l, &t->theme, cols, i == sv->lw.cur ? (int)ROLE_CURSOR : -1,
		    sv->lw.needle);
	}
	rline_free(&l);
}

struct first_turns {
	struct textbuf *out;
	int cols;
	int shown;
};

static int
first_turn(const struct turn_row *tr, void *arg)
{
	struct first_turns *ft = arg;
	struct rline *l;

	if (tr->content == NULL || *tr->content == '\0')
		return 0;
	l = textbuf_line(ft->out);
	rline_raw(l, strcmp(tr->role, "user") == 0 ? ROLE_USER : ROLE_ASSISTANT, tr->role);
	textbuf_wrap(ft->out, ROLE_DEFAULT, tr->content, ROLE_DEFAULT, "  ", ft->cols, -1);
	return ++ft->shown >= 2;
}

static void
sessions_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct sessions_view *sv = v->priv;
	struct session_item *s;
	struct first_turns ft = { out, cols, 0 };
	char err[ERRLEN], d1[32], d2[32], buf[96];
	const int lc = 9;

	if ((s = listwin_cursor(&sv->lw)) == NULL)
		return;
	textbuf_field(out, "session", lc, ROLE_ID, s->claude_id, cols);
	format_date(s->started, 0, d1, sizeof d1);
	format_date(s->ended, 0, d2, sizeof d2);
	snprintf(buf, sizeof buf, "%s to %s UTC", d1, d2);
	textbuf_field(out, "when", lc, ROLE_DATE, buf, cols);
	snprintf(buf, sizeof buf, "%lld", s->turns);
	textbuf_field(out, "turns", lc, ROLE_NUMBER, buf, cols);
	textbuf_field(out, "cwd", lc, ROLE_DEFAULT, s->cwd, cols);
	textbuf_field(out, "branch", lc, ROLE_HASH, s->branch, cols);
	textbuf_field(out, "claude", lc, ROLE_DEFAULT, s->version, cols);
	textbuf_line(out);
	if (browse_turns(t->st, s->id, -1, 1, 8, first_turn, &ft, err) < 0)
		tui_message(t, 1, "%s", err);
}

static enum view_result
sessions_request(struct view *v, struct tui *t, enum action a)
{
	struct sessions_view *sv = v->priv;
	struct session_item *s;

	if (view_list_move(v, t, &sv->lw, a, v->rows))
		return VIEW_HANDLED;
	if (a != ACT_ENTER)
		return VIEW_IGNORED;
	if ((s = listwin_cursor(&sv->lw)) != NULL)
		tui_push(t, &turns_view_ops, s->id);
	return VIEW_HANDLED;
}

static void
sessions_position(struct view *v, struct view_position *pos)
{
	struct sessions_view *sv = v->priv;

	listwin_position(&sv->lw, &pos->line, &pos->total);
}

static const char *
sessions_commit_id(struct view *v)
{
	struct sessions_view *sv = v->priv;

	return sv->commit_id;
}

static const char *
sessions_title(struct view *v)
{
	struct sessions_view *sv = v->priv;

	return sv->title;
}

const struct view_ops sessions_view_ops = {
	.name = "sessions",
	.id = VIEW_SESSIONS,
	.open = sessions_open,
	.reload = sessions_reload,
	.draw = sessions_draw,
	.preview = sessions_preview,
	.request = sessions_request,
	.position = sessions_position,
	.commit_id = sessions_commit_id,
	.title = sessions_title,
	.close = sessions_close,
};
