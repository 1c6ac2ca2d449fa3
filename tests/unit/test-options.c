/*
 * The option table, value validation, config file parsing and rewriting.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "config/options.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Validates value for key: the stored form, or NULL with err filled. */
static char *
check(const char *key, const char *value, char *err)
{
	const struct option_def *od = options_find(key);
	char *norm = NULL;

	assert_non_null(od);
	err[0] = '\0';
	if (options_validate(od, value, &norm, err) != 0) {
		assert_null(norm);
		assert_true(strlen(err) > 0);
		return NULL;
	}
	return norm;
}

static void
assert_valid(const char *key, const char *value, const char *expected)
{
	char err[ERRLEN], *norm = check(key, value, err);

	if (norm == NULL)
		fail_msg("%s = '%s' rejected: %s", key, value, err);
	assert_string_equal(norm, expected);
	free(norm);
}

static void
assert_invalid(const char *key, const char *value)
{
	char err[ERRLEN], *norm = check(key, value, err);

	if (norm != NULL)
		fail_msg("%s = '%s' accepted as '%s'", key, value, norm);
	assert_non_null(strstr(err, key));
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spew(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_table_lookup(void **state)
{
	const struct {
		const char *name;
		enum option_type type;
		const char *def;
	} want[] = {
		{ "storage", OPTION_ENUM, "cloud" },
		{ "continuous-sync", OPTION_BOOLEAN, "true" },
		{ "cloud.url", OPTION_URL, "" },
		{ "cloud.anon-key", OPTION_STRING, "" },
		{ "sync.conflicts", OPTION_ENUM, "auto" },
		{ "theme", OPTION_STRING, "default" },
		{ "analytics.opt-in", OPTION_BOOLEAN, "false" },
		{ "ui.preview", OPTION_BOOLEAN, "true" },
		{ "ui.split", OPTION_ENUM, "auto" },
		{ "ui.preview-size", OPTION_NUMBER, "50" },
		{ "ui.mouse", OPTION_BOOLEAN, "true" },
		{ "import.idle-minutes", OPTION_NUMBER, "30" },
		{ "visuals.cache-mb", OPTION_NUMBER, "200" },
		{ "visuals.cache-days", OPTION_NUMBER, "30" },
		{ "visuals.protocol", OPTION_ENUM, "auto" },
		{ "e2e", OPTION_BOOLEAN, "false" },
		{ "redact.enabled", OPTION_BOOLEAN, "true" },
		{ "redact.patterns", OPTION_STRING, "" },
		{ "redact.allow", OPTION_STRING, "" },
	};
	const struct option_def *od;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		od = options_find(want[i].name);
		assert_non_null(od);
		assert_string_equal(od->name, want[i].name);
		assert_int_equal(od->type, want[i].type);
		assert_string_equal(od->default_value, want[i].def);
	}
	assert_int_equal(options_count(), sizeof want / sizeof want[0]);
	assert_null(options_find("foo"));
	assert_null(options_find(""));
	assert_null(options_find("Storage"));
	assert_null(options_find("storage "));
	assert_string_equal(options_type_name(OPTION_URL), "url");
	assert_int_equal(options_find("import.idle-minutes")->minimum, 1);
	assert_int_equal(options_find("import.idle-minutes")->maximum, 10080);
	assert_int_equal(options_find("visuals.cache-mb")->minimum, 1);
	assert_int_equal(options_find("visuals.cache-days")->minimum, 1);
}

/* The table is consistent with itself: unique names, defaults that pass validation. */
static void
test_table_sane(void **state)
{
	const struct option_def *od, *od2;
	char err[ERRLEN], *norm;

	(void)state;
	for (od = options_table; od->name != NULL; od++) {
		for (od2 = od + 1; od2->name != NULL; od2++)
			assert_string_not_equal(od->name, od2->name);
		assert_true(strlen(od->help) > 10);
		assert_null(strchr(od->help, '\n'));
		if (options_validate(od, od->default_value, &norm, err) != 0)
			fail_msg("default of %s is invalid: %s", od->name, err);
		assert_string_equal(norm, od->default_value);
		free(norm);
		assert_int_equal(od->type == OPTION_ENUM, od->choices != NULL);
		if (od->type == OPTION_NUMBER)
			assert_true(od->minimum <= od->maximum);
	}
}

static void
test_number(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_valid("import.idle-minutes", "1", "1");
	assert_valid("import.idle-minutes", "10080", "10080");
	assert_valid("import.idle-minutes", "30", "30");
	assert_valid("import.idle-minutes", "007", "7");
	assert_invalid("import.idle-minutes", "0");
	assert_invalid("import.idle-minutes", "10081");
	assert_invalid("import.idle-minutes", "-1");
	assert_invalid("import.idle-minutes", "abc");
	assert_invalid("import.idle-minutes", "12x");
	assert_invalid("import.idle-minutes", "");
	assert_invalid("import.idle-minutes", " 12");
	assert_invalid("import.idle-minutes", "12 ");
	assert_invalid("import.idle-minutes", "0x10");
	assert_invalid("import.idle-minutes", "1.5");
	assert_invalid("import.idle-minutes", "99999999999999999999999");

	assert_null(check("import.idle-minutes", "x", err));
	assert_string_equal(err, "invalid value 'x' for import.idle-minutes: "
	    "expected a number from 1 to 10080");
}

static void
test_enum(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_valid("storage", "local", "local");
	assert_valid("storage", "cloud", "cloud");
	assert_valid("storage", "CLOUD", "cloud");
	assert_invalid("storage", "remote");
	assert_invalid("storage", "");
	assert_invalid("storage", "cloud ");
	assert_invalid("storage", "loc");
	assert_valid("sync.conflicts", "auto", "auto");
	assert_valid("sync.conflicts", "manual", "manual");
	assert_invalid("sync.conflicts", "local");

	assert_null(check("storage", "s3", err));
	assert_string_equal(err, "invalid value 's3' for storage: expected local or cloud");
}

static void
test_boolean(void **state)
{
	const char *yes[] = { "true", "yes", "on", "1", "TRUE", "Yes", "ON" };
	const char *no[] = { "false", "no", "off", "0", "False", "NO", "Off" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		assert_valid("continuous-sync", yes[i], "true");
		assert_int_equal(options_parse_bool(yes[i]), 1);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		assert_valid("analytics.opt-in", no[i], "false");
		assert_int_equal(options_parse_bool(no[i]), 0);
	}
	assert_invalid("continuous-sync", "");
	assert_invalid("continuous-sync", "2");
	assert_invalid("continuous-sync", "maybe");
	assert_invalid("continuous-sync", "truee");
	assert_invalid("continuous-sync", "y");
	assert_int_equal(options_parse_bool("enabled"), -1);
}

static void
test_url(void **state)
{
	(void)state;
	assert_valid("cloud.url", "", "");
	assert_valid("cloud.url", "http://localhost:8080", "http://localhost:8080");
	assert_valid("cloud.url", "https://example.supabase.co/rest/v1",
	    "https://example.supabase.co/rest/v1");
	assert_valid("cloud.url", "HTTPS://Example.com", "HTTPS://Example.com");
	assert_invalid("cloud.url", "ftp://example.com");
	assert_invalid("cloud.url", "example.com");
	assert_invalid("cloud.url", "http://");
	assert_invalid("cloud.url", "https://");
	assert_invalid("cloud.url", "http:///path");
	assert_invalid("cloud.url", "https://exa mple.com");
	assert_invalid("cloud.url", " https://example.com");
	assert_invalid("cloud.url", "https://example.com\n");
	assert_invalid("cloud.url", "httpx://example.com");
}

static void
test_string(void **state)
{
	char err[ERRLEN];

	(void)state;
	assert_valid("theme", "default", "default");
	assert_valid("theme", "solarized-dark2", "solarized-dark2");
	assert_valid("theme", "-", "-");
	assert_invalid("theme", "");
	assert_invalid("theme", "Dark");
	assert_invalid("theme", "dark theme");
	assert_invalid("theme", "dark_theme");
	assert_invalid("theme", "../etc");
	assert_invalid("theme", "dark.theme");
	assert_valid("cloud.anon-key", "", "");
	assert_valid("cloud.anon-key", "eyJh.bGci#Oi \"x\"", "eyJh.bGci#Oi \"x\"");
	assert_invalid("cloud.anon-key", "line\nbreak");
	assert_invalid("cloud.anon-key", "tab\there");

	assert_null(check("theme", "Bad", err));
	assert_string_equal(err, "invalid value 'Bad' for theme: "
	    "expected one or more characters from [a-z0-9-]");
	/* Control characters are not echoed to the terminal. */
	assert_null(check("cloud.anon-key", "a\033[2Jb", err));
	assert_null(strchr(err, '\033'));
}

static void
test_describe(void **state)
{
	const char *want[][2] = {
		{ "storage", "local|cloud" },
		{ "continuous-sync", "" },
		{ "import.idle-minutes", "1..10080" },
		{ "theme", "[a-z0-9-]+" },
		{ "cloud.anon-key", "" },
		{ "cloud.url", "http:// or https://, or empty" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		s = options_describe(options_find(want[i][0]));
		assert_string_equal(s, want[i][1]);
		free(s);
	}
}

static void
test_quote(void **state)
{
	const char *values[] = { "", "abc", "a b", "#lead", "a\"b\\", "  x  ", "\"", "a#b" };
	const char *want[] = {
		"\"\"", "abc", "\"a b\"", "\"#lead\"", "\"a\\\"b\\\\\"", "\"  x  \"",
		"\"\\\"\"", "\"a#b\""
	};
	struct config *cfg;
	char *q, *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		q = config_quote(values[i]);
		assert_string_equal(q, want[i]);
		/* What config_quote writes, the parser reads back exactly. */
		text = xprintf("set cloud.anon-key = %s\n", q);
		cfg = config_parse(text, "t");
		assert_int_equal(config_warning_count(cfg), 0);
		assert_string_equal(config_get(cfg, "cloud.anon-key"), values[i]);
		config_free(cfg);
		free(text);
		free(q);
	}
}

static void
test_parse(void **state)
{
	const char *text =
	    "# agentlogs settings\n"
	    "\n"
	    "   # indented comment\n"
	    "set storage = cloud\n"
	    "bind main <Enter> view-diff\n"
	    "color cursor white blue bold\n"
	    "set cloud.anon-key = \"has spaces # and \\\"quotes\\\" \\\\\"  # trailing\n"
	    "set theme=dark # bare value, trailing comment\n"
	    "\tset import.idle-minutes   =   0045\r\n"
	    "set continuous-sync = off\n"
	    "set cloud.url = https://x.example/a#frag\n"
	    "set sync.conflicts = Manual";
	struct config *cfg = config_parse(text, "cfg");

	(void)state;
	assert_int_equal(config_warning_count(cfg), 0);
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	assert_string_equal(config_get(cfg, "cloud.anon-key"), "has spaces # and \"quotes\" \\");
	assert_string_equal(config_get(cfg, "theme"), "dark");
	assert_string_equal(config_get(cfg, "import.idle-minutes"), "45");
	assert_int_equal(config_get_number(cfg, "import.idle-minutes"), 45);
	assert_string_equal(config_get(cfg, "continuous-sync"), "false");
	assert_int_equal(config_get_bool(cfg, "continuous-sync"), 0);
	assert_string_equal(config_get(cfg, "cloud.url"), "https://x.example/a#frag");
	assert_string_equal(config_get(cfg, "sync.conflicts"), "manual");
	/* Left at their defaults. */
	assert_int_equal(config_get_bool(cfg, "analytics.opt-in"), 0);
	assert_int_equal(config_is_set(cfg, "analytics.opt-in"), 0);
	assert_int_equal(config_is_set(cfg, "storage"), 1);
	assert_null(config_get(cfg, "nope"));
	config_free(cfg);
}

static void
test_parse_warnings(void **state)
{
	const char *text =
	    "set storage = cloud\n"				/* 1 */
	    "set foo = bar\n"					/* 2: unknown key */
	    "set import.idle-minutes = 12x\n"			/* 3: bad value */
	    "set storage = s3\n"				/* 4: bad, keeps cloud */
	    "set theme = \"unterminated\n"			/* 5 */
	    "set theme = \"dark\" extra\n"			/* 6 */
	    "frobnicate all\n"					/* 7 */
	    "set = x\n"						/* 8 */
	    "set continuous-sync no\n"				/* 9 */
	    "set analytics.opt-in = yes\n";			/* 10: fine */
	const char *want[] = {
		"home/config:2: unknown config key 'foo'",
		"home/config:3: invalid value '12x' for import.idle-minutes: "
		    "expected a number from 1 to 10080; using '30'",
		"home/config:4: invalid value 's3' for storage: "
		    "expected local or cloud; using 'cloud'",
		"home/config:5: unterminated quoted value",
		"home/config:6: unexpected text after the quoted value",
		"home/config:7: unknown directive 'frobnicate'",
		"home/config:8: expected 'set KEY = VALUE'",
		"home/config:9: expected 'set KEY = VALUE'",
	};
	struct config *cfg = config_parse(text, "home/config");
	size_t i;

	(void)state;
	assert_int_equal(config_warning_count(cfg), sizeof want / sizeof want[0]);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(config_warning(cfg, i), want[i]);
	assert_null(config_warning(cfg, i));
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	assert_int_equal(config_get_number(cfg, "import.idle-minutes"), 30);
	assert_string_equal(config_get(cfg, "theme"), "default");
	assert_int_equal(config_get_bool(cfg, "continuous-sync"), 1);
	assert_int_equal(config_get_bool(cfg, "analytics.opt-in"), 1);
	config_free(cfg);
}

static void
test_defaults_without_config(void **state)
{
	struct config *cfg = config_parse("", "empty");

	(void)state;
	assert_int_equal(config_warning_count(cfg), 0);
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	assert_string_equal(config_get(NULL, "theme"), "default");
	assert_int_equal(config_get_number(NULL, "import.idle-minutes"), 30);
	assert_int_equal(config_get_bool(NULL, "continuous-sync"), 1);
	assert_int_equal(config_get_bool(cfg, "analytics.opt-in"), 0);
	config_free(cfg);
}

struct tmphome {
	char dir[64];
	char *home;	/* dir/home: does not exist at first */
	char *path;	/* its config file */
};

static int
tmphome_setup(void **state)
{
	struct tmphome *t = xcalloc(1, sizeof *t);

	snprintf(t->dir, sizeof t->dir, "/tmp/agentlogs-test-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	t->home = xprintf("%s/home", t->dir);
	t->path = config_path(t->home);
	*state = t;
	return 0;
}

static int
tmphome_teardown(void **state)
{
	struct tmphome *t = *state;

	unlink(t->path);
	rmdir(t->home);
	rmdir(t->dir);
	free(t->path);
	free(t->home);
	free(t);
	return 0;
}

static void
test_set_roundtrip(void **state)
{
	struct tmphome *t = *state;
	struct config *cfg;
	struct stat st;
	char err[ERRLEN], *text;

	/* Reading a home that does not exist yet gives the defaults. */
	cfg = config_read(t->home, err);
	assert_non_null(cfg);
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	config_free(cfg);

	assert_int_equal(config_set(t->home, "storage", "LOCAL", err), 0);
	assert_int_equal(config_set(t->home, "continuous-sync", "off", err), 0);
	assert_int_equal(config_set(t->home, "cloud.anon-key", "a \"b\" #c\\", err), 0);
	assert_int_equal(config_set_analytics(t->home, 1, err), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	text = slurp(t->path);
	assert_string_equal(text,
	    "set storage = local\n"
	    "set continuous-sync = false\n"
	    "set cloud.anon-key = \"a \\\"b\\\" #c\\\\\"\n"
	    "set analytics.opt-in = true\n");
	free(text);

	cfg = config_read(t->home, err);
	assert_non_null(cfg);
	assert_int_equal(config_warning_count(cfg), 0);
	assert_string_equal(config_get(cfg, "storage"), "local");
	assert_int_equal(config_get_bool(cfg, "continuous-sync"), 0);
	assert_string_equal(config_get(cfg, "cloud.anon-key"), "a \"b\" #c\\");
	assert_int_equal(config_get_bool(cfg, "analytics.opt-in"), 1);
	config_free(cfg);

	assert_int_equal(config_unset(t->home, "storage", err), 0);
	assert_int_equal(config_set_analytics(t->home, 0, err), 0);
	cfg = config_read(t->home, err);
	assert_string_equal(config_get(cfg, "storage"), "cloud");
	assert_int_equal(config_is_set(cfg, "storage"), 0);
	assert_int_equal(config_get_bool(cfg, "analytics.opt-in"), 0);
	config_free(cfg);
}

static void
test_set_preserves(void **state)
{
	struct tmphome *t = *state;
	char err[ERRLEN], *text;

	assert_int_equal(mkdir(t->home, 0700), 0);
	spew(t->path,
	    "# my settings\n"
	    "set theme = dark   # keep this comment\n"
	    "\n"
	    "bind main <Enter> view-diff\n"
	    "set foo = bar\n"
	    "set storage = \"broken\n"
	    "color cursor white blue\n"
	    "set import.idle-minutes = 5\n"
	    "set import.idle-minutes = 6\n"
	    "frobnicate");

	assert_int_equal(config_set(t->home, "theme", "light", err), 0);
	assert_int_equal(config_set(t->home, "import.idle-minutes", "10080", err), 0);
	assert_int_equal(config_set(t->home, "sync.conflicts", "manual", err), 0);
	text = slurp(t->path);
	assert_string_equal(text,
	    "# my settings\n"
	    "set theme = light # keep this comment\n"
	    "\n"
	    "bind main <Enter> view-diff\n"
	    "set foo = bar\n"
	    "set storage = \"broken\n"
	    "color cursor white blue\n"
	    "set import.idle-minutes = 5\n"
	    "set import.idle-minutes = 10080\n"
	    "frobnicate\n"
	    "set sync.conflicts = manual\n");
	free(text);

	/* Rejected: nothing written. */
	assert_int_equal(config_set(t->home, "import.idle-minutes", "10081", err), -1);
	assert_string_equal(err, "invalid value '10081' for import.idle-minutes: "
	    "expected a number from 1 to 10080");
	assert_int_equal(config_set(t->home, "foo", "bar", err), -1);
	assert_non_null(strstr(err, "unknown config key 'foo'"));
	assert_int_equal(config_unset(t->home, "foo", err), -1);
	/* Unsetting removes every line for the key, and only those. */
	assert_int_equal(config_unset(t->home, "import.idle-minutes", err), 0);
	assert_int_equal(config_unset(t->home, "analytics.opt-in", err), 0);
	text = slurp(t->path);
	assert_string_equal(text,
	    "# my settings\n"
	    "set theme = light # keep this comment\n"
	    "\n"
	    "bind main <Enter> view-diff\n"
	    "set foo = bar\n"
	    "set storage = \"broken\n"
	    "color cursor white blue\n"
	    "frobnicate\n"
	    "set sync.conflicts = manual\n");
	free(text);
}

/* "\n.B name\n" with each '-' written "\\-", as a man page must. */
static char *
roff_name(const char *name)
{
	char *s = xmalloc(2 * strlen(name) + 6), *p = s;

	p += sprintf(p, "\n.B ");
	for (; *name != '\0'; name++) {
		if (*name == '-')
			*p++ = '\\';
		*p++ = *name;
	}
	strcpy(p, "\n");
	return s;
}

/* Every key of the table is described in agentlogs-config(5), with its choices. */
static void
test_man_page(void **state)
{
	const struct option_def *od;
	const char *const *c;
	char *man = slurp(ABS_TOP_SRCDIR "/man/agentlogs-config.5"), *want;

	(void)state;
	for (od = options_table; od->name != NULL; od++) {
		want = roff_name(od->name);
		if (strstr(man, want) == NULL)
			fail_msg("man/agentlogs-config.5 lacks a '.B %s' line", od->name);
		free(want);
		for (c = od->choices; c != NULL && *c != NULL; c++) {
			if (strstr(man, *c) == NULL)
				fail_msg("man/agentlogs-config.5 lacks %s's choice %s",
				    od->name, *c);
		}
	}
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_lookup),
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_boolean),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_warnings),
		cmocka_unit_test(test_defaults_without_config),
		cmocka_unit_test_setup_teardown(test_set_roundtrip, tmphome_setup,
		    tmphome_teardown),
		cmocka_unit_test_setup_teardown(test_set_preserves, tmphome_setup,
		    tmphome_teardown),
		cmocka_unit_test(test_man_page),
	};

	log_set_progname("agentlogs");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
