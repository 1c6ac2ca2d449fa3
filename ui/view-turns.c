/*
 * The turns view: a session's conversation to read, user and assistant in
 * turn, the text wrapped to the pane, tool calls folded to one line each
 * (o or Enter unfolds the one under the cursor, O all of them), the
 * assistant's thinking hidden until T, and / searches with n and N.
 *
 * A session can hold thousands of turns with tool results of up to 64 KiB,
 * so the turns are paged by seq through the list window (ui/listwin.h), each
 * turn a row as many lines high as it renders to, rendered only when drawn;
 * a search asks the store which turn matches next, then looks for the line
 * within it.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "export/export.h"
#include "privacy/redact.h"
#include "store/browse.h"
#include "store/commits.h"
#include "ui/list-search.h"
#include "ui/listwin.h"
#include "ui/markdown.h"
#include "ui/redact-marks.h"
#include "ui/tui.h"
#include "ui/turn-images.h"
#include "ui/view.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xmalloc.h"

#define PAGE 24			/* turns per query */
#define SEARCH_TRIES 500	/* turns the store matched but no line shows: give up after */

struct tturn {
	long long seq;
	char *id, *role, *timestamp, *model;
	char *content, *thinking, *tool_calls;
	long long tokens_in, tokens_out;
	int unfold_all;		/* a search unfolded it */
	struct textbuf lines;
	int cols;		/* rendered at this width; -1: stale */
	struct image_spots spots;	/* where its pictures in pixels go */
	int images_missing;	/* screenshots not here when rendered */
	unsigned long images_generation;	/* the fetcher's, when rendered */
	int images_asked;	/* those were asked for */
};

struct turns_view {
	struct tui *t;
	char session_id[UUID_STRLEN];
	char title[64];
	struct listwin lw;	/* of struct tturn, by seq */
	int cols;
	int show_thinking;
	int unfold_all;
	char **unfolded;	/* ids of the tool calls unfolded one by one */
	size_t nunfolded;
	char *needle;
	long long fresh;	/* turns that came in below the cursor, not reached yet */
	struct redactor *redactor;	/* what would go up redacted is shown so */
	struct redact_spans spans;
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
	image_spots_free(&tt->spots);
}

struct page {
	struct tturn *turns;
	int n;
};

static struct tturn *
turn_at(struct turns_view *tv, long long i)
{
	return listwin_row(&tv->lw, i);
}

static struct tturn *
cursor_turn(struct turns_view *tv)
{
	return listwin_cursor(&tv->lw);
}

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

/* The input fields an Edit, MultiEdit or Write shows as a diff instead. */
static int
shown_as_diff(const char *tool, const char *field)
{
	if (field == NULL)
		return 0;
	if (strcmp(tool, "Edit") == 0)
		return strcmp(field, "old_string") == 0 || strcmp(field, "new_string") == 0;
	if (strcmp(tool, "MultiEdit") == 0)
		return strcmp(field, "edits") == 0;
	return strcmp(tool, "Write") == 0 && strcmp(field, "content") == 0;
}

/* A line of a diff as unified diff text ("-old", "+new"; a file written is all added). */
static void
diff_line(struct strbuf *sb, char kind, const char *line, size_t len)
{
	strbuf_addc(sb, kind == 'w' ? '+' : kind);
	strbuf_add(sb, line, len);
	strbuf_addc(sb, '\n');
}

/* What an Edit, MultiEdit or Write changed, coloured as a diff. */
static void
render_changes(struct textbuf *tb, const char *name, const cJSON *input, int index, int cols)
{
	struct strbuf diff = STRBUF_INIT;
	const char *p, *nl;
	char *line;

	if (export_changes(&diff, name, input, diff_line) == 0) {
		strbuf_free(&diff);
		return;
	}
	for (p = diff.buf; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		line = xstrndup(p, (size_t)(nl - p));
		textbuf_wrap(tb, *p == '-' ? ROLE_DIFF_DEL : *p == '+' ? ROLE_DIFF_ADD :
		    *p == '@' ? ROLE_THINKING : ROLE_DEFAULT,
		    line, ROLE_DEFAULT, "      ", cols, index);
		free(line);
	}
	strbuf_free(&diff);
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
		char *text;

		if (!failed && name != NULL && shown_as_diff(name, e->string))
			continue;
		text = cJSON_IsString(e) ? NULL : cJSON_PrintUnformatted(e);
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
	if (!failed && name != NULL)
		render_changes(tb, name, input, index, cols);
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
	if (tt->content != NULL && tt->content[strspn(tt->content, " \t\r\n")] != '\0') {
		struct strbuf text = STRBUF_INIT;

		/* Models put blank lines around their text: none on screen. */
		export_add_text(&text, tt->content);
		markdown_wrap(tb, text.buf, "  ", cols);
		strbuf_free(&text);
	}
	tt->images_missing = turn_images_render(tv->t, tb, tt->id, cols, &tt->spots);
	tt->images_generation = turn_images_generation(tv->t);
	calls = tt->tool_calls != NULL ? cJSON_Parse(tt->tool_calls) : NULL;
	i = 0;
	cJSON_ArrayForEach(call, calls)
		render_tool(tv, tt, call, i++, cols);
	cJSON_Delete(calls);
	redact_marks(tv->redactor, &tv->spans, tb, cols);
	textbuf_line(tb);	/* a blank line between turns */
}

static struct textbuf *
lines_of(struct turns_view *tv, struct tturn *tt)
{
	if (tt->cols != tv->cols)
		render(tv, tt, tv->cols);
	return &tt->lines;
}

/* Every turn renders again (a fold, the thinking, the width changed). */
static void
stale_all(struct turns_view *tv)
{
	long long i;

	for (i = tv->lw.offset; i < tv->lw.offset + tv->lw.n; i++)
		turn_at(tv, i)->cols = -1;
	listwin_heights_changed(&tv->lw);
}

/* The turns after (dir > 0) or before from's seq, in seq order. */
static int
source_fetch(void *ctx, const void *from, int dir, int limit, void *out, char *err)
{
	struct turns_view *tv = ctx;
	const struct tturn *f = from;
	struct page p = { out, 0 };
	struct tturn swap;
	int i;

	if (browse_turns(tv->t->st, tv->session_id, f != NULL ? f->seq : dir > 0 ? LLONG_MIN :
	    LLONG_MAX, dir, limit, take_turn, &p, err) < 0) {
		for (i = 0; i < p.n; i++)
			turn_free(&p.turns[i]);
		return -1;
	}
	/* A page before came newest first: turn it round. */
	for (i = 0; dir < 0 && i < p.n / 2; i++) {
		swap = p.turns[i];
		p.turns[i] = p.turns[p.n - 1 - i];
		p.turns[p.n - 1 - i] = swap;
	}
	return p.n;
}

static long long
source_count(void *ctx, char *err)
{
	struct turns_view *tv = ctx;

	return browse_turn_count(tv->t->st, tv->session_id, err);
}

static long long
source_rank(void *ctx, const void *row, char *err)
{
	struct turns_view *tv = ctx;

	return browse_turn_rank(tv->t->st, tv->session_id, ((const struct tturn *)row)->seq, err);
}

static int
source_height(void *ctx, void *row)
{
	return (int)lines_of(ctx, row)->n;
}

static void
source_clear(void *row)
{
	turn_free(row);
}

static const struct listwin_source turns_source = {
	.size = sizeof(struct tturn),
	.fetch = source_fetch,
	.count = source_count,
	.rank = source_rank,
	.height = source_height,
	.clear = source_clear,
};

/* The window holding the turn seq; its list index, or -1. */
static long long
go_to_seq(struct turns_view *tv, long long seq, char *err)
{
	struct tturn key;
	long long i;

	for (i = tv->lw.offset; i < tv->lw.offset + tv->lw.n; i++) {
		if (turn_at(tv, i)->seq == seq)
			return i;
	}
	/* The turns from seq on: those after seq - 1. */
	memset(&key, 0, sizeof key);
	key.seq = seq - 1;
	if (listwin_load_after(&tv->lw, &key, err) != 0)
		return -1;
	return cursor_turn(tv) != NULL && cursor_turn(tv)->seq == seq ? tv->lw.cur : -1;
}

static int find_line(struct turns_view *tv, struct tturn *tt, int from, int dir);

/*
 * spec is "SEQ NEEDLE": the cursor goes to turn SEQ, on its first line that
 * holds NEEDLE (its tool calls unfolded when the match is in one), and n and
 * N go on searching NEEDLE. A turn gone since leaves the cursor at the top.
 */
static void
open_at_match(struct view *v, struct turns_view *tv, const char *spec, char *err)
{
	const char *needle = strchr(spec, ' ');
	struct tturn *tt;
	long long ti;
	int line;

	if ((ti = go_to_seq(tv, strtoll(spec, NULL, 10), err)) < 0) {
		err[0] = '\0';
		return;
	}
	tv->lw.cur = ti;
	tv->lw.cur_line = 0;
	if (needle != NULL && needle[1] != '\0') {
		tv->needle = xstrdup(needle + 1);
		tt = turn_at(tv, ti);
		if ((line = find_line(tv, tt, 0, 1)) < 0) {
			tt->unfold_all = 1;
			tt->cols = -1;
			line = find_line(tv, tt, 0, 1);
		}
		if (line >= 0)
			tv->lw.cur_line = line;
	}
	listwin_fit(&tv->lw, v->rows, err);
	err[0] = '\0';
}

static int
turns_open(struct view *v, struct tui *t, const char *arg, char *err)
{
	struct turns_view *tv = xcalloc(1, sizeof *tv);

	v->priv = tv;
	tv->t = t;
	/* The config's patterns, or (they do not compile: push says so) the built-in rules. */
	if (t->cfg == NULL || (tv->redactor = redactor_from_config(t->cfg, err)) == NULL)
		tv->redactor = redactor_new(NULL, NULL, err);
	err[0] = '\0';
	listwin_init(&tv->lw, &turns_source, tv, PAGE);
	/* "SESSION", or "SESSION@SEQ NEEDLE" from a search: open at that turn's match. */
	snprintf(tv->session_id, sizeof tv->session_id, "%.*s", (int)strcspn(arg != NULL ? arg : "",
	    "@"), arg != NULL ? arg : "");
	snprintf(tv->title, sizeof tv->title, "session %.8s", tv->session_id);
	tv->cols = 80;
	if ((tv->lw.total = source_count(tv, err)) < 0 || listwin_load_first(&tv->lw, err) != 0)
		return -1;
	if (arg != NULL && strchr(arg, '@') != NULL)
		open_at_match(v, tv, strchr(arg, '@') + 1, err);
	return 0;
}

static void
turns_close(struct view *v)
{
	struct turns_view *tv = v->priv;
	size_t i;

	if (tv == NULL)
		return;
	listwin_free(&tv->lw);
	for (i = 0; i < tv->nunfolded; i++)
		free(tv->unfolded[i]);
	free(tv->unfolded);
	free(tv->needle);
	redactor_free(tv->redactor);
	redact_spans_free(&tv->spans);
	free(tv);
	v->priv = NULL;
}

/* The cursor is on the session's last turn (as far as the window knows). */
static int
on_last_turn(const struct turns_view *tv)
{
	const struct listwin *lw = &tv->lw;

	return lw->n > 0 && lw->at_end && lw->cur == lw->offset + lw->n - 1;
}

/*
 * Turns are immutable once their commit closes; a reload picks up an open
 * one's growth. On the last turn the view follows the tail (tail -f);
 * elsewhere it stays put and counts what came in below ("N new turns").
 */
static int
turns_reload(struct view *v, struct tui *t, char *err)
{
	struct turns_view *tv = v->priv;
	long long before = tv->lw.total, total = source_count(tv, err);
	int follow = on_last_turn(tv) || listwin_empty(&tv->lw);

	(void)t;
	if (total < 0)
		return -1;
	listwin_grown(&tv->lw, total);
	if (before < 0 || total <= before)
		return 0;
	if (!follow) {
		tv->fresh += total - before;
		return 0;
	}
	/* Rendered at the pane's width, so the last line is the last one drawn. */
	if (listwin_move(&tv->lw, ACT_LAST, v->rows, err) && err[0] != '\0')
		return -1;
	return 0;
}

/* The new turns are seen once the cursor reaches the last one. */
static void
fresh_seen(struct turns_view *tv)
{
	if (tv->fresh > 0 && on_last_turn(tv))
		tv->fresh = 0;
}

/* Screenshots fetched since a turn rendered: it renders again, with them. */
static void
images_arrived(struct turns_view *tv)
{
	unsigned long g = turn_images_generation(tv->t);
	struct tturn *tt;
	long long i;
	int stale = 0;

	for (i = tv->lw.offset; i < tv->lw.offset + tv->lw.n; i++) {
		tt = turn_at(tv, i);
		if (tt->cols >= 0 && tt->images_missing > 0 && tt->images_generation != g) {
			tt->cols = -1;
			stale = 1;
		}
	}
	if (stale)
		listwin_heights_changed(&tv->lw);
}

/* Turn tt is on screen (or on the next one): its screenshots not here are fetched, once. */
static void
images_seen(struct turns_view *tv, struct tturn *tt)
{
	if (tt->images_missing > 0 && !tt->images_asked)
		tt->images_asked = turn_images_want(tv->t, tt->id);
}

/* The turns of the screen below the pane's (from turn i, line li) are asked for too. */
static void
images_next_screen(struct turns_view *tv, long long i, int li, int rows)
{
	char err[ERRLEN] = "";
	int y;

	images_seen(tv, turn_at(tv, i));
	for (y = 0; y < rows && listwin_walk(&tv->lw, &i, &li, 1, err) > 0; y++) {
		if (li == 0)
			images_seen(tv, turn_at(tv, i));
	}
}

/* Places the pictures in pixels whose first line is line li of turn tt, drawn at pane line y. */
static void
place_images(struct tui *t, WINDOW *w, struct tturn *tt, int li, int y, int rows)
{
	size_t k;

	for (k = 0; k < tt->spots.n; k++) {
		if (tt->spots.v[k].line == (size_t)li)
			turn_images_place(t, w, y, rows, &tt->spots.v[k]);
	}
}

static void
turns_draw(struct view *v, struct tui *t, WINDOW *w, int rows, int cols)
{
	struct turns_view *tv = v->priv;
	char err[ERRLEN] = "";
	struct rline empty;
	struct textbuf *tb;
	long long i;
	int y, li, end = 0;

	if (tv->cols != cols) {
		tv->cols = cols;
		stale_all(tv);
	}
	images_arrived(tv);
	listwin_fit(&tv->lw, rows, err);
	rline_init(&empty);
	i = tv->lw.top;
	li = tv->lw.top_line;
	for (y = 0; y < rows; y++) {
		if (end || listwin_empty(&tv->lw)) {
			if (y == 0 && listwin_empty(&tv->lw))
				rline_raw(&empty, ROLE_MESSAGE, "No turns in this session.");
			rline_draw(w, y, &empty, &t->theme, cols, -1, NULL);
			rline_reset(&empty);
			continue;
		}
		tb = lines_of(tv, turn_at(tv, i));
		rline_draw(w, y, &tb->lines[li], &t->theme, cols,
		    i == tv->lw.cur && li == tv->lw.cur_line ? (int)ROLE_CURSOR : -1, tv->needle);
		images_seen(tv, turn_at(tv, i));
		place_images(t, w, turn_at(tv, i), li, y, rows);
		if (listwin_walk(&tv->lw, &i, &li, 1, err) == 0)
			end = 1;
	}
	if (!end && !listwin_empty(&tv->lw))
		images_next_screen(tv, i, li, rows);
	rline_free(&empty);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
}

/* The first (dir > 0) or last line of tt after (before) line from showing needle. */
static int
find_line(struct turns_view *tv, struct tturn *tt, int from, int dir)
{
	struct textbuf *tb = lines_of(tv, tt);
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
	long long seq, found, ti;
	struct tturn *tt;
	int line, tries, wrapped = 0, rc;

	/* Not searched here yet: the last search of any list (as less does). */
	if (tv->needle == NULL && t->last_search != NULL)
		tv->needle = xstrdup(t->last_search);
	if (tv->needle == NULL || *tv->needle == '\0' || listwin_empty(&tv->lw)) {
		tui_message(t, 0, "No search yet: / searches.");
		return;
	}
	/* The rest of the cursor's turn first. */
	if ((line = find_line(tv, cursor_turn(tv), tv->lw.cur_line + dir, dir)) >= 0) {
		tv->lw.cur_line = line;
		tui_message(t, 0, "Found: %s", tv->needle);
		return;
	}
	seq = cursor_turn(tv)->seq;
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
		if ((ti = go_to_seq(tv, found, err)) < 0)
			break;
		tt = turn_at(tv, ti);
		line = find_line(tv, tt, dir > 0 ? 0 : (int)lines_of(tv, tt)->n - 1, dir);
		if (line < 0 && !tt->unfold_all) {
			/* The match may be in a folded tool call: unfold this turn's. */
			tt->unfold_all = 1;
			tt->cols = -1;
			line = find_line(tv, tt, dir > 0 ? 0 : (int)lines_of(tv, tt)->n - 1, dir);
		}
		if (line >= 0) {
			tv->lw.cur = ti;
			tv->lw.cur_line = line;
			listwin_fit(&tv->lw, v->rows, err);
			tui_message(t, 0, wrapped ? "Found: %s (search wrapped)" : "Found: %s",
			    tv->needle);
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
	list_search_remember(t, text);
	search(t, v, tv, 1);
}

/* After a re-render, puts the cursor back on the line tagged tag in its turn. */
static void
cursor_to_tag(struct turns_view *tv, int tag)
{
	struct textbuf *tb = lines_of(tv, cursor_turn(tv));
	size_t i;

	for (i = 0; i < tb->n; i++) {
		if (tb->lines[i].tag == tag) {
			tv->lw.cur_line = (int)i;
			return;
		}
	}
	listwin_heights_changed(&tv->lw);
}

/* The cursor on the first line of the next (dir > 0) or previous turn, at the top of the pane. */
static void
next_turn(struct turns_view *tv, int dir, char *err)
{
	struct listwin *lw = &tv->lw;
	long long i = lw->cur;
	int li = dir > 0 ? (int)lines_of(tv, cursor_turn(tv))->n - 1 : 0;

	if (dir < 0 && lw->cur_line > 0)
		lw->cur_line = 0;
	else if (listwin_walk(lw, &i, &li, dir, err) > 0) {
		lw->cur = i;
		lw->cur_line = 0;
	} else if (dir > 0)
		return;
	lw->top = lw->cur;
	lw->top_line = 0;
}

/*
 * On a turn's header or text: folds every call of the turn when one shows,
 * else unfolds them all.
 */
static void
toggle_turn_tools(struct tui *t, struct turns_view *tv, struct tturn *tt, const cJSON *calls)
{
	const cJSON *call;
	const char *id;
	int open = 0;
	size_t i;

	if (cJSON_GetArraySize(calls) == 0) {
		tui_message(t, 0, "This turn made no tool call.");
		return;
	}
	if (tv->unfold_all) {
		tui_message(t, 0, "Every call is unfolded (O folds them all).");
		return;
	}
	cJSON_ArrayForEach(call, calls)
		open |= is_unfolded(tv, tt, str_field(call, "id"));
	tt->unfold_all = !open;
	/* Folded: none of them stays unfolded one by one either. */
	cJSON_ArrayForEach(call, calls) {
		id = str_field(call, "id");
		for (i = 0; open && id != NULL && i < tv->nunfolded; i++) {
			if (strcmp(tv->unfolded[i], id) == 0) {
				toggle_unfolded(tv, id);
				break;
			}
		}
	}
	tt->cols = -1;
}

/* Folds or unfolds the tool call under the cursor (on the turn's own lines: all of them). */
static void
toggle_tool(struct tui *t, struct turns_view *tv)
{
	struct tturn *tt = cursor_turn(tv);
	struct rline *l = &lines_of(tv, tt)->lines[tv->lw.cur_line];
	cJSON *calls;
	const char *id;
	int tag = l->tag;

	calls = cJSON_Parse(tt->tool_calls);
	if (tag < 0) {
		toggle_turn_tools(t, tv, tt, calls);
		cJSON_Delete(calls);
		return;
	}
	id = str_field(cJSON_GetArrayItem(calls, tag), "id");
	if (tt->unfold_all || tv->unfold_all) {
		/* Unfolded wholesale: folding one goes back to one by one. */
		tt->unfold_all = 0;
	} else if (id != NULL)
		toggle_unfolded(tv, id);
	tt->cols = -1;
	cursor_to_tag(tv, tag);
	cJSON_Delete(calls);
}

static enum view_result
turns_request(struct view *v, struct tui *t, enum action a)
{
	struct turns_view *tv = v->priv;
	char err[ERRLEN] = "";
	long long i;

	if (view_list_move(v, t, &tv->lw, a, v->rows))
		return VIEW_HANDLED;
	switch (a) {
	case ACT_NEXT_TURN:
	case ACT_PREV_TURN:
		if (!listwin_empty(&tv->lw))
			next_turn(tv, a == ACT_NEXT_TURN ? 1 : -1, err);
		break;
	case ACT_ENTER:
	case ACT_TOGGLE_TOOL:
		if (!listwin_empty(&tv->lw))
			toggle_tool(t, tv);
		break;
	case ACT_TOGGLE_TOOLS:
		tv->unfold_all = !tv->unfold_all;
		for (i = tv->lw.offset; i < tv->lw.offset + tv->lw.n; i++)
			turn_at(tv, i)->unfold_all = 0;
		while (tv->nunfolded > 0)
			free(tv->unfolded[--tv->nunfolded]);
		stale_all(tv);
		tui_message(t, 0, tv->unfold_all ? "Every tool call unfolded." :
		    "Tool calls folded.");
		break;
	case ACT_OPEN_IMAGE:
		if (!listwin_empty(&tv->lw)) {
			turn_images_open(t, cursor_turn(tv)->id,
			    lines_of(tv, cursor_turn(tv))->lines[tv->lw.cur_line].tag);
			cursor_turn(tv)->cols = -1;	/* fetched: its size shows */
		}
		break;
	case ACT_TOGGLE_THINKING:
		tv->show_thinking = !tv->show_thinking;
		stale_all(tv);
		tui_message(t, 0, tv->show_thinking ? "Thinking shown." : "Thinking hidden.");
		break;
	case ACT_SEARCH:
		tui_prompt(t, "/", t->last_search, search_done);
		return VIEW_HANDLED;
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
		search(t, v, tv, a == ACT_SEARCH_NEXT ? 1 : -1);
		break;
	default:
		return VIEW_IGNORED;
	}
	listwin_fit(&tv->lw, v->rows, err);
	if (err[0] != '\0')
		tui_message(t, 1, "%s", err);
	return VIEW_HANDLED;
}

static void
turns_position(struct view *v, struct view_position *pos)
{
	struct turns_view *tv = v->priv;

	listwin_position(&tv->lw, &pos->line, &pos->total);
	fresh_seen(tv);
	pos->fresh = tv->fresh;
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
