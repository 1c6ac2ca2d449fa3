/*
 * One list window for every list view (tig's view.c): the rows around the
 * cursor, the cursor, the scroll position and their invariants, whatever the
 * list. Views supply rows through a struct listwin_source and draw what
 * listwin_row hands back; they never move the cursor themselves.
 *
 * A long list (commits, pending, a session's turns) is paged from the store
 * through a keyset cursor: the window holds at most a few pages around the
 * cursor and the top of the pane, fetching the next page as the cursor walks
 * off either end and dropping the far ones. A short list (projects, sessions,
 * conflicts, the help) is handed over whole with listwin_set.
 *
 * Positions are list indices (0 is the list's first row), so pages coming in
 * before the window move nothing. A row can take several lines (a turn
 * rendered to the pane's width): the cursor and the top of the pane are a row
 * and a line within it. The invariants, kept by every call below and checked
 * by tests/unit/test-listwin:
 *   - an empty list has cursor and top at 0;
 *   - otherwise the cursor's row and the top's row are in the window, and the
 *     cursor is on a line of its row, never past the list's last line;
 *   - after listwin_fit(lw, lines), the cursor shows within lines lines from
 *     the top, and the pane is never scrolled past the list's last line
 *     (after a delete at the end, a shrink or a jump to the end alike).
 */
#ifndef AL_UI_LISTWIN_H
#define AL_UI_LISTWIN_H

#include <stddef.h>

#include "ui/actions.h"

struct strbuf;

struct listwin_source {
	size_t size;		/* bytes per row */
	/*
	 * Up to limit rows after (dir > 0) or before (dir < 0) the row from, in
	 * list order whatever dir; with from NULL, the list's first (dir > 0) or
	 * last (dir < 0) rows. Returns how many, or -1 with err. NULL: the rows
	 * are all given by listwin_set.
	 */
	int (*fetch)(void *ctx, const void *from, int dir, int limit, void *out, char *err);
	/* How many rows the list holds, or -1 with err. NULL: known once the
	 * window reaches both ends. */
	long long (*count)(void *ctx, char *err);
	/* How many rows come before row, or -1 with err. NULL: after a reload the
	 * window's place in the list is an estimate. */
	long long (*rank)(void *ctx, const void *row, char *err);
	/* The lines row takes (at least 1). NULL: one each. */
	int (*height)(void *ctx, void *row);
	/* Frees what row owns (not row itself). */
	void (*clear)(void *row);
	/* The text row shows, into out, for / to search (NULL: not searchable). */
	void (*text)(void *ctx, const void *row, struct strbuf *out);
};

struct listwin {
	const struct listwin_source *src;
	void *ctx;		/* handed to the source */
	unsigned char *rows;	/* list indices offset .. offset + n - 1 */
	int n, cap;
	int page;		/* rows per fetch */
	int max;		/* rows kept, beyond which far ones go */
	long long offset;
	int at_start, at_end;	/* the window holds the list's first / last row */
	int offset_exact;	/* offset is counted, not carried over a reload */
	long long total;	/* rows in the list; -1 until counted */
	long long cur, top;	/* the cursor's row and the pane's first row */
	int cur_line, top_line;	/* lines within them */
	int lines;		/* the pane's height at the last listwin_fit */
	long long shift;	/* how far list indices moved when an estimate was corrected */
	char *needle;		/* the list's last search (/), which its rows highlight; or NULL */
};

void listwin_init(struct listwin *lw, const struct listwin_source *src, void *ctx, int page);
void listwin_free(struct listwin *lw);

/* Row i of the list, or NULL when it is not in the window. */
void *listwin_row(struct listwin *lw, long long i);
/* The cursor's row, or NULL when the list is empty. */
void *listwin_cursor(struct listwin *lw);
/* The list is empty (as far as anything was read). */
int listwin_empty(const struct listwin *lw);

/* The window from the list's first row, or around its last; cursor there. */
int listwin_load_first(struct listwin *lw, char *err);
int listwin_load_last(struct listwin *lw, char *err);
/* The window from the row after key (a row carrying only what fetch reads
 * of from), cursor on that row: a jump to a search's match. */
int listwin_load_after(struct listwin *lw, const void *key, char *err);

/*
 * A short list, whole: rows (malloc'd, n of them) now belong to the window.
 * The cursor stays on the row same() says is the one it was on, else at its
 * index as far as the list is long; same may be NULL.
 */
void listwin_set(struct listwin *lw, void *rows, int n,
    int (*same)(const void *a, const void *b));

/*
 * The store changed: reads the window again around the cursor's row. keep
 * (NULL: always 1) says whether that row is still listed, updating it in
 * place when it is (a move changes its place): 1 listed, 0 gone (the cursor
 * goes to the row taking its place), -1 error. The pane keeps its top row.
 */
int listwin_reload(struct listwin *lw, int (*keep)(void *ctx, void *row, char *err),
    char *err);

/*
 * A movement action (move-down, page-up, first, ...) over a pane of lines
 * lines: 1 when a was one (err set if a fetch failed), 0 when it was not.
 */
int listwin_move(struct listwin *lw, enum action a, int lines, char *err);
/*
 * Moves the row and line (*i, *line) by delta lines, fetching as it goes;
 * returns the lines moved (fewer at either end of the list).
 */
int listwin_walk(struct listwin *lw, long long *i, int *line, int delta, char *err);
/* The cursor onto the pane's line y (a click): 1, or 0 when no row is drawn there. */
int listwin_select_line(struct listwin *lw, int y, char *err);
/* Scrolls so the cursor shows in a pane of lines lines, no blank left below
 * the list's last line; call when the pane or the rows' heights changed. */
void listwin_fit(struct listwin *lw, int lines, char *err);
/* The list holds total rows now and may have grown at its end (an open session's turns). */
void listwin_grown(struct listwin *lw, long long total);
/* The rows' heights changed (rendered again): cursor and top back on a line. */
void listwin_heights_changed(struct listwin *lw);

/*
 * Work that can wait until no key is pending: places a reloaded window (rank),
 * then counts the list (count). 1 when it did something, 0 when nothing is left.
 */
int listwin_idle(struct listwin *lw, char *err);

/*
 * The cursor onto the next row (dir > 0) or the previous one whose text
 * holds needle (any case), round the list's end (*wrapped says so), reading
 * it a page at a time: 1 found, 0 not (the cursor stays), -1 with err. The
 * pane keeps its top when the match shows in it, else the match goes to its
 * top. The cursor's own row matches last, after every other.
 */
int listwin_find(struct listwin *lw, const char *needle, int dir, int *wrapped, char *err);

/* "3/8" for the status bar: the cursor's row, 1-based (0: empty), and total. */
void listwin_position(const struct listwin *lw, long long *line, long long *total);

#endif
