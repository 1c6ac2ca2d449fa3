/*
 * The browser's UI thread: curses, the view stack, the event loop over the
 * keyboard and the sync thread's pipe, prompts on the message line, and the
 * headless script mode for tests.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config/config.h"
#include "store/browse.h"
#include "store/db.h"
#include "store/samples.h"
#include "sync/account.h"
#include "sync/engine.h"
#include "ui/handoff.h"
#include "ui/script.h"
#include "ui/status.h"
#include "ui/sync-owner.h"
#include "ui/tui.h"
#include "ui/turn-images.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define POLL_MS 1000		/* the status bar's clock ticks this often */
#define WAIT_IDLE_SECONDS 60
/* The samples say so on screen: always in the status bar, at first in full. */
#define SAMPLES_NOTE "invented samples: agentlogs import brings yours"
#define SAMPLES_HOWTO \
	"Invented samples, shown until yours arrive: agentlogs import [--claude-dir DIR]"

static const struct {
	enum action action;
	const char *label;
	unsigned int views;	/* where the hint shows */
} hints[] = {
	{ ACT_HELP, "help", VMASK_ALL },
	{ ACT_ENTER, "open", VMASK(VIEW_PROJECTS) | VMASK(VIEW_COMMITS) | VMASK(VIEW_SESSIONS) |
	    VMASK(VIEW_PENDING) | VMASK(VIEW_SEARCH) },
	{ ACT_ENTER, "resolve", VMASK(VIEW_CONFLICTS) },
	{ ACT_ACK_SETTLED, "ack settled", VMASK(VIEW_CONFLICTS) },
	{ ACT_TAKE_LOCAL, "local", VMASK(VIEW_RESOLVE) },
	{ ACT_TAKE_CLOUD, "cloud", VMASK(VIEW_RESOLVE) },
	{ ACT_ACCEPT, "accept", VMASK(VIEW_RESOLVE) },
	{ ACT_LATER, "later", VMASK(VIEW_RESOLVE) },
	{ ACT_TOGGLE_TOOL, "fold", VMASK(VIEW_TURNS) },
	{ ACT_SEARCH, "search", VMASK(VIEW_TURNS) },
	{ ACT_TOGGLE_THINKING, "thinking", VMASK(VIEW_TURNS) },
	{ ACT_PUBLISH, "publish", VMASK(VIEW_COMMITS) },
	{ ACT_HIDE, "hide", VMASK(VIEW_COMMITS) },
	{ ACT_RETITLE, "title", VMASK(VIEW_COMMITS) },
	{ ACT_VIEW_PROJECTS, "projects", VMASK(VIEW_COMMITS) },
	{ ACT_TOGGLE_PREVIEW, "preview", VMASK(VIEW_PROJECTS) | VMASK(VIEW_COMMITS) |
	    VMASK(VIEW_SESSIONS) | VMASK(VIEW_PENDING) | VMASK(VIEW_CONFLICTS) },
	{ ACT_SYNC_NOW, "sync", VMASK_ALL },
	{ ACT_QUIT, "quit", VMASK_ALL },
};

/* SIGINT, SIGTERM and SIGHUP end the loop like Q, so the terminal is restored. */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static struct view *
top_view(struct tui *t)
{
	return t->depth > 0 ? t->stack[t->depth - 1] : NULL;
}

void
tui_message(struct tui *t, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg[strcspn(t->msg, "\r\n")] = '\0';
	t->msg_error = error;
}

int
tui_syncing_enabled(const struct tui *t)
{
	return t->status.state != SYNC_LOCAL || t->status.user[0] != '\0';
}

static void
view_free(struct view *v)
{
	if (v == NULL)
		return;
	if (v->ops->close != NULL)
		v->ops->close(v);
	textbuf_free(&v->preview);
	free(v);
}

int
tui_push(struct tui *t, const struct view_ops *ops, const char *arg)
{
	struct view *v;
	char err[ERRLEN] = "";

	if (t->depth == TUI_STACK_MAX) {
		tui_message(t, 1, "Too many views open: go back first.");
		return -1;
	}
	v = xcalloc(1, sizeof *v);
	v->ops = ops;
	textbuf_init(&v->preview);
	if (t->layout.list.h > 0) {
		v->rows = t->layout.list.h;
		v->cols = t->layout.list.w;
	} else {
		v->rows = 1;
		v->cols = 80;
	}
	if (ops->open(v, t, arg, err) != 0) {
		tui_message(t, 1, "%s", err[0] != '\0' ? err : "cannot open the view");
		view_free(v);
		return -1;
	}
	t->stack[t->depth++] = v;
	return 0;
}

static void
reload(struct tui *t, struct view *v)
{
	char err[ERRLEN] = "";

	v->stale = 0;
	if (v->ops->reload(v, t, err) != 0)
		tui_message(t, 1, "%s", err);
	view_preview_changed(v);
}

/* A view hidden while the store changed is read again when it shows. */
static void
pop(struct tui *t)
{
	if (t->depth > 1) {
		view_free(t->stack[--t->depth]);
		if (t->stack[t->depth - 1]->stale)
			reload(t, t->stack[t->depth - 1]);
	}
}

/* The store changed: the view on screen reads it again, the others when shown. */
static void
reload_all(struct tui *t)
{
	int i;

	for (i = 0; i < t->depth - 1; i++)
		t->stack[i]->stale = 1;
	if (t->depth > 0)
		reload(t, t->stack[t->depth - 1]);
}

/*
 * The refresh key: every view reads the store again whether or not
 * data_version moved, the sync thread counts again, and the screen is
 * drawn anew.
 */
static void
reload_everything(struct tui *t)
{
	char err[ERRLEN];

	t->data_version = browse_data_version(t->st);
	t->samples = samples_present(t->st, NULL) > 0;
	tui_message(t, 0, "Reloaded.");	/* unless a view says what went wrong */
	reload_all(t);
	owner_send(t->owner, SYNC_CMD_RECOUNT, err);
	clearok(curscr, TRUE);
}

/* Runs the top view's idle work to its end (headless: screens must not depend on timing). */
static void
idle_all(struct tui *t)
{
	struct view *v = top_view(t);

	while (v != NULL && v->ops->idle != NULL && v->ops->idle(v, t))
		;
}

void
tui_edited(struct tui *t)
{
	char err[ERRLEN];

	reload_all(t);
	if (owner_send(t->owner, SYNC_CMD_NUDGE, err) != 0)
		log_debug("%s", err);
}

void
tui_prompt(struct tui *t, const char *label, const char *initial, tui_prompt_fn done)
{
	editline_free(&t->edit);
	editline_init(&t->edit, initial);
	snprintf(t->prompt_label, sizeof t->prompt_label, "%s", label);
	t->prompting = 1;
	t->prompt_fn = done;
	t->confirm_fn = NULL;
	t->prompt_view = top_view(t);
}

void
tui_confirm(struct tui *t, const char *question, tui_confirm_fn done)
{
	snprintf(t->prompt_label, sizeof t->prompt_label, "%s", question);
	t->prompting = 1;
	t->prompt_fn = NULL;
	t->confirm_fn = done;
	t->prompt_view = top_view(t);
}

/* ---------------------------------------------------------------- drawing */

static void
delete_windows(struct tui *t)
{
	WINDOW **w[] = { &t->header, &t->list, &t->sep, &t->preview, &t->status_win,
		&t->message };
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++) {
		if (*w[i] != NULL)
			delwin(*w[i]);
		*w[i] = NULL;
	}
}

static WINDOW *
window_for(const struct rect *r, int margin)
{
	if (r->h <= 0 || r->w <= margin)
		return NULL;
	return newwin(r->h, r->w - margin, r->y, r->x + margin);
}

/* Lays the panes out again when the terminal, the view or the settings changed. */
static void
relayout(struct tui *t, int force)
{
	struct layout l;
	struct view *v = top_view(t);
	int i;

	t->lp.has_preview = v != NULL && v->ops->preview != NULL;
	layout_compute(&t->lp, LINES, COLS, &l);
	if (!force && t->list != NULL && memcmp(&l, &t->layout, sizeof l) == 0)
		return;
	t->layout = l;
	delete_windows(t);
	werase(stdscr);
	wnoutrefresh(stdscr);
	t->header = window_for(&l.header, 0);
	t->list = window_for(&l.list, 0);
	t->sep = window_for(&l.sep, 0);
	/* A column of air between the separator and the preview's text. */
	t->preview = window_for(&l.preview, l.side_by_side ? 1 : 0);
	t->status_win = window_for(&l.status, 0);
	t->message = window_for(&l.message, 0);
	for (i = 0; i < t->depth; i++)
		t->stack[i]->preview_valid = 0;
}

static void
views_text(struct tui *t, struct strbuf *sb, const char **filter)
{
	const char *title;
	int i;

	*filter = NULL;
	for (i = 0; i < t->depth; i++) {
		if (i > 0)
			strbuf_adds(sb, " \xe2\x80\xba ");	/* › */
		strbuf_adds(sb, t->stack[i]->ops->name);
		/* What the list shows: a commit list's project, a search's words, a filter. */
		if ((VMASK(t->stack[i]->ops->id) & (VMASK(VIEW_COMMITS) | VMASK(VIEW_SEARCH) |
		    VMASK(VIEW_PENDING) | VMASK(VIEW_CONFLICTS))) &&
		    (title = t->stack[i]->ops->title(t->stack[i])) != NULL)
			*filter = title;
	}
}

static void
draw_hints(struct tui *t, struct rline *l, int cols)
{
	struct view *v = top_view(t);
	keycode k[1];
	char name[32];
	size_t i;

	for (i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		if (!(hints[i].views & VMASK(v->ops->id)))
			continue;
		if (keymap_keys(t->keys, v->ops->id, hints[i].action, k, 1) == 0)
			continue;
		keycode_name(k[0], name, sizeof name);
		if (l->width + (int)strlen(name) + (int)strlen(hints[i].label) + 3 > cols)
			break;
		if (l->width > 0)
			rline_raw(l, ROLE_MESSAGE, "  ");
		rline_raw(l, ROLE_HELP_KEY, name);
		rline_raw(l, ROLE_MESSAGE, ":");
		rline_raw(l, ROLE_MESSAGE, hints[i].label);
	}
}

static void
draw_message(struct tui *t, struct rline *l)
{
	WINDOW *w = t->message;
	int cols = t->layout.message.w, col;
	size_t start, end;

	if (w == NULL)
		return;
	rline_reset(l);
	if (t->prompting) {
		/* Our own text (a title in it went through text_oneline): spaces kept. */
		rline_raw(l, ROLE_PROMPT, t->prompt_label);
		if (t->confirm_fn == NULL) {
			char *shown;
			editline_view(&t->edit, cols - l->width - 1, &start, &end, &col);
			shown = xstrndup(t->edit.buf + start, end - start);
			col += l->width;
			/* Selected: what typing will replace. */
			rline_raw(l, t->edit.selected ? ROLE_CURSOR : ROLE_DEFAULT, shown);
			free(shown);
		} else
			col = l->width;
		rline_draw(w, 0, l, &t->theme, cols, -1, NULL);
		wmove(w, 0, col < cols ? col : cols - 1);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (t->msg[0] != '\0')
		rline_add(l, t->msg_error ? ROLE_ERROR : ROLE_MESSAGE, t->msg, -cols);
	else
		draw_hints(t, l, cols);
	rline_draw(w, 0, l, &t->theme, cols, -1, NULL);
}

static void
draw(struct tui *t)
{
	struct view *v = top_view(t);
	struct strbuf views = STRBUF_INIT;
	struct view_position pos = { 0, -1, 0 };
	struct rline l;
	const char *filter;
	char position[96];
	int y, i, n;

	relayout(t, 0);
	turn_images_frame_begin(t);
	rline_init(&l);
	if (t->header != NULL) {
		views_text(t, &views, &filter);
		header_bar(&l, t->status.user, t->machine, filter, views.buf, t->layout.header.w);
		rline_draw(t->header, 0, &l, &t->theme, t->layout.header.w, -1, NULL);
		wnoutrefresh(t->header);
	}
	if (t->list != NULL) {
		v->rows = t->layout.list.h;
		v->cols = t->layout.list.w;
		v->ops->draw(v, t, t->list, v->rows, v->cols);
		wnoutrefresh(t->list);
	}
	if (t->sep != NULL) {
		role_set(t->sep, &t->theme, ROLE_SEPARATOR);
		for (y = 0; y < t->layout.sep.h; y++) {
			wmove(t->sep, y, 0);
			for (i = 0; i < t->layout.sep.w; i++)
				waddstr(t->sep, t->layout.side_by_side ? "\xe2\x94\x82" : "\xe2\x94\x80");
		}
		wnoutrefresh(t->sep);
	}
	if (t->preview != NULL && v->ops->preview != NULL) {
		int h = t->layout.preview.h, w = getmaxx(t->preview);
		if (!v->preview_valid || v->preview_cols != w) {
			textbuf_reset(&v->preview);
			v->ops->preview(v, t, &v->preview, w);
			v->preview_valid = 1;
			v->preview_cols = w;
		}
		if (v->preview_top > (int)v->preview.n - h)
			v->preview_top = (int)v->preview.n - h;
		if (v->preview_top < 0)
			v->preview_top = 0;
		rline_reset(&l);
		for (y = 0; y < h; y++) {
			size_t li = (size_t)(v->preview_top + y);
			rline_draw(t->preview, y, li < v->preview.n ? &v->preview.lines[li] : &l,
			    &t->theme, w, -1, NULL);
		}
		wnoutrefresh(t->preview);
	}
	if (t->status_win != NULL) {
		v->ops->position(v, &pos);
		n = 0;
		if (pos.fresh > 0)
			n = snprintf(position, sizeof position, "%lld new turn%s \xe2\x86\x93  ",
			    pos.fresh, pos.fresh == 1 ? "" : "s");	/* ↓ */
		if (pos.total >= 0)
			snprintf(position + n, sizeof position - (size_t)n, "%s %lld/%lld",
			    v->ops->name, pos.line, pos.total);
		else
			snprintf(position + n, sizeof position - (size_t)n, "%s %lld", v->ops->name,
			    pos.line);
		status_bar(&l, &t->status, time_now(), position, t->samples ? SAMPLES_NOTE : NULL,
		    t->layout.status.w);
		rline_draw(t->status_win, 0, &l, &t->theme, t->layout.status.w, -1, NULL);
		wnoutrefresh(t->status_win);
	}
	draw_message(t, &l);
	if (t->message != NULL)
		wnoutrefresh(t->message);
	turn_images_frame_ready(t);
	doupdate();
	turn_images_frame_done(t);
	rline_free(&l);
	strbuf_free(&views);
}

/* ---------------------------------------------------------------- input */

static void
prompt_key(struct tui *t, keycode k)
{
	struct view *v = t->prompt_view;
	char *text;

	if (t->confirm_fn != NULL) {
		tui_confirm_fn fn = t->confirm_fn;
		t->prompting = 0;
		t->confirm_fn = NULL;
		t->msg[0] = '\0';
		fn(v, t, k == 'y' || k == 'Y');
		return;
	}
	switch (editline_key(&t->edit, k)) {
	case EDIT_ACCEPT:
		text = xstrdup(t->edit.buf);
		t->prompting = 0;
		t->msg[0] = '\0';
		t->prompt_fn(v, t, text);
		free(text);
		break;
	case EDIT_CANCEL:
		t->prompting = 0;
		t->msg[0] = '\0';
		t->prompt_fn(v, t, NULL);
		break;
	default:
		break;
	}
}

static int
find_view(struct tui *t, enum view_id id)
{
	int i;

	for (i = t->depth - 1; i >= 0; i--) {
		if (t->stack[i]->ops->id == id)
			return i;
	}
	return -1;
}

/* ui.split's values, by enum split_mode. */
static const char *const split_keys[] = {
	[SPLIT_AUTO] = "auto", [SPLIT_VERTICAL] = "side", [SPLIT_HORIZONTAL] = "stacked",
};

/* A layout key changed: written to the config, so the next browser opens the same way. */
static void
remember_layout(struct tui *t, const char *key, const char *value)
{
	char err[ERRLEN];

	if (config_set(t->home, key, value, err) != 0)
		tui_message(t, 1, "Cannot remember the layout: %s", err);
}

/* The layout the config remembers. */
static void
recall_layout(struct tui *t)
{
	const char *split = config_get(t->cfg, "ui.split");
	int i;

	t->lp.preview = config_get_bool(t->cfg, "ui.preview");
	t->lp.ratio = (int)config_get_number(t->cfg, "ui.preview-size");
	t->lp.split = SPLIT_AUTO;
	for (i = 0; i < (int)(sizeof split_keys / sizeof split_keys[0]); i++) {
		if (split != NULL && strcmp(split, split_keys[i]) == 0)
			t->lp.split = (enum split_mode)i;
	}
}

/* The global search's words: their hits in a view of their own, over what is shown. */
static void
search_all_done(struct view *v, struct tui *t, const char *text)
{
	(void)v;
	if (text != NULL && *text != '\0')
		tui_push(t, &search_view_ops, text);
}

static void
generic_action(struct tui *t, enum action a)
{
	struct view *v = top_view(t);
	char err[ERRLEN];
	int i;

	if (handoff_action(a)) {
		handoff_run(t, a);
		return;
	}
	switch (a) {
	case ACT_QUIT:
		if (t->depth > 1)
			pop(t);
		else
			t->quit = 1;
		break;
	case ACT_BACK:
		pop(t);
		break;
	case ACT_QUIT_ALL:
		t->quit = 1;
		break;
	case ACT_HELP:
		tui_push(t, &help_view_ops, v->ops->name);
		break;
	case ACT_GLOBAL_SEARCH:
		tui_prompt(t, "Search all: ", NULL, search_all_done);
		break;
	case ACT_VIEW_PROJECTS:
		if ((i = find_view(t, VIEW_PROJECTS)) >= 0) {
			while (t->depth > i + 1)
				pop(t);
		} else
			tui_push(t, &projects_view_ops, NULL);
		break;
	case ACT_VIEW_PENDING:
	case ACT_VIEW_CONFLICTS:
		/* Back to it when it is open below, else on top of what is shown. */
		if ((i = find_view(t, a == ACT_VIEW_PENDING ? VIEW_PENDING : VIEW_CONFLICTS)) >= 0) {
			while (t->depth > i + 1)
				pop(t);
		} else
			tui_push(t, a == ACT_VIEW_PENDING ? &pending_view_ops : &conflicts_view_ops,
			    NULL);
		break;
	case ACT_VIEW_LOG:
		while (t->depth > 1)
			pop(t);
		if (t->stack[0]->ops != &commits_view_ops) {
			view_free(t->stack[0]);
			t->depth = 0;
			if (tui_push(t, &commits_view_ops, NULL) != 0)
				t->quit = 1;
		}
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACT_RELOAD:
		reload_everything(t);
		break;
	case ACT_TOGGLE_PREVIEW:
		t->lp.preview = !t->lp.preview;
		remember_layout(t, "ui.preview", t->lp.preview ? "true" : "false");
		break;
	case ACT_TOGGLE_SPLIT:
		t->lp.split = layout_next_split(t->lp.split);
		tui_message(t, 0, "Preview: %s.", layout_split_name(t->lp.split));
		remember_layout(t, "ui.split", split_keys[t->lp.split]);
		break;
	case ACT_GROW_PREVIEW:
	case ACT_SHRINK_PREVIEW: {
		char ratio[16];

		t->lp.ratio = layout_ratio_step(t->lp.ratio, a == ACT_GROW_PREVIEW ? 1 : -1);
		snprintf(ratio, sizeof ratio, "%d", t->lp.ratio);
		remember_layout(t, "ui.preview-size", ratio);
		break;
	}
	case ACT_PREVIEW_DOWN:
		v->preview_top++;
		break;
	case ACT_PREVIEW_UP:
		if (v->preview_top > 0)
			v->preview_top--;
		break;
	case ACT_SYNC_NOW:
		if (owner_send(t->owner, SYNC_CMD_NOW, err) != 0)
			tui_message(t, 1, "%s", err);
		else {
			if (!config_storage_cloud(t->cfg))
				tui_message(t, 0, "Not syncing: %s", SYNC_STORAGE_LOCAL_MSG);
			else if (!tui_syncing_enabled(t))
				tui_message(t, 0, "Not syncing: no cloud configured or not logged in"
				    " (agentlogs login).");
			else if (owner_daemon(t->owner) > 0)
				tui_message(t, 0, "Asked the daemon (pid %ld) to sync now.",
				    (long)owner_daemon(t->owner));
		}
		break;
	default:
		tui_message(t, 0, "%s does nothing in the %s view.", action_table[a].name,
		    v->ops->name);
		break;
	}
}

/* Movements a count repeats (5j moves five lines down). */
static int
repeatable(enum action a)
{
	switch (a) {
	case ACT_MOVE_DOWN:
	case ACT_MOVE_UP:
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP:
	case ACT_HALF_DOWN:
	case ACT_HALF_UP:
	case ACT_NEXT_TURN:
	case ACT_PREV_TURN:
	case ACT_SEARCH_NEXT:
	case ACT_SEARCH_PREV:
	case ACT_PREVIEW_DOWN:
	case ACT_PREVIEW_UP:
		return 1;
	default:
		return 0;
	}
}

static void do_action(struct tui *t, enum action a);

/*
 * A count before a key, as in vim and less: digits no view binds (the
 * resolve pane's 1 and 2 stay its own) make it up; a movement is done that
 * many times, g or G goes to that line; Esc or any other key drops it.
 */
static int
count_key(struct tui *t, keycode k, enum action a)
{
	long count = t->count;
	long i;

	if (a == ACT_NONE && k >= '0' && k <= '9' && (k != '0' || count > 0)) {
		if (count < 1000000)
			t->count = count * 10 + (k - '0');
		tui_message(t, 0, "%ld", t->count);
		return 1;
	}
	t->count = 0;
	if (count == 0)
		return 0;
	if (k == 27) {
		t->msg[0] = '\0';
		return 1;
	}
	if (a == ACT_FIRST || a == ACT_LAST) {
		do_action(t, ACT_FIRST);
		for (i = 1; i < count; i++)
			do_action(t, ACT_MOVE_DOWN);
		return 1;
	}
	if (!repeatable(a))
		return 0;
	for (i = 0; i < count; i++)
		do_action(t, a);
	return 1;
}

static void
handle_key(struct tui *t, keycode k)
{
	struct view *v = top_view(t);
	enum action a;
	char name[32];

	if (k == KEYC_SPECIAL + KEY_RESIZE) {
		relayout(t, 1);
		return;
	}
	if (t->prompting) {
		prompt_key(t, k);
		return;
	}
	t->msg[0] = '\0';
	a = keymap_lookup(t->keys, v->ops->id, k);
	if (count_key(t, k, a))
		return;
	if (a == ACT_NONE) {
		tui_message(t, 0, "%s is not bound here (? lists the keys).",
		    keycode_name(k, name, sizeof name));
		return;
	}
	do_action(t, a);
}

static int
in_rect(const struct rect *r, int x, int y)
{
	return r->h > 0 && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

/*
 * The mouse, as htop and lazygit take it: a click in the list puts the
 * cursor on that line, a double click opens it (Enter); the wheel scrolls
 * the list, or the preview when over it, three lines a notch.
 */
static void
handle_mouse(struct tui *t, enum mouse_event ev, int x, int y)
{
	const struct rect *list = &t->layout.list;
	int over_preview = in_rect(&t->layout.preview, x, y), i;

	if (t->prompting || (!in_rect(list, x, y) && !over_preview))
		return;
	t->msg[0] = '\0';
	switch (ev) {
	case MOUSE_WHEEL_UP:
	case MOUSE_WHEEL_DOWN:
		for (i = 0; i < 3; i++)
			do_action(t, over_preview ?
			    (ev == MOUSE_WHEEL_UP ? ACT_PREVIEW_UP : ACT_PREVIEW_DOWN) :
			    (ev == MOUSE_WHEEL_UP ? ACT_MOVE_UP : ACT_MOVE_DOWN));
		break;
	case MOUSE_CLICK:
	case MOUSE_DOUBLE_CLICK:
		if (over_preview)
			break;
		t->click_line = y - list->y;
		do_action(t, ACT_SELECT_LINE);
		if (ev == MOUSE_DOUBLE_CLICK)
			do_action(t, ACT_ENTER);
		break;
	}
}

/* The terminal's mouse report passed on; a drag or a release is ignored. */
static void
terminal_mouse(struct tui *t)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON1_DOUBLE_CLICKED)
		handle_mouse(t, MOUSE_DOUBLE_CLICK, me.x, me.y);
	else if (me.bstate & BUTTON1_CLICKED)
		handle_mouse(t, MOUSE_CLICK, me.x, me.y);
	else if (me.bstate & BUTTON4_PRESSED)
		handle_mouse(t, MOUSE_WHEEL_UP, me.x, me.y);
#ifdef BUTTON5_PRESSED
	else if (me.bstate & BUTTON5_PRESSED)
		handle_mouse(t, MOUSE_WHEEL_DOWN, me.x, me.y);
#endif
}

/* a in the top view, else the TUI's own handling. */
static void
do_action(struct tui *t, enum action a)
{
	struct view *v = top_view(t);

	switch (v->ops->request(v, t, a)) {
	case VIEW_HANDLED:
		return;
	case VIEW_CLOSE:
		if (t->depth > 1)
			pop(t);
		return;
	case VIEW_IGNORED:
		break;
	}
	generic_action(t, a);
}

/*
 * Whoever syncs (ui/sync-owner.h) has news: a new snapshot, or new lines
 * imported; the store changed under us (that import included): reload.
 */
static void
sync_wakeup(struct tui *t)
{
	long long dv;

	owner_step(t->owner, &t->status);
	dv = browse_data_version(t->st);
	if (dv != t->data_version) {
		t->data_version = dv;
		t->samples = samples_present(t->st, NULL) > 0;
		reload_all(t);
	}
}

/* ---------------------------------------------------------------- setup */

static void
machine_name(char *out, size_t size)
{
	const char *env = getenv("AGENTLOGS_MACHINE");
	char host[256];

	if (env != NULL && *env != '\0') {
		snprintf(out, size, "%s", env);
		return;
	}
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	snprintf(out, size, "%.63s", host);
}

/* ncursesw draws UTF-8 only in a UTF-8 locale; transcripts are UTF-8. */
static void
utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs != NULL && strcmp(cs, "UTF-8") == 0)
		return;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
}

int
tui_wanted(void)
{
	const char *script = getenv("AGENTLOGS_TUI_SCRIPT");

	return (script != NULL && *script != '\0') || (isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO));
}

/* stderr goes to $AGENTLOGS_HOME/log while curses owns the terminal. */
static int
redirect_stderr(const char *home)
{
	char *path = paths_in_home(home, "log");
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), saved = -1;

	free(path);
	if (fd < 0)
		return -1;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (saved >= 0)
		dup2(fd, STDERR_FILENO);
	close(fd);
	return saved;
}

static void
restore_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static int
start_curses(struct tui *t, char *err)
{
	const char *size = getenv("AGENTLOGS_TUI_SIZE"), *term, *out;
	int cols = 80, rows = 24;

	if (t->script == NULL) {
		/* newterm, not initscr: an unknown TERM is an error to report, not an exit. */
		term = getenv("TERM");
		if ((t->screen = newterm(NULL, stdout, stdin)) == NULL)
			return seterr(err, "cannot use the terminal '%s'", term != NULL ? term : "");
		set_term(t->screen);
	} else {
		if (size != NULL && (sscanf(size, "%dx%d", &cols, &rows) != 2 || cols < 1 ||
		    rows < 1))
			return seterr(err, "AGENTLOGS_TUI_SIZE: expected COLSxROWS, e.g. 80x24");
		/*
		 * The size goes to resizeterm, not through $LINES and $COLUMNS: the
		 * sync thread already runs, and a setenv now would race its getenv
		 * (debug builds abort on one: src/debug/env-guard.c). Without
		 * use_env, newterm takes terminfo's size, whatever the caller's
		 * environment holds, and resizeterm sets ours.
		 */
		use_env(FALSE);
		term = getenv("AGENTLOGS_TUI_TERM");
		if (term == NULL || *term == '\0')
			term = "xterm-256color";
		/* AGENTLOGS_TUI_OUTPUT: what the terminal would get, for tests of kitty and sixel. */
		out = getenv("AGENTLOGS_TUI_OUTPUT");
		if ((t->term_out = fopen(out != NULL && *out != '\0' ? out : "/dev/null", "w")) ==
		    NULL ||
		    (t->term_in = fopen("/dev/null", "r")) == NULL)
			return seterr(err, "cannot open /dev/null: %s", strerror(errno));
		if ((t->screen = newterm(term, t->term_out, t->term_in)) == NULL)
			return seterr(err, "cannot start a headless '%s' terminal", term);
		set_term(t->screen);
		resizeterm(rows, cols);
	}
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Clicks and the wheel (ui.mouse); Shift still selects text in most terminals. */
	if (t->script == NULL && config_get_bool(t->cfg, "ui.mouse")) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		    | BUTTON5_PRESSED
#endif
		    , NULL);
		mouseinterval(300);
	}
	set_escdelay(25);
	curs_set(0);
	return 0;
}

static void
start_colours(struct tui *t, struct strbuf *warnings)
{
	const char *no_color = getenv("NO_COLOR");
	int mono = (no_color != NULL && *no_color != '\0') || !has_colors();

	if (!mono && start_color() == OK) {
		use_default_colors();
		t->colors = COLORS;
	} else
		mono = 1;
	theme_load(&t->theme, t->home, config_get(t->cfg, "theme"), mono, t->cfg, warnings);
	theme_activate(&t->theme, mono ? 0 : t->colors);
}

/* ---------------------------------------------------------------- the loop */

/*
 * Headless: until the screenshots asked for are fetched (and those their
 * drawing asks for next), so that screens do not depend on timing.
 */
static void
wait_images(struct tui *t, time_t until)
{
	struct pollfd p;

	for (;;) {
		turn_images_news(t);
		idle_all(t);
		draw(t);	/* what comes on screen is asked for */
		if (!turn_images_busy(t))
			break;
		if (time(NULL) > until) {
			tui_message(t, 1, "the screenshot fetcher is still busy");
			t->script_error = 1;
			return;
		}
		p.fd = turn_images_fd(t);
		p.events = POLLIN;
		poll(&p, 1, 100);
	}
	turn_images_news(t);
}

static void
wait_idle(struct tui *t)
{
	time_t until = time(NULL) + WAIT_IDLE_SECONDS;
	struct pollfd p;

	for (;;) {
		sync_wakeup(t);
		if (owner_thread(t->owner) == NULL || !t->status.busy)
			break;
		if (time(NULL) > until) {
			tui_message(t, 1, "wait-idle: the sync thread is still busy");
			t->script_error = 1;
			return;
		}
		p.fd = sync_thread_fd(owner_thread(t->owner));
		p.events = POLLIN;
		poll(&p, 1, 100);
	}
	wait_images(t, until);
}

/* Decodes one UTF-8 character of s into *k; returns its length (1 for a bad byte). */
static size_t
next_char(const char *s, keycode *k)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	int cp;

	if (u[0] < 0x80) {
		*k = u[0];
		return 1;
	}
	n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 1;
	cp = n == 4 ? u[0] & 0x07 : n == 3 ? u[0] & 0x0f : u[0] & 0x1f;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*k = '?';
			return 1;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	*k = n == 1 ? '?' : cp;
	return n;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
run_script(struct tui *t)
{
	const struct script_cmd *c;
	struct timespec t0;
	char err[ERRLEN], name[32];
	const char *p;
	keycode k;

	while (!t->quit && !t->script_error && (c = script_next(t->script)) != NULL) {
		sync_wakeup(t);
		switch (c->op) {
		case SCRIPT_KEY:
			clock_gettime(CLOCK_MONOTONIC, &t0);
			handle_key(t, c->key);
			if (t->timing != NULL) {
				draw(t);
				fprintf(t->timing, "key %s %.3f\n", keycode_name(c->key, name,
				    sizeof name), ms_since(&t0));
			}
			break;
		case SCRIPT_TYPE:
			for (p = c->text; *p != '\0';) {
				p += next_char(p, &k);
				handle_key(t, k);
			}
			break;
		case SCRIPT_WAIT_IDLE:
			wait_idle(t);
			break;
		case SCRIPT_RESIZE:
			resizeterm(c->rows, c->cols);
			relayout(t, 1);
			break;
		case SCRIPT_MOUSE:
			draw(t);	/* a click lands on what the screen shows */
			handle_mouse(t, (enum mouse_event)c->key, c->cols, c->rows);
			break;
		case SCRIPT_SAVE_DISPLAY:
			wait_images(t, time(NULL) + WAIT_IDLE_SECONDS);
			idle_all(t);
			draw(t);
			if (script_save_display(c->text, LINES, COLS, err) != 0) {
				tui_message(t, 1, "%s", err);
				t->script_error = 1;
			}
			break;
		case SCRIPT_SAVE_MARKS:
			/* After a save-display: the same screen, only what the redacted slot draws. */
			if (script_save_cells(c->text, LINES, COLS, theme_attr(&t->theme,
			    ROLE_REDACTED), err) != 0) {
				tui_message(t, 1, "%s", err);
				t->script_error = 1;
			}
			break;
		}
		if (t->script_error) {
			snprintf(err, sizeof err, "%s", t->msg);
			tui_message(t, 1, "%s:%u: %s", script_path(t->script), c->line, err);
		}
		if (t->timing != NULL && c->op == SCRIPT_KEY && top_view(t)->ops->idle != NULL) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			idle_all(t);
			draw(t);
			fprintf(t->timing, "idle %.3f\n", ms_since(&t0));
		}
		idle_all(t);
		draw(t);
	}
}

/* The longest poll: the clock's tick, or sooner when the watcher or a look at the daemon is due. */
static int
poll_ms(const struct tui *t)
{
	long long w = owner_wait(t->owner);

	return w >= 0 && w < POLL_MS ? (int)w : POLL_MS;
}

static void
run_interactive(struct tui *t)
{
	struct pollfd p[2 + OWNER_MAX_FDS];
	struct sigaction sa, old[3];
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	wint_t wch;
	int n, rc, i, np;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);

	while (!t->quit) {
		struct view *v = top_view(t);
		int busy;
		draw(t);
		p[0].fd = STDIN_FILENO;
		p[0].events = POLLIN;
		np = 1 + owner_fds(t->owner, p + 1);
		p[np].fd = turn_images_fd(t);	/* -1 (ignored) until a fetch was asked for */
		p[np++].events = POLLIN;
		/* Idle work goes a piece at a time while no key waits. */
		busy = v->ops->idle != NULL;
		n = got_signal ? -1 : poll(p, (nfds_t)np, busy ? 0 : poll_ms(t));
		if (got_signal)
			break;
		if (n == 0 && busy) {
			if (!v->ops->idle(v, t))
				n = poll(p, (nfds_t)np, poll_ms(t));
			else
				continue;
		}
		if (n < 0 && errno != EINTR)
			break;
		sync_wakeup(t);
		turn_images_news(t);
		/* After EINTR too: SIGWINCH leaves a KEY_RESIZE to read. */
		while (!t->quit && (rc = wget_wch(stdscr, &wch)) != ERR) {
			if (rc == KEY_CODE_YES && wch == KEY_MOUSE)
				terminal_mouse(t);
			else
				handle_key(t, keycode_from_curses(rc, (unsigned int)wch));
		}
	}
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
}

int
tui_run(struct cmd_ctx *ctx)
{
	struct tui t;
	struct strbuf warnings = STRBUF_INIT;
	struct config *cfg;
	const char *script = getenv("AGENTLOGS_TUI_SCRIPT"), *timing;
	char err[ERRLEN] = "", *claude;
	int rc = EXIT_OK, saved_stderr = -1, curses = 0;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&t, 0, sizeof t);
	t.home = ctx->home;
	if ((t.st = cmd_store(ctx)) == NULL)
		return EXIT_FAIL;
	if ((cfg = config_read(ctx->home, err)) == NULL)
		return cmd_fail("%s", err);
	t.cfg = cfg;
	if (script != NULL && *script != '\0' && (t.script = script_open(script, err)) == NULL) {
		config_free(cfg);
		return cmd_fail("%s", err);
	}
	t.keys = keymap_new();
	keymap_load(t.keys, cfg, &warnings);
	machine_name(t.machine, sizeof t.machine);
	if (account_machine_id(ctx->home, t.machine_id, err) != 0)
		log_warn("%s", err);
	recall_layout(&t);
	editline_init(&t.edit, NULL);
	utf8_locale();
	t.data_version = browse_data_version(t.st);
	if ((t.samples = samples_present(t.st, NULL) > 0))
		snprintf(t.msg, sizeof t.msg, "%s", SAMPLES_HOWTO);

	saved_stderr = redirect_stderr(ctx->home);
	/* After the redirection: what the watcher and the sync say goes to the log. */
	claude = paths_claude_dir();
	t.owner = owner_start(ctx->home, claude,
	    (int)config_get_number(cfg, "import.idle-minutes"));
	free(claude);
	if (start_curses(&t, err) != 0) {
		rc = t.script == NULL ? TUI_NO_TERMINAL : EXIT_FAIL;
		goto out;
	}
	curses = 1;
	turn_images_start(&t, t.script != NULL ? t.term_out : stdout, t.script != NULL);
	start_colours(&t, &warnings);
	if (tui_push(&t, &commits_view_ops, NULL) != 0) {
		snprintf(err, sizeof err, "%s", t.msg);
		rc = EXIT_FAIL;
		goto out;
	}
	{
		size_t i;
		for (i = 0; i < config_warning_count(cfg); i++) {
			if (warnings.len > 0)
				strbuf_addc(&warnings, '\n');
			strbuf_adds(&warnings, config_warning(cfg, i));
		}
	}
	if (warnings.len > 0) {
		size_t lines = 1;
		const char *p;
		for (p = warnings.buf; *p != '\0'; p++)
			lines += *p == '\n';
		const char *first = warnings.buf;
		size_t hl = strlen(ctx->home);
		log_warn("%s", warnings.buf);
		warnings.buf[strcspn(warnings.buf, "\n")] = '\0';
		/* The home's own path says less than its name on one short line. */
		if (strncmp(first, ctx->home, hl) == 0 && first[hl] == '/')
			tui_message(&t, 1, "$AGENTLOGS_HOME%s%s", first + hl, lines > 1 ?
			    " (more warnings in $AGENTLOGS_HOME/log)" : "");
		else
			tui_message(&t, 1, "%s%s", first, lines > 1 ?
			    " (more warnings in $AGENTLOGS_HOME/log)" : "");
	}
	if (t.script != NULL && (timing = getenv("AGENTLOGS_TUI_TIMING")) != NULL &&
	    *timing != '\0' && (t.timing = fopen(timing, "a")) == NULL)
		log_warn("cannot write %s", timing);
	if (t.timing != NULL) {
		draw(&t);
		fprintf(t.timing, "first-frame %.3f\n", ms_since(&t0));
	}
	if (t.script != NULL)
		owner_wait_first_import(t.owner);
	if (owner_thread(t.owner) != NULL && t.script != NULL)
		wait_idle(&t);	/* the first counts, so the first screen is always the same */
	sync_wakeup(&t);
	if (t.script != NULL)
		idle_all(&t);

	if (t.script != NULL)
		run_script(&t);
	else
		run_interactive(&t);
	if (t.script_error) {
		snprintf(err, sizeof err, "%s", t.msg);
		rc = EXIT_FAIL;
	}
out:
	while (t.depth > 0)
		view_free(t.stack[--t.depth]);
	if (curses) {
		turn_images_leave(&t);
		delete_windows(&t);
		endwin();
		if (t.screen != NULL)
			delscreen(t.screen);
	}
	if (t.term_in != NULL)
		fclose(t.term_in);
	if (t.term_out != NULL)
		fclose(t.term_out);
	restore_stderr(saved_stderr);
	if (owner_thread(t.owner) != NULL) {
		struct sync_status s;
		sync_thread_snapshot(owner_thread(t.owner), &s);
		if (s.busy && s.state == SYNC_SYNCING && t.script == NULL)
			fprintf(stderr, "agentlogs: finishing the sync under way...\n");
	}
	owner_stop(t.owner);
	turn_images_stop(&t);
	if (t.timing != NULL)
		fclose(t.timing);
	editline_free(&t.edit);
	free(t.last_search);
	keymap_free(t.keys);
	script_free(t.script);
	config_free(cfg);
	strbuf_free(&warnings);
	if (rc == TUI_NO_TERMINAL)
		cmd_fail("%s: printing the log instead", err);
	else if (rc != EXIT_OK && err[0] != '\0')
		cmd_fail("%s", err);
	return rc;
}
