/*
 * The configuration file, $AGENTLOGS_HOME/config: read it into a struct config
 * (values for the keys in options-table.c), and change one key in place.
 *
 * Syntax (shared with theme and key-binding files): '#' comments, blank lines,
 * "set KEY = VALUE" lines, and other directives ("bind ...", "color ...") that
 * other modules read and that config_set leaves untouched. A value may be
 * double-quoted, with \" and \\ escapes, to hold spaces or a leading '#'.
 *
 * A struct config is immutable once loaded, so threads may share it.
 */
#ifndef AL_CONFIG_CONFIG_H
#define AL_CONFIG_CONFIG_H

#include <stddef.h>

struct config;

/* $AGENTLOGS_HOME/config. Newly allocated. */
char *config_path(const char *home);

/*
 * Reads the config file (a missing one is empty) and prints each warning (an
 * unknown key, a bad value, a malformed line: "FILE:LINE: ...") on stderr. A
 * bad line never fails the load; NULL only when the file cannot be read.
 */
struct config *config_load(const char *home, char *err);
/* The same, keeping the warnings for config_warning() instead of printing them
 * (for the UI, which cannot write on stderr). */
struct config *config_read(const char *home, char *err);
/* Parses text as if read from the file named source (for messages). Never fails. */
struct config *config_parse(const char *text, const char *source);
void config_free(struct config *cfg);

/* Any file of this syntax, such as a theme (a missing file is an error). */
struct config *config_read_path(const char *path, char *err);

size_t config_warning_count(const struct config *cfg);
/* "FILE:LINE: message". */
const char *config_warning(const struct config *cfg, size_t i);

/*
 * The other modules' directives ("bind ...", "color ..."), in file order, split
 * into words: whitespace separates them, a '#' that begins a word starts a
 * comment, and a double-quoted word may hold spaces (\" and \\ escapes). A
 * line with an unterminated quote becomes a warning instead.
 */
struct config_directive {
	const char *source;	/* the file, for "FILE:LINE: ..." messages */
	unsigned int line;
	int argc;		/* >= 1: argv[0] is the directive's name */
	char **argv;
};
size_t config_directive_count(const struct config *cfg);
const struct config_directive *config_directive(const struct config *cfg, size_t i);

/* The effective value (the default unless the file sets it); NULL for an unknown key. */
const char *config_get(const struct config *cfg, const char *key);
/* True when the file sets key (even to its default value). */
int config_is_set(const struct config *cfg, const char *key);
/* Typed values; a key that is unknown or of another type is a bug and fatal. */
int config_get_bool(const struct config *cfg, const char *key);
long config_get_number(const struct config *cfg, const char *key);
/* storage = cloud: a configured, logged-in cloud may be synced with (local: never). */
int config_storage_cloud(const struct config *cfg);

/*
 * Validates value for key, then rewrites that key's line in the file (the
 * last one, should there be several) or appends one, keeping every other line
 * as it was. The file is replaced atomically, mode 0600. Returns -1 with err
 * filled for an unknown key, an invalid value or an I/O error.
 */
int config_set(const char *home, const char *key, const char *value, char *err);
/* Removes every line setting key, so it reverts to its default. */
int config_unset(const char *home, const char *key, char *err);
/* For `agentlogs analytics --opt-in/--opt-out`: sets analytics.opt-in. */
int config_set_analytics(const char *home, int opt_in, char *err);

/* value as written in the file: bare when it can be, else double-quoted. Newly allocated. */
char *config_quote(const char *value);

#endif
