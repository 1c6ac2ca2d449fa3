/*
 * Headless test scripts (tig's test mode): AGENTLOGS_TUI_SCRIPT names a file
 * of commands run in place of the keyboard, one a line ('#' comments):
 *
 *   key NAME          one key, named as in `bind` lines (j, Enter, C-d, PgDn)
 *   type TEXT         each character of TEXT as a key (for prompts)
 *   wait-idle         until the sync thread has nothing to do
 *   resize COLS ROWS  as if the terminal were resized
 *   save-display FILE the screen as text, one line a row, trailing blanks cut
 *
 * The program exits after the last command.
 */
#ifndef AL_UI_SCRIPT_H
#define AL_UI_SCRIPT_H

#include "ui/actions.h"
#include "ui/curses.h"

enum script_op {
	SCRIPT_KEY,
	SCRIPT_TYPE,
	SCRIPT_WAIT_IDLE,
	SCRIPT_RESIZE,
	SCRIPT_SAVE_DISPLAY,
	SCRIPT_SAVE_MARKS,
	SCRIPT_MOUSE,
};

/* What a mouse event was (scripts' "mouse EVENT COL ROW", or the terminal's). */
enum mouse_event {
	MOUSE_CLICK,
	MOUSE_DOUBLE_CLICK,
	MOUSE_WHEEL_UP,
	MOUSE_WHEEL_DOWN,
};

struct script_cmd {
	enum script_op op;
	keycode key;		/* key; mouse: an enum mouse_event */
	char *text;		/* type, save-display, save-marks */
	int cols, rows;		/* resize; mouse: the cell, 0-based */
	unsigned int line;
};

struct script;

/* Reads and checks the whole file; NULL with err ("FILE:LINE: ...") when it cannot. */
struct script *script_open(const char *path, char *err);
/* The next command, or NULL at the end. */
const struct script_cmd *script_next(struct script *s);
const char *script_path(const struct script *s);
void script_free(struct script *s);

/* Writes the physical screen (curscr) of rows x cols to path as UTF-8 text. */
int script_save_display(const char *path, int rows, int cols, char *err);
/*
 * The same with only the cells drawn with attrs (a theme slot's: colour pair
 * and attributes), every other cell a space: which cells a slot marks.
 */
int script_save_cells(const char *path, int rows, int cols, attr_t attrs, char *err);

#endif
