/*
 * Colours by role (htop's ColorElements): drawing code asks for a role, never
 * for a colour number. A theme is a file of `color ROLE FG BG [ATTR...]` lines
 * in the config's own syntax (themes/NAME.theme, chosen by the `theme` key);
 * `color` lines in the person's config apply over it. Colours are names
 * (default, black, red, green, yellow, blue, magenta, cyan, white, the same
 * with "bright" before them) or numbers 0..255 ("color208" or "208"), brought
 * down to what the terminal has: 256, 16 or 8 colours. Without colours, or
 * with NO_COLOR set, the roles' monochrome attributes are used instead.
 */
#ifndef AL_UI_THEME_H
#define AL_UI_THEME_H

#include "ui/curses.h"

struct config;
struct strbuf;

/* _(ID, name, colour default, monochrome default) */
#define COLOR_ROLES(_) \
	_(DEFAULT, "default", "default default", "normal") \
	_(HEADER, "header", "white blue bold", "reverse bold") \
	_(STATUS, "status", "black cyan", "reverse") \
	_(STATUS_LIVE, "status-live", "black green bold", "reverse bold") \
	_(STATUS_SYNCING, "status-syncing", "black yellow bold", "reverse bold") \
	_(STATUS_OFFLINE, "status-offline", "white red bold", "reverse bold") \
	_(STATUS_LOCAL, "status-local", "black white", "reverse") \
	_(STATUS_ERROR, "status-error", "red cyan bold", "reverse bold") \
	_(STATUS_REVIEW, "status-review", "blue cyan", "reverse") \
	_(MESSAGE, "message", "default default", "normal") \
	_(ERROR, "error", "red default bold", "bold") \
	_(PROMPT, "prompt", "default default bold", "bold") \
	_(CURSOR, "cursor", "black cyan", "reverse") \
	_(SEPARATOR, "separator", "blue default", "dim") \
	_(TITLE, "title", "default default", "normal") \
	_(ID, "id", "yellow default", "normal") \
	_(DATE, "date", "blue default", "normal") \
	_(PROJECT, "project", "magenta default", "normal") \
	_(NUMBER, "count", "cyan default", "normal") \
	_(HASH, "hash", "yellow default", "normal") \
	_(HIDDEN, "hidden", "default default dim", "dim") \
	_(BADGE_PUBLISHED, "badge-published", "green default bold", "bold") \
	_(BADGE_HIDDEN, "badge-hidden", "default default dim", "dim") \
	_(BADGE_PARALLEL, "badge-parallel", "magenta default", "normal") \
	_(BADGE_PENDING, "badge-pending", "yellow default", "normal") \
	_(BADGE_CONFLICT, "badge-conflict", "red default bold", "bold") \
	_(BADGE_LIVE, "badge-live", "green default bold", "bold") \
	_(LABEL, "label", "blue default bold", "bold") \
	_(USER, "user", "green default bold", "bold") \
	_(ASSISTANT, "assistant", "cyan default bold", "bold") \
	_(TOOL, "tool", "yellow default", "normal") \
	_(TOOL_ERROR, "tool-error", "red default", "bold") \
	_(TOOL_OUTPUT, "tool-output", "default default", "normal") \
	_(DIFF_ADD, "diff-add", "green default", "bold") \
	_(DIFF_DEL, "diff-del", "red default", "dim") \
	_(THINKING, "thinking", "blue default dim", "dim") \
	_(SEARCH_MATCH, "search-match", "black yellow", "reverse") \
	_(REDACTED, "redacted", "magenta default underline", "underline") \
	_(HELP_KEY, "help-key", "green default", "bold") \
	_(HELP_SECTION, "help-section", "yellow default bold", "bold underline")

#define COLOR_ROLE_ENUM(id, name, colour, mono) ROLE_##id,
enum color_role { COLOR_ROLES(COLOR_ROLE_ENUM) ROLE_COUNT };
#undef COLOR_ROLE_ENUM

struct style {
	short fg, bg;		/* 0..255, or -1 for the terminal's default */
	attr_t attrs;		/* A_BOLD, A_DIM, ... */
};

struct theme {
	struct style styles[ROLE_COUNT];
	int mono;		/* colours are off: only attributes count */
	attr_t attrs[ROLE_COUNT];	/* what drawing uses, after theme_activate */
};

const char *color_role_name(enum color_role r);
/* The role called name; -1 when none is. */
int color_role_find(const char *name);

/* The built-in defaults: colours, or (mono) the monochrome attributes. */
void theme_init(struct theme *t, int mono);
/*
 * `color ROLE FG BG [ATTR...]` (the words after "color"). Returns -1 with err
 * filled when the line is not valid. With mono only the attributes count.
 */
int theme_set(struct theme *t, int argc, char *const *argv, char *err);
/* Applies cfg's color lines; bad ones become warnings, "FILE:LINE: ..." a line. */
int theme_apply(struct theme *t, const struct config *cfg, struct strbuf *warnings);
/*
 * The file of theme name: $AGENTLOGS_HOME/themes, the source tree's themes/,
 * then the installed data directory. NULL when none exists. Newly allocated.
 */
char *theme_path(const char *home, const char *name);
/*
 * Sets up t for name (the `theme` key; "mono" whatever the terminal): the file
 * when one is found, else the built-in defaults (with a warning unless name is
 * "default"). Then applies cfg's own color lines.
 */
void theme_load(struct theme *t, const char *home, const char *name, int mono,
    const struct config *cfg, struct strbuf *warnings);
/* Colour pairs for the terminal's palette (call after start_color when colours are on). */
void theme_activate(struct theme *t, int colors);

static inline attr_t
theme_attr(const struct theme *t, enum color_role r)
{
	return t->attrs[r];
}

#endif
