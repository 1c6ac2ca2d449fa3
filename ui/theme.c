#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/config.h"
#include "ui/theme.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define ROLE_NAME(id, name, colour, mono) [ROLE_##id] = name,
static const char *const role_names[ROLE_COUNT] = { COLOR_ROLES(ROLE_NAME) };
#undef ROLE_NAME
#define ROLE_COLOUR(id, name, colour, mono) [ROLE_##id] = colour,
static const char *const role_colours[ROLE_COUNT] = { COLOR_ROLES(ROLE_COLOUR) };
#undef ROLE_COLOUR
#define ROLE_MONO(id, name, colour, mono) [ROLE_##id] = mono,
static const char *const role_monos[ROLE_COUNT] = { COLOR_ROLES(ROLE_MONO) };
#undef ROLE_MONO

static const char *const colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char *name;
	attr_t attr;
} attr_names[] = {
	{ "normal", A_NORMAL }, { "bold", A_BOLD }, { "dim", A_DIM },
	{ "reverse", A_REVERSE }, { "underline", A_UNDERLINE }, { "italic", A_ITALIC },
	{ "standout", A_STANDOUT }, { "blink", A_BLINK },
};

/* xterm's palette, to bring a colour down to 16 or 8. */
static void
palette_rgb(int c, int rgb[3])
{
	static const int sys[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	int i;

	if (c < 16) {
		for (i = 0; i < 3; i++)
			rgb[i] = sys[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = level[c / 36];
		rgb[1] = level[(c / 6) % 6];
		rgb[2] = level[c % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
}

/* The nearest of the first n palette colours to c. */
static short
nearest(int c, int n)
{
	int a[3], b[3], i, j, d, best = 0, bestd = -1;

	palette_rgb(c, a);
	for (i = 0; i < n; i++) {
		palette_rgb(i, b);
		for (d = 0, j = 0; j < 3; j++)
			d += (a[j] - b[j]) * (a[j] - b[j]);
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return (short)best;
}

const char *
color_role_name(enum color_role r)
{
	return r < ROLE_COUNT ? role_names[r] : "";
}

int
color_role_find(const char *name)
{
	int r;

	for (r = 0; r < ROLE_COUNT; r++) {
		if (strcmp(role_names[r], name) == 0)
			return r;
	}
	return -1;
}

/* A colour word: -1 for default, 0..255; -2 when it is not one. */
static int
parse_colour(const char *s)
{
	const char *digits = s;
	char *end;
	long v;
	int i;

	if (strcasecmp(s, "default") == 0)
		return -1;
	for (i = 0; i < 8; i++) {
		if (strcasecmp(s, colour_names[i]) == 0)
			return i;
		if (strncasecmp(s, "bright", 6) == 0 && strcasecmp(s + 6, colour_names[i]) == 0)
			return 8 + i;
	}
	if (strncasecmp(s, "color", 5) == 0)
		digits = s + 5;
	if (*digits < '0' || *digits > '9')
		return -2;
	v = strtol(digits, &end, 10);
	if (*end != '\0' || v > 255)
		return -2;
	return (int)v;
}

static int
parse_attr(const char *s, attr_t *attr)
{
	size_t i;

	for (i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
		if (strcasecmp(s, attr_names[i].name) == 0) {
			*attr |= attr_names[i].attr;
			return 0;
		}
	}
	return -1;
}

/* Splits a built-in spec ("white blue bold") and applies it to role r. */
static void
set_builtin(struct theme *t, enum color_role r, const char *spec)
{
	char *copy = xprintf("%s %s", role_names[r], spec), *argv[8], *save, *w;
	char err[ERRLEN];
	int argc = 0;

	for (w = strtok_r(copy, " ", &save); w != NULL && argc < 7; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (theme_set(t, argc, argv, err) != 0)
		fatalx("built-in colour of %s: %s", role_names[r], err);
	free(copy);
}

void
theme_init(struct theme *t, int mono)
{
	int r;

	memset(t, 0, sizeof *t);
	for (r = 0; r < ROLE_COUNT; r++) {
		t->styles[r].fg = t->styles[r].bg = -1;
		if (mono) {
			attr_t a = 0;
			char *copy = xstrdup(role_monos[r]), *save, *w;
			for (w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
				if (parse_attr(w, &a) != 0)
					fatalx("built-in attribute of %s: %s", role_names[r], w);
			}
			free(copy);
			t->styles[r].attrs = a;
		}
	}
	t->mono = mono;
	if (!mono) {
		for (r = 0; r < ROLE_COUNT; r++)
			set_builtin(t, r, role_colours[r]);
	}
}

int
theme_set(struct theme *t, int argc, char *const *argv, char *err)
{
	int role, fg, bg, i;
	attr_t attrs = 0;

	if (argc < 3)
		return seterr(err, "expected 'color ROLE FG BG [ATTRIBUTE...]'");
	if ((role = color_role_find(argv[0])) < 0)
		return seterr(err, "color: unknown role '%.40s'", argv[0]);
	if ((fg = parse_colour(argv[1])) == -2)
		return seterr(err, "color: unknown colour '%.40s'", argv[1]);
	if ((bg = parse_colour(argv[2])) == -2)
		return seterr(err, "color: unknown colour '%.40s'", argv[2]);
	for (i = 3; i < argc; i++) {
		if (parse_attr(argv[i], &attrs) != 0)
			return seterr(err, "color: unknown attribute '%.40s'", argv[i]);
	}
	if (!t->mono) {
		t->styles[role].fg = (short)fg;
		t->styles[role].bg = (short)bg;
	}
	t->styles[role].attrs = attrs;
	return 0;
}

int
theme_apply(struct theme *t, const struct config *cfg, struct strbuf *warnings)
{
	const struct config_directive *d;
	char err[ERRLEN];
	size_t i;
	int bad = 0;

	for (i = 0; i < config_directive_count(cfg); i++) {
		d = config_directive(cfg, i);
		if (strcmp(d->argv[0], "color") != 0)
			continue;
		if (theme_set(t, d->argc - 1, d->argv + 1, err) == 0)
			continue;
		if (warnings->len > 0)
			strbuf_addc(warnings, '\n');
		strbuf_addf(warnings, "%s:%u: %s", d->source, d->line, err);
		bad++;
	}
	return bad;
}

char *
theme_path(const char *home, const char *name)
{
	char *user = xprintf("%s/themes/%s.theme", home, name);
	const char *dirs[] = { ABS_TOP_SRCDIR "/themes", PKGDATADIR "/themes" };
	char *path;
	size_t i;

	if (access(user, R_OK) == 0)
		return user;
	free(user);
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		path = xprintf("%s/%s.theme", dirs[i], name);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

static void
add_warning(struct strbuf *warnings, const char *msg)
{
	if (warnings->len > 0)
		strbuf_addc(warnings, '\n');
	strbuf_adds(warnings, msg);
}

void
theme_load(struct theme *t, const char *home, const char *name, int mono,
    const struct config *cfg, struct strbuf *warnings)
{
	struct config *file;
	char err[ERRLEN], *path;
	size_t i;

	if (strcmp(name, "mono") == 0)
		mono = 1;
	theme_init(t, mono);
	if (mono)
		name = "mono";
	if ((path = theme_path(home, name)) == NULL) {
		if (strcmp(name, "default") != 0 && strcmp(name, "mono") != 0) {
			snprintf(err, sizeof err, "theme '%.40s' not found; using the default",
			    name);
			add_warning(warnings, err);
		}
	} else if ((file = config_read_path(path, err)) == NULL)
		add_warning(warnings, err);
	else {
		for (i = 0; i < config_warning_count(file); i++)
			add_warning(warnings, config_warning(file, i));
		theme_apply(t, file, warnings);
		config_free(file);
	}
	free(path);
	if (cfg != NULL)
		theme_apply(t, cfg, warnings);
}

/* c brought down to a palette of n colours; *bold set when brightness moves to bold. */
static short
fit(short c, int n, int *bold)
{
	if (c < 0 || c < n)
		return c;
	if (n >= 16)
		return nearest(c, 16);
	if (c < 16) {
		*bold = 1;
		return (short)(c - 8);
	}
	c = nearest(c, 16);
	if (c >= 8) {
		*bold = 1;
		c -= 8;
	}
	return c;
}

void
theme_activate(struct theme *t, int colors)
{
	int r, bold;
	short fg, bg;

	for (r = 0; r < ROLE_COUNT; r++) {
		t->attrs[r] = t->styles[r].attrs;
		if (t->mono || colors < 8)
			continue;
		bold = 0;
		fg = fit(t->styles[r].fg, colors, &bold);
		if (bold)
			t->attrs[r] |= A_BOLD;
		bold = 0;
		bg = fit(t->styles[r].bg, colors, &bold);
		if (r + 1 < COLOR_PAIRS && init_pair((short)(r + 1), fg, bg) == OK)
			t->attrs[r] |= COLOR_PAIR(r + 1);
	}
}
