/*
 * The action table, key names and the keymap built from them. Nothing here
 * draws: it only needs curses for the KEY_* codes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "ui/actions.h"
#include "ui/curses.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#define ACTION_DEF(id, n, k, v, s, h) \
	[ACT_##id] = { .action = ACT_##id, .name = n, .keys = k, .views = v, .section = s, \
	    .help = h },
const struct action_def action_table[ACT_COUNT] = {
	[ACT_NONE] = { .action = ACT_NONE, .name = "none", .keys = "", .views = 0,
	    .section = SECTION_VIEWS, .help = "Do nothing (unbinds a key)" },
	ACTION_LIST(ACTION_DEF)
};
#undef ACTION_DEF

#define SECTION_TITLE(id, title) [id] = title,
static const char *const section_titles[SECTION_COUNT] = { ACTION_SECTIONS(SECTION_TITLE) };
#undef SECTION_TITLE

static const char *const view_names[VIEW_COUNT] = {
	[VIEW_PROJECTS] = "projects",
	[VIEW_COMMITS] = "commits",
	[VIEW_SESSIONS] = "sessions",
	[VIEW_TURNS] = "turns",
	[VIEW_PENDING] = "pending",
	[VIEW_CONFLICTS] = "conflicts",
	[VIEW_RESOLVE] = "resolve",
	[VIEW_HELP] = "help",
	[VIEW_SEARCH] = "search",
};

/* Named keys; the first name of a key is its canonical one. */
static const struct {
	const char *name;
	keycode key;
} key_names[] = {
	{ "Enter", '\n' }, { "Return", '\n' },
	{ "Space", ' ' },
	{ "Tab", '\t' },
	{ "Esc", 27 }, { "Escape", 27 },
	{ "Hash", '#' },
	{ "LT", '<' }, { "LessThan", '<' },
	{ "Up", KEYC_SPECIAL + KEY_UP },
	{ "Down", KEYC_SPECIAL + KEY_DOWN },
	{ "Left", KEYC_SPECIAL + KEY_LEFT },
	{ "Right", KEYC_SPECIAL + KEY_RIGHT },
	{ "PgUp", KEYC_SPECIAL + KEY_PPAGE }, { "PageUp", KEYC_SPECIAL + KEY_PPAGE },
	{ "PgDn", KEYC_SPECIAL + KEY_NPAGE }, { "PgDown", KEYC_SPECIAL + KEY_NPAGE },
	{ "PageDown", KEYC_SPECIAL + KEY_NPAGE },
	{ "Home", KEYC_SPECIAL + KEY_HOME },
	{ "End", KEYC_SPECIAL + KEY_END },
	{ "Backspace", KEYC_SPECIAL + KEY_BACKSPACE }, { "BS", KEYC_SPECIAL + KEY_BACKSPACE },
	{ "Delete", KEYC_SPECIAL + KEY_DC }, { "Del", KEYC_SPECIAL + KEY_DC },
	{ "Insert", KEYC_SPECIAL + KEY_IC }, { "Ins", KEYC_SPECIAL + KEY_IC },
	{ "BackTab", KEYC_SPECIAL + KEY_BTAB },
};

/* A binding: scope is a view, or VIEW_COUNT for every view. */
struct binding {
	int scope;
	keycode key;
	enum action action;
};

struct keymap {
	struct binding *user;	/* from `bind` lines, newest last */
	size_t nuser;
	struct binding *defaults;
	size_t ndefaults;
};

const char *
view_id_name(enum view_id v)
{
	return v < VIEW_COUNT ? view_names[v] : "generic";
}

int
view_id_find(const char *name)
{
	int v;

	if (strcmp(name, "generic") == 0)
		return VIEW_COUNT;
	if (strcmp(name, "main") == 0)
		return VIEW_COMMITS;
	for (v = 0; v < VIEW_COUNT; v++) {
		if (strcmp(view_names[v], name) == 0)
			return v;
	}
	return -1;
}

const char *
action_section_title(enum action_section s)
{
	return s < SECTION_COUNT ? section_titles[s] : "";
}

int
action_find(const char *name)
{
	int a;

	for (a = 0; a < ACT_COUNT; a++) {
		if (strcmp(action_table[a].name, name) == 0)
			return a;
	}
	return -1;
}

int
action_applies(enum action a, enum view_id v)
{
	return a > ACT_NONE && a < ACT_COUNT && (action_table[a].views & VMASK(v)) != 0;
}

/* The code point of s when s is exactly one UTF-8 character; -1 otherwise. */
static int
one_char(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int cp, n, i;

	if (u[0] == 0)
		return -1;
	if (u[0] < 0x80)
		return u[1] == 0 ? u[0] : -1;
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = u[0] & 0x07;
	} else
		return -1;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	return u[n] == 0 && cp >= 0xa0 && cp <= 0x10ffff ? cp : -1;
}

keycode
keycode_parse(const char *name)
{
	char inner[32];
	size_t len = strlen(name), i;
	int cp, f;

	if ((cp = one_char(name)) > ' ' && cp != 0x7f)
		return cp;
	if (len >= 3 && name[0] == '<' && name[len - 1] == '>') {
		if (len - 2 >= sizeof inner)
			return -1;
		memcpy(inner, name + 1, len - 2);
		inner[len - 2] = '\0';
		name = inner;
		len -= 2;
		if ((cp = one_char(name)) > ' ' && cp != 0x7f)
			return cp;
	}
	/* C-x and ^X: the control key of a letter or of @[\]^_ */
	if ((len == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-') ||
	    (len == 2 && name[0] == '^')) {
		int c = (unsigned char)name[len - 1];
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c >= '@' && c <= '_')
			return KEYC_CTRL(c);
		return -1;
	}
	if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
		f = atoi(name + 1);
		if (f >= 1 && f <= 12 && strspn(name + 1, "0123456789") == len - 1)
			return KEYC_SPECIAL + KEY_F(f);
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (strcasecmp(key_names[i].name, name) == 0)
			return key_names[i].key;
	}
	return -1;
}

const char *
keycode_name(keycode k, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].key == k) {
			snprintf(buf, size, "%s", key_names[i].name);
			return buf;
		}
	}
	if (k >= KEYC_SPECIAL + KEY_F(1) && k <= KEYC_SPECIAL + KEY_F(12))
		snprintf(buf, size, "F%d", k - KEYC_SPECIAL - KEY_F(0));
	else if (k >= 0 && k < 0x20)
		snprintf(buf, size, "C-%c", (char)(k + (k >= 1 && k <= 26 ? 'a' - 1 : '@')));
	else if (k > 0x20 && k < 0x7f)
		snprintf(buf, size, "%c", (char)k);
	else if (k >= 0xa0 && k < KEYC_SPECIAL) {
		char u[5] = { 0 };
		if (k < 0x800) {
			u[0] = (char)(0xc0 | (k >> 6));
			u[1] = (char)(0x80 | (k & 0x3f));
		} else if (k < 0x10000) {
			u[0] = (char)(0xe0 | (k >> 12));
			u[1] = (char)(0x80 | ((k >> 6) & 0x3f));
			u[2] = (char)(0x80 | (k & 0x3f));
		} else {
			u[0] = (char)(0xf0 | (k >> 18));
			u[1] = (char)(0x80 | ((k >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((k >> 6) & 0x3f));
			u[3] = (char)(0x80 | (k & 0x3f));
		}
		snprintf(buf, size, "%s", u);
	} else
		snprintf(buf, size, "key-%d", k);
	return buf;
}

keycode
keycode_from_curses(int rc, unsigned int wch)
{
	if (rc == KEY_CODE_YES) {
		if (wch == KEY_ENTER)
			return '\n';
		return KEYC_SPECIAL + (int)wch;
	}
	if (wch == '\r')
		return '\n';
	if (wch == 0x7f || wch == 8)
		return KEYC_SPECIAL + KEY_BACKSPACE;
	return (keycode)wch;
}

static void
add_binding(struct binding **list, size_t *n, int scope, keycode key, enum action a)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].scope = scope;
	(*list)[*n].key = key;
	(*list)[*n].action = a;
	(*n)++;
}

struct keymap *
keymap_new(void)
{
	struct keymap *km = xcalloc(1, sizeof *km);
	char *keys, *word, *save;
	keycode k;
	int a;

	for (a = ACT_NONE + 1; a < ACT_COUNT; a++) {
		keys = xstrdup(action_table[a].keys);
		for (word = strtok_r(keys, " ", &save); word != NULL;
		    word = strtok_r(NULL, " ", &save)) {
			if ((k = keycode_parse(word)) < 0)
				fatalx("action %s: bad default key '%s'", action_table[a].name,
				    word);
			add_binding(&km->defaults, &km->ndefaults, VIEW_COUNT, k, a);
		}
		free(keys);
	}
	return km;
}

void
keymap_free(struct keymap *km)
{
	if (km == NULL)
		return;
	free(km->user);
	free(km->defaults);
	free(km);
}

int
keymap_bind(struct keymap *km, const char *view, const char *key, const char *action,
    char *err)
{
	int v = view_id_find(view), a = action_find(action);
	keycode k = keycode_parse(key);

	if (v < 0)
		return seterr(err, "bind: unknown view '%.40s' (generic, projects, commits,"
		    " sessions, turns, pending, conflicts, resolve, help, search)", view);
	if (k < 0)
		return seterr(err, "bind: unknown key '%.40s'", key);
	if (a < 0)
		return seterr(err, "bind: unknown action '%.40s'", action);
	add_binding(&km->user, &km->nuser, v, k, a);
	return 0;
}

int
keymap_load(struct keymap *km, const struct config *cfg, struct strbuf *warnings)
{
	const struct config_directive *d;
	char err[ERRLEN];
	size_t i;
	int bad = 0;

	for (i = 0; i < config_directive_count(cfg); i++) {
		d = config_directive(cfg, i);
		if (strcmp(d->argv[0], "bind") != 0)
			continue;
		if (d->argc != 4)
			seterr(err, "expected 'bind VIEW KEY ACTION'");
		else if (keymap_bind(km, d->argv[1], d->argv[2], d->argv[3], err) == 0)
			continue;
		if (warnings->len > 0)
			strbuf_addc(warnings, '\n');
		strbuf_addf(warnings, "%s:%u: %s", d->source, d->line, err);
		bad++;
	}
	return bad;
}

enum action
keymap_lookup(const struct keymap *km, enum view_id v, keycode k)
{
	size_t i;

	/* The last `bind` wins: a view's own binding, then a generic one. */
	for (i = km->nuser; i-- > 0;) {
		if (km->user[i].key == k && km->user[i].scope == (int)v)
			return km->user[i].action;
	}
	for (i = km->nuser; i-- > 0;) {
		if (km->user[i].key == k && km->user[i].scope == VIEW_COUNT)
			return km->user[i].action;
	}
	for (i = 0; i < km->ndefaults; i++) {
		if (km->defaults[i].key == k && action_applies(km->defaults[i].action, v))
			return km->defaults[i].action;
	}
	return ACT_NONE;
}

static int
add_key(keycode *out, size_t *n, size_t max, keycode k)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (out[i] == k)
			return 0;
	}
	if (*n < max)
		out[(*n)++] = k;
	return 1;
}

size_t
keymap_keys(const struct keymap *km, enum view_id v, enum action a, keycode *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < km->ndefaults; i++) {
		if (km->defaults[i].action == a && keymap_lookup(km, v, km->defaults[i].key) == a)
			add_key(out, &n, max, km->defaults[i].key);
	}
	for (i = 0; i < km->nuser; i++) {
		if (km->user[i].action == a && keymap_lookup(km, v, km->user[i].key) == a)
			add_key(out, &n, max, km->user[i].key);
	}
	return n;
}

/* Roff-escapes s: '-' and '\' need a backslash. */
static void
roff(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == '\\')
			strbuf_addc(sb, '\\');
		strbuf_addc(sb, *s);
	}
}

void
actions_man(struct strbuf *sb)
{
	char *keys, *word, *save;
	int s, a, first, v;

	for (s = 0; s < SECTION_COUNT; s++) {
		strbuf_adds(sb, ".SS ");
		roff(sb, section_titles[s]);
		strbuf_addc(sb, '\n');
		for (a = ACT_NONE + 1; a < ACT_COUNT; a++) {
			if (action_table[a].section != (enum action_section)s)
				continue;
			strbuf_adds(sb, ".TP\n");
			keys = xstrdup(action_table[a].keys);
			strbuf_adds(sb, ".BR");
			first = 1;
			for (word = strtok_r(keys, " ", &save); word != NULL;
			    word = strtok_r(NULL, " ", &save)) {
				strbuf_adds(sb, first ? " \"" : " \", \" \"");
				roff(sb, word);
				strbuf_addc(sb, '"');
				first = 0;
			}
			free(keys);
			strbuf_adds(sb, " \"  (");
			roff(sb, action_table[a].name);
			strbuf_adds(sb, ")\"\n");
			roff(sb, action_table[a].help);
			if (action_table[a].views != VMASK_ALL) {
				strbuf_adds(sb, " [");
				first = 1;
				for (v = 0; v < VIEW_COUNT; v++) {
					if (action_table[a].views & VMASK(v)) {
						strbuf_addf(sb, "%s%s", first ? "" : ", ", view_names[v]);
						first = 0;
					}
				}
				strbuf_adds(sb, "]");
			}
			strbuf_adds(sb, ".\n");
		}
	}
}
