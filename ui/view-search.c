/*
 * The search view (F from anywhere): the turns of every commit that match
 * some words (and the commits whose title does), newest first by date, each
 * with the words around the match; Enter
 * opens the conversation at that turn, on the match. The hits come from the
 * store's search index (store/search.h), read whole when the view opens: at
 * most SEARCH_HITS of them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/search.h"
#include "ui/listwin.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define SEARCH_HITS 500

struct hit_item {
	char *commit_id, *session_id, *role, *when, *project, *snippet;
	long long seq;
};

struct search_view {
	char *query;
	char *needle;		/* what the conversation then highlights and n finds */
	char title[64];
	struct listwin lw;	/* of struct hit_item, every one */
	struct hit_item *rows;	/* while reading them */
	size_t n;
};

static char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
add_hit(const struct search_hit *h, void *arg)
{
	struct search_view *sv = arg;
	struct hit_item *it;

	sv->rows = xreallocarray(sv->rows, sv->n + 1, sizeof *sv->rows);
	it = &sv->rows[sv->n++];
	it->commit_id = dup(h->commit_id);
	it->session_id = dup(h->session_id);
	it->role = dup(h->role);
	it->when = dup(h->when);
	it->project = dup(h->project);
	it->snippet = dup(h->snippet);
	it->seq = h->seq;
	return 0;
}

static void
hit_clear(void *row)
{
	struct hit_item *it = row;

	free(it->commit_id);
	free(it->session_id);
	free(it->role);
	free(it->when);
	free(it->project);
	free(it->snippet);
}

/* What a row shows, for /: its date, who, project and snippet (its marks dropped). */
static void
hit_text(void *ctx, const void *row, struct strbuf *out)
{
	const struct hit_item *h = row;
	const char *s = h->snippet != NULL ? h->snippet : "";
	char date[32];

	(void)ctx;
	format_date(h->when, 0, date, sizeof date);
	strbuf_addf(out, "%s %s %s ", date, h->session_id == NULL ? "title" :
	    strcmp(h->role, "user") == 0 ? "user" : "agent", h->project != NULL ? h->project : "-");
	while (*s != '\0') {
		if (strncmp(s, SEARCH_MARK_OPEN, 3) == 0 || strncmp(s, SEARCH_MARK_CLOSE, 3) == 0)
			s += 3;
		else
			strbuf_addc(out, *s++);
	}
}

static const struct listwin_source hits_source = {
	.size = sizeof(struct hit_item),
	.text = hit_text,
	.clear = hit_clear,
};

static int
same_hit(const void *a, const void *b)
{
	const struct hit_item *x = a, *y = b;

	return strcmp(x->commit_id, y->commit_id) == 0 && x->seq == y->seq &&
	    (x->session_id == NULL) == (y->session_id == NULL) &&
	    (x->session_id == NULL || strcmp(x->session_id, y->session_id) == 0);
}

/*
 * The text the conversation looks for, from the query: its first phrase, or
 * its first word that is no operator, without FTS5's marks.
 */
static char *
needle_of(const char *query)
{
	const char *p = query;
	size_t n;

	for (;;) {
		p += strspn(p, " \t(");
		if (*p == '"')
			return xstrndup(p + 1, strcspn(p + 1, "\""));
		n = strcspn(p, " \t()");
		if (n == 0)
			return xstrdup("");
		if (!((n == 3 && (strncmp(p, "AND", 3) == 0 || strncmp(p, "NOT", 3) == 0)) ||
		    (n == 2 && strncmp(p, "OR", 2) == 0) || (n == 4 && strncmp(p, "NEAR", 4) == 0)))
			break;
		p += n;
	}
	p += *p == '^';
	n = strcspn(p, " \t()");
	if (n > 0 && p[n - 1] == '*')
		n--;
	return xstrndup(p, n);
}

/* Newest first by date: the index gives them in the order they were stored. */
static int
by_date(const void *a, const void *b)
{
	const struct hit_item *x = a, *y = b;
	int c = strcmp(y->when != NULL ? y->when : "", x->when != NULL ? x->when : "");

	return c != 0 ? c : (x->seq < y->seq) - (x->seq > y->seq);
}

/* Every hit again; the cursor stays on its hit. */
static int
load(struct tui *t, struct search_view *sv, char *err)
{
	struct search_query q = { .text = sv->query, .limit = SEARCH_HITS };
	int rc = search_run(t->st, &q, add_hit, sv, err);

	if (rc == SEARCH_BAD_QUERY) {
		/* The person's to fix: say which words, once. */
		char why[200];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, ERRLEN, "Cannot search for %.60s: %s", sv->query, why);
	}
	if (rc >= 0) {
		if (sv->n > 1)
			qsort(sv->rows, sv->n, sizeof *sv->rows, by_date);
		listwin_set(&sv->lw, sv->rows, (int)sv->n, same_hit);
	}
	else {
		while (sv->n > 0)
			hit_clear(&sv->rows[--sv->n]);
		free(sv->rows);
	}
	sv->rows = NULL;
	sv->n = 0;
	return rc < 0 ? -1 : 0;
}

static int
search_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct search_view *sv = xcalloc(1, sizeof *sv);

	v->priv = sv;
	listwin_init(&sv->lw, &hits_source, sv, 1);
	sv->query = xstrdup(arg != NULL ? arg : "");
	sv->needle = needle_of(sv->query);
	snprintf(sv->title, sizeof sv->title, "search: %.50s", sv->query);
	return load(t, sv, err);
}

static void
search_close(struct view *v)
{
	struct search_view *sv = v->priv;

	if (sv == NULL)
		return;
	listwin_free(&sv->lw);
	free(sv->query);
	free(sv->needle);
	free(sv);
	v->priv = NULL;
}

static int
search_reload(struct view *v, struct tui *t, char *err)
{
	view_preview_changed(v);
	return load(t, v->priv, err);
}

/*
 * The snippet on one line, its matched words in ROLE_SEARCH_MATCH, the rest
 * in role, into at most cols columns.
 */
static void
add_snippet(struct rline *l, const char *s, enum color_role role, int cols)
{
	enum color_role now = role;
	struct strbuf piece = STRBUF_INIT;
	int end = l->width + cols;
	const char *match = strstr(s, SEARCH_MARK_OPEN), *p;

	/* The match must show: what comes before it gets a third of the room at most. */
	if (match != NULL) {
		strbuf_add(&piece, s, (size_t)(match - s));
		if ((int)text_width(piece.buf) > cols / 3) {
			for (p = match; p > s; p--) {
				if (((unsigned char)*p & 0xc0) == 0x80)
					continue;
				strbuf_reset(&piece);
				strbuf_add(&piece, p, (size_t)(match - p));
				if ((int)text_width(piece.buf) >= cols / 3)
					break;
			}
			p += strcspn(p, " ");	/* from a word's start */
			rline_raw(l, role, "…");
			s = p;
		}
	}

	while (*s != '\0' && l->width < end) {
		size_t n = strcspn(s, "\xee");

		if (n == 0 && strncmp(s, SEARCH_MARK_OPEN, 3) == 0) {
			now = ROLE_SEARCH_MATCH;
			s += 3;
			continue;
		}
		if (n == 0 && strncmp(s, SEARCH_MARK_CLOSE, 3) == 0) {
			now = role;
			s += 3;
			continue;
		}
		if (n == 0)
			n = 1;
		/* rline_add makes whitespace one space and drops it at the ends: keep one. */
		strbuf_reset(&piece);
		strbuf_add(&piece, s, n);
		if (strchr(" \t\n\r", *s) != NULL && l->width > 0 && l->width < end)
			rline_raw(l, role, " ");
		if (l->width < end)
			rline_add(l, now, piece.buf, -(end - l->width));
		if (strchr(" \t\n\r", s[n - 1]) != NULL && n > 1 && l->width < end)
			rline_raw(l, role, " ");
		s += n;
	}
	strbuf_free(&piece);
}

static void
search_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct search_view *sv = v->priv;
	struct hit_item *h;
	struct rline l;
	char date[32];
	long long i;
	int y;

	view_list_fit(t, &sv->lw, rows);
	rline_init(&l);
	for (y = 0; y < rows; y++) {
		i = sv->lw.top + y;
		rline_reset(&l);
		if ((h = listwin_row(&sv->lw, i)) == NULL) {
			if (y == 0)
				rline_raw(&l, ROLE_MESSAGE, "No turn holds these words.");
			rline_draw(w, y, &l, &t->theme, cols, -1, NULL);
			continue;
		}
		format_date(h->when, cols < 60, date, sizeof date);
		rline_add(&l, ROLE_DATE, date, 0);
		rline_raw(&l, ROLE_DEFAULT, " ");
		rline_add(&l, h->session_id == NULL ? ROLE_HASH : strcmp(h->role, "user") == 0 ?
		    ROLE_USER : ROLE_ASSISTANT, h->session_id == NULL ? "title" :
		    strcmp(h->role, "user") == 0 ? "user" : "agent", 5);
		rline_raw(&l, ROLE_DEFAULT, " ");
		if (cols >= 80) {
			rline_add(&l, ROLE_ID, h->project != NULL ? h->project : "-", 14);
			rline_raw(&l, ROLE_DEFAULT, " ");
		}
		add_snippet(&l, h->snippet, ROLE_DEFAULT, cols - l.width);
		rline_draw(w, y, &l, &t->theme, cols, i == sv->lw.cur ? (int)ROLE_CURSOR : -1,
		    sv->lw.needle);
	}
	rline_free(&l);
}

static void
search_preview(struct view *v, struct tui *t, struct textbuf *out, int cols)
{
	struct search_view *sv = v->priv;
	struct strbuf plain = STRBUF_INIT;
	struct hit_item *h;
	char date[32], seq[32];
	const char *s;
	const int lc = 9;

	(void)t;
	if ((h = listwin_cursor(&sv->lw)) == NULL)
		return;
	textbuf_field(out, "commit", lc, ROLE_ID, h->commit_id, cols);
	if (h->session_id != NULL) {
		textbuf_field(out, "session", lc, ROLE_ID, h->session_id, cols);
		snprintf(seq, sizeof seq, "%lld (%s)", h->seq, h->role);
		textbuf_field(out, "turn", lc, ROLE_NUMBER, seq, cols);
	} else
		textbuf_field(out, "match", lc, ROLE_HASH, "its title or git subject", cols);
	format_date(h->when, 0, date, sizeof date);
	textbuf_field(out, "when", lc, ROLE_DATE, date, cols);
	textbuf_field(out, "project", lc, ROLE_DEFAULT, h->project != NULL ? h->project : "-",
	    cols);
	textbuf_line(out);
	/* The marks go: the list shows where the words are. */
	for (s = h->snippet; *s != '\0'; s++) {
		if (strncmp(s, SEARCH_MARK_OPEN, 3) == 0 || strncmp(s, SEARCH_MARK_CLOSE, 3) == 0)
			s += 2;
		else
			strbuf_addc(&plain, *s);
	}
	textbuf_wrap(out, ROLE_DEFAULT, plain.buf, ROLE_DEFAULT, "", cols, -1);
	strbuf_free(&plain);
}

static enum view_result
search_request(struct view *v, struct tui *t, enum action a)
{
	struct search_view *sv = v->priv;
	struct hit_item *h;
	char *arg;

	if (view_list_move(v, t, &sv->lw, a, v->rows))
		return VIEW_HANDLED;
	if (a != ACT_ENTER)
		return VIEW_IGNORED;
	if ((h = listwin_cursor(&sv->lw)) == NULL)
		return VIEW_HANDLED;
	if (h->session_id == NULL) {	/* a title: the commit's sessions */
		tui_push(t, &sessions_view_ops, h->commit_id);
		return VIEW_HANDLED;
	}
	arg = xprintf("%s@%lld %s", h->session_id, h->seq, sv->needle);
	tui_push(t, &turns_view_ops, arg);
	free(arg);
	return VIEW_HANDLED;
}

static void
search_position(struct view *v, struct view_position *pos)
{
	struct search_view *sv = v->priv;

	listwin_position(&sv->lw, &pos->line, &pos->total);
}

static const char *
search_title(struct view *v)
{
	struct search_view *sv = v->priv;

	return sv->title;
}

const struct view_ops search_view_ops = {
	.name = "search",
	.id = VIEW_SEARCH,
	.open = search_open,
	.reload = search_reload,
	.draw = search_draw,
	.preview = search_preview,
	.request = search_request,
	.position = search_position,
	.title = search_title,
	.close = search_close,
};
