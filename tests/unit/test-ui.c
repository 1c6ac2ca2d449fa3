/*
 * The browser's pure parts: the action table and key names, `bind` lines,
 * the man page's key list (generated from the table: run this program with
 * --man to print it), the theme files, the line editor, the status bar text
 * and the config's directive lines.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "privacy/redact.h"
#include "ui/actions.h"
#include "ui/editline.h"
#include "ui/redact-marks.h"
#include "ui/status.h"
#include "ui/theme.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

static char *
slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		fail_msg("cannot read %s", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

static void
test_key_names(void **state)
{
	static const struct {
		const char *name;
		const char *canonical;
	} cases[] = {
		{ "j", "j" }, { "G", "G" }, { "?", "?" }, { "/", "/" },
		{ "Enter", "Enter" }, { "<Enter>", "Enter" }, { "return", "Enter" },
		{ "C-d", "C-d" }, { "^D", "C-d" }, { "<C-d>", "C-d" }, { "c-D", "C-d" },
		{ "Space", "Space" }, { "<Space>", "Space" }, { "Tab", "Tab" }, { "Esc", "Esc" },
		{ "Up", "Up" }, { "<Down>", "Down" }, { "PgDn", "PgDn" }, { "PageDown", "PgDn" },
		{ "PgUp", "PgUp" }, { "Home", "Home" }, { "End", "End" }, { "F5", "F5" },
		/* '#' starts a comment and '<' a named key in bind lines: named. */
		{ "<F12>", "F12" }, { "Hash", "Hash" }, { "#", "Hash" }, { "LT", "LT" },
		{ "<", "LT" },
		{ "<>>", ">" }, { "\xc3\xa9", "\xc3\xa9" }, { "Backspace", "Backspace" },
		{ "Delete", "Delete" },
	};
	static const char *const bad[] = {
		"", "jj", "C-", "C-dd", "<>", "<Foo>", "Foo", "F13", "F0", "^^^", "C-1", " ",
	};
	char buf[32];
	size_t i;
	keycode k;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		k = keycode_parse(cases[i].name);
		if (k < 0)
			fail_msg("'%s' is not a key", cases[i].name);
		assert_string_equal(keycode_name(k, buf, sizeof buf), cases[i].canonical);
		/* The canonical name reads back as the same key. */
		assert_int_equal(keycode_parse(buf), k);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (keycode_parse(bad[i]) >= 0)
			fail_msg("'%s' should not be a key", bad[i]);
	}
	assert_int_equal(keycode_parse("Enter"), '\n');
	assert_int_equal(keycode_parse("C-a"), 1);
	assert_int_equal(keycode_from_curses(OK, '\r'), '\n');
	assert_int_equal(keycode_from_curses(KEY_CODE_YES, KEY_ENTER), '\n');
	assert_int_equal(keycode_from_curses(OK, 0x7f), keycode_parse("Backspace"));
	assert_int_equal(keycode_from_curses(KEY_CODE_YES, KEY_DOWN), keycode_parse("Down"));
}

/* Names unique, help present, default keys valid, no key doing two things in a view. */
static void
test_table(void **state)
{
	char *keys, *w, *save;
	int a, b, v;
	keycode k;

	(void)state;
	assert_string_equal(action_table[ACT_NONE].name, "none");
	for (a = 1; a < ACT_COUNT; a++) {
		assert_int_equal(action_table[a].action, a);
		assert_non_null(action_table[a].name);
		assert_true(strlen(action_table[a].help) > 5);
		assert_true(action_table[a].views != 0);
		assert_int_equal(action_find(action_table[a].name), a);
		for (b = 1; b < a; b++)
			assert_string_not_equal(action_table[a].name, action_table[b].name);
		keys = xstrdup(action_table[a].keys);
		for (w = strtok_r(keys, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
			assert_true((k = keycode_parse(w)) >= 0);
			for (b = 1; b < ACT_COUNT; b++) {
				char *other, *w2, *save2;
				if (b == a || (action_table[a].views & action_table[b].views) == 0)
					continue;
				other = xstrdup(action_table[b].keys);
				for (w2 = strtok_r(other, " ", &save2); w2 != NULL;
				    w2 = strtok_r(NULL, " ", &save2)) {
					if (keycode_parse(w2) == k)
						fail_msg("%s and %s share the key %s", action_table[a].name,
						    action_table[b].name, w);
				}
				free(other);
			}
		}
		free(keys);
	}
	for (v = 0; v < VIEW_COUNT; v++)
		assert_int_equal(view_id_find(view_id_name(v)), v);
	assert_int_equal(view_id_find("generic"), VIEW_COUNT);
	assert_int_equal(view_id_find("main"), VIEW_COMMITS);
	assert_int_equal(view_id_find("diff"), -1);
}

static void
test_keymap(void **state)
{
	struct keymap *km = keymap_new();
	char err[ERRLEN];
	keycode k[8];
	size_t n;

	(void)state;
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'j'), ACT_MOVE_DOWN);
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'p'), ACT_PUBLISH);
	/* Curation keys mean nothing in other views. */
	assert_int_equal(keymap_lookup(km, VIEW_TURNS, 'p'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, VIEW_TURNS, '/'), ACT_SEARCH);
	/* / searches every list, the resolve pane's two values excepted. */
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, '/'), ACT_SEARCH);
	assert_int_equal(keymap_lookup(km, VIEW_PROJECTS, 'n'), ACT_SEARCH_NEXT);
	assert_int_equal(keymap_lookup(km, VIEW_PENDING, 'N'), ACT_SEARCH_PREV);
	assert_int_equal(keymap_lookup(km, VIEW_CONFLICTS, '/'), ACT_SEARCH);
	assert_int_equal(keymap_lookup(km, VIEW_SEARCH, '/'), ACT_SEARCH);
	assert_int_equal(keymap_lookup(km, VIEW_RESOLVE, '/'), ACT_NONE);
	/* f filters the commits, pending and conflicts lists. */
	assert_int_equal(keymap_lookup(km, VIEW_PENDING, 'f'), ACT_FILTER);
	assert_int_equal(keymap_lookup(km, VIEW_CONFLICTS, 'f'), ACT_FILTER);
	assert_int_equal(keymap_lookup(km, VIEW_PROJECTS, 'f'), ACT_NONE);

	assert_int_equal(keymap_bind(km, "commits", "x", "publish", err), 0);
	assert_int_equal(keymap_bind(km, "generic", "C-n", "move-down", err), 0);
	assert_int_equal(keymap_bind(km, "commits", "p", "none", err), 0);
	assert_int_equal(keymap_bind(km, "generic", "x", "help", err), 0);
	/* The view's own binding beats a generic one, whatever their order. */
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'x'), ACT_PUBLISH);
	assert_int_equal(keymap_lookup(km, VIEW_PROJECTS, 'x'), ACT_HELP);
	assert_int_equal(keymap_lookup(km, VIEW_TURNS, KEYC_CTRL('N')), ACT_MOVE_DOWN);
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'p'), ACT_NONE);
	/* The last bind of a key wins. */
	assert_int_equal(keymap_bind(km, "commits", "x", "hide", err), 0);
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'x'), ACT_HIDE);

	n = keymap_keys(km, VIEW_COMMITS, ACT_HIDE, k, 8);
	assert_int_equal(n, 2);
	assert_int_equal(k[0], 'H');
	assert_int_equal(k[1], 'x');
	assert_int_equal(keymap_keys(km, VIEW_COMMITS, ACT_PUBLISH, k, 8), 0);
	n = keymap_keys(km, VIEW_SESSIONS, ACT_MOVE_DOWN, k, 8);
	assert_int_equal(n, 3);

	assert_int_equal(keymap_bind(km, "diff", "x", "help", err), -1);
	assert_non_null(strstr(err, "unknown view 'diff'"));
	assert_int_equal(keymap_bind(km, "commits", "<Nope>", "help", err), -1);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_equal(keymap_bind(km, "commits", "x", "view-diff", err), -1);
	assert_non_null(strstr(err, "unknown action 'view-diff'"));
	keymap_free(km);
}

static void
test_keymap_config(void **state)
{
	struct config *cfg = config_parse(
	    "set theme = light\n"
	    "bind commits x publish   # comment\n"
	    "bind main \"C-x\" hide\n"
	    "bind turns\n"
	    "bind commits x frobnicate\n"
	    "color cursor black yellow\n", "cfg");
	struct keymap *km = keymap_new();
	struct strbuf w = STRBUF_INIT;

	(void)state;
	assert_int_equal(config_warning_count(cfg), 0);
	assert_int_equal(keymap_load(km, cfg, &w), 2);
	assert_string_equal(w.buf, "cfg:4: expected 'bind VIEW KEY ACTION'\n"
	    "cfg:5: bind: unknown action 'frobnicate'");
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, 'x'), ACT_PUBLISH);
	assert_int_equal(keymap_lookup(km, VIEW_COMMITS, KEYC_CTRL('X')), ACT_HIDE);
	strbuf_free(&w);
	keymap_free(km);
	config_free(cfg);
}

static void
test_directives(void **state)
{
	struct config *cfg = config_parse(
	    "# a comment\n"
	    "set storage = cloud\n"
	    "color  header  white   blue bold  # trailing\n"
	    "bind generic \"a b\" \"x\\\"y\"\r\n"
	    "bind generic \"unterminated\n"
	    "frob x\n", "f");
	const struct config_directive *d;

	(void)state;
	assert_int_equal(config_directive_count(cfg), 2);
	d = config_directive(cfg, 0);
	assert_int_equal(d->line, 3);
	assert_int_equal(d->argc, 5);
	assert_string_equal(d->argv[0], "color");
	assert_string_equal(d->argv[4], "bold");
	assert_null(d->argv[5]);
	d = config_directive(cfg, 1);
	assert_int_equal(d->line, 4);
	assert_int_equal(d->argc, 4);
	assert_string_equal(d->argv[2], "a b");
	assert_string_equal(d->argv[3], "x\"y");
	assert_null(config_directive(cfg, 2));
	assert_int_equal(config_warning_count(cfg), 2);
	assert_string_equal(config_warning(cfg, 0), "f:5: unterminated quoted word");
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	config_free(cfg);
}

/* man/agentlogs.1 holds exactly the key list the table generates. */
static void
test_man_page(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *man = slurp(ABS_TOP_SRCDIR "/man/agentlogs.1");

	(void)state;
	actions_man(&sb);
	if (strstr(man, sb.buf) == NULL)
		fail_msg("man/agentlogs.1 lacks the generated key list: run "
		    "tests/unit/test-ui --man and paste it into its KEYS section");
	strbuf_free(&sb);
	free(man);
}

static void
check_theme_file(const char *name, int mono)
{
	char *path = xprintf("%s/themes/%s", ABS_TOP_SRCDIR, name);
	struct config *cfg;
	struct strbuf w = STRBUF_INIT;
	char err[ERRLEN], seen[ROLE_COUNT] = { 0 };
	struct theme t;
	size_t i;
	int r;

	cfg = config_read_path(path, err);
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_int_equal(config_warning_count(cfg), 0);
	theme_init(&t, mono);
	assert_int_equal(theme_apply(&t, cfg, &w), 0);
	if (w.len > 0)
		fail_msg("%s", w.buf);
	for (i = 0; i < config_directive_count(cfg); i++) {
		const struct config_directive *d = config_directive(cfg, i);
		assert_string_equal(d->argv[0], "color");
		r = color_role_find(d->argv[1]);
		assert_true(r >= 0);
		if (seen[r])
			fail_msg("%s sets %s twice", name, d->argv[1]);
		seen[r] = 1;
	}
	for (r = 0; r < ROLE_COUNT; r++) {
		if (!seen[r])
			fail_msg("%s does not set %s", name, color_role_name(r));
	}
	strbuf_free(&w);
	config_free(cfg);
	free(path);
}

/* Every theme sets every role once; default and mono are the built-in tables. */
static void
test_themes(void **state)
{
	struct theme builtin, file;
	struct strbuf w = STRBUF_INIT;
	struct dirent *de;
	DIR *dir;
	int n = 0, mono;

	(void)state;
	dir = opendir(ABS_TOP_SRCDIR "/themes");
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 7 || strcmp(de->d_name + len - 6, ".theme") != 0)
			continue;
		check_theme_file(de->d_name, 0);
		check_theme_file(de->d_name, 1);
		n++;
	}
	closedir(dir);
	assert_true(n >= 4);

	for (mono = 0; mono <= 1; mono++) {
		theme_init(&builtin, mono);
		theme_load(&file, "/nonexistent", mono ? "mono" : "default", mono, NULL, &w);
		assert_int_equal(w.len, 0);
		if (memcmp(builtin.styles, file.styles, sizeof builtin.styles) != 0)
			fail_msg("themes/%s.theme differs from the built-in %s table",
			    mono ? "mono" : "default", mono ? "monochrome" : "colour");
	}
	theme_load(&file, "/nonexistent", "nosuchtheme", 0, NULL, &w);
	assert_string_equal(w.buf, "theme 'nosuchtheme' not found; using the default");
	strbuf_free(&w);
}

static void
test_theme_set(void **state)
{
	struct theme t;
	char err[ERRLEN];
	char *ok1[] = { "cursor", "color208", "brightblue", "bold", "underline", NULL };
	char *ok2[] = { "date", "17", "default", NULL };
	char *bad1[] = { "cursorx", "red", "blue", NULL };
	char *bad2[] = { "cursor", "reddish", "blue", NULL };
	char *bad3[] = { "cursor", "red", "256", NULL };
	char *bad4[] = { "cursor", "red", "blue", "sparkly", NULL };
	char *bad5[] = { "cursor", "red", NULL };

	(void)state;
	theme_init(&t, 0);
	assert_int_equal(theme_set(&t, 5, ok1, err), 0);
	assert_int_equal(t.styles[ROLE_CURSOR].fg, 208);
	assert_int_equal(t.styles[ROLE_CURSOR].bg, 12);
	assert_int_equal(t.styles[ROLE_CURSOR].attrs, A_BOLD | A_UNDERLINE);
	assert_int_equal(theme_set(&t, 3, ok2, err), 0);
	assert_int_equal(t.styles[ROLE_DATE].fg, 17);
	assert_int_equal(t.styles[ROLE_DATE].bg, -1);
	assert_int_equal(theme_set(&t, 3, bad1, err), -1);
	assert_non_null(strstr(err, "unknown role"));
	assert_int_equal(theme_set(&t, 3, bad2, err), -1);
	assert_non_null(strstr(err, "unknown colour 'reddish'"));
	assert_int_equal(theme_set(&t, 3, bad3, err), -1);
	assert_int_equal(theme_set(&t, 4, bad4, err), -1);
	assert_non_null(strstr(err, "unknown attribute"));
	assert_int_equal(theme_set(&t, 2, bad5, err), -1);
	/* Without colours only the attributes count. */
	theme_init(&t, 1);
	assert_int_equal(theme_set(&t, 5, ok1, err), 0);
	assert_int_equal(t.styles[ROLE_CURSOR].fg, -1);
	assert_int_equal(t.styles[ROLE_CURSOR].attrs, A_BOLD | A_UNDERLINE);
}

static void
type(struct editline *e, const char *keys)
{
	const unsigned char *u = (const unsigned char *)keys;

	while (*u != '\0') {
		int cp = *u, n = 1, i;
		if (*u >= 0xf0) {
			n = 4;
			cp = *u & 0x07;
		} else if (*u >= 0xe0) {
			n = 3;
			cp = *u & 0x0f;
		} else if (*u >= 0xc0) {
			n = 2;
			cp = *u & 0x1f;
		}
		for (i = 1; i < n; i++)
			cp = (cp << 6) | (u[i] & 0x3f);
		assert_int_equal(editline_key(e, cp), EDIT_CHANGED);
		u += n;
	}
}

/* A prompt opened with the old text: typing replaces it, a movement key keeps it. */
static void
test_editline_selected(void **state)
{
	struct editline e;

	(void)state;
	editline_init(&e, "clean");
	assert_true(e.selected);
	type(&e, "zz");
	assert_string_equal(e.buf, "zz");	/* not "cleanzz" */
	assert_false(e.selected);
	editline_free(&e);

	editline_init(&e, "Old title");
	assert_int_equal(editline_key(&e, keycode_parse("Backspace")), EDIT_CHANGED);
	assert_string_equal(e.buf, "");
	editline_free(&e);

	editline_init(&e, "abc");
	assert_int_equal(editline_key(&e, keycode_parse("Left")), EDIT_MOVED);
	type(&e, "X");
	assert_string_equal(e.buf, "abXc");
	editline_free(&e);

	editline_init(&e, "keep");
	assert_int_equal(editline_key(&e, '\n'), EDIT_ACCEPT);
	assert_string_equal(e.buf, "keep");
	editline_free(&e);

	editline_init(&e, "");
	assert_false(e.selected);
	editline_free(&e);
}

static void
test_editline(void **state)
{
	struct editline e;
	size_t start, end;
	int col;

	(void)state;
	editline_init(&e, "caf\xc3\xa9");
	assert_int_equal(e.cursor, 5);
	assert_int_equal(editline_key(&e, keycode_parse("End")), EDIT_MOVED);	/* keeps the text */
	assert_int_equal(editline_key(&e, keycode_parse("Backspace")), EDIT_CHANGED);
	assert_string_equal(e.buf, "caf");
	type(&e, "\xc3\xa9 \xe9\x80\xb1\xe5\xa0\xb1");	/* "é 週報" */
	assert_string_equal(e.buf, "caf\xc3\xa9 \xe9\x80\xb1\xe5\xa0\xb1");
	assert_int_equal(editline_key(&e, keycode_parse("Left")), EDIT_MOVED);
	assert_int_equal(editline_key(&e, keycode_parse("Left")), EDIT_MOVED);
	assert_int_equal(e.cursor, 6);
	assert_int_equal(editline_key(&e, keycode_parse("Delete")), EDIT_CHANGED);
	assert_string_equal(e.buf, "caf\xc3\xa9 \xe5\xa0\xb1");
	assert_int_equal(editline_key(&e, KEYC_CTRL('A')), EDIT_MOVED);
	assert_int_equal(e.cursor, 0);
	assert_int_equal(editline_key(&e, keycode_parse("Right")), EDIT_MOVED);
	assert_int_equal(editline_key(&e, KEYC_CTRL('K')), EDIT_CHANGED);
	assert_string_equal(e.buf, "c");
	assert_int_equal(editline_key(&e, KEYC_CTRL('E')), EDIT_MOVED);
	type(&e, "ab cd  ");
	assert_int_equal(editline_key(&e, KEYC_CTRL('W')), EDIT_CHANGED);
	assert_string_equal(e.buf, "cab ");
	assert_int_equal(editline_key(&e, KEYC_CTRL('U')), EDIT_CHANGED);
	assert_string_equal(e.buf, "");
	assert_int_equal(editline_key(&e, keycode_parse("Backspace")), EDIT_IGNORED);
	assert_int_equal(editline_key(&e, keycode_parse("F5")), EDIT_IGNORED);
	assert_int_equal(editline_key(&e, 0x85), EDIT_IGNORED);
	assert_int_equal(editline_key(&e, '\n'), EDIT_ACCEPT);
	assert_int_equal(editline_key(&e, 27), EDIT_CANCEL);
	assert_int_equal(editline_key(&e, KEYC_CTRL('G')), EDIT_CANCEL);

	/* Ten double-width characters in 8 columns: the view follows the cursor. */
	editline_free(&e);
	editline_init(&e, NULL);
	type(&e, "\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1"
	    "\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1\xe9\x80\xb1");
	editline_view(&e, 8, &start, &end, &col);
	assert_int_equal(end, e.len);
	assert_int_equal(end - start, 3 * 3);	/* 3 characters, 6 columns, then the cursor */
	assert_int_equal(col, 6);
	editline_key(&e, KEYC_CTRL('A'));
	editline_view(&e, 8, &start, &end, &col);
	assert_int_equal(start, 0);
	assert_int_equal(end, 12);	/* 4 characters fill 8 columns */
	assert_int_equal(col, 0);
	editline_free(&e);
}

/* The role of the segment where text starts in the line (-1: not there). */
static int
role_at(const struct rline *l, const char *text)
{
	const char *at = strstr(l->text.buf, text);
	size_t off, i;
	int role = -1;

	if (at == NULL)
		return -1;
	off = (size_t)(at - l->text.buf);
	for (i = 0; i < l->nsegs && l->segs[i].start <= off; i++)
		role = (int)l->segs[i].role;
	return role;
}

static void
test_status(void **state)
{
	struct sync_status s;
	struct rline l;
	char buf[32];

	(void)state;
	status_since(0, 1000, buf, sizeof buf);
	assert_string_equal(buf, "never");
	status_since(1000, 1002, buf, sizeof buf);
	assert_string_equal(buf, "just now");
	status_since(1000, 1042, buf, sizeof buf);
	assert_string_equal(buf, "42s ago");
	status_since(1000, 1000 + 5 * 60 + 7, buf, sizeof buf);
	assert_string_equal(buf, "5m ago");
	status_since(1000, 1000 + 3 * 3600, buf, sizeof buf);
	assert_string_equal(buf, "3h ago");
	status_since(1000, 1000 + 2 * 86400 + 5, buf, sizeof buf);
	assert_string_equal(buf, "2d ago");

	memset(&s, 0, sizeof s);
	rline_init(&l);
	status_bar(&l, &s, 5000, "commits 1/8", NULL, 50);
	assert_string_equal(l.text.buf, " local  this machine only             commits 1/8 ");
	assert_int_equal(l.width, 50);

	s.state = SYNC_LIVE;
	snprintf(s.user, sizeof s.user, "sam");
	s.pending = 1;
	s.last_sync = 5000 - 125;
	status_bar(&l, &s, 5000, "commits 1/8", NULL, 60);
	assert_string_equal(l.text.buf,
	    " live  \xe2\x86\x91" "1 !0  synced 2m ago                     commits 1/8 ");
	assert_int_equal(l.width, 60);

	/* Settled conflicts to review: a quieter ~N beside the held ones' !N. */
	s.settled = 3;
	status_bar(&l, &s, 5000, "commits 1/8", NULL, 60);
	assert_string_equal(l.text.buf,
	    " live  \xe2\x86\x91" "1 !0 ~3  synced 2m ago                  commits 1/8 ");
	assert_int_equal(role_at(&l, " !0"), ROLE_STATUS);
	assert_int_equal(role_at(&l, " ~3"), ROLE_STATUS_REVIEW);
	s.settled = 0;

	/* A daemon's figures (daemon.json) say whose they are. */
	s.daemon = 4242;
	status_bar(&l, &s, 5000, "commits 1/8", NULL, 60);
	assert_string_equal(l.text.buf,
	    " daemon live  \xe2\x86\x91" "1 !0  synced 2m ago              commits 1/8 ");
	assert_int_equal(role_at(&l, " daemon live "), ROLE_STATUS_LIVE);
	s.daemon = 0;

	s.state = SYNC_OFFLINE;
	s.held = 2;
	snprintf(s.last_error, sizeof s.last_error, "cannot reach https://example.test:"
	    " Could not resolve host");
	status_bar(&l, &s, 5000, "turns 3/54", NULL, 70);
	assert_int_equal(l.width, 70);
	assert_non_null(strstr(l.text.buf, " offline  \xe2\x86\x91" "1 !2  synced 2m ago  cannot"));
	assert_int_equal(role_at(&l, " !2"), ROLE_STATUS_ERROR);
	assert_non_null(strstr(l.text.buf, "\xe2\x80\xa6 turns 3/54 "));

	header_bar(&l, "", "box", NULL, "commits \xe2\x80\xba sessions", 60);
	assert_string_equal(l.text.buf, " local only \xc2\xb7 box \xc2\xb7 all projects \xc2\xb7"
	    " commits \xe2\x80\xba sessions       ");
	assert_int_equal(l.width, 60);
	rline_free(&l);
}

/* rline_mark: a span across two segments takes its role; around it, the roles stay. */
static void
test_rline_mark(void **state)
{
	struct rline l;

	(void)state;
	rline_init(&l);
	rline_raw(&l, ROLE_LABEL, "key: ");
	rline_raw(&l, ROLE_TOOL_OUTPUT, "ghp_0123 tail");
	rline_mark(&l, 3, 13, ROLE_REDACTED);	/* ": ghp_0123" */
	assert_int_equal(role_at(&l, "key"), ROLE_LABEL);
	assert_int_equal(role_at(&l, ": ghp"), ROLE_REDACTED);
	assert_int_equal(role_at(&l, " tail"), ROLE_TOOL_OUTPUT);
	assert_int_equal(l.nsegs, 3);
	rline_mark(&l, 9, 20, ROLE_REDACTED);	/* out of the line: nothing */
	assert_int_equal(l.nsegs, 3);
	rline_mark(&l, 9, 18, ROLE_REDACTED);	/* to the end */
	assert_int_equal(role_at(&l, "tail"), ROLE_REDACTED);
	rline_free(&l);
}

/* The bytes of tb's lines marked ROLE_REDACTED, in order, lines joined with nothing between. */
static char *
marked_bytes(const struct textbuf *tb)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k, seg;

	for (i = 0; i < tb->n; i++) {
		const struct rline *l = &tb->lines[i];
		for (k = 0, seg = 0; k < l->text.len; k++) {
			while (seg + 1 < l->nsegs && l->segs[seg + 1].start <= k)
				seg++;
			if (l->nsegs > 0 && l->segs[seg].start <= k && l->segs[seg].role == ROLE_REDACTED)
				strbuf_addc(&sb, l->text.buf[k]);
		}
	}
	return sb.buf != NULL ? strbuf_detach(&sb) : xstrdup("");
}

/* How many of tb's lines hold a byte of text's first 4 and how many its last 4 (a wrapped key's ends). */
static size_t
lines_spanned(const struct textbuf *tb, const char *key)
{
	size_t i, first = 0, last = 0, n = strlen(key);

	for (i = 0; i < tb->n; i++) {
		if (first == 0 && strstr(tb->lines[i].text.buf != NULL ? tb->lines[i].text.buf : "",
		    (char[5]){ key[0], key[1], key[2], key[3], 0 }) != NULL)
			first = i + 1;
		if (strstr(tb->lines[i].text.buf != NULL ? tb->lines[i].text.buf : "",
		    (char[5]){ key[n - 4], key[n - 3], key[n - 2], key[n - 1], 0 }) != NULL)
			last = i + 1;
	}
	return first == 0 || last == 0 ? 0 : last - first + 1;
}

/*
 * redact_marks: a long key in thinking (drawn behind "  │ ") and one in a
 * tool's result (behind six spaces), wrapped at 80 and 40 columns over two
 * lines and more, are marked whole on every line they reach, and nothing
 * else is. The keys are known formats (Anthropic; a TOKEN= assignment), so
 * what must be marked is the key itself.
 */
static void
test_redact_marks_wrapped(void **state)
{
	static const char ant[] = "sk-ant-api03-Xq7Lm2Pv9Rt4Wz8Nc3Bd6Fh1Jk5Gs0Yu7Ie2Oa9Qw4Er6Ty1Ui3"
	    "Op8As5Df2Gh7Jk0LzXcVbNm-aB3cD4eF5gH6iJ7kL8mN9oPAA";
	static const char tok[] = "Zp4Qr8Ws2Ex6Yc1Vb5Nm9Lk3Jh7Gf0Dd4Sa8Po2Iu6Yt1Re5Wq9Mn3Bv7Cx0Za4Ks8";
	static const int widths[] = { 80, 40 };
	char err[ERRLEN], *thinking, *result, *got;
	struct redactor *r = redactor_new(NULL, NULL, err);
	struct redact_spans spans = { 0 };
	struct textbuf tb;
	size_t w, c;
	/* Thinking is drawn behind "  │ ", a tool's result behind six spaces (view-turns.c). */
	struct {
		const char *text, *indent, *key;
		enum color_role role, indent_role;
	} cases[] = {
		{ NULL, "  \xe2\x94\x82 ", ant, ROLE_THINKING, ROLE_THINKING },
		{ NULL, "      ", tok, ROLE_TOOL_OUTPUT, ROLE_DEFAULT },
	};

	(void)state;
	assert_non_null(r);
	xasprintf(&thinking, "The deploy failed, so I will retry with the key %s and see.", ant);
	xasprintf(&result, "$ cat .env\nREGION=eu\nDEPLOY_TOKEN=%s\nREPLICAS=3\n", tok);
	cases[0].text = thinking;
	cases[1].text = result;
	for (w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
			textbuf_init(&tb);
			textbuf_wrap(&tb, cases[c].role, cases[c].text, cases[c].indent_role,
			    cases[c].indent, widths[w], -1);
			assert_true(lines_spanned(&tb, cases[c].key) >= (widths[w] == 40 ? 3u : 2u));
			redact_marks(r, &spans, &tb, widths[w]);
			got = marked_bytes(&tb);
			assert_string_equal(got, cases[c].key);
			free(got);
			textbuf_free(&tb);
		}
	}
	free(thinking);
	free(result);
	redact_spans_free(&spans);
	redactor_free(r);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_keymap),
		cmocka_unit_test(test_keymap_config),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_man_page),
		cmocka_unit_test(test_themes),
		cmocka_unit_test(test_theme_set),
		cmocka_unit_test(test_editline),
		cmocka_unit_test(test_editline_selected),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_rline_mark),
		cmocka_unit_test(test_redact_marks_wrapped),
	};

	log_set_progname("agentlogs");
	if (argc == 2 && strcmp(argv[1], "--man") == 0) {
		struct strbuf sb = STRBUF_INIT;
		actions_man(&sb);
		fputs(sb.buf, stdout);
		strbuf_free(&sb);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
