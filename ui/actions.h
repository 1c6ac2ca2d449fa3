/*
 * Every action of the browser, declared once (tig's REQ_INFO): its name for
 * `bind`, its default keys, the views it works in and its help line. The one
 * table feeds the key parser, the `?` help view and the man page's KEYS
 * section (tests/unit/test-ui checks man/agentlogs.1 against it), so they
 * cannot disagree.
 *
 * Keys are written as in the config file: a character ("j", "?", "é"), a
 * control key ("C-d", also "^D"), or a named key, bare or in angle brackets
 * ("Enter", "<Enter>", "Space", "Up", "PgDn", "F1", "Hash" for '#', "LT" for '<').
 */
#ifndef AL_UI_ACTIONS_H
#define AL_UI_ACTIONS_H

#include <stddef.h>

struct config;
struct strbuf;

/* The views, which are also the keymaps a `bind` line names ("generic": all of them). */
enum view_id {
	VIEW_PROJECTS,
	VIEW_COMMITS,
	VIEW_SESSIONS,
	VIEW_TURNS,
	VIEW_PENDING,
	VIEW_CONFLICTS,
	VIEW_RESOLVE,
	VIEW_HELP,
	VIEW_SEARCH,
	VIEW_COUNT
};

#define VMASK(v) (1u << (v))
#define VMASK_ALL ((1u << VIEW_COUNT) - 1)
#define VMASK_COMMIT (VMASK(VIEW_COMMITS) | VMASK(VIEW_SESSIONS) | VMASK(VIEW_TURNS))
#define VMASK_BROWSE (VMASK(VIEW_PROJECTS) | VMASK(VIEW_COMMITS) | VMASK(VIEW_SESSIONS) | \
	VMASK(VIEW_TURNS) | VMASK(VIEW_PENDING) | VMASK(VIEW_CONFLICTS) | VMASK(VIEW_SEARCH))
/* The views / searches: every list (the resolve pane is two values side by side). */
#define VMASK_LISTS (VMASK_BROWSE | VMASK(VIEW_HELP))

/* "commits"; "generic" for VIEW_COUNT. */
const char *view_id_name(enum view_id v);
/* The view called name ("main" is tig's name for the commit list); VIEW_COUNT for
 * "generic"; -1 when unknown. */
int view_id_find(const char *name);

/* Help sections, in the order the help view and the man page list them. */
#define ACTION_SECTIONS(_) \
	_(SECTION_MOVE, "Moving") \
	_(SECTION_VIEWS, "Views") \
	_(SECTION_LAYOUT, "Layout") \
	_(SECTION_SYNC, "Sync") \
	_(SECTION_RESOLVE, "Resolving a conflict") \
	_(SECTION_CURATE, "Curating a commit") \
	_(SECTION_READ, "Reading a conversation") \
	_(SECTION_HANDOFF, "Copying and handing off a commit")

#define ACTION_SECTION_ENUM(id, title) id,
enum action_section { ACTION_SECTIONS(ACTION_SECTION_ENUM) SECTION_COUNT };
#undef ACTION_SECTION_ENUM

/*
 * _(ID, name, default keys, views, section, help). Adding an action: add a line
 * here, handle it in the views that take it, describe it in man/agentlogs.1
 * (run tests/unit/test-ui --man for the text).
 */
#define ACTION_LIST(_) \
	_(MOVE_DOWN, "move-down", "j Down", VMASK_ALL, SECTION_MOVE, \
	    "Move the cursor down one line") \
	_(MOVE_UP, "move-up", "k Up", VMASK_ALL, SECTION_MOVE, \
	    "Move the cursor up one line") \
	_(PAGE_DOWN, "page-down", "Space PgDn C-f", VMASK_ALL, SECTION_MOVE, \
	    "Move down one page") \
	_(PAGE_UP, "page-up", "PgUp C-b", VMASK_ALL, SECTION_MOVE, \
	    "Move up one page") \
	_(HALF_DOWN, "half-page-down", "C-d", VMASK_ALL, SECTION_MOVE, \
	    "Move down half a page") \
	_(HALF_UP, "half-page-up", "C-u", VMASK_ALL, SECTION_MOVE, \
	    "Move up half a page") \
	_(FIRST, "first", "g Home", VMASK_ALL, SECTION_MOVE, \
	    "Go to the first line") \
	_(LAST, "last", "G End", VMASK_ALL, SECTION_MOVE, \
	    "Go to the last line") \
	_(SEARCH, "search", "/", VMASK_LISTS, SECTION_MOVE, \
	    "Search what the list shows, any case (in a conversation: its text; in the help:" \
	    " the keys); the prompt opens with the last search selected") \
	_(SEARCH_NEXT, "search-next", "n", VMASK_LISTS, SECTION_MOVE, \
	    "Go to the next match, round the end (\"Not found\" when there is none)") \
	_(SEARCH_PREV, "search-prev", "N", VMASK_LISTS, SECTION_MOVE, \
	    "Go to the previous match, round the start") \
	_(SELECT_LINE, "select-line", "", VMASK_ALL, SECTION_MOVE, \
	    "Put the cursor on the line clicked (the mouse: a double click opens it, the" \
	    " wheel scrolls)") \
	_(ENTER, "enter", "Enter l Right", VMASK_BROWSE, SECTION_VIEWS, \
	    "Open the selected item (in a conversation: fold or unfold the tool call)") \
	_(BACK, "back", "h Left", VMASK_ALL, SECTION_VIEWS, \
	    "Go back to the previous view") \
	_(QUIT, "quit", "q", VMASK_ALL, SECTION_VIEWS, \
	    "Close this view; in the first view, quit") \
	_(QUIT_ALL, "quit-all", "Q", VMASK_ALL, SECTION_VIEWS, \
	    "Quit at once (pending changes are kept and sync later)") \
	_(VIEW_PROJECTS, "view-projects", "P", VMASK_ALL, SECTION_VIEWS, \
	    "Show the projects") \
	_(VIEW_LOG, "view-log", "L", VMASK_ALL, SECTION_VIEWS, \
	    "Back to the list of every commit") \
	_(GLOBAL_SEARCH, "search-all", "F", VMASK_ALL, SECTION_VIEWS, \
	    "Search every conversation: the matching turns, newest first; Enter opens one" \
	    " at the match") \
	_(FILTER, "filter", "f", VMASK(VIEW_COMMITS) | VMASK(VIEW_PENDING) | VMASK(VIEW_CONFLICTS), \
	    SECTION_VIEWS, "Filter the list: words, project:, since:, until:, tool:, is: and not:" \
	    " (conflicts: field:, table:, is:held, is:settled; empty: all)") \
	_(HELP, "help", "?", VMASK_ALL, SECTION_VIEWS, \
	    "Show the keys") \
	_(REDRAW, "redraw", "C-l", VMASK_ALL, SECTION_VIEWS, \
	    "Redraw the screen") \
	_(RELOAD, "reload", "R", VMASK_ALL, SECTION_VIEWS, \
	    "Read everything from the store again") \
	_(TOGGLE_PREVIEW, "toggle-preview", "v", VMASK_ALL, SECTION_LAYOUT, \
	    "Show or hide the preview pane") \
	_(TOGGLE_SPLIT, "toggle-split", "V", VMASK_ALL, SECTION_LAYOUT, \
	    "Preview beside or below the list (automatic, side by side, stacked)") \
	_(GROW_PREVIEW, "grow-preview", "]", VMASK_ALL, SECTION_LAYOUT, \
	    "Make the preview pane larger") \
	_(SHRINK_PREVIEW, "shrink-preview", "[", VMASK_ALL, SECTION_LAYOUT, \
	    "Make the preview pane smaller") \
	_(PREVIEW_DOWN, "preview-down", "C-e", VMASK_ALL, SECTION_LAYOUT, \
	    "Scroll the preview down") \
	_(PREVIEW_UP, "preview-up", "C-y", VMASK_ALL, SECTION_LAYOUT, \
	    "Scroll the preview up") \
	_(SYNC_NOW, "sync-now", "S", VMASK_ALL, SECTION_SYNC, \
	    "Sync with the cloud now, or ask the daemon to") \
	_(VIEW_PENDING, "view-pending", "^ U", VMASK_ALL, SECTION_SYNC, \
	    "Show what waits to go up (the status bar's up-arrow count)") \
	_(VIEW_CONFLICTS, "view-conflicts", "!", VMASK_ALL, SECTION_SYNC, \
	    "Show the open conflicts (the status bar's ! held and ~ settled counts); Enter" \
	    " resolves one") \
	_(ACK_SETTLED, "acknowledge-settled", "A", VMASK(VIEW_CONFLICTS), SECTION_SYNC, \
	    "Acknowledge every conflict settled by the last write (the ~ count): seen, and" \
	    " gone from every machine once synced") \
	_(TAKE_LOCAL, "take-local", "1 LT", VMASK(VIEW_RESOLVE), SECTION_RESOLVE, \
	    "Keep this machine's value of the field under the cursor") \
	_(TAKE_CLOUD, "take-cloud", "2 >", VMASK(VIEW_RESOLVE), SECTION_RESOLVE, \
	    "Keep the cloud's value of the field under the cursor") \
	_(ACCEPT, "accept", "A", VMASK(VIEW_RESOLVE), SECTION_RESOLVE, \
	    "Settle the commit's conflicts with the values chosen (a new version, synced next)") \
	_(LATER, "later", "x", VMASK(VIEW_RESOLVE), SECTION_RESOLVE, \
	    "Leave the conflicts for later: close the pane, changing nothing") \
	_(PUBLISH, "publish", "p", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Publish or unpublish the commit") \
	_(HIDE, "hide", "H", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Hide or unhide the commit") \
	_(SHOW_HIDDEN, "show-hidden", "a", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "List hidden commits too (dimmed), or not") \
	_(RETITLE, "retitle", "t", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Edit the commit's title (an empty title restores the default)") \
	_(MOVE_COMMIT_UP, "move-commit-up", "K", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Move the commit up in its project's order (in a project's list)") \
	_(MOVE_COMMIT_DOWN, "move-commit-down", "J", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Move the commit down in its project's order (in a project's list)") \
	_(DELETE, "delete", "D", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Delete the commit, after a confirmation (everywhere, once synced)") \
	_(SORT, "sort", "s", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Sort the list by date, turns, tokens or duration (each press takes the next)") \
	_(SORT_REVERSE, "sort-reverse", "r", VMASK(VIEW_COMMITS), SECTION_CURATE, \
	    "Turn the list's order round (oldest, fewest, shortest first)") \
	_(NEXT_TURN, "next-turn", "}", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Go to the next turn") \
	_(PREV_TURN, "prev-turn", "{", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Go to the previous turn") \
	_(TOGGLE_TOOL, "toggle-tool", "o", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Fold or unfold the tool call under the cursor (on a turn's own lines: all its calls)") \
	_(TOGGLE_TOOLS, "toggle-tools", "O", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Unfold every tool call, or fold them all") \
	_(TOGGLE_THINKING, "toggle-thinking", "T", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Show or hide the assistant's thinking") \
	_(OPEN_IMAGE, "open-image", "i", VMASK(VIEW_TURNS), SECTION_READ, \
	    "Open the screenshot under the cursor with xdg-open (fetched from the cloud first, in the background)") \
	_(COPY_ID, "copy-id", "y", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Copy the commit's id to the clipboard (OSC 52: over ssh and in tmux too)") \
	_(COPY_HASH, "copy-hash", "Y", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Copy the commit's git hash to the clipboard") \
	_(COPY_PROMPT, "copy-prompt", "c", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Copy the commit's first prompt to the clipboard") \
	_(OPEN_PAGER, "open-pager", "M", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Read the commit as Markdown in $PAGER (less)") \
	_(OPEN_EDITOR, "open-editor", "e", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Open a Markdown copy of the commit in $VISUAL or $EDITOR (vi)") \
	_(PIPE, "pipe", "|", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Pipe the commit as Markdown to a shell command") \
	_(EXPORT, "export", "E", VMASK_COMMIT, SECTION_HANDOFF, \
	    "Export the commit to a file: .md, .json or .html by its name")

#define ACTION_ENUM(id, name, keys, views, section, help) ACT_##id,
enum action {
	ACT_NONE,	/* "none": a key bound to it does nothing */
	ACTION_LIST(ACTION_ENUM)
	ACT_COUNT
};
#undef ACTION_ENUM

struct action_def {
	enum action action;
	const char *name;
	const char *keys;	/* default keys, space-separated */
	unsigned int views;	/* VMASK of the views it works in */
	enum action_section section;
	const char *help;
};

/* Indexed by enum action (ACT_NONE included). */
extern const struct action_def action_table[ACT_COUNT];

const char *action_section_title(enum action_section s);
/* The action called name ("none" included); -1 when there is none. */
int action_find(const char *name);
int action_applies(enum action a, enum view_id v);

/*
 * A key: a Unicode code point (control keys are 1 to 31), or KEYC_SPECIAL plus
 * a curses KEY_* code. Enter is always '\n' and Backspace KEYC_SPECIAL +
 * KEY_BACKSPACE, whatever the terminal sends.
 */
typedef int keycode;
#define KEYC_SPECIAL 0x200000
#define KEYC_CTRL(c) ((c) & 0x1f)

/* The key written name (see above); -1 when it names none. */
keycode keycode_parse(const char *name);
/* The canonical name of k ("j", "Enter", "C-d", "PgDn"), in buf. */
const char *keycode_name(keycode k, char *buf, size_t size);
/* A key read by wget_wch (rc: OK or KEY_CODE_YES) as a keycode. */
keycode keycode_from_curses(int rc, unsigned int wch);

/* The key bindings: the table's defaults, then `bind` lines over them. */
struct keymap;

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);
/* `bind VIEW KEY ACTION` (view may be "generic"); -1 with err filled. */
int keymap_bind(struct keymap *km, const char *view, const char *key, const char *action,
    char *err);
/*
 * Applies every "bind" directive of cfg. A bad one is skipped with a warning
 * "FILE:LINE: message" appended (one line each, separated by '\n') to warnings;
 * returns how many were bad.
 */
int keymap_load(struct keymap *km, const struct config *cfg, struct strbuf *warnings);
/* What k does in view v; ACT_NONE when nothing. */
enum action keymap_lookup(const struct keymap *km, enum view_id v, keycode k);
/* The keys that do a in v, default ones first, up to max; returns how many. */
size_t keymap_keys(const struct keymap *km, enum view_id v, enum action a, keycode *out,
    size_t max);

/* The roff text of the man page's key list, generated from the table. */
void actions_man(struct strbuf *sb);

#endif
