/*
 * The browser: `agentlogs` with no command on a terminal. The UI thread owns
 * curses and polls the keyboard together with the sync thread's wake-up pipe
 * (ARCHITECTURE §7); views (ui/view.h) live on a stack, the top one drawn in
 * the list and preview panes between the header and the status bar.
 *
 * Headless (tig's test mode): with AGENTLOGS_TUI_SCRIPT=FILE set, the screen
 * is a newterm() on /dev/null of AGENTLOGS_TUI_SIZE (default 80x24) and the
 * keys come from FILE (see ui/script.h); the program exits at its end. With
 * AGENTLOGS_TUI_TIMING=FILE too, it appends "first-frame MS" (from the start
 * of tui_run to the first screen) and "key NAME MS" (the key's handling and
 * the redraw) lines to FILE, for bench/tui. With AGENTLOGS_TUI_OUTPUT=FILE,
 * what the terminal would get goes there instead of /dev/null (kitty's and
 * sixel's escapes among curses' own).
 */
#ifndef AL_UI_TUI_H
#define AL_UI_TUI_H

#include <stdio.h>

#include "ui/actions.h"
#include "ui/curses.h"
#include "ui/editline.h"
#include "ui/layout.h"
#include "ui/sync-thread.h"
#include "ui/theme.h"
#include "ui/view.h"
#include "util/uuid.h"

struct cmd_ctx;
struct config;
struct store;
struct script;
struct sync_owner;
struct turn_images;

#define TUI_STACK_MAX 16

typedef void (*tui_prompt_fn)(struct view *v, struct tui *t, const char *text);
typedef void (*tui_confirm_fn)(struct view *v, struct tui *t, int yes);

struct tui {
	/* For views. */
	const char *home;
	struct store *st;	/* the UI thread's own connection */
	const struct config *cfg;
	struct keymap *keys;
	struct theme theme;
	struct sync_status status;	/* the last snapshot */
	char machine[64];
	char machine_id[UUID_STRLEN];	/* AGENTLOGS_HOME/machine-id: whose side a conflict is */
	int samples;		/* the store holds the bundled samples */
	struct turn_images *images;	/* screenshots: protocol, fetcher, pictures on screen */

	/* The rest is the TUI's own. */
	struct sync_owner *owner;	/* the browser's own sync and watcher, or a daemon's */
	struct view *stack[TUI_STACK_MAX];
	int depth;
	struct layout_params lp;
	struct layout layout;
	WINDOW *header, *list, *sep, *preview, *status_win, *message;
	SCREEN *screen;		/* headless only */
	FILE *term_in, *term_out;
	int colors;

	char msg[512];		/* the message line; "" shows the key hints */
	int msg_error;
	/* An open prompt: a line (prompt_fn) or a yes/no question (confirm_fn). */
	int prompting;
	char prompt_label[128];
	struct editline edit;
	tui_prompt_fn prompt_fn;
	tui_confirm_fn confirm_fn;
	struct view *prompt_view;
	struct listwin *search_list;	/* the list an open / prompt searches */
	char *last_search;	/* the last text / looked for, in any view */

	long long data_version;
	long count;		/* a count typed before a key (5j); 0: none */
	int click_line;		/* the list pane's line a click put the cursor on (select-line) */
	int quit;
	struct script *script;
	int script_error;
	FILE *timing;		/* AGENTLOGS_TUI_TIMING: milliseconds per frame */
};

/* tui_run could not use the terminal (TERM unknown): show something else. */
#define TUI_NO_TERMINAL (-1)

/* Runs the browser until the person quits; the exit status, or TUI_NO_TERMINAL. */
int tui_run(struct cmd_ctx *ctx);
/* True when `agentlogs` with no command should open the browser. */
int tui_wanted(void);

/* For views. */
void tui_message(struct tui *t, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Opens a view above the current one; -1 (with a message) when it cannot. */
int tui_push(struct tui *t, const struct view_ops *ops, const char *arg);
/* Asks for a line of text on the message line; done gets NULL when cancelled. */
void tui_prompt(struct tui *t, const char *label, const char *initial, tui_prompt_fn done);
/* Asks a yes/no question (y is yes, anything else no). */
void tui_confirm(struct tui *t, const char *question, tui_confirm_fn done);
/* The store was edited here: every view reloads, and the sync thread hears of it. */
void tui_edited(struct tui *t);
/* Sync is on (a cloud and a session): pending badges mean something. */
int tui_syncing_enabled(const struct tui *t);

#endif
