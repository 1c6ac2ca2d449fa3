/*
 * The turns view: a session's conversation to read, user and assistant in
 * turn, the text wrapped to the pane, tool calls folded to one line each
 * (o or Enter unfolds the one under the cursor, O all of them), the
 * assistant's thinking hidden until T, and / searches with n and N.
 *
 * A session can hold thousands of turns with tool results of up to 64 KiB,
 * so the view keeps a window of at most WINDOW_MAX consecutive turns (by seq)
 * around the cursor, rendered to lines only when drawn; a search asks the
 * store which turn matches next, then looks for the line within it.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store/browse.h"
#include "store/commits.h"
#include "ui/tui.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PAGE 24			/* turns per query */
#define WINDOW_MAX (5 * PAGE)
#define SEARCH_TRIES 500	/* turns the store matched but no line shows: give up after */

struct tturn {
	long long seq;
	char *id, *role, *timestamp, *model;
	char *content, *thinking, *tool_calls;
	long long tokens_in, tokens_out;
	int unfold_all;		/* a search unfolded it */
	struct textbuf lines;
	int cols;		/* rendered at this width; -1: stale */
};

struct turns_view {
	char session_id[UUID_STRLEN];
	char title[64];
	struct tturn *turns;
	int n, cap;
	int at_start, at_end;
	long long offset;	/* the session index of turns[0] */
	long long total;
	int cur_turn, cur_line;
	int top_turn, top_line;
	int cols;
	int show_thinking;
	int unfold_all;
	char **unfolded;	/* ids of the tool calls unfolded one by one */
	size_t nunfolded;
	char *needle;
};

static char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
turn_free(struct tturn *tt)
{
	free(tt->id);
	free(tt->role);
	free(tt->timestamp);
	free(tt->model);
	free(tt->content);
	free(tt->thinking);
	free(tt->tool_calls);
	textbuf_free(&tt->lines);
}

struct page {
	struct tturn *turns;
	int n;
};

static int
take_turn(const struct turn_row *r, void *arg)
{
	struct page *p = arg;
	struct tturn *tt = &p->turns[p->n++];

	memset(tt, 0, sizeof *tt);
	tt->seq = r->seq;
	tt->id = dup(r->id);
	tt->role = dup(r->role);
	tt->timestamp = dup(r->timestamp);
	tt->model = dup(r->model);
	tt->content = dup(r->content);
	tt->thinking = dup(r->thinking);
	tt->tool_calls = dup(r->tool_calls);
	tt->tokens_in = r->input_tokens + r->cache_read_tokens + r->cache_creation_tokens;
	tt->tokens_out = r->output_tokens;
	textbuf_init(&tt->lines);
	tt->cols = -1;
	return 0;
}

static int
is_unfolded(const struct turns_view *tv, const struct tturn *tt, const char *id)
{
	size_t i;

	if (tv->unfold_all || tt->unfold_all)
		return 1;
	for (i = 0; id != NULL && i < tv->nunfolded; i++) {
		if (strcmp(tv->unfolded[i], id) == 0)
			return 1;
	}
	return 0;
}

static void
toggle_unfolded(struct turns_view *tv, const char *id)
{
	size_t i;

	for (i = 0; i < tv->nunfolded; i++) {
		if (strcmp(tv->unfolded[i], id) == 0) {
			free(tv->unfolded[i]);
			tv->unfolded[i] = tv->unfolded[--tv->nunfolded];
			return;
		}
	}
	tv->unfolded = xreallocarray(tv->unfolded, tv->nunfolded + 1, sizeof *tv->unfolded);
	tv->unfolded[tv->nunfolded++] = xstrdup(id);
}

static const char *
str_field(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* What a folded tool call shows of its input. */
static void
tool_summary(const cJSON *input, const char *name, struct strbuf *sb)
{
	static const char *const keys[] = {
		"command", "file_path", "notebook_path", "pattern", "url", "query",
		"description", "prompt", "path", NULL
	};
	const cJSON *e;
	const char *v;
	size_t i;

	(void)name;
	for (i = 0; keys[i] != NULL; i++) {
		if ((v = str_field(input, keys[i])) != NULL) {
			strbuf_adds(sb, v);
			if (strcmp(keys[i], "pattern") == 0 && (v = str_field(input, "path")) != NULL)
				strbuf_addf(sb, " in %s", v);
			return;
		}
	}
	cJSON_ArrayForEach(e, input) {
		if (cJSON_IsString(e)) {
			strbuf_adds(sb, e->valuestring);
			return;
		}
	}
	if ((e = cJSON_GetObjectItemCaseSensitive(input, "todos")) != NULL && cJSON_IsArray(e))
		strbuf_addf(sb, "%d items", cJSON_GetArraySize(e));
}

static long
count_lines(const char *s)
{
	long n = 1;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '\n' && s[1] != '\0')
			n++;
	}
	return n;
}

static void
render_tool(struct turns_view *tv, struct tturn *tt, const cJSON *call, int index, int cols)
{
	struct textbuf *tb = &tt->lines;
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(call, "input"), *e;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(call, "is_error");
	const char *name = str_field(call, "name"), *id = str_field(call, "id");
	const char *result = str_field(call, "result");
	int failed = cJSON_IsTrue(err), open = is_unfolded(tv, tt, id);
	enum color_role role = failed ? ROLE_TOOL_ERROR : ROLE_TOOL;
	struct strbuf sb = STRBUF_INIT;
	struct rline *l;
	char tail[48];
	long lines = count_lines(result);

	l = textbuf_line(tb);
	l->tag = index;
	rline_raw(l, ROLE_DEFAULT, "  ");
	rline_raw(l, role, open ? "\xe2\x96\xbe " : "\xe2\x96\xb8 ");	/* ▾ ▸ */
	rline_add(l, role, name != NULL ? name : "tool", -(cols - 4 > 1 ? cols - 4 : 1));
	if (failed)
		snprintf(tail, sizeof tail, "  failed");
	else if (result == NULL)
		snprintf(tail, sizeof tail, "  no result");
	else
		snprintf(tail, sizeof tail, "  %ld line%s", lines, lines == 1 ? "" : "s");
	tool_summary(input, name, &sb);
	if (sb.len > 0 && cols - l->width - (int)strlen(tail) - 2 > 3) {
		rline_raw(l, ROLE_DEFAULT, "  ");
		rline_add(l, ROLE_DEFAULT, sb.buf, -(cols - l->width - (int)strlen(tail)));
	}
	if (cols - l->width > (int)strlen(tail))
		rline_raw(l, failed ? ROLE_TOOL_ERROR : ROLE_THINKING, tail);
	strbuf_free(&sb);
	if (!open)
		return;

	cJSON_ArrayForEach(e, input) {
		char *text = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
		char *field = xprintf("%s: %s", e->string != NULL ? e->string : "?",
		    text != NULL ? text : e->valuestring);
		size_t first = tb->n, i;
		textbuf_wrap(tb, ROLE_DEFAULT, field, ROLE_DEFAULT, "      ", cols, index);
		if (first < tb->n && tb->lines[first].nsegs > 1) {
			/* The field's name in the label colour. */
			tb->lines[first].segs[1].role = ROLE_LABEL;
			{
				struct rline *fl = &tb->lines[first];
				size_t colon = strcspn(fl->text.buf + fl->segs[1].start, ":") +
				    fl->segs[1].start + 1;
				if (colon < fl->text.len) {
					fl->segs = xreallocarray(fl->segs, fl->nsegs + 1,
					    sizeof *fl->segs);
					fl->capsegs = fl->nsegs + 1;
					memmove(fl->segs + 3, fl->segs + 2,
					    (fl->nsegs - 2) * sizeof *fl->segs);
					fl->segs[2].start = colon;
					fl->segs[2].role = ROLE_DEFAULT;
					fl->nsegs++;
				}
			}
		}
		for (i = first; i < tb->n; i++)
			tb->lines[i].tag = index;
		free(field);
		free(text);
	}
	if (result != NULL) {
		l = textbuf_line(tb);
		l->tag = index;
		rline_raw(l, ROLE_DEFAULT, "      ");
		rline_raw(l, ROLE_LABEL, failed ? "error:" : "result:");
		textbuf_wrap(tb, failed ? ROLE_TOOL_ERROR : ROLE_TOOL_OUTPUT, result, ROLE_DEFAULT,
		    "      ", cols, index);
	}
}

static void
render(struct turns_view *tv, struct tturn *tt, int cols)
{
	struct textbuf *tb = &tt->lines;
	int user = tt->role != NULL && strcmp(tt->role, "user") == 0;
	char date[32], num[16];
	struct rline *l;
	cJSON *calls, *call;
	int i;

	textbuf_reset(tb);
	tt->cols = cols;
	l = textbuf_line(tb);
	rline_raw(l, user ? ROLE_USER : ROLE_ASSISTANT, user ? "\xe2\x96\xb6 user" :
	    "\xe2\x97\x80 assistant");	/* ▶ ◀ */
	format_date(tt->timestamp, 0, date, sizeof date);
	rline_raw(l, ROLE_DEFAULT, "  ");
	rline_add(l, ROLE_DATE, date, -(cols - l->width > 0 ? cols - l->width : 1));
	if (!user && tt->model != NULL && cols - l->width > 24) {
		rline_raw(l, ROLE_DEFAULT, "  ");
		rline_add(l, ROLE_THINKING, tt->model, -(cols - l->width - 14));
		if (tt->tokens_out > 0 && cols - l->width > 14) {
			format_count(tt->tokens_in, num, sizeof num);
			rline_addf(l, ROLE_THINKING, "  %s in", num);
			format_count(tt->tokens_out, num, sizeof num);
			rline_addf(l, ROLE_THINKING, " %s out", num);
		}
	}
	if (tt->thinking != NULL && *tt->thinking != '\0') {
		if (tv->show_thinking)
			textbuf_wrap(tb, ROLE_THINKING, tt->thinking, ROLE_THINKING,
			    "  \xe2\x94\x82 ", cols, -1);	/* │ */
		else {
			l = textbuf_line(tb);
			rline_raw(l, ROLE_DEFAULT, "  ");
			rline_addf(l, ROLE_THINKING, "\xe2\x80\xa6 thinking, %zu characters (T shows it)",
			    strlen(tt->thinking));
		}
	}
	textbuf_wrap(tb, ROLE_DEFAULT, tt->content, ROLE_DEFAULT, "  ", cols, -1);
	calls = tt->tool_calls != NULL ? cJSON_Parse(tt->tool_calls) : NULL;
	i = 0;
	cJSON_ArrayForEach(call, calls)
		render_tool(tv, tt, call, i++, cols);
	cJSON_Delete(calls);
	textbuf_line(tb);	/* a blank line between turns */
}

static struct textbuf *
lines_of(struct turns_view *tv, int ti)
{
	struct tturn *tt = &tv->turns[ti];

	if (tt->cols != tv->cols)
		render(tv, tt, tv->cols);
	return &tt->lines;
}

static void
stale_all(struct turns_view *tv)
{
	int i;

	for (i = 0; i < tv->n; i++)
		tv->turns[i].cols = -1;
}

static void
clear_rows(struct turns_view *tv)
{
	int i;

	for (i = 0; i < tv->n; i++)
		turn_free(&tv->turns[i]);
	tv->n = 0;
}

/*
 * Keeps the window under WINDOW_MAX turns, dropping the ones far from both the
 * cursor and the top of the pane. Only called between requests, when no index
 * into the window is held elsewhere.
 */
static void
trim(struct turns_view *tv)
{
	int lo = tv->cur_turn < tv->top_turn ? tv->cur_turn : tv->top_turn;
	int hi = tv->cur_turn > tv->top_turn ? tv->cur_turn : tv->top_turn;
	int drop, keep, i;

	if (tv->n <= WINDOW_MAX)
		return;
	if ((drop = lo - PAGE) > 0) {
		for (i = 0; i < drop; i++)
			turn_free(&tv->turns[i]);
		memmove(tv->turns, tv->turns + drop, (tv->n - drop) * sizeof *tv->turns);
		tv->n -= drop;
		tv->cur_turn -= drop;
		tv->top_turn -= drop;
		tv->offset += drop;
		tv->at_start = 0;
	}
	keep = hi + 2 * PAGE;
	if (tv->n > WINDOW_MAX && keep < tv->n) {
		for (i = keep; i < tv->n; i++)
			turn_free(&tv->turns[i]);
		tv->n = keep;
		tv->at_end = 0;
	}
}

/*
 * A page after the window (dir > 0) or before it; how many turns came, or -1.
 * A page before shifts every index into the window: cur_turn and top_turn are
 * moved here, any other index by its holder.
 */
static int
fetch(struct tui *t, struct turns_view *tv, int dir, char *err)
{
	struct page p;
	long long seq;
	int got, i;

	if ((dir > 0 && tv->at_end) || (dir < 0 && tv->at_start))
		return 0;
	if (tv->n + PAGE > tv->cap) {
		tv->cap = tv->n + 2 * PAGE;
		tv->turns = xreallocarray(tv->turns, tv->cap, sizeof *tv->turns);
	}
	seq = tv->n == 0 ? (dir > 0 ? LLONG_MIN : LLONG_MAX) :
	    tv->turns[dir > 0 ? tv->n - 1 : 0].seq;
	p.turns = xcalloc(PAGE, sizeof *p.turns);
	p.n = 0;
	if (browse_turns(t->st, tv->session_id, seq, dir, PAGE, take_turn, &p, err) < 0) {
		for (i = 0; i < p.n; i++)
			turn_free(&p.turns[i]);
		free(p.turns);
		return -1;
	}
	got = p.n;
	if (got < PAGE) {
		if (dir > 0)
			tv->at_end = 1;
		else
			tv->at_start = 1;
	}
	if (dir > 0)
		memcpy(tv->turns + tv->n, p.turns, got * sizeof *p.turns);
	else {
		/* The page came newest first: turn it round in front. */
		memmove(tv->turns + got, tv->turns, tv->n * sizeof *tv->turns);
		for (i = 0; i < got; i++)
			tv->turns[i] = p.turns[got - 1 - i];
		tv->cur_turn += got;
		tv->top_turn += got;
		tv->offset -= got;
		if (tv->at_start)
			tv->offset = 0;
	}
	tv->n += got;
	free(p.turns);
	return got;
}

/* Moves (ti, li) by delta lines, loading turns as needed; returns the lines moved. */
static int
step(struct tui *t, struct turns_view *tv, int *ti, int *li, int delta, char *err)
{
	int moved = 0, got;

	while (delta > 0 && tv->n > 0) {
		if (*li + 1 < (int)lines_of(tv, *ti)->n)
			(*li)++;
		else {
			if (*ti + 1 >= tv->n && (tv->at_end || fetch(t, tv, 1, err) <= 0))
				break;
			(*ti)++;
			*li = 0;
		}
		delta--;
		moved++;
	}
	while (delta < 0 && tv->n > 0) {
		if (*li > 0)
			(*li)--;
		else {
			if (*ti == 0) {
				if (tv->at_start || (got = fetch(t, tv, -1, err)) <= 0)
					break;
				if (ti != &tv->cur_turn && ti != &tv->top_turn)
					*ti += got;
			}
			(*ti)--;
			*li = (int)lines_of(tv, *ti)->n - 1;
		}
		delta++;
		moved++;
	}
	return moved;
}

/* Lines from (t1, l1) to (t2, l2), which must not come before it; stops past limit. */
static int
distance(struct turns_view *tv, int t1, int l1, int t2, int l2, int limit)
{
	int d = 0;

	while (t1 < t2 && d <= limit) {
		d += (int)lines_of(tv, t1)->n - l1;
		t1++;
		l1 = 0;
	}
	return d + (l2 - l1);
}

static int
before(int t1, int l1, int t2, int l2)
{
	return t1 < t2 || (t1 == t2 && l1 < l2);
}

/* Scrolls so the cursor shows, and no blank space is left below the last line. */
static void
fix_top(struct tui *t, struct turns_view *tv, int rows, char *err)
{
	int ti, li, below;

	if (tv->n == 0)
		return;
	if (before(tv->cur_turn, tv->cur_line, tv->top_turn, tv->top_line)) {
		tv->top_turn = tv->cur_turn;
		tv->top_line = tv->cur_line;
	} else if (distance(tv, tv->top_turn, tv->top_line, tv->cur_turn, tv->cur_line, rows) >=
	    rows) {
		ti = tv->cur_turn;
		li = tv->cur_line;
		step(t, tv, &ti, &li, -(rows - 1), err);
		tv->top_turn = ti;
		tv->top_line = li;
	}
	/* At the end, fill the pane from the bottom. */
	ti = tv->top_turn;
	li = tv->top_line;
	below = step(t, tv, &ti, &li, rows - 1, err);
	if (below < rows - 1 && tv->at_end) {
		ti = tv->top_turn;
		li = tv->top_line;
		step(t, tv, &ti, &li, -(rows - 1 - below), err);
		tv->top_turn = ti;
		tv->top_line = li;
	}
}

/* The window from the session's first turn. */
static int
load_first(struct tui *t, struct turns_view *tv, char *err)
{
	clear_rows(tv);
	tv->at_start = 1;
	tv->at_end = 0;
	tv->offset = 0;
	tv->cur_turn = tv->cur_line = tv->top_turn = tv->top_line = 0;
	return fetch(t, tv, 1, err) < 0 ? -1 : 0;
}

/* Loads the window so the turn seq is in it; returns its index, or -1. */
static int
go_to_seq(struct tui *t, struct turns_view *tv, long long seq, char *err)
{
	struct page p;
	long long rank;
	int i;

	for (i = 0; i < tv->n; i++) {
		if (tv->turns[i].seq == seq)
			return i;
	}
	clear_rows(tv);
	tv->at_start = tv->at_end = 0;
	tv->cur_turn = tv->cur_line = tv->top_turn = tv->top_line = 0;
	/* The turns from seq on: browse_turns takes those after seq - 1. */
	if (tv->cap < PAGE) {
		tv->cap = 2 * PAGE;
		tv->turns = xreallocarray(tv->turns, tv->cap, sizeof *tv->turns);
	}
	p.turns = tv->turns;
	p.n = 0;
	if (browse_turns(t->st, tv->session_id, seq - 1, 1, PAGE, take_turn, &p, err) < 0)
		return -1;
	tv->n = p.n;
	tv->at_end = p.n < PAGE;
	if ((rank = browse_turn_rank(t->st, tv->session_id, seq, err)) < 0)
		return -1;
	tv->offset = rank;
	tv->at_start = rank == 0;
	return tv->n > 0 && tv->turns[0].seq == seq ? 0 : -1;
}

static int
turns_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct turns_view *tv = xcalloc(1, sizeof *tv);

	v->priv = tv;
	snprintf(tv->session_id, sizeof tv->session_id, "%s", arg != NULL ? arg : "");
	snprintf(tv->title, sizeof tv->title, "session %.8s", tv->session_id);
	tv->cols = 80;
	if ((tv->total = browse_turn_count(t->st, tv->session_id, err)) < 0)
		return -1;
	return load_first(t, tv, err);
}

static void
turns_close(struct view *v)
{
	struct turns_view *tv = v->priv;
	size_t i;

	if (tv == NULL)
		return;
	clear_rows(tv);
	free(tv->turns);
	for (i = 0; i < tv->nunfolded; i++)
		free(tv->unfolded[i]);
	free(tv->unfolded);
	free(tv->needle);
	free(tv);
	v->priv = NULL;
}

static void
clamp_cursor(struct turns_view *tv)
{
	int n;

	if (tv->n == 0) {
		tv->cur_turn = tv->cur_line = tv->top_turn = tv->top_line = 0;
		return;
	}
	if (tv->cur_turn >= tv->n)
		tv->cur_turn = tv->n - 1;
	if (tv->top_turn >= tv->n)
		tv->top_turn = tv->n - 1;
	n = (int)lines_of(tv, tv->cur_turn)->n;
	if (tv->cur_line >= n)
		tv->cur_line = n - 1;
	n = (int)lines_of(tv, tv->top_turn)->n;
	if (tv->top_line >= n)
		tv->top_line = n - 1;
}

/* Turns are immutable once their commit closes; a reload picks up an open one's growth. */
static int
turns_reload(struct view *v, struct tui *t, char *err)
{
	struct turns_view *tv = v->priv;
	long long total = browse_turn_count(t->st, tv->session_id, err);

	if (total < 0)
		return -1;
	if (total != tv->total) {
		tv->total = total;
		tv->at_end = 0;
	}
	return 0;
}

static void
turns_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct turns_view *tv = v->priv;
	char err[ERRLEN] = "";
	struct rline empty;
	struct textbuf *tb;
	int y, ti, li, end = 0;

	if (tv->cols != cols) {
		tv->cols = cols;
		stale_all(tv);
		clamp_cursor(tv);
	}
	fix_top(t, tv, rows, err);
	rline_init(&empty);
	ti = tv->top_turn;
	li = tv->top_line;
	for (y = 0; y < rows; y++) {
		if (end || tv->n == 0) {
			if (y == 0 && tv->n == 0)
				rline_raw(&empty, ROLE_MESSAGE, "No turns in this session.");
			rline_draw(w, y, &empty, &t->theme, cols, -1, NULL);
			rline_reset(&empty);
			continue;
		}
		tb = lines_of(tv, ti);
		rline_draw(w, y, &tb->lines[li], &t->theme, cols,
		    ti == tv->cur_turn && li == tv->cur_line ? (int)ROLE_CURSOR : -1, tv->needle);
		if (step(t, tv, &ti, &li, 1, err) == 0)
			end = 1;
	}
	rline_free(&empty);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
}

/* The first (dir > 0) or last line of turn ti after (before) line from showing needle. */
static int
find_line(struct turns_view *tv, int ti, int from, int dir)
{
	struct textbuf *tb = lines_of(tv, ti);
	int i;

	for (i = from; i >= 0 && i < (int)tb->n; i += dir) {
		if (tb->lines[i].text.buf != NULL && text_find(tb->lines[i].text.buf, tv->needle))
			return i;
	}
	return -1;
}

static void
search(struct tui *t, struct view *v, struct turns_view *tv, int dir)
{
	char err[ERRLEN] = "";
	long long seq, found;
	int line, ti, tries, wrapped = 0, rc;

	if (tv->needle == NULL || *tv->needle == '\0' || tv->n == 0) {
		tui_message(t, 0, "No search yet: / searches.");
		return;
	}
	/* The rest of the cursor's turn first. */
	if ((line = find_line(tv, tv->cur_turn, tv->cur_line + dir, dir)) >= 0) {
		tv->cur_line = line;
		tui_message(t, 0, "/%s", tv->needle);
		return;
	}
	seq = tv->turns[tv->cur_turn].seq;
	for (tries = 0; tries < SEARCH_TRIES; tries++) {
		rc = browse_turn_search(t->st, tv->session_id, seq, dir, tv->needle,
		    tv->show_thinking, &found, err);
		if (rc < 0)
			break;
		if (rc == 0) {
			if (wrapped)
				break;
			wrapped = 1;
			seq = dir > 0 ? LLONG_MIN : LLONG_MAX;
			continue;
		}
		if ((ti = go_to_seq(t, tv, found, err)) < 0)
			break;
		line = find_line(tv, ti, dir > 0 ? 0 : (int)lines_of(tv, ti)->n - 1, dir);
		if (line < 0 && !tv->turns[ti].unfold_all) {
			/* The match may be in a folded tool call: unfold this turn's. */
			tv->turns[ti].unfold_all = 1;
			tv->turns[ti].cols = -1;
			line = find_line(tv, ti, dir > 0 ? 0 : (int)lines_of(tv, ti)->n - 1, dir);
		}
		if (line >= 0) {
			tv->cur_turn = ti;
			tv->cur_line = line;
			fix_top(t, tv, v->rows, err);
			tui_message(t, 0, wrapped ? "/%s (search wrapped)" : "/%s", tv->needle);
			return;
		}
		seq = found;	/* only in the JSON around the text: look further */
	}
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	else
		tui_message(t, 1, "Not found: %s", tv->needle);
}

static void
search_done(struct view *v, struct tui *t, const char *text)
{
	struct turns_view *tv = v->priv;

	if (text == NULL)
		return;
	if (*text == '\0') {
		free(tv->needle);
		tv->needle = NULL;
		tui_message(t, 0, "Search cleared.");
		return;
	}
	free(tv->needle);
	tv->needle = xstrdup(text);
	search(t, v, tv, 1);
}

/* After a re-render, puts the cursor back on the line tagged tag in its turn. */
static void
cursor_to_tag(struct turns_view *tv, int tag)
{
	struct textbuf *tb = lines_of(tv, tv->cur_turn);
	size_t i;

	for (i = 0; i < tb->n; i++) {
		if (tb->lines[i].tag == tag) {
			tv->cur_line = (int)i;
			return;
		}
	}
	clamp_cursor(tv);
}

static enum view_result
turns_request(struct view *v, struct tui *t, enum action a)
{
	struct turns_view *tv = v->priv;
	int rows = v->rows > 0 ? v->rows : 1, half = rows / 2 ? rows / 2 : 1, moved, ti, li;
	char err[ERRLEN] = "";
	struct rline *l;
	cJSON *calls;

	switch (a) {
	case ACT_MOVE_DOWN:
		step(t, tv, &tv->cur_turn, &tv->cur_line, 1, err);
		break;
	case ACT_MOVE_UP:
		step(t, tv, &tv->cur_turn, &tv->cur_line, -1, err);
		break;
	case ACT_PAGE_DOWN:
	case ACT_HALF_DOWN:
		moved = step(t, tv, &tv->cur_turn, &tv->cur_line, a == ACT_PAGE_DOWN ? rows : half,
		    err);
		step(t, tv, &tv->top_turn, &tv->top_line, moved, err);
		break;
	case ACT_PAGE_UP:
	case ACT_HALF_UP:
		moved = step(t, tv, &tv->top_turn, &tv->top_line, a == ACT_PAGE_UP ? -rows : -half,
		    err);
		step(t, tv, &tv->cur_turn, &tv->cur_line, -(moved > 0 ? moved : rows), err);
		break;
	case ACT_FIRST:
		if (!tv->at_start || tv->offset != 0)
			load_first(t, tv, err);
		tv->cur_turn = tv->cur_line = tv->top_turn = tv->top_line = 0;
		break;
	case ACT_LAST:
		if (!tv->at_end) {
			clear_rows(tv);
			tv->at_start = 0;
			tv->at_end = 1;
			tv->offset = tv->total;
			tv->cur_turn = tv->top_turn = 0;
			fetch(t, tv, -1, err);
		}
		if (tv->n > 0) {
			tv->cur_turn = tv->n - 1;
			tv->cur_line = (int)lines_of(tv, tv->cur_turn)->n - 1;
		}
		break;
	case ACT_NEXT_TURN:
		ti = tv->cur_turn;
		li = (int)lines_of(tv, ti)->n - 1;
		if (step(t, tv, &ti, &li, 1, err) > 0) {
			tv->cur_turn = ti;
			tv->cur_line = 0;
			/* The new turn at the top of the pane. */
			tv->top_turn = ti;
			tv->top_line = 0;
		}
		break;
	case ACT_PREV_TURN:
		if (tv->cur_line > 0)
			tv->cur_line = 0;
		else {
			ti = tv->cur_turn;
			li = 0;
			if (step(t, tv, &ti, &li, -1, err) > 0) {
				tv->cur_turn = ti;
				tv->cur_line = 0;
			}
		}
		if (tv->n > 0) {
			tv->top_turn = tv->cur_turn;
			tv->top_line = 0;
		}
		break;
	case ACT_ENTER:
	case ACT_TOGGLE_TOOL:
		if (tv->n == 0)
			break;
		l = &lines_of(tv, tv->cur_turn)->lines[tv->cur_line];
		if (l->tag < 0) {
			tui_message(t, 0, "No tool call under the cursor.");
			break;
		}
		calls = cJSON_Parse(tv->turns[tv->cur_turn].tool_calls);
		{
			const cJSON *call = cJSON_GetArrayItem(calls, l->tag);
			const char *id = str_field(call, "id");
			int tag = l->tag;
			if (tv->turns[tv->cur_turn].unfold_all || tv->unfold_all) {
				/* Unfolded wholesale: folding one goes back to one by one. */
				tv->turns[tv->cur_turn].unfold_all = 0;
			} else if (id != NULL)
				toggle_unfolded(tv, id);
			tv->turns[tv->cur_turn].cols = -1;
			cursor_to_tag(tv, tag);
		}
		cJSON_Delete(calls);
		break;
	case ACT_TOGGLE_TOOLS:
		tv->unfold_all = !tv->unfold_all;
		for (ti = 0; ti < tv->n; ti++)
			tv->turns[ti].unfold_all = 0;
		while (tv->nunfolded > 0)
			free(tv->unfolded[--tv->nunfolded]);
		stale_all(tv);
		clamp_cursor(tv);
		tui_message(t, 0, tv->unfold_all ? "Every tool call unfolded." :
		    "Tool calls folded.");
		break;
	case ACT_TOGGLE_THINKING:
		tv->show_thinking = !tv->show_thinking;
		stale_all(tv);
		clamp_cursor(tv);
		tui_message(t, 0, tv->show_thinking ? "Thinking shown." : "Thinking hidden.");
		break;
	case ACT_SEARCH:
		tui_prompt(t, "/", tv->needle, search_done);
		return VIEW_HANDLED;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		search(t, v, tv, a == ACT_SEARCH_NEXT ? 1 : -1);
		break;
	default:
		return VIEW_IGNORED;
	}
	fix_top(t, tv, rows, err);
	trim(tv);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	return VIEW_HANDLED;
}

static void
turns_position(struct view *v, struct view_position *pos)
{
	struct turns_view *tv = v->priv;

	pos->line = tv->n > 0 ? tv->offset + tv->cur_turn + 1 : 0;
	pos->total = tv->total;
}

static const char *
turns_title(struct view *v)
{
	struct turns_view *tv = v->priv;

	return tv->title;
}

const struct view_ops turns_view_ops = {
	.name = "turns",
	.id = VIEW_TURNS,
	.open = turns_open,
	.reload = turns_reload,
	.draw = turns_draw,
	.preview = NULL,
	.request = turns_request,
	.position = turns_position,
	.title = turns_title,
	.close = turns_close,
};
