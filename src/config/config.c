/*
 * Reading and rewriting $AGENTLOGS_HOME/config. The file is the person's: a
 * rewrite changes one key's line and keeps every other byte, comments and
 * directives this module does not know included.
 */
/* <config.h>: "config.h" would find src/config/config.h beside this file. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/options.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

/* Nobody writes a config file this big by hand; refuse rather than slurp it. */
#define CONFIG_MAX_SIZE (1024 * 1024)

/* Directives other modules read from the same file: accepted, left alone. */
static const char *const config_other_directives[] = { "bind", "color", NULL };

struct config {
	char **values;		/* by options_table index; NULL: the default */
	char **warnings;
	size_t nwarnings;
	char *source;		/* the file name the directives point to */
	struct config_directive *directives;
	size_t ndirectives;
};

enum line_kind {
	LINE_BLANK,		/* empty or a comment */
	LINE_SET,
	LINE_OTHER,		/* another module's directive */
	LINE_BAD,
};

struct line {
	char *key;		/* LINE_SET only */
	char *value;
	char *comment;		/* a trailing "# ..." or NULL */
	int cr;			/* the line ended with "\r\n" */
};

static void
line_clear(struct line *l)
{
	free(l->key);
	free(l->value);
	free(l->comment);
	memset(l, 0, sizeof *l);
}

static char *
skip_space(char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Unquotes a value that starts at the '"' at *pp, leaving *pp after the closing one. */
static int
parse_quoted(char **pp, struct strbuf *value)
{
	char *p;

	for (p = *pp + 1; *p != '"'; p++) {
		if (*p == '\0')
			return -1;
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		strbuf_addc(value, *p);
	}
	*pp = p + 1;
	return 0;
}

/* Parses one line (len bytes, no '\n'); fills l for LINE_SET and err for LINE_BAD. */
static enum line_kind
parse_line(const char *text, size_t len, struct line *l, char *err)
{
	struct strbuf value = STRBUF_INIT;
	enum line_kind kind = LINE_BAD;
	const char *const *d;
	char *copy, *p, *word, *key, *start, *end;
	size_t wordlen, keylen;

	memset(l, 0, sizeof *l);
	if (len > 0 && text[len - 1] == '\r') {
		l->cr = 1;
		len--;
	}
	copy = xstrndup(text, len);
	p = skip_space(copy);
	if (*p == '\0' || *p == '#') {
		kind = LINE_BLANK;
		goto out;
	}

	word = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	wordlen = p - word;
	if (wordlen != 3 || strncmp(word, "set", 3) != 0) {
		for (d = config_other_directives; *d != NULL; d++) {
			if (strlen(*d) == wordlen && strncmp(*d, word, wordlen) == 0) {
				kind = LINE_OTHER;
				goto out;
			}
		}
		seterr(err, "unknown directive '%.*s'", (int)(wordlen > 40 ? 40 : wordlen),
		    word);
		goto out;
	}

	key = p = skip_space(p);
	while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
		p++;
	keylen = p - key;
	p = skip_space(p);
	if (keylen == 0 || *p != '=') {
		seterr(err, "expected 'set KEY = VALUE'");
		goto out;
	}
	p = skip_space(p + 1);

	if (*p == '"') {
		if (parse_quoted(&p, &value) != 0) {
			seterr(err, "unterminated quoted value");
			goto out;
		}
		p = skip_space(p);
		if (*p != '\0' && *p != '#') {
			seterr(err, "unexpected text after the quoted value");
			goto out;
		}
	} else {
		/* A bare value ends at a '#' that begins a word. */
		start = p;
		while (*p != '\0' && !(*p == '#' &&
		    (p == start || isspace((unsigned char)p[-1]))))
			p++;
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		strbuf_add(&value, start, end - start);
	}
	l->key = xstrndup(key, keylen);
	l->value = strbuf_detach(&value);
	l->comment = *p == '#' ? xstrdup(p) : NULL;
	kind = LINE_SET;
out:
	strbuf_free(&value);
	free(copy);
	return kind;
}

/* The length of the line starting at p, without its '\n'; *next is the line after. */
static size_t
next_line(const char *p, const char **next)
{
	const char *eol = strchr(p, '\n');

	if (eol == NULL) {
		*next = p + strlen(p);
		return *next - p;
	}
	*next = eol + 1;
	return eol - p;
}

static void
add_warning(struct config *cfg, const char *fmt, ...)
{
	va_list ap;

	cfg->warnings = xreallocarray(cfg->warnings, cfg->nwarnings + 1,
	    sizeof *cfg->warnings);
	va_start(ap, fmt);
	xvasprintf(&cfg->warnings[cfg->nwarnings++], fmt, ap);
	va_end(ap);
}

static size_t
option_index(const struct option_def *od)
{
	return od - options_table;
}

/* Splits a directive line into words; -1 on an unterminated quote. */
static int
split_words(const char *text, size_t len, char ***argv, int *argc)
{
	struct strbuf word = STRBUF_INIT;
	char *copy = xstrndup(text, len), *p = copy;

	*argv = NULL;
	*argc = 0;
	for (;;) {
		p = skip_space(p);
		if (*p == '\0' || *p == '#')
			break;
		strbuf_reset(&word);
		strbuf_add(&word, "", 0);
		if (*p == '"') {
			if (parse_quoted(&p, &word) != 0) {
				while (*argc > 0)
					free((*argv)[--*argc]);
				free(*argv);
				*argv = NULL;
				strbuf_free(&word);
				free(copy);
				return -1;
			}
		} else {
			while (*p != '\0' && !isspace((unsigned char)*p))
				strbuf_addc(&word, *p++);
		}
		*argv = xreallocarray(*argv, *argc + 2, sizeof **argv);
		(*argv)[(*argc)++] = strbuf_detach(&word);
		(*argv)[*argc] = NULL;
	}
	strbuf_free(&word);
	free(copy);
	return 0;
}

static void
add_directive(struct config *cfg, const char *text, size_t len, unsigned int lineno)
{
	struct config_directive *d;
	char **argv;
	int argc;

	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (split_words(text, len, &argv, &argc) != 0) {
		add_warning(cfg, "%s:%u: unterminated quoted word", cfg->source, lineno);
		return;
	}
	cfg->directives = xreallocarray(cfg->directives, cfg->ndirectives + 1,
	    sizeof *cfg->directives);
	d = &cfg->directives[cfg->ndirectives++];
	d->source = cfg->source;
	d->line = lineno;
	d->argc = argc;
	d->argv = argv;
}

struct config *
config_parse(const char *text, const char *source)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	const struct option_def *od;
	const char *p, *next;
	struct line l;
	char err[ERRLEN], *norm;
	size_t len, i;
	unsigned int lineno;

	cfg->values = xcalloc(options_count(), sizeof *cfg->values);
	cfg->source = xstrdup(source);
	for (p = text, lineno = 1; *p != '\0'; p = next, lineno++) {
		len = next_line(p, &next);
		switch (parse_line(p, len, &l, err)) {
		case LINE_BLANK:
			break;
		case LINE_OTHER:
			add_directive(cfg, p, len, lineno);
			break;
		case LINE_BAD:
			add_warning(cfg, "%s:%u: %s", source, lineno, err);
			break;
		case LINE_SET:
			if ((od = options_find(l.key)) == NULL) {
				add_warning(cfg, "%s:%u: unknown config key '%.40s'", source,
				    lineno, l.key);
				break;
			}
			i = option_index(od);
			if (options_validate(od, l.value, &norm, err) != 0) {
				add_warning(cfg, "%s:%u: %s; using '%s'", source, lineno, err,
				    cfg->values[i] != NULL ? cfg->values[i] :
				    od->default_value);
				break;
			}
			free(cfg->values[i]);
			cfg->values[i] = norm;
			break;
		}
		line_clear(&l);
	}
	return cfg;
}

char *
config_path(const char *home)
{
	return paths_in_home(home, "config");
}

/* The whole file in *out: 0, or 1 when it does not exist (*out is then ""). */
static int
read_file(const char *path, char **out, char *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *f;

	*out = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			return seterr(err, "cannot read %s: %s", path, strerror(errno));
		*out = xstrdup("");
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > CONFIG_MAX_SIZE) {
			fclose(f);
			strbuf_free(&sb);
			return seterr(err, "%s: file too large", path);
		}
	}
	if (ferror(f)) {
		seterr(err, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		strbuf_free(&sb);
		return -1;
	}
	fclose(f);
	*out = strbuf_detach(&sb);
	return 0;
}

struct config *
config_read(const char *home, char *err)
{
	struct config *cfg;
	char *path = config_path(home), *text;

	if (read_file(path, &text, err) == -1) {
		free(path);
		return NULL;
	}
	cfg = config_parse(text, path);
	free(text);
	free(path);
	return cfg;
}

struct config *
config_read_path(const char *path, char *err)
{
	struct config *cfg;
	char *text;
	int rc;

	if ((rc = read_file(path, &text, err)) != 0) {
		if (rc == 1) {
			seterr(err, "cannot read %s: %s", path, strerror(ENOENT));
			free(text);
		}
		return NULL;
	}
	cfg = config_parse(text, path);
	free(text);
	return cfg;
}

struct config *
config_load(const char *home, char *err)
{
	struct config *cfg;
	size_t i;

	if ((cfg = config_read(home, err)) == NULL)
		return NULL;
	for (i = 0; i < cfg->nwarnings; i++)
		log_warn("%s", cfg->warnings[i]);
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i, n = options_count();

	if (cfg == NULL)
		return;
	for (i = 0; i < n; i++)
		free(cfg->values[i]);
	free(cfg->values);
	for (i = 0; i < cfg->nwarnings; i++)
		free(cfg->warnings[i]);
	free(cfg->warnings);
	for (i = 0; i < cfg->ndirectives; i++) {
		int j;
		for (j = 0; j < cfg->directives[i].argc; j++)
			free(cfg->directives[i].argv[j]);
		free(cfg->directives[i].argv);
	}
	free(cfg->directives);
	free(cfg->source);
	free(cfg);
}

size_t
config_warning_count(const struct config *cfg)
{
	return cfg->nwarnings;
}

const char *
config_warning(const struct config *cfg, size_t i)
{
	return i < cfg->nwarnings ? cfg->warnings[i] : NULL;
}

size_t
config_directive_count(const struct config *cfg)
{
	return cfg != NULL ? cfg->ndirectives : 0;
}

const struct config_directive *
config_directive(const struct config *cfg, size_t i)
{
	return cfg != NULL && i < cfg->ndirectives ? &cfg->directives[i] : NULL;
}

const char *
config_get(const struct config *cfg, const char *key)
{
	const struct option_def *od = options_find(key);
	const char *v;

	if (od == NULL)
		return NULL;
	v = cfg != NULL ? cfg->values[option_index(od)] : NULL;
	return v != NULL ? v : od->default_value;
}

int
config_is_set(const struct config *cfg, const char *key)
{
	const struct option_def *od = options_find(key);

	return cfg != NULL && od != NULL && cfg->values[option_index(od)] != NULL;
}

static void
check_type(const char *key, enum option_type type)
{
	const struct option_def *od = options_find(key);

	if (od == NULL)
		fatalx("no config key %s", key);
	if (od->type != type)
		fatalx("config key %s is a %s, not a %s", key, options_type_name(od->type),
		    options_type_name(type));
}

int
config_get_bool(const struct config *cfg, const char *key)
{
	check_type(key, OPTION_BOOLEAN);
	return strcmp(config_get(cfg, key), "true") == 0;
}

long
config_get_number(const struct config *cfg, const char *key)
{
	check_type(key, OPTION_NUMBER);
	return strtol(config_get(cfg, key), NULL, 10);
}

char *
config_quote(const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (*value != '\0' && strpbrk(value, " \t#\"\\") == NULL)
		return xstrdup(value);
	strbuf_addc(&sb, '"');
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addc(&sb, '\\');
		strbuf_addc(&sb, *p);
	}
	strbuf_addc(&sb, '"');
	return strbuf_detach(&sb);
}

static void
add_set_line(struct strbuf *sb, const char *key, const char *value, const char *comment,
    int cr)
{
	char *quoted = config_quote(value);

	strbuf_addf(sb, "set %s = %s", key, quoted);
	if (comment != NULL)
		strbuf_addf(sb, " %s", comment);
	strbuf_adds(sb, cr ? "\r\n" : "\n");
	free(quoted);
}

/* The line number of the last line setting key; 0 when none does. */
static unsigned int
last_set_line(const char *text, const char *key)
{
	const char *p, *next;
	unsigned int lineno, last = 0;
	struct line l;
	char err[ERRLEN];

	for (p = text, lineno = 1; *p != '\0'; p = next, lineno++) {
		if (parse_line(p, next_line(p, &next), &l, err) == LINE_SET &&
		    strcmp(l.key, key) == 0)
			last = lineno;
		line_clear(&l);
	}
	return last;
}

/*
 * Sets key to value (NULL: removes every line setting it) in text, returning
 * the new text: the last line setting key is replaced (keeping its comment),
 * or a line is appended.
 */
static char *
edit_text(const char *text, const char *key, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *next;
	unsigned int lineno, last = last_set_line(text, key);
	struct line l;
	char err[ERRLEN];
	size_t len;
	int match;

	for (p = text, lineno = 1; *p != '\0'; p = next, lineno++) {
		len = next_line(p, &next);
		match = parse_line(p, len, &l, err) == LINE_SET && strcmp(l.key, key) == 0;
		if (match && value != NULL && lineno == last)
			add_set_line(&sb, key, value, l.comment, l.cr);
		else if (!match || value != NULL)
			strbuf_add(&sb, p, next - p);	/* unset drops every match */
		line_clear(&l);
	}
	if (value != NULL && last == 0) {
		if (sb.len > 0 && sb.buf[sb.len - 1] != '\n')
			strbuf_addc(&sb, '\n');
		add_set_line(&sb, key, value, NULL, 0);
	}
	return strbuf_detach(&sb);
}

static int
rewrite(const char *home, const char *key, const char *value, char *err)
{
	char *path = config_path(home), *text = NULL, *edited = NULL;
	int rc = -1, found;

	if ((found = read_file(path, &text, err)) == -1)
		goto out;
	if (value == NULL && (found == 1 || last_set_line(text, key) == 0)) {
		rc = 0;		/* nothing to unset: leave the file alone */
		goto out;
	}
	if (paths_ensure_home(home, err) != 0)
		goto out;
	edited = edit_text(text, key, value);
	rc = paths_write_atomic(path, edited, strlen(edited), 0600, err);
out:
	free(edited);
	free(text);
	free(path);
	return rc;
}

static const struct option_def *
find_key(const char *key, char *err)
{
	const struct option_def *od = options_find(key);

	if (od == NULL)
		seterr(err, "unknown config key '%.40s' (see '%s config list')", key,
		    log_progname());
	return od;
}

int
config_set(const char *home, const char *key, const char *value, char *err)
{
	const struct option_def *od;
	char *norm;
	int rc;

	if ((od = find_key(key, err)) == NULL)
		return -1;
	if (options_validate(od, value, &norm, err) != 0)
		return -1;
	if (od->check_set != NULL && od->check_set(norm, err) != 0) {
		free(norm);
		return -1;
	}
	rc = rewrite(home, od->name, norm, err);
	free(norm);
	return rc;
}

int
config_unset(const char *home, const char *key, char *err)
{
	const struct option_def *od;

	if ((od = find_key(key, err)) == NULL)
		return -1;
	return rewrite(home, od->name, NULL, err);
}

int
config_set_analytics(const char *home, int opt_in, char *err)
{
	return config_set(home, "analytics.opt-in", opt_in ? "true" : "false", err);
}

int
config_storage_cloud(const struct config *cfg)
{
	return strcmp(config_get(cfg, "storage"), "cloud") == 0;
}
