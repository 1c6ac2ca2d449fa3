/*
 * A one-line UTF-8 editor for prompts (a commit's title, a search): the
 * cursor moves by whole characters, and the visible part scrolls sideways so
 * the cursor stays in view, counting double-width characters as two columns.
 * Pure: no curses, tested in tests/unit/test-ui.c.
 *
 * Keys: characters insert; Left/C-b, Right/C-f, Home/C-a, End/C-e move;
 * Backspace, Delete/C-d, C-u (to the start), C-k (to the end), C-w (a word)
 * delete; Enter accepts; Esc and C-g cancel.
 *
 * A prompt opened with text (the old title, the last search) starts with it
 * all selected, as a dialog's text field does: typing or deleting replaces
 * it, a movement key keeps it and edits from there.
 */
#ifndef AL_UI_EDITLINE_H
#define AL_UI_EDITLINE_H

#include <stddef.h>

#include "ui/actions.h"

struct editline {
	char *buf;		/* NUL-terminated UTF-8 */
	size_t len, cap;
	size_t cursor;		/* a byte offset at a character boundary */
	int selected;		/* the whole text is selected: the next edit replaces it */
};

enum edit_result {
	EDIT_IGNORED,
	EDIT_CHANGED,		/* the text changed */
	EDIT_MOVED,		/* only the cursor moved */
	EDIT_ACCEPT,
	EDIT_CANCEL,
};

/* text may be NULL; the cursor goes to its end, and the text is selected. */
void editline_init(struct editline *e, const char *text);
void editline_free(struct editline *e);
enum edit_result editline_key(struct editline *e, keycode k);
/* Inserts a UTF-8 string at the cursor. */
void editline_insert(struct editline *e, const char *s);
/*
 * What to show in cols columns: the bytes [*start, *end) and the cursor's
 * column within them.
 */
void editline_view(const struct editline *e, int cols, size_t *start, size_t *end,
    int *cursor_col);

#endif
