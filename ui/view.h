/*
 * Views (tig's struct view_ops): each ui/view-*.c fills one struct view_ops
 * with designated initializers, and the TUI keeps the open views on a stack,
 * the top one on screen. A view supplies its rows to a list window
 * (ui/listwin.h), which pages them out of the store through a keyset cursor
 * (it never holds a whole table) and owns the cursor and the scrolling; the
 * view tells the TUI, through the ops below, how to draw its list pane and
 * its preview pane, and what it does with an action.
 *
 * Pending and conflicts are lists like commits; resolve has no preview and
 * draws local and cloud side by side in its list pane, in the columns
 * layout_sides (ui/layout.h) gives it.
 */
#ifndef AL_UI_VIEW_H
#define AL_UI_VIEW_H

#include <stddef.h>

#include "store/browse-filter.h"
#include "ui/actions.h"
#include "ui/curses.h"
#include "ui/draw.h"
#include "util/strbuf.h"

struct listwin;
struct tui;
struct view;

/* What request() did with an action (htop's HandlerResult). */
enum view_result {
	VIEW_IGNORED,		/* not this view's: the TUI's generic handling applies */
	VIEW_HANDLED,		/* done; the screen is redrawn */
	VIEW_CLOSE,		/* done, and this view closes (as q would) */
};

/* Where the cursor is, for the status bar: "3/8" (total -1: unknown yet). */
struct view_position {
	long long line;		/* 1-based */
	long long total;
	long long fresh;	/* rows that came in below while the cursor stayed put ("N new turns") */
};

struct view_ops {
	const char *name;	/* as in `bind` lines and the header */
	enum view_id id;
	/*
	 * Fills v->priv from arg (what the parent selected: a project id, a commit
	 * id, a session id, or NULL). Returns -1 with err filled when it cannot.
	 */
	int (*open)(struct view *v, struct tui *t, const char *arg, char *err);
	/* The store changed (an edit, a sync, an import): read the page again,
	 * keeping the cursor on the same row when it still exists. */
	int (*reload)(struct view *v, struct tui *t, char *err);
	/* Draws the list pane: rows lines of cols columns into w. */
	void (*draw)(struct view *v, struct tui *t, WINDOW *w, int rows, int cols);
	/* The preview of the selected row, wrapped to cols (NULL: no preview pane). */
	void (*preview)(struct view *v, struct tui *t, struct textbuf *out, int cols);
	enum view_result (*request)(struct view *v, struct tui *t, enum action a);
	void (*position)(struct view *v, struct view_position *pos);
	/*
	 * The commit the cursor is on, or that the view shows (NULL: none, or the
	 * op is NULL): what copy, export and the hand-off keys act on, looked for
	 * from the top view down (a conversation acts on its commit).
	 */
	const char *(*commit_id)(struct view *v);
	/* A short description for the header ("weatherbot", "commit 2780038f"). */
	const char *(*title)(struct view *v);
	/*
	 * Work that can wait until no key is pending (counting a long list, the
	 * figures of the rows drawn): a small piece of it per call. Returns 1 when
	 * it did something (the screen is redrawn, and it is called again), 0 when
	 * nothing is left. NULL: none.
	 */
	int (*idle)(struct view *v, struct tui *t);
	void (*close)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	void *priv;
	int rows, cols;		/* the list pane, as last drawn */
	/* The preview, built again after view_preview_changed() or a resize. */
	struct textbuf preview;
	int preview_valid;
	int preview_cols;
	int preview_top;	/* first line shown */
	int stale;		/* the store changed while it was hidden: reload when shown */
};

/* Every view there is. */
extern const struct view_ops projects_view_ops;
extern const struct view_ops commits_view_ops;
extern const struct view_ops sessions_view_ops;
extern const struct view_ops turns_view_ops;
extern const struct view_ops pending_view_ops;
extern const struct view_ops conflicts_view_ops;
extern const struct view_ops resolve_view_ops;
extern const struct view_ops help_view_ops;
extern const struct view_ops search_view_ops;

/*
 * A movement action on a view's list window (ui/listwin.h) over a pane of
 * lines lines: 1 when a was one (the preview follows the cursor, a failed
 * fetch goes to the message line), 0 when it was not.
 */
int view_list_move(struct view *v, struct tui *t, struct listwin *lw, enum action a,
    int lines);
/* Before drawing the list window in a pane of lines lines (listwin_fit). */
void view_list_fit(struct tui *t, struct listwin *lw, int lines);
/* The preview shows another row: forget the cached text. */
void view_preview_changed(struct view *v);

/*
 * f (a list's filter) in the language: the prompt for f, opened with its
 * text selected; done gets what was typed, for view_filter_set.
 */
void view_filter_prompt(struct tui *t, const struct browse_filter *f,
    void (*done)(struct view *v, struct tui *t, const char *text));
/*
 * text, typed at that prompt, into f for a list of kind list: 1 when f is now
 * text's filter, 0 when the prompt was cancelled or text is bad (the message
 * line says why, and f stays).
 */
int view_filter_set(struct tui *t, struct browse_filter *f, enum browse_filter_list list,
    const char *text);
/* "filter: TEXT", or NULL for an empty filter (malloc'd): for a list's title. */
char *view_filter_title(const struct browse_filter *f);

/* A conflict field's name as people read it ("order" for display_order). */
const char *view_field_label(const char *field);
/* A field's value (JSON text, as the conflicts table keeps it) of commit
 * commit_id as people read it: yes / no, a date, the text itself, an order as
 * the commit's place in its project ("4th of 12, after ..."); NULL or null as
 * "-" (or, for a title, what the list shows instead). */
void view_field_value(struct strbuf *out, struct tui *t, const char *commit_id,
    const char *field, const char *json);

#endif
