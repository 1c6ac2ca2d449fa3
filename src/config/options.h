/*
 * Configuration keys. options-table.c declares every key once, with its type,
 * allowed values, default and help; validation, `config --help` and the checks
 * against the man page all derive from that table, so they cannot drift.
 */
#ifndef AL_CONFIG_OPTIONS_H
#define AL_CONFIG_OPTIONS_H

#include <stddef.h>

enum option_type {
	OPTION_STRING,		/* text; .charset may restrict it */
	OPTION_ENUM,		/* one of .choices */
	OPTION_BOOLEAN,		/* stored as "true" or "false" */
	OPTION_NUMBER,		/* a decimal integer from .minimum to .maximum */
	OPTION_URL,		/* http:// or https://; empty means unset */
};

struct option_def {
	const char *name;
	enum option_type type;
	const char *default_value;	/* as stored: already normalized */
	const char *help;		/* one line */

	const char *const *choices;	/* OPTION_ENUM: NULL-terminated */
	long minimum;			/* OPTION_NUMBER */
	long maximum;
	/*
	 * OPTION_STRING: when not NULL, the value must be one or more characters
	 * from this bracket expression (without the brackets), e.g. "a-z0-9-".
	 */
	const char *charset;
	/*
	 * When not NULL, what `config set` checks beyond the type (config_set
	 * refuses at once); a file holding a bad value is left to the key's user,
	 * which fails closed (redact.patterns: push sends nothing).
	 */
	int (*check_set)(const char *value, char *err);
};

/* Every key, in the order `config list` shows them; ends with a NULL name. */
extern const struct option_def options_table[];

size_t options_count(void);
/* The key called name; NULL when there is none. */
const struct option_def *options_find(const char *name);
/* "string", "enum", "boolean", "number" or "url". */
const char *options_type_name(enum option_type type);
/* What the type alone does not say about the allowed values, for help:
 * "local|cloud", "1..10080", "[a-z0-9-]+"; "" when nothing. Newly allocated. */
char *options_describe(const struct option_def *od);
/*
 * Checks value against od. On success returns 0 and, when normalized is not
 * NULL, sets it to the value as stored (newly allocated: booleans become
 * "true"/"false", numbers lose leading zeros, enum choices their case). On
 * failure returns -1 with err holding "invalid value 'V' for KEY: expected ...".
 */
int options_validate(const struct option_def *od, const char *value, char **normalized,
    char *err);
/* A boolean word (true/false, yes/no, on/off, 1/0, any case) as 1 or 0; -1 if not one. */
int options_parse_bool(const char *value);

#endif
